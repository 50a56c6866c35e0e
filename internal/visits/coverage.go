package visits

import (
	"context"
	"sort"
	"strings"
	"time"

	"linli/internal/auth"
	"linli/internal/db"
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
	if len(cad.Tags()) == 0 {
		return rep, nil
	}
	q, a := coverageQuery(p, cad, today, s.db.Dialect)
	names, err := s.regionNames(ctx, p)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, q, *a...)
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

// coverageQuery builds Coverage's aggregate: one row per care tag (and per 高龄 resident) in the
// scope, each saying whether that tag's visit is overdue and whether the resident was ever visited,
// counted per grid with each resident once.
//
// At city scale the rows come from indexes alone (migration 0009): the tags and their dates from
// resident_tags_care, scoped through their region (which the register keeps equal to the
// resident's); the residents' status from the short list of inactive residents (residents_inactive)
// rather than from each tagged resident's row; the 高龄 residents from residents_active_birth. The
// resident rows are read only when minors are hidden, for their birth dates.
func coverageQuery(p *auth.Principal, cad Cadences, today string, dialect db.Dialect) (string, *db.Args) {
	a := &db.Args{}
	scope := `sg.path LIKE ` + a.Add(p.Scope())
	// Overdue when the later of the last visit and the tag's date lies more than a cadence before
	// today — the same rule as NextDue; visited when there is a last visit.
	overdue := func(since, threshold string) string {
		return `CASE WHEN (CASE WHEN COALESCE(l.last_on, '') > ` + since + ` THEN l.last_on ELSE ` + since + ` END) < ` +
			threshold + ` THEN 1 ELSE 0 END`
	}
	visited := `CASE WHEN l.last_on IS NULL THEN 0 ELSE 1 END`
	var stored, thresholds []string
	for _, t := range cad.Tags() {
		if t == register.TagAged80 {
			continue
		}
		ph := a.Add(string(t))
		stored = append(stored, ph)
		thresholds = append(thresholds, `WHEN `+ph+` THEN `+a.Add(subDays(today, cad[t])))
	}
	var parts []string
	if len(stored) > 0 {
		from := `resident_tags t JOIN regions sg ON sg.id = t.region_id`
		where := `t.tag IN (` + strings.Join(stored, ",") + `) AND ` + scope
		if c := minorsHidden(p, "r.birth_date", today, a); c != "" {
			from += ` JOIN residents r ON r.id = t.resident_id`
			where += ` AND r.status = 'active' AND ` + c
		} else {
			inactive := `residents x`
			if dialect == db.SQLite { // SQLite would otherwise look each resident up by id
				inactive += ` INDEXED BY residents_inactive`
			}
			where += ` AND NOT EXISTS (SELECT 1 FROM ` + inactive + ` WHERE x.id = t.resident_id AND x.status <> 'active')`
		}
		parts = append(parts, `SELECT t.resident_id AS rid, t.region_id AS gid, `+
			overdue(`t.since`, `CASE t.tag `+strings.Join(thresholds, " ")+` END`)+` AS overdue, `+visited+` AS visited
			FROM `+from+` LEFT JOIN care_last_visits l ON l.resident_id = t.resident_id WHERE `+where)
	}
	if d := cad[register.TagAged80]; d > 0 {
		// Nobody aged 80 is a minor: the 高龄 rows need no minors test.
		since := `CAST(CAST(substr(r.birth_date, 1, 4) AS INTEGER) + 80 AS TEXT) || substr(r.birth_date, 5)`
		parts = append(parts, `SELECT r.id, r.region_id, `+overdue(since, a.Add(subDays(today, d)))+`, `+visited+`
			FROM regions sg JOIN residents r ON r.region_id = sg.id LEFT JOIN care_last_visits l ON l.resident_id = r.id
			WHERE r.status = 'active' AND r.birth_date <> '' AND r.birth_date <= `+a.Add(register.Aged80Cutoff(mustDate(today)))+
			` AND `+scope)
	}
	// A resident with several care tags counts once per grid through DISTINCT: overdue when any tag
	// is, OK when visited and no tag is overdue.
	return `SELECT u.gid, COUNT(DISTINCT u.rid),
			COUNT(DISTINCT u.rid) FILTER (WHERE u.overdue = 1),
			COUNT(DISTINCT u.rid) FILTER (WHERE u.visited = 1),
			COUNT(DISTINCT u.rid) FILTER (WHERE u.visited = 1 AND u.overdue = 1)
		FROM (` + strings.Join(parts, ` UNION ALL `) + `) u GROUP BY u.gid`, a
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
