package visits

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/register"
)

const cadenceKey = "care.cadence."

// Cadences returns the care plans' cadences: the defaults with the admins' changes.
func (s *Service) Cadences(ctx context.Context) (Cadences, error) {
	return loadCadences(ctx, s.db.R)
}

func loadCadences(ctx context.Context, q db.Querier) (Cadences, error) {
	out := Cadences{}
	for t, d := range DefaultCadences {
		out[t] = d
	}
	rows, err := q.QueryContext(ctx, `SELECT key, value FROM settings WHERE key LIKE 'care.cadence.%'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		if t := register.Tag(strings.TrimPrefix(k, cadenceKey)); isCareTag(t) {
			n, _ := strconv.Atoi(v)
			out[t] = n
		}
	}
	return out, rows.Err()
}

// SetCadences changes the cadences of the tags in c (admins with SettingsManage); audited.
func (s *Service) SetCadences(ctx context.Context, c Cadences) (Cadences, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := p.Require(auth.SettingsManage); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var out Cadences
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		before, err := loadCadences(ctx, tx)
		if err != nil {
			return err
		}
		for t, d := range c {
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
				cadenceKey+string(t), strconv.Itoa(d), s.now()); err != nil {
				return err
			}
		}
		if out, err = loadCadences(ctx, tx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "care_plan.cadences", ObjectType: "settings",
			RegionID: p.RegionID, Detail: "修改关爱计划走访周期", Before: before, After: out})
	})
	return out, err
}

// CareResident is a resident in a care plan with where they stand today.
type CareResident struct {
	ResidentID  int64          `json:"resident_id"`
	Name        string         `json:"name"`
	HouseholdID int64          `json:"household_id"`
	Address     string         `json:"address"`
	GridID      int64          `json:"grid_id"`
	GridName    string         `json:"grid_name"`
	Tags        []register.Tag `json:"tags"`
	Lon         *float64       `json:"-"`
	Lat         *float64       `json:"-"`
	Care        `json:"-"`
}

// CareFilter selects residents of the care plans. State "counted" is OK and overdue together (the
// denominator of coverage); "due" is due today or overdue.
type CareFilter struct {
	GridID      int64
	CommunityID int64
	ResidentID  int64  // one resident's plan (their file)
	HouseholdID int64  // one household's residents' plans
	State       string // "", new, ok, overdue, counted, due
	Tag         register.Tag
	Limit       int
	Offset      int
}

// CarePlan returns the residents of the care plans in the principal's scope with their next-due
// dates, soonest first, and their total. Residents under 18 are left out for users without the
// minors permission, as in every resident list.
func (s *Service) CarePlan(ctx context.Context, f CareFilter) ([]CareResident, int, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, 0, err
	}
	if err := p.Require(auth.VisitsRead); err != nil {
		return nil, 0, err
	}
	switch f.State {
	case "", string(StateNew), string(StateOK), string(StateOverdue), "counted", "due":
	default:
		return nil, 0, errs.Field("state", "状态应为待首访、按期、逾期、应访或今日应访")
	}
	cad, err := s.Cadences(ctx)
	if err != nil {
		return nil, 0, err
	}
	today := s.today()
	all, err := s.careRows(ctx, p, cad, today, f)
	if err != nil {
		return nil, 0, err
	}
	var out []CareResident
	for _, r := range all {
		if keepState(f.State, r.Care, today) && (f.Tag == "" || hasTag(r.Tags, f.Tag)) {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].NextDue != out[j].NextDue {
			return out[i].NextDue < out[j].NextDue
		}
		return out[i].ResidentID < out[j].ResidentID
	})
	total := len(out)
	if f.Limit <= 0 {
		f.Limit = 100
	}
	if f.Offset > len(out) {
		f.Offset = len(out)
	}
	out = out[f.Offset:min(len(out), f.Offset+f.Limit)]
	return out, total, nil
}

func keepState(state string, c Care, today string) bool {
	switch state {
	case "":
		return true
	case "counted":
		return c.State == StateOK || c.State == StateOverdue
	case "due":
		return c.Due(today)
	}
	return string(c.State) == state
}

func hasTag(tags []register.Tag, t register.Tag) bool {
	for _, x := range tags {
		if x == t {
			return true
		}
	}
	return false
}

// careRows reads every care-plan resident in scope (and the filter's grid or community) with their
// care computed.
func (s *Service) careRows(ctx context.Context, p *auth.Principal, cad Cadences, today string, f CareFilter) ([]CareResident, error) {
	tags := cad.Tags()
	if len(tags) == 0 {
		return nil, nil
	}
	a := &db.Args{}
	where := `r.status = 'active' AND sg.path LIKE ` + a.Add(p.Scope()) // see Coverage on the join
	if f.GridID != 0 {
		where += ` AND r.region_id = ` + a.Add(f.GridID)
	}
	if f.CommunityID != 0 {
		where += ` AND r.community_id = ` + a.Add(f.CommunityID)
	}
	if f.ResidentID != 0 {
		where += ` AND r.id = ` + a.Add(f.ResidentID)
	}
	if f.HouseholdID != 0 {
		where += ` AND r.household_id = ` + a.Add(f.HouseholdID)
	}
	if c := minorsHidden(p, "r.birth_date", today, a); c != "" {
		where += ` AND ` + c
	}
	var parts []string
	var stored []string
	for _, t := range tags {
		if t != register.TagAged80 {
			stored = append(stored, a.Add(string(t)))
		}
	}
	cols := `r.id, r.name, r.household_id, r.region_id, g.name, b.name, h.unit, h.room, b.lon, b.lat, COALESCE(l.last_on, '')`
	joins := ` JOIN regions g ON g.id = r.region_id JOIN households h ON h.id = r.household_id
		JOIN buildings b ON b.id = h.building_id LEFT JOIN care_last_visits l ON l.resident_id = r.id`
	if len(stored) > 0 {
		parts = append(parts, `SELECT `+cols+`, t.tag, t.since FROM resident_tags t JOIN regions sg ON sg.id = t.region_id
			JOIN residents r ON r.id = t.resident_id`+joins+` WHERE t.tag IN (`+strings.Join(stored, ",")+`) AND `+where)
	}
	if cad[register.TagAged80] > 0 {
		parts = append(parts, `SELECT `+cols+`, 'aged_80', r.birth_date FROM residents r JOIN regions sg ON sg.id = r.region_id`+joins+
			` WHERE r.birth_date <> '' AND r.birth_date <= `+a.Add(register.Aged80Cutoff(mustDate(today)))+` AND `+where)
	}
	rows, err := s.db.R.QueryContext(ctx, strings.Join(parts, ` UNION ALL `), *a...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byID := map[int64]*CareResident{}
	since := map[int64][]TagSince{}
	var order []int64
	for rows.Next() {
		var r CareResident
		var bname, unit, room, last, tag, sinceOn string
		if err := rows.Scan(&r.ResidentID, &r.Name, &r.HouseholdID, &r.GridID, &r.GridName, &bname, &unit, &room,
			&r.Lon, &r.Lat, &last, &tag, &sinceOn); err != nil {
			return nil, err
		}
		if tag == string(register.TagAged80) {
			sinceOn = aged80Since(sinceOn)
		}
		cur, ok := byID[r.ResidentID]
		if !ok {
			r.Address = address(bname, unit, room)
			r.LastOn = last
			cur = &r
			byID[r.ResidentID] = cur
			order = append(order, r.ResidentID)
		}
		cur.Tags = append(cur.Tags, register.Tag(tag))
		since[r.ResidentID] = append(since[r.ResidentID], TagSince{Tag: register.Tag(tag), Since: sinceOn})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]CareResident, 0, len(order))
	for _, id := range order {
		r := byID[id]
		c, _ := NextDue(cad, since[id], r.LastOn, today)
		r.Care = c
		sortTags(r.Tags)
		out = append(out, *r)
	}
	return out, nil
}

// careTagPos is each care tag's place in CareTags, for sortTags.
var careTagPos = func() map[register.Tag]int {
	pos := make(map[register.Tag]int, len(CareTags))
	for i, t := range CareTags {
		pos[t] = i
	}
	return pos
}()

// sortTags puts a resident's tags in CareTags order. It runs once per resident of a care plan read
// (a grid's today page: every tagged resident of the grid), so it allocates nothing: building the
// positions per call was a sixteenth of the page's allocations.
func sortTags(tags []register.Tag) {
	if len(tags) > 1 {
		slices.SortFunc(tags, func(a, b register.Tag) int { return careTagPos[a] - careTagPos[b] })
	}
}
