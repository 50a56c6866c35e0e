package activities

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/register"
)

// FigureFilter chooses the region (a street, community or grid; the principal's own when 0) and
// the period by date in Asia/Shanghai, both ends included.
type FigureFilter struct {
	RegionID int64
	From, To string // YYYY-MM-DD
}

// Count is one line of a breakdown, with the list it counts.
type Count struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Count int    `json:"count"`
	Link  string `json:"link"`
}

// VenueUse is how much a room was used: hours booked ÷ hours open in the period.
type VenueUse struct {
	VenueID     int64   `json:"venue_id"`
	Name        string  `json:"name"`
	HoursBooked float64 `json:"hours_booked"`
	HoursOpen   float64 `json:"hours_open"`
	UseRate     float64 `json:"use_rate"`
	Link        string  `json:"link"`
}

// Reach is, for one focus tag, how many residents with it took part in an activity in the period.
type Reach struct {
	Tag     string  `json:"tag"`
	Label   string  `json:"label"`
	Total   int     `json:"total"`
	Reached int     `json:"reached"`
	Rate    float64 `json:"rate"`
	Link    string  `json:"link"` // the residents not reached
}

// RegionFigures are one sub-region's headline figures, for the per-grid and per-community table.
type RegionFigures struct {
	RegionID     int64  `json:"region_id"`
	Name         string `json:"name"`
	Held         int    `json:"held"`
	Participants int    `json:"participants"`
	FocusTotal   int    `json:"focus_total"`
	FocusReached int    `json:"focus_reached"`
	Link         string `json:"link"`
}

// Figures are the activities figures of a region and period, each computed from the records and
// carrying the link to them.
type Figures struct {
	RegionID             int64           `json:"region_id"`
	RegionName           string          `json:"region_name"`
	From                 string          `json:"from"`
	To                   string          `json:"to"`
	Held                 int             `json:"held"`
	HeldLink             string          `json:"held_link"`
	FeaturedSeries       int             `json:"featured_series"`
	FeaturedLink         string          `json:"featured_link"`
	BySeries             []Count         `json:"by_series"`
	ByKind               []Count         `json:"by_kind"`
	ParticipantsTotal    int             `json:"participants_total"`
	ParticipantsDistinct int             `json:"participants_distinct"`
	VolunteerHours       float64         `json:"volunteer_hours"`
	VolunteerLink        string          `json:"volunteer_link"`
	Venues               []VenueUse      `json:"venues"`
	Reach                []Reach         `json:"reach"`
	Children             []RegionFigures `json:"children"`
}

// period turns the filter's dates into [from, to) instants; the default is the year so far.
func (f *FigureFilter) period(now time.Time) (time.Time, time.Time, error) {
	loc := clock.Shanghai()
	if f.From == "" {
		f.From = now.In(loc).Format("2006") + "-01-01"
	}
	if f.To == "" {
		f.To = now.In(loc).Format(time.DateOnly)
	}
	from, err1 := time.ParseInLocation(time.DateOnly, f.From, loc)
	to, err2 := time.ParseInLocation(time.DateOnly, f.To, loc)
	if err1 != nil || err2 != nil || to.Before(from) || to.Sub(from) > 3*366*24*time.Hour {
		return time.Time{}, time.Time{}, errs.Field("from", "统计期间不正确（日期格式 YYYY-MM-DD，最长三年）")
	}
	return from.UTC(), to.AddDate(0, 0, 1).UTC(), nil
}

type regionRef struct {
	id                int64
	name, path, level string
	d                 db.Dialect
	subtree, above    []int64 // the region and every region below it; the regions above it
}

