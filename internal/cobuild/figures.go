package cobuild

import (
	"context"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"linli/internal/activities"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

// FigureFilter selects the records the figures count: a region subtree (0: the viewer's scope), a
// period of days (inclusive; empty ends are open) and optionally one unit.
type FigureFilter struct {
	RegionID int64  `json:"region_id"`
	From     string `json:"from"`
	To       string `json:"to"`
	UnitID   int64  `json:"unit_id"`
}

// Figures are the alliance's counts for a region and period, each the size of the list its Href
// opens (DOMAIN.md: needs, resources, projects, meetings, activities).
type Figures struct {
	Filter FigureFilter `json:"filter"`
	// Needs counts needs raised in the period; NeedsClaimed those claimed in it; NeedsMet those
	// met 办结 in it.
	Needs        int `json:"needs"`
	NeedsClaimed int `json:"needs_claimed"`
	NeedsMet     int `json:"needs_met"`
	// Resources counts resources offered (available from a day) in the period; ResourcesUsed the
	// resources some project drew on in it.
	Resources     int `json:"resources"`
	ResourcesUsed int `json:"resources_used"`
	// Projects counts projects started 立项 in the period, ProjectsByState splits them by state.
	Projects        int            `json:"projects"`
	ProjectsByState map[string]int `json:"projects_by_state"`
	// Meetings counts joint meetings held in the period.
	Meetings int `json:"meetings"`
	// Decisions counts the decisions of those meetings: still open, closed by their due date, and
	// late (closed after it, or open past it).
	Decisions         int `json:"decisions"`
	DecisionsOpen     int `json:"decisions_open"`
	DecisionsOnTime   int `json:"decisions_closed_on_time"`
	DecisionsLate     int `json:"decisions_late"`
	Activities        int `json:"activities"`
	Participants      int `json:"participants"`
	ServiceMinutes    int `json:"service_minutes"`
	MemberServiceMins int `json:"member_service_minutes"`
	// Units ranks the member units by service for the year-end review 年度评议 (see UnitFigures.Score).
	Units []UnitFigures `json:"units"`
}

// UnitFigures is one unit's part of the figures and its place in the ranking.
type UnitFigures struct {
	UnitID          int64  `json:"unit_id"`
	Name            string `json:"name"`
	NeedsClaimed    int    `json:"needs_claimed"`
	NeedsMet        int    `json:"needs_met"`
	Projects        int    `json:"projects"`
	Activities      int    `json:"activities"`
	Participants    int    `json:"participants"`
	ServiceMinutes  int    `json:"service_minutes"`
	MemberMinutes   int    `json:"member_service_minutes"`
	Decisions       int    `json:"decisions"`
	DecisionsOnTime int    `json:"decisions_closed_on_time"`
	// Score is 3 per need claimed, 2 more per need met, 5 per project, 2 per activity, 2 per decision
	// closed on time and 1 per ten hours of its members' service; Rank orders units by it.
	Score int `json:"score"`
	Rank  int `json:"rank"`
}

// href builds a list link with the filter's period and region.
func (f FigureFilter) href(path string, kv ...string) string {
	q := url.Values{}
	if f.RegionID > 0 {
		q.Set("region", strconv.FormatInt(f.RegionID, 10))
	}
	if f.UnitID > 0 {
		q.Set("unit", strconv.FormatInt(f.UnitID, 10))
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// Href returns the page listing the records a figure counts, by the figure's JSON key.
func (f Figures) Href(key string) string {
	p := f.Filter
	from, to := p.From, p.To
	switch key {
	case "needs":
		return p.href("/cobuild/needs", "from", from, "to", to)
	case "needs_claimed":
		return p.href("/cobuild/needs", "by", "claimed", "from", from, "to", to)
	case "needs_met":
		return p.href("/cobuild/needs", "by", "done", "from", from, "to", to)
	case "resources":
		return p.href("/cobuild/resources", "from", from, "to", to)
	case "resources_used":
		return p.href("/cobuild/resources", "used", "1", "from", from, "to", to)
	case "projects":
		return p.href("/cobuild/projects", "from", from, "to", to)
	case "meetings":
		return p.href("/cobuild/meetings", "state", "held", "from", from, "to", to)
	case "decisions":
		return p.href("/cobuild/decisions", "from", from, "to", to)
	case "decisions_open":
		return p.href("/cobuild/decisions", "state", "open", "from", from, "to", to)
	case "decisions_closed_on_time":
		return p.href("/cobuild/decisions", "on_time", "1", "from", from, "to", to)
	case "decisions_late":
		return p.href("/cobuild/decisions", "late", "1", "from", from, "to", to)
	case "activities":
		return p.href("/cobuild/activities", "from", from, "to", to)
	}
	return ""
}

// StateHref returns the page listing the period's projects in one state.
func (f Figures) StateHref(state string) string {
	return f.Filter.href("/cobuild/projects", "state", state, "from", f.Filter.From, "to", f.Filter.To)
}

// Figures counts the alliance's records for p in the filter's region and period, with the units'
// ranking. Every count is the total of the list the same filter gives (Href), so a figure and its
// list never disagree. A unit contact's figures are their own unit's.
func (s *Service) Figures(ctx context.Context, p *auth.Principal, f FigureFilter) (*Figures, error) {
	ctx, v, err := s.figureViewer(ctx, p, &f)
	if err != nil {
		return nil, err
	}
	out := &Figures{Filter: f, ProjectsByState: map[string]int{}}
	needs := func(by string) func() (*where, error) {
		return func() (*where, error) {
			return s.needWhere(ctx, v, NeedFilter{RegionID: f.RegionID, UnitID: f.UnitID, By: by, From: f.From, To: f.To})
		}
	}
	resources := func(used bool) func() (*where, error) {
		return func() (*where, error) {
			return s.resourceWhere(ctx, v, ResourceFilter{RegionID: f.RegionID, UnitID: f.UnitID, Used: used, From: f.From, To: f.To})
		}
	}
	decisions := func(df DecisionFilter) func() (*where, error) {
		df.RegionID, df.UnitID, df.From, df.To = f.RegionID, f.UnitID, f.From, f.To
		return func() (*where, error) { return s.decisionWhere(ctx, v, df) }
	}
	counts := []struct {
		dst  *int
		from string
		cond func() (*where, error)
	}{
		{&out.Needs, "cobuild_needs n", needs("")},
		{&out.NeedsClaimed, "cobuild_needs n", needs("claimed")},
		{&out.NeedsMet, "cobuild_needs n", needs("done")},
		{&out.Resources, "cobuild_resources s", resources(false)},
		{&out.ResourcesUsed, "cobuild_resources s", resources(true)},
		{&out.Meetings, "cobuild_meetings m", func() (*where, error) {
			return s.meetingWhere(ctx, v, MeetingFilter{RegionID: f.RegionID, State: "held", From: f.From, To: f.To})
		}},
		{&out.DecisionsOpen, decisionFrom, decisions(DecisionFilter{State: "open"})},
		{&out.DecisionsOnTime, decisionFrom, decisions(DecisionFilter{OnTime: true})},
		{&out.DecisionsLate, decisionFrom, decisions(DecisionFilter{Late: true})},
	}
	for _, c := range counts {
		w, err := c.cond()
		if err == nil {
			*c.dst, err = count(ctx, s.db.R, c.from, w)
		}
		if err != nil {
			return nil, err
		}
	}
	units, err := s.rankedUnits(ctx, v, f)
	if err != nil {
		return nil, err
	}
	by := map[int64]*UnitFigures{}
	for i := range units {
		by[units[i].UnitID] = &units[i]
	}
	unit := func(id int64) *UnitFigures {
		if u := by[id]; u != nil {
			return u
		}
		return &UnitFigures{} // a unit outside the ranking (another unit's partner): counted in the totals only
	}
	for _, st := range ProjectStates {
		out.ProjectsByState[string(st)] = 0
	}
	pw, err := s.projectWhere(ctx, v, ProjectFilter{RegionID: f.RegionID, UnitID: f.UnitID, From: f.From, To: f.To})
	if err != nil {
		return nil, err
	}
	err = grouped(ctx, s.db.R, `SELECT p.unit_id, p.state, COUNT(*) FROM `+projectFrom+pw.sql()+` GROUP BY p.unit_id, p.state`, pw,
		func(scan func(...any) error) error {
			var id int64
			var state string
			var n int
			err := scan(&id, &state, &n)
			out.Projects += n
			out.ProjectsByState[state] += n
			unit(id).Projects += n
			return err
		})
	if err != nil {
		return nil, err
	}
	dw, err := s.decisionWhere(ctx, v, DecisionFilter{RegionID: f.RegionID, UnitID: f.UnitID, From: f.From, To: f.To})
	if err != nil {
		return nil, err
	}
	err = grouped(ctx, s.db.R, `SELECT d.unit_id, COUNT(*), SUM(CASE WHEN d.state = 'closed' AND d.closed_on <= d.due_on THEN 1 ELSE 0 END)
		FROM `+decisionFrom+dw.sql()+` GROUP BY d.unit_id`, dw, func(scan func(...any) error) error {
		var id int64
		var n, onTime int
		err := scan(&id, &n, &onTime)
		out.Decisions += n
		unit(id).Decisions += n
		unit(id).DecisionsOnTime += onTime
		return err
	})
	if err != nil {
		return nil, err
	}
	af, err := s.unitFilter(ctx, v, ActivityFilter{RegionID: f.RegionID, UnitID: f.UnitID, From: f.From, To: f.To})
	if err != nil {
		return nil, err
	}
	all, byUnit, err := activities.UnitActivityTotals(ctx, s.db.R, s.db.Dialect, af)
	if err != nil {
		return nil, err
	}
	out.Activities, out.Participants, out.ServiceMinutes = all.Activities, all.Headcount, all.ServiceMinutes
	for id, t := range byUnit {
		u := unit(id)
		u.Activities, u.Participants, u.ServiceMinutes = t.Activities, t.Headcount, t.ServiceMinutes
	}
	if out.Units, err = s.rank(ctx, v, f, units, by); err != nil {
		return nil, err
	}
	for _, u := range out.Units {
		out.MemberServiceMins += u.MemberMinutes
	}
	return out, nil
}

// grouped runs a grouped query with w's arguments and hands each row's scanner to row.
func grouped(ctx context.Context, q db.Querier, query string, w *where, row func(scan func(...any) error) error) error {
	rows, err := q.QueryContext(ctx, query, w.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// rankedUnits lists the units the ranking covers: every unit in the region, or the one asked for.
func (s *Service) rankedUnits(ctx context.Context, v viewer, f FigureFilter) ([]UnitFigures, error) {
	within, err := s.within(ctx, v, f.RegionID)
	if err != nil {
		return nil, err
	}
	w := &where{}
	w.add(db.InScope("u.region_id", "?"), v.scope)
	w.add(db.InScope("u.region_id", "?"), within)
	if f.UnitID > 0 {
		w.add("u.id = ?", f.UnitID)
	}
	out := []UnitFigures{}
	err = grouped(ctx, s.db.R, `SELECT u.id, u.name FROM cobuild_units u`+w.sql()+` ORDER BY u.id`, w, func(scan func(...any) error) error {
		var u UnitFigures
		err := scan(&u.UnitID, &u.Name)
		out = append(out, u)
		return err
	})
	return out, err
}

// rank adds each unit's needs and members' service, scores the units and ranks them.
func (s *Service) rank(ctx context.Context, v viewer, f FigureFilter, out []UnitFigures, by map[int64]*UnitFigures) ([]UnitFigures, error) {
	for _, step := range []struct {
		col string
		set func(u *UnitFigures, n int)
	}{
		{"claimed_on", func(u *UnitFigures, n int) { u.NeedsClaimed = n }},
		{"done_on", func(u *UnitFigures, n int) { u.NeedsMet = n }},
	} {
		if err := perUnit(ctx, s.db.R, v, f, `SELECT n.unit_id, COUNT(*) FROM cobuild_needs n`, "n.region_id", "n."+step.col,
			"n.unit_id", "", func(id int64, n int) {
				if u := by[id]; u != nil {
					step.set(u, n)
				}
			}); err != nil {
			return nil, err
		}
	}
	if err := perUnit(ctx, s.db.R, v, f, `SELECT um.unit_id, SUM(sh.minutes) FROM service_hours sh
		JOIN cobuild_unit_members um ON um.member_id = sh.member_id JOIN cobuild_units u ON u.id = um.unit_id`,
		"u.region_id", "sh.served_on", "um.unit_id", "sh.status = 'approved'", func(id int64, n int) {
			if u := by[id]; u != nil {
				u.MemberMinutes = n
			}
		}); err != nil {
		return nil, err
	}
	for i := range out {
		u := &out[i]
		u.Score = 3*u.NeedsClaimed + 2*u.NeedsMet + 5*u.Projects + 2*u.Activities + 2*u.DecisionsOnTime + u.MemberMinutes/600
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	for i := range out {
		out[i].Rank = i + 1
		if i > 0 && out[i].Score == out[i-1].Score {
			out[i].Rank = out[i-1].Rank
		}
	}
	return out, nil
}

// perUnit runs a grouped count or sum (selectFrom yields unit id and number) over the viewer's
// region and the period, with an extra condition when not empty, and hands each unit's number to set.
func perUnit(ctx context.Context, q db.Querier, v viewer, f FigureFilter, selectFrom, regionCol, dayCol, unitCol, extra string,
	set func(id int64, n int)) error {
	w := &where{}
	w.add(db.InScope(regionCol, "?"), v.scope)
	if f.RegionID > 0 {
		var path string
		if err := q.QueryRowContext(ctx, `SELECT path FROM regions WHERE id = $1`, f.RegionID).Scan(&path); err != nil {
			return err
		}
		w.add(db.InScope(regionCol, "?"), path+"%")
	}
	w.conds = append(w.conds, dayCol+" <> ''", unitCol+" IS NOT NULL")
	if f.From != "" {
		w.add(dayCol+" >= ?", f.From)
	}
	if f.To != "" {
		w.add(dayCol+" <= ?", f.To)
	}
	if extra != "" {
		w.conds = append(w.conds, extra)
	}
	rows, err := q.QueryContext(ctx, selectFrom+w.sql()+` GROUP BY `+unitCol, w.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		set(id, n)
	}
	return rows.Err()
}

// ProjectsByRegion counts, in one grouped statement, the projects of Figures' Projects for each
// region directly under f.RegionID (the viewer's scope when 0): the count of a region is what
// Figures gives with that region as f.RegionID (a project of f.RegionID itself lies in none). A
// region without projects in the period is absent. The work briefing's table of a district's
// streets reads it instead of the whole figures of each street.
func (s *Service) ProjectsByRegion(ctx context.Context, p *auth.Principal, f FigureFilter) (map[int64]int, error) {
	ctx, v, err := s.figureViewer(ctx, p, &f)
	if err != nil {
		return nil, err
	}
	within, err := s.within(ctx, v, f.RegionID)
	if err != nil {
		return nil, err
	}
	pw, err := s.projectWhere(ctx, v, ProjectFilter{RegionID: f.RegionID, UnitID: f.UnitID, From: f.From, To: f.To})
	if err != nil {
		return nil, err
	}
	parent := strings.TrimSuffix(within, "%")
	return db.CountsUnder(ctx, s.db.R, parent, `SELECT r.path, COUNT(*) FROM `+projectFrom+` JOIN regions r ON r.id = p.region_id`+
		pw.sql()+` GROUP BY r.path`, pw.args...)
}

// figureViewer is who reads figures for p, with the filter's period checked and, for a unit
// contact, narrowed to their own unit.
func (s *Service) figureViewer(ctx context.Context, p *auth.Principal, f *FigureFilter) (context.Context, viewer, error) {
	ctx = auth.WithPrincipal(ctx, p)
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return ctx, v, err
	}
	if (f.From != "" && !validDate(f.From)) || (f.To != "" && !validDate(f.To)) {
		return ctx, v, errs.E(errs.Invalid, "统计期间的日期格式应为 YYYY-MM-DD")
	}
	if !v.staff() {
		f.UnitID = v.unitID
	}
	return ctx, v, nil
}
