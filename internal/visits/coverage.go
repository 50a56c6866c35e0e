package visits

import (
	"context"
	"sort"
	"strings"
	"time"

	"linli/internal/auth"
	"linli/internal/register"
)

// Coverage is one grid's or community's care-plan figure: residents visited within their cadence
// (OK) over residents due (OK + Overdue). New residents, not yet due a first visit, count in
// neither.
type Coverage struct {
	RegionID    int64  `json:"region_id"`
	Name        string `json:"name"`
	CommunityID int64  `json:"community_id"`
	OK          int    `json:"ok"`
	Overdue     int    `json:"overdue"`
	New         int    `json:"new"`
}

// Counted is the denominator of coverage: residents due a visit by now.
func (c Coverage) Counted() int { return c.OK + c.Overdue }

// Rate is coverage as a fraction; 0 when nobody is due.
func (c Coverage) Rate() float64 {
	if c.Counted() == 0 {
		return 0
	}
	return float64(c.OK) / float64(c.Counted())
}

// CoverageReport is coverage per grid and per community in the principal's scope.
type CoverageReport struct {
	Today       string     `json:"today"`
	Grids       []Coverage `json:"grids"`
	Communities []Coverage `json:"communities"`
}

func mustDate(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

// Coverage computes the care plans' coverage per grid and per community in the principal's scope
// in one aggregate query: a resident is overdue when, for some tag, the later of the last visit
// and the tag's date lies more than a cadence before today — the same rule as NextDue.
func (s *Service) Coverage(ctx context.Context) (*CoverageReport, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := p.Require(auth.VisitsRead); err != nil {
		return nil, err
	}
	cad, err := s.Cadences(ctx)
	if err != nil {
		return nil, err
	}
	today := s.today()
	rep := &CoverageReport{Today: today, Grids: []Coverage{}, Communities: []Coverage{}}
	tags := cad.Tags()
	if len(tags) == 0 {
		return rep, nil
	}
	a := &args{}
	// The scope joins regions (sg) rather than filtering with IN (…): the planners then start
	// from the tags' index and the birth-date index instead of walking every resident in scope.
	where := `r.status = 'active' AND sg.path LIKE ` + a.add(p.Scope())
	if c := minorsHidden(p, "r.birth_date", today, a); c != "" {
		where += ` AND ` + c
	}
	var stored, thresholds []string
	for _, t := range tags {
		if t == register.TagAged80 {
			continue
		}
		ph := a.add(string(t))
		stored = append(stored, ph)
		thresholds = append(thresholds, `WHEN `+ph+` THEN `+a.add(subDays(today, cad[t])))
	}
	base := func(since string) string {
		return `CASE WHEN COALESCE(l.last_on, '') > ` + since + ` THEN l.last_on ELSE ` + since + ` END`
	}
	visited := `CASE WHEN l.last_on IS NULL THEN 0 ELSE 1 END`
	var parts []string
	if len(stored) > 0 {
		parts = append(parts, `SELECT r.id AS rid, r.region_id AS gid, `+base("t.since")+` AS base,
			CASE t.tag `+strings.Join(thresholds, " ")+` END AS th, `+visited+` AS visited
			FROM resident_tags t JOIN regions sg ON sg.id = t.region_id JOIN residents r ON r.id = t.resident_id
			LEFT JOIN care_last_visits l ON l.resident_id = r.id
			WHERE t.tag IN (`+strings.Join(stored, ",")+`) AND `+where)
	}
	if d := cad[register.TagAged80]; d > 0 {
		since := `CAST(CAST(substr(r.birth_date, 1, 4) AS INTEGER) + 80 AS TEXT) || substr(r.birth_date, 5)`
		parts = append(parts, `SELECT r.id, r.region_id, `+base(since)+`, `+a.add(subDays(today, d))+`, `+visited+`
			FROM residents r JOIN regions sg ON sg.id = r.region_id LEFT JOIN care_last_visits l ON l.resident_id = r.id
			WHERE r.birth_date <> '' AND r.birth_date <= `+a.add(register.Aged80Cutoff(mustDate(today)))+` AND `+where)
	}
	// One row per care tag; a resident with several counts once per grid through DISTINCT. Overdue
	// when any tag is; OK when visited and no tag is overdue.
	q := `SELECT u.gid, COUNT(DISTINCT u.rid),
			COUNT(DISTINCT u.rid) FILTER (WHERE u.base < u.th),
			COUNT(DISTINCT u.rid) FILTER (WHERE u.visited = 1),
			COUNT(DISTINCT u.rid) FILTER (WHERE u.visited = 1 AND u.base < u.th)
		FROM (` + strings.Join(parts, ` UNION ALL `) + `) u GROUP BY u.gid`
	names, err := s.regionNames(ctx, p)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, q, a.v...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	comm := map[int64]*Coverage{}
	for rows.Next() {
		var gid int64
		var total, overdue, vis, visOverdue int
		if err := rows.Scan(&gid, &total, &overdue, &vis, &visOverdue); err != nil {
			return nil, err
		}
		reg := names[gid]
		g := Coverage{RegionID: gid, Name: reg.name, CommunityID: reg.community, OK: vis - visOverdue, Overdue: overdue}
		g.New = total - g.OK - g.Overdue
		rep.Grids = append(rep.Grids, g)
		c, ok := comm[g.CommunityID]
		if !ok {
			c = &Coverage{RegionID: g.CommunityID, CommunityID: g.CommunityID, Name: names[g.CommunityID].name}
			comm[g.CommunityID] = c
		}
		c.OK, c.Overdue, c.New = c.OK+g.OK, c.Overdue+g.Overdue, c.New+g.New
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, c := range comm {
		if c.Name == "" { // a grid worker's community lies above their scope
			_ = s.db.R.QueryRowContext(ctx, `SELECT name FROM regions WHERE id = $1`, c.RegionID).Scan(&c.Name)
		}
		rep.Communities = append(rep.Communities, *c)
	}
	sort.Slice(rep.Grids, func(i, j int) bool {
		if rep.Grids[i].CommunityID != rep.Grids[j].CommunityID {
			return rep.Grids[i].CommunityID < rep.Grids[j].CommunityID
		}
		return rep.Grids[i].RegionID < rep.Grids[j].RegionID
	})
	sort.Slice(rep.Communities, func(i, j int) bool { return rep.Communities[i].Name < rep.Communities[j].Name })
	return rep, nil
}

type regionName struct {
	name      string
	community int64 // the region's community: itself, or a grid's parent
}

// regionNames names every region in the principal's scope with its community.
func (s *Service) regionNames(ctx context.Context, p *auth.Principal) (map[int64]regionName, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, name, level, parent_id FROM regions WHERE path LIKE $1`, p.Scope())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]regionName{}
	for rows.Next() {
		var id int64
		var parent *int64
		var name, level string
		if err := rows.Scan(&id, &name, &level, &parent); err != nil {
			return nil, err
		}
		r := regionName{name: name, community: id}
		if level == "grid" && parent != nil {
			r.community = *parent
		}
		out[id] = r
	}
	return out, rows.Err()
}