// figureRegion resolves the filter's region in the principal's scope, with the ids of its subtree
// and of the regions above it; any other is not found.
func figureRegion(ctx context.Context, d *db.DB, p *auth.Principal, id int64) (*regionRef, error) {
	if id == 0 {
		id = p.RegionID
	}
	r := &regionRef{id: id, d: d.Dialect}
	if err := d.R.QueryRowContext(ctx, `SELECT name, path, level FROM regions WHERE id = $1`, id).Scan(&r.name, &r.path, &r.level); err != nil || !p.Covers(r.path) {
		return nil, errs.E(errs.NotFound, "区域不存在")
	}
	rows, err := d.R.QueryContext(ctx, `SELECT id FROM regions WHERE path LIKE $1 || '%'`, r.path)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k int64
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		r.subtree = append(r.subtree, k)
	}
	for _, seg := range strings.Split(strings.Trim(r.path, "/"), "/") {
		if k, err := strconv.ParseInt(seg, 10, 64); err == nil && k != r.id {
			r.above = append(r.above, k)
		}
	}
	return r, rows.Err()
}

// in is the condition that col is one of ids, the ids read once with the region (one argument,
// db.InIDs): each statement seeks its rows region by region on both databases, where a subquery
// on the regions' paths left PostgreSQL to guess how many it would find and scan every row.
func (r *regionRef) in(col string, ids []int64, a *db.Args) string {
	return r.d.InIDs(col, ids, a)
}

// activitySet is the condition selecting the activities that count for a region: those organised
// in it, and those of the regions above it that are meant for its people. Held ones only.
func activitySet(r *regionRef, a *db.Args, from, to, now time.Time) string {
	return heldWhen(a, from, to, now) + ` AND ` + r.in(`a.region_id`, append(append([]int64{}, r.subtree...), r.above...), a) + `
		AND (a.audience <> 'grid' OR a.grid_id = ` + a.Add(r.id) + ` OR ` + r.in(`a.region_id`, r.subtree, a) + `)`
}

// heldWhen is the condition that activity a was held in [from, to): published, started in it and
// not after now.
func heldWhen(a *db.Args, from, to, now time.Time) string {
	return `a.status = 'published' AND a.starts_at >= ` + a.Add(from) + ` AND a.starts_at < ` + a.Add(to) + ` AND a.starts_at <= ` + a.Add(now)
}

// checkIns is activitySet on activity_participants p (migration 0031: one row per check-in of a
// published activity, with its region, grid audience and start in Unix seconds): the check-ins
// of the activities held in [from, to) that count for r: when, and within (organised in r's
// subtree) or above (organised above r for its people) — the two never share a row.
func checkIns(r *regionRef, a *db.Args, from, to, now time.Time) (when, within, above string) {
	return heldIn(a, `p.held_at`, from, to, now), r.in(`p.region_id`, r.subtree, a),
		r.in(`p.region_id`, r.above, a) + ` AND (p.grid_id IS NULL OR p.grid_id = ` + a.Add(r.id) + `)`
}

// heldIn is the condition that col, an activity's start in Unix seconds, lies in [from, to) and
// not after now: activitySet's three bounds in two.
func heldIn(a *db.Args, col string, from, to, now time.Time) string {
	return col + ` >= ` + a.Add(from.Unix()) + ` AND ` + col + ` < ` + a.Add(min(to.Unix(), now.Unix()+1))
}

// participants counts the check-ins of the activities that count for r and the people behind
// them — a resident by their id, anyone else by phone and name, as the sign-up list shows them.
// A street, community or grid reads its check-ins through activity_participants_region, the two
// parts of checkIns one after the other. For a district or the city, most of the check-ins, SQLite
// instead walks the residents' in resident order (activity_participants_resident) and counts each
// resident as their run ends, rather than sorting hundreds of thousands of ids.
func (s *Service) participants(ctx context.Context, r *regionRef, from, to, now time.Time) (total, distinct int, err error) {
	a := &db.Args{}
	when, within, above := checkIns(r, a, from, to, now)
	if s.db.Dialect == db.SQLite && (r.level == "district" || r.level == "city") {
		set := when + ` AND (` + within + ` OR (` + above + `))`
		var residents, residentCheckIns, guests, guestCheckIns int
		if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(n), 0) FROM (SELECT p.resident_id, COUNT(*) AS n
			FROM activity_participants p INDEXED BY activity_participants_resident WHERE p.resident_id IS NOT NULL AND `+set+`
			GROUP BY p.resident_id) x`, *a...).Scan(&residents, &residentCheckIns); err != nil {
			return 0, 0, fmt.Errorf("figures: participants: %w", err)
		}
		if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(DISTINCT p.guest), COUNT(*) FROM activity_participants p
			WHERE p.guest IS NOT NULL AND `+set, *a...).Scan(&guests, &guestCheckIns); err != nil {
			return 0, 0, fmt.Errorf("figures: participants: %w", err)
		}
		return residentCheckIns + guestCheckIns, residents + guests, nil
	}
	var residents, guests int
	err = s.db.R.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT y.resident_id), COUNT(DISTINCT y.guest) FROM (
		SELECT p.resident_id, p.guest FROM activity_participants p WHERE `+when+` AND `+within+`
		UNION ALL SELECT p.resident_id, p.guest FROM activity_participants p WHERE `+when+` AND `+above+`) y`, *a...).
		Scan(&total, &residents, &guests)
	if err != nil {
		return 0, 0, fmt.Errorf("figures: participants: %w", err)
	}
	return total, residents + guests, nil
}

// Figures computes the activities figures of a region in the principal's scope for a period.
func (s *Service) Figures(ctx context.Context, f FigureFilter) (*Figures, error) {
	p, err := principal(ctx, auth.ActivitiesRead)
	if err != nil {
		return nil, err
	}
	now := s.now()
	from, to, err := f.period(now)
	if err != nil {
		return nil, err
	}
	r, err := figureRegion(ctx, s.db, p, f.RegionID)
	if err != nil {
		return nil, err
	}
	q := s.db.R
	out := &Figures{RegionID: r.id, RegionName: r.name, From: f.From, To: f.To}
	base := "?region=" + strconv.FormatInt(r.id, 10) + "&from=" + f.From + "&to=" + f.To
	base += "&held=1" // the lists behind the figures: the same activities, counted by the same condition
	out.HeldLink, out.FeaturedLink = "/activities"+base, "/activities"+base+"&featured=1"
	out.VolunteerLink = "/activities/hours" + base + "&status=approved"
	a := &db.Args{}
	set := activitySet(r, a, from, to, now)
	// Held, featured and by series in one pass over the region's activities (grouped by series),
	// by kind in a second: both read from activities_figures alone.
	rows, err := q.QueryContext(ctx, `SELECT COALESCE(CAST(a.series_id AS TEXT), ''), COALESCE(se.name, ''), COALESCE(se.featured, FALSE), COUNT(*)
		FROM activities a LEFT JOIN activity_series se ON se.id = a.series_id WHERE `+set+` GROUP BY a.series_id, se.name, se.featured`, *a...)
	if err != nil {
		return nil, fmt.Errorf("figures: held: %w", err)
	}
	out.BySeries = []Count{}
	for rows.Next() {
		var c Count
		var featured bool
		if err := rows.Scan(&c.Key, &c.Label, &featured, &c.Count); err != nil {
			rows.Close()
			return nil, err
		}
		out.Held += c.Count
		if c.Key == "" {
			continue
		}
		if featured {
			out.FeaturedSeries++
		}
		c.Link = "/activities" + base + "&series=" + c.Key
		out.BySeries = append(out.BySeries, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(out.BySeries, func(i, j int) bool {
		x, y := out.BySeries[i], out.BySeries[j]
		return x.Count > y.Count || x.Count == y.Count && x.Label < y.Label
	})
	if out.ByKind, err = counts(ctx, q, `SELECT a.kind, a.kind, COUNT(*) FROM activities a WHERE `+set+` GROUP BY a.kind ORDER BY COUNT(*) DESC, a.kind`,
		*a, func(k string) string { return "/activities" + base + "&kind=" + k }); err != nil {
		return nil, err
	}
	for i := range out.ByKind {
		out.ByKind[i].Label = ActivityKind(out.ByKind[i].Key).Label()
	}
	if out.ParticipantsTotal, out.ParticipantsDistinct, err = s.participants(ctx, r, from, to, now); err != nil {
		return nil, err
	}
	var minutes int64
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(v.minutes), 0) FROM activity_volunteers v JOIN activities a ON a.id = v.activity_id
		WHERE v.status = 'approved' AND `+set, *a...).Scan(&minutes); err != nil {
		return nil, fmt.Errorf("figures: hours: %w", err)
	}
	out.VolunteerHours = round1(float64(minutes) / 60)
	if out.Venues, err = s.venueUse(ctx, r, from, to); err != nil {
		return nil, err
	}
	counts, err := s.reachByRegion(ctx, p, r, from, to, now)
	if err != nil {
		return nil, err
	}
	out.Reach = reach(counts, func(int64) bool { return true }, base)
	if out.Children, err = s.children(ctx, r, from, to, now, f, counts); err != nil {
		return nil, err
	}
	return out, nil
}

func counts(ctx context.Context, q db.Querier, query string, v []any, link func(string) string) ([]Count, error) {
	rows, err := q.QueryContext(ctx, query, v...)
	if err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	defer rows.Close()
	out := []Count{}
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.Key, &c.Label, &c.Count); err != nil {
			return nil, err
		}
		c.Link = link(c.Key)
		out = append(out, c)
	}
	return out, rows.Err()
}

// venueUse is, per room of the region or above it, hours booked ÷ hours open in [from, to): the
// period's open days counted once per opening rule, every room's bookings read in one statement.
func (s *Service) venueUse(ctx context.Context, r *regionRef, from, to time.Time) ([]VenueUse, error) {
	cal, err := s.opts.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	a := &db.Args{}
	rooms := `v.active AND ` + r.in(`v.region_id`, append(append([]int64{}, r.subtree...), r.above...), a)
	vs, err := s.venues(ctx, rooms, *a...)
	if err != nil {
		return nil, err
	}
	openDays := map[string]int{}
	for d := from; d.Before(to); d = d.Add(24 * time.Hour) {
		for _, rule := range []string{"workdays", "all"} {
			if (&Venue{OpenDays: rule}).OpenOn(cal, d) {
				openDays[rule]++
			}
		}
	}
	booked := map[int64]float64{}
	// The bookings inside the period summed per room in the database; the few that straddle one of
	// its ends read and cut to it here. Both through venue_bookings_venue alone (migration 0031).
	hours := `(julianday(b.ends_at) - julianday(b.starts_at)) * 24`
	if s.db.Dialect == db.Postgres {
		hours = `EXTRACT(EPOCH FROM b.ends_at - b.starts_at) / 3600`
	}
	toPh, fromPh := a.Add(to), a.Add(from)
	booking := `FROM venue_bookings b WHERE b.venue_id IN (SELECT v.id FROM venues v WHERE ` + rooms + `)
		AND b.status IN ('approved','no_show') AND b.starts_at < ` + toPh + ` AND b.ends_at > ` + fromPh
	rows, err := s.db.R.QueryContext(ctx, `SELECT b.venue_id, SUM(`+hours+`) `+booking+` AND b.starts_at >= `+fromPh+` AND b.ends_at <= `+toPh+`
		GROUP BY b.venue_id`, *a...)
	if err != nil {
		return nil, fmt.Errorf("figures: venue use: %w", err)
	}
	for rows.Next() {
		var id int64
		var h float64
		if err := rows.Scan(&id, &h); err != nil {
			rows.Close()
			return nil, err
		}
		booked[id] += h
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.db.R.QueryContext(ctx, `SELECT b.venue_id, b.starts_at, b.ends_at `+booking+` AND (b.starts_at < `+fromPh+` OR b.ends_at > `+toPh+`)`,
		*a...)
	if err != nil {
		return nil, fmt.Errorf("figures: venue use: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var st, en time.Time
		if err := rows.Scan(&id, &st, &en); err != nil {
			return nil, err
		}
		booked[id] += minTime(en, to).Sub(maxTime(st, from)).Hours()
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []VenueUse{}
	for _, v := range vs {
		u := VenueUse{VenueID: v.ID, Name: v.Name, Link: "/venues/" + strconv.FormatInt(v.ID, 10),
			HoursBooked: round1(booked[v.ID]), HoursOpen: float64(openDays[v.OpenDays]) * v.OpenHours()}
		if u.HoursOpen > 0 {
			u.UseRate = math.Round(u.HoursBooked/u.HoursOpen*1000) / 1000
		}
		out = append(out, u)
	}
	return out, nil
}

// focusScope is the condition that resident r is an active resident of the region; with
// focusTag, the residents ReachList lists and reach counts.
func focusScope(r *regionRef, a *db.Args) string {
	return `r.status = 'active' AND ` + r.in(`r.region_id`, r.subtree, a)
}

// focusTag is the condition that resident r carries tag on the day of to.
func focusTag(tag string, a *db.Args, to time.Time) string {
	switch register.Tag(tag) {
	case register.TagAged80:
		return `r.birth_date <> '' AND r.birth_date <= ` + a.Add(to.In(clock.Shanghai()).AddDate(-80, 0, 0).Format(time.DateOnly))
	case register.TagMinor:
		return `r.birth_date > ` + a.Add(to.In(clock.Shanghai()).AddDate(-18, 0, 0).Format(time.DateOnly))
	}
	return `r.id IN (SELECT resident_id FROM resident_tags WHERE tag = ` + a.Add(tag) + `)`
}

// tookPart is the condition that resident r checked in to an activity held in [from, to) — one
// seek per resident into activity_participants_resident.
func tookPart(a *db.Args, from, to time.Time) string {
	return `EXISTS (SELECT 1 ` + attendance(a, from, to, "r.id") + `)`
}

// attendance is the rows of resident's check-ins to activities held in [from, to).
func attendance(a *db.Args, from, to time.Time, resident string) string {
	return `FROM activity_participants x WHERE x.resident_id = ` + resident + ` AND x.held_at >= ` + a.Add(from.Unix()) +
		` AND x.held_at < ` + a.Add(to.Unix())
}

// reachCounts are the residents of one focus tag in one region and how many of them took part.
type reachCounts map[string]*[2]int

// reachByRegion counts, for every region of r that residents live in (grids, and a community for
// those in no grid) and every focus tag, the residents ReachList lists and those of them who took
// part — all in one statement, read once for a region's figures and its sub-regions'. Minors are
// left out for a principal who may not see them.
func (s *Service) reachByRegion(ctx context.Context, p *auth.Principal, r *regionRef, from, to, now time.Time) (map[int64]reachCounts, error) {
	a := &db.Args{}
	// Counted through a scalar subquery, one index seek per focus resident: as an EXISTS inside a
	// CASE, PostgreSQL planned a hashed set of every check-in of the period in the whole city, for
	// a single community too.
	took := func(resident string) string {
		return `COUNT((SELECT 1 ` + attendance(a, from, to, resident) + ` LIMIT 1))`
	}
	var stored []string
	for _, t := range FocusTags {
		if t != register.TagAged80 {
			stored = append(stored, a.Add(string(t)))
		}
	}
	// A tag stored in resident_tags is the same condition as focusScope's and focusTag's, read
	// from the tags alone (resident_tags_care; the register keeps a tag's region its resident's,
	// as the care plans' coverage counts it) instead of walking every resident of the region.
	adults := ""
	if p.HidesMinors() {
		adults = ` AND EXISTS (SELECT 1 FROM residents r WHERE r.id = t.resident_id` + p.AdultsOnly("r.birth_date", now, a) + `)`
	}
	q := `SELECT t.region_id, t.tag, COUNT(*), ` + took("t.resident_id") + ` FROM resident_tags t
		WHERE ` + r.in(`t.region_id`, r.subtree, a) + ` AND t.tag IN (` + strings.Join(stored, ", ") + `)
		AND t.resident_id NOT IN (SELECT id FROM residents WHERE status <> 'active')` + adults + ` GROUP BY t.region_id, t.tag
		UNION ALL SELECT r.region_id, '` + string(register.TagAged80) + `', COUNT(*), ` + took("r.id") + ` FROM residents r
		WHERE ` + focusScope(r, a) + p.AdultsOnly("r.birth_date", now, a) + ` AND ` + focusTag(string(register.TagAged80), a, minTime(to, now)) +
		` GROUP BY r.region_id`
	rows, err := s.db.R.QueryContext(ctx, q, *a...)
	if err != nil {
		return nil, fmt.Errorf("figures: reach: %w", err)
	}
	defer rows.Close()
	out := map[int64]reachCounts{}
	for rows.Next() {
		var region int64
		var tag string
		var total int
		var reached sql.NullInt64
		if err := rows.Scan(&region, &tag, &total, &reached); err != nil {
			return nil, err
		}
		if out[region] == nil {
			out[region] = reachCounts{}
		}
		out[region][tag] = &[2]int{total, int(reached.Int64)}
	}
	return out, rows.Err()
}

// reach sums the regions' counts into one line per focus tag.
func reach(counts map[int64]reachCounts, regions func(int64) bool, base string) []Reach {
	out := []Reach{}
	for _, t := range FocusTags {
		x := Reach{Tag: string(t), Label: t.Label()}
		if base != "" {
			x.Link = "/activities/figures/reach" + base + "&tag=" + string(t)
		}
		for id, c := range counts {
			if n := c[string(t)]; n != nil && regions(id) {
				x.Total += n[0]
				x.Reached += n[1]
			}
		}
		if x.Total > 0 {
			x.Rate = math.Round(float64(x.Reached)/float64(x.Total)*1000) / 1000
		}
		out = append(out, x)
	}
	return out
}

// children computes the headline figures of each region directly below r (grids of a community,
// communities of a street), their reach folded from r's counts by region.
func (s *Service) children(ctx context.Context, r *regionRef, from, to, now time.Time, f FigureFilter, counts map[int64]reachCounts) ([]RegionFigures, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, name, path, level, parent_id FROM regions WHERE path LIKE $1 || '%' AND id <> $2 ORDER BY code`,
		r.path, r.id)
	if err != nil {
		return nil, err
	}
	var kids []regionRef
	under := map[int64]int64{} // each region below r: the child of r it lies in
	for rows.Next() {
		var k regionRef
		var parent sql.NullInt64
		if err := rows.Scan(&k.id, &k.name, &k.path, &k.level, &parent); err != nil {
			rows.Close()
			return nil, err
		}
		if parent.Int64 == r.id {
			kids = append(kids, k)
		}
		if rest := strings.TrimPrefix(k.path, r.path); rest != k.path {
			if id, err := strconv.ParseInt(strings.SplitN(rest, "/", 2)[0], 10, 64); err == nil {
				under[k.id] = id
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	a := &db.Args{}
	held, err := s.perChild(ctx, r, kids, under, `FROM activities a WHERE `+heldWhen(a, from, to, now), a,
		`a.region_id`, `CASE WHEN a.audience = 'grid' THEN a.grid_id END`)
	if err != nil {
		return nil, err
	}
	a = &db.Args{}
	came, err := s.perChild(ctx, r, kids, under, `FROM activity_participants p WHERE `+heldIn(a, `p.held_at`, from, to, now), a,
		`p.region_id`, `p.grid_id`)
	if err != nil {
		return nil, err
	}
	out := []RegionFigures{}
	for _, k := range kids {
		c := RegionFigures{RegionID: k.id, Name: k.name, Held: held[k.id], Participants: came[k.id],
			Link: "/activities/figures?region=" + strconv.FormatInt(k.id, 10) + "&from=" + f.From + "&to=" + f.To}
		for _, x := range reach(counts, func(id int64) bool { return under[id] == k.id }, "") {
			c.FocusTotal += x.Total
			c.FocusReached += x.Reached
		}
		out = append(out, c)
	}
	return out, nil
}

// perChild counts, for each region directly below r at once, the rows that activitySet (or
// checkIns) selects for it: those organised under it, grouped by region and folded into the child
// they lie in, and those organised at r or above it for all of its people or for the child alone
// (grid, the activity's grid when it is only for that grid's people, NULL otherwise). from is a
// FROM … WHERE clause with its arguments in a; region is the rows' organising region.
func (s *Service) perChild(ctx context.Context, r *regionRef, kids []regionRef, under map[int64]int64, from string, a *db.Args,
	region, grid string) (map[int64]int, error) {
	out := map[int64]int{}
	read := func(q string, args db.Args, add func(key sql.NullInt64, n int)) error {
		rows, err := s.db.R.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("figures: per child: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var key sql.NullInt64
			var n int
			if err := rows.Scan(&key, &n); err != nil {
				return err
			}
			add(key, n)
		}
		return rows.Err()
	}
	var down []int64 // the regions below r
	for _, id := range r.subtree {
		if id != r.id {
			down = append(down, id)
		}
	}
	below := append(db.Args{}, *a...)
	err := read(`SELECT `+region+`, COUNT(*) `+from+` AND `+r.in(region, down, &below)+` GROUP BY `+region, below,
		func(id sql.NullInt64, n int) { out[under[id.Int64]] += n })
	if err != nil {
		return nil, err
	}
	above := append(db.Args{}, *a...)
	err = read(`SELECT `+grid+`, COUNT(*) `+from+` AND `+r.in(region, append(append([]int64{}, r.above...), r.id), &above)+
		` GROUP BY 1`, above, func(g sql.NullInt64, n int) {
		for _, k := range kids {
			if !g.Valid || g.Int64 == k.id {
				out[k.id] += n
			}
		}
	})
	return out, err
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// ReachResident is a resident with a focus tag and whether they took part in the period; the care
// plan link leads to the grid worker's list for the tag.
type ReachResident struct {
	ResidentID int64  `json:"resident_id"`
	Name       string `json:"name"`
	GridName   string `json:"grid_name"`
	TookPart   bool   `json:"took_part"`
	CareLink   string `json:"care_link"`
}

// ReachList lists the residents of a focus tag in a region with whether they took part in an
// activity in the period, those who did not first. Child tags need the permission to see minors.
func (s *Service) ReachList(ctx context.Context, f FigureFilter, tag string) ([]ReachResident, error) {
	p, err := principal(ctx, auth.ActivitiesRead)
	if err != nil {
		return nil, err
	}
	if !isFocusTag(tag) {
		return nil, errs.Field("tag", "请选择重点人群")
	}
	if (tag == string(register.TagLeftBehindChild) || tag == string(register.TagChildInDistress) || tag == string(register.TagMinor)) &&
		!p.Can(auth.MinorsRead) {
		return nil, errs.E(errs.Forbidden, "查看未成年人名单需要相应权限")
	}
	now := s.now()
	from, to, err := f.period(now)
	if err != nil {
		return nil, err
	}
	r, err := figureRegion(ctx, s.db, p, f.RegionID)
	if err != nil {
		return nil, err
	}
	a := &db.Args{}
	where := focusScope(r, a) + ` AND ` + focusTag(tag, a, minTime(to, now)) + p.AdultsOnly("r.birth_date", now, a)
	rows, err := s.db.R.QueryContext(ctx, `SELECT r.id, r.name, g.id, g.name, CASE WHEN `+tookPart(a, from, to)+` THEN 1 ELSE 0 END AS took
		FROM residents r JOIN regions g ON g.id = r.region_id WHERE `+where+` ORDER BY took, g.code, r.id LIMIT 2000`, *a...)
	if err != nil {
		return nil, fmt.Errorf("reach list: %w", err)
	}
	defer rows.Close()
	out := []ReachResident{}
	for rows.Next() {
		var x ReachResident
		var gridID int64
		var took int
		if err := rows.Scan(&x.ResidentID, &x.Name, &gridID, &x.GridName, &took); err != nil {
			return nil, err
		}
		x.TookPart = took == 1
		x.CareLink = "/care-plans/residents?grid=" + strconv.FormatInt(gridID, 10) + "&tag=" + tag
		out = append(out, x)
	}
	return out, rows.Err()
}
