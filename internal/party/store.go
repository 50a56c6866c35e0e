package party

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/register"
)

type scanner interface{ Scan(...any) error }

const orgSelect = `SELECT o.id, o.region_id, rg.name, rg.path, o.parent_id, COALESCE(po.name, ''), COALESCE(prg.path, ''),
	o.kind, o.name, o.grid_id, o.secretary, o.founded_on, o.note, o.created_at, o.updated_at
	FROM party_orgs o JOIN regions rg ON rg.id = o.region_id LEFT JOIN party_orgs po ON po.id = o.parent_id
	LEFT JOIN regions prg ON prg.id = po.region_id`

func scanOrg(row scanner) (*Org, error) {
	o := &Org{}
	err := row.Scan(&o.ID, &o.RegionID, &o.RegionName, &o.regionPath, &o.ParentID, &o.ParentName, &o.parentPath, &o.Kind,
		&o.Name, &o.GridID, &o.Secretary, &o.FoundedOn, &o.Note, &o.CreatedAt, &o.UpdatedAt)
	return o, err
}

func orgByID(ctx context.Context, q db.Querier, id int64) (*Org, error) {
	o, err := scanOrg(q.QueryRowContext(ctx, orgSelect+` WHERE o.id = $1`, id))
	if err != nil {
		return nil, db.NotFound(err, "党组织不存在")
	}
	return o, nil
}

// orgsUnder returns every organisation whose region lies under both LIKE patterns, with counts
// rolled up from groups to branches to committees, ordered committee first, then by name.
func orgsUnder(ctx context.Context, q db.Querier, scope, within string) ([]*Org, error) {
	rows, err := q.QueryContext(ctx, orgSelect+` WHERE rg.path LIKE $1 AND rg.path LIKE $2
		ORDER BY CASE o.kind WHEN 'committee' THEN 0 WHEN 'branch' THEN 1 ELSE 2 END, rg.code, o.name, o.id`, scope, within)
	if err != nil {
		return nil, fmt.Errorf("list party orgs: %w", err)
	}
	var out []*Org
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		o.ParentInScope = o.parentPath != "" && strings.HasPrefix(o.parentPath, strings.TrimSuffix(scope, "%"))
		out = append(out, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, countOrgs(ctx, q, out, scope, within)
}

// countOrgs fills each organisation's counts: its own, plus those of the organisations under it.
func countOrgs(ctx context.Context, q db.Querier, orgs []*Org, scope, within string) error {
	byID := map[int64]*Org{}
	for _, o := range orgs {
		byID[o.ID] = o
	}
	// ancestors of an org among those loaded, itself included
	chain := func(id int64) []*Org {
		var out []*Org
		for o := byID[id]; o != nil && len(out) < 4; {
			out = append(out, o)
			if o.ParentID == nil {
				break
			}
			o = byID[*o.ParentID]
		}
		return out
	}
	for _, o := range orgs {
		if o.Kind == Branch {
			for _, a := range chain(o.ID) {
				a.Branches++
			}
		}
	}
	type counter struct {
		sql string
		add func(o *Org, n int)
	}
	counters := []counter{
		{`SELECT org_id, COUNT(*) FROM party_members WHERE active = TRUE AND ` + db.InScope("region_id", "$1") +
			` AND ` + db.InScope("region_id", "$2") + ` GROUP BY org_id`, func(o *Org, n int) { o.Members += n }},
		{`SELECT org_id, COUNT(*) FROM liaison_households WHERE ` + db.InScope("region_id", "$1") +
			` AND ` + db.InScope("region_id", "$2") + ` GROUP BY org_id`, func(o *Org, n int) { o.Liaisons += n }},
		{`SELECT l.org_id, COUNT(*) FROM liaison_covers c JOIN liaison_households l ON l.id = c.liaison_id WHERE ` +
			db.InScope("l.region_id", "$1") + ` AND ` + db.InScope("l.region_id", "$2") + ` GROUP BY l.org_id`,
			func(o *Org, n int) { o.Covered += n }},
	}
	for _, c := range counters {
		rows, err := q.QueryContext(ctx, c.sql, scope, within)
		if err != nil {
			return fmt.Errorf("count party orgs: %w", err)
		}
		for rows.Next() {
			var id int64
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return err
			}
			for _, a := range chain(id) {
				c.add(a, n)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

const memberSelect = `SELECT m.id, m.region_id, m.org_id, o.name, m.resident_id, r.household_id,
	COALESCE(b.name, ''), COALESCE(h.unit, ''), COALESCE(h.room, ''), m.name, m.gender, m.phone_masked,
	m.joined_on, m.status, m.kind, m.employment, m.workplace, m.home_org, m.skills, m.registered_on, m.note,
	m.active, m.left_on, m.left_reason, (SELECT MIN(l.id) FROM liaison_households l WHERE l.member_id = m.id),
	m.created_at, m.updated_at
	FROM party_members m JOIN party_orgs o ON o.id = m.org_id
	LEFT JOIN residents r ON r.id = m.resident_id LEFT JOIN households h ON h.id = r.household_id
	LEFT JOIN buildings b ON b.id = h.building_id`

func scanMember(row scanner) (*Member, error) {
	m := &Member{}
	var bname, unit, room string
	err := row.Scan(&m.ID, &m.RegionID, &m.OrgID, &m.OrgName, &m.ResidentID, &m.HouseholdID, &bname, &unit, &room,
		&m.Name, &m.Gender, &m.PhoneMasked, &m.JoinedOn, &m.Status, &m.Kind, &m.Employment, &m.Workplace, &m.HomeOrg,
		&m.Skills, &m.RegisteredOn, &m.Note, &m.Active, &m.LeftOn, &m.LeftReason, &m.LiaisonID, &m.CreatedAt, &m.UpdatedAt)
	if bname != "" {
		m.Address = register.HouseholdAddress(bname, unit, room)
	}
	return m, err
}

// memberByID returns a member if their region lies under scope.
func memberByID(ctx context.Context, q db.Querier, scope string, id int64) (*Member, error) {
	m, err := scanMember(q.QueryRowContext(ctx, memberSelect+` WHERE m.id = $1 AND `+db.InScope("m.region_id", "$2"), id, scope))
	if err != nil {
		return nil, db.NotFound(err, "党员不存在")
	}
	return m, nil
}

// MemberFilter narrows the members list; zero values do not filter. Current members are listed
// unless Inactive asks for those who have left.
type MemberFilter struct {
	OrgID    int64
	RegionID int64
	Kind     MemberKind
	Status   MemberStatus
	Q        string
	// ResidentID finds the membership of one resident of the register (一人一档).
	ResidentID int64
	// Inactive lists members who have left instead of current ones.
	Inactive bool
	Limit    int
	Offset   int
}

// memberOrder is the members list's order: by organization, then by name.
const memberOrder = ` ORDER BY o.name, m.name, m.id`

// listMembers returns a page of the members f selects within scope and within, and their number
// counted up to db.CountCap+1 (above db.CountCap: more than that); the page's ids are read first
// (db.IDPage), then its rows.
func listMembers(ctx context.Context, q db.Querier, d db.Dialect, scope, within string, f MemberFilter) ([]Member, int, error) {
	where := []string{db.InScope("m.region_id", "$1"), db.InScope("m.region_id", "$2")}
	args := []any{scope, within}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.Inactive {
		where = append(where, "m.active = FALSE")
	} else {
		where = append(where, "m.active = TRUE")
	}
	if f.OrgID > 0 {
		ph := arg(f.OrgID)
		where = append(where, "(m.org_id = "+ph+" OR o.parent_id = "+ph+
			" OR o.parent_id IN (SELECT id FROM party_orgs WHERE parent_id = "+ph+"))")
	}
	if f.Kind != "" {
		where = append(where, "m.kind = "+arg(string(f.Kind)))
	}
	if f.Status != "" {
		where = append(where, "m.status = "+arg(string(f.Status)))
	}
	if f.ResidentID > 0 {
		where = append(where, "m.resident_id = "+arg(f.ResidentID))
	}
	if q := strings.NewReplacer("%", "", "_", "").Replace(strings.TrimSpace(f.Q)); q != "" {
		ph := arg("%" + q + "%")
		where = append(where, "(m.name LIKE "+ph+" OR m.workplace LIKE "+ph+" OR m.skills LIKE "+ph+")")
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	ids, total, err := db.IDPage{From: "party_members m JOIN party_orgs o ON o.id = m.org_id", ID: "m.id", Where: cond,
		Args: args, Order: memberOrder, Limit: f.Limit, Offset: f.Offset}.Read(ctx, q, d)
	if err != nil {
		return nil, 0, fmt.Errorf("list members: %w", err)
	}
	if len(ids) == 0 {
		return []Member{}, total, nil
	}
	var a db.Args
	rows, err := q.QueryContext(ctx, memberSelect+` WHERE `+d.InIDs("m.id", ids, &a)+memberOrder, a...)
	if err != nil {
		return nil, 0, fmt.Errorf("list members: %w", err)
	}
	defer rows.Close()
	out := []Member{}
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *m)
	}
	return out, total, rows.Err()
}

const liaisonSelect = `SELECT l.id, l.region_id, l.org_id, o.name, l.member_id, m.name, l.household_id, b.id, b.name,
	h.unit, h.room, l.since, l.note, (SELECT COUNT(*) FROM liaison_covers c WHERE c.liaison_id = l.id),
	l.created_at, l.updated_at
	FROM liaison_households l JOIN party_orgs o ON o.id = l.org_id JOIN party_members m ON m.id = l.member_id
	JOIN households h ON h.id = l.household_id JOIN buildings b ON b.id = h.building_id`

func scanLiaison(row scanner) (*LiaisonHousehold, error) {
	l := &LiaisonHousehold{}
	var bname, unit, room string
	err := row.Scan(&l.ID, &l.RegionID, &l.OrgID, &l.OrgName, &l.MemberID, &l.MemberName, &l.HouseholdID, &l.BuildingID,
		&bname, &unit, &room, &l.Since, &l.Note, &l.Covered, &l.CreatedAt, &l.UpdatedAt)
	l.Address = register.HouseholdAddress(bname, unit, room)
	return l, err
}

func liaisonByID(ctx context.Context, q db.Querier, scope string, id int64) (*LiaisonHousehold, error) {
	l, err := scanLiaison(q.QueryRowContext(ctx, liaisonSelect+` WHERE l.id = $1 AND `+db.InScope("l.region_id", "$2"), id, scope))
	if err != nil {
		return nil, db.NotFound(err, "党员联系户不存在")
	}
	return l, nil
}

// LiaisonFilter narrows the liaison households list.
type LiaisonFilter struct {
	OrgID    int64
	RegionID int64
	MemberID int64
	// HouseholdID finds the liaison point a household itself is (一户一档).
	HouseholdID int64
	Limit       int
	Offset      int
}

func listLiaisons(ctx context.Context, q db.Querier, scope, within string, f LiaisonFilter) ([]LiaisonHousehold, int, error) {
	where := []string{db.InScope("l.region_id", "$1"), db.InScope("l.region_id", "$2")}
	args := []any{scope, within}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.OrgID > 0 {
		ph := arg(f.OrgID)
		where = append(where, "(l.org_id = "+ph+" OR o.parent_id = "+ph+")")
	}
	if f.MemberID > 0 {
		where = append(where, "l.member_id = "+arg(f.MemberID))
	}
	if f.HouseholdID > 0 {
		where = append(where, "l.household_id = "+arg(f.HouseholdID))
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM liaison_households l JOIN party_orgs o ON o.id = l.org_id`+cond,
		args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count liaison households: %w", err)
	}
	limit, offset := arg(f.Limit), arg(f.Offset)
	rows, err := q.QueryContext(ctx, liaisonSelect+cond+` ORDER BY o.name, b.name, h.unit, h.room, l.id LIMIT `+limit+` OFFSET `+offset, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list liaison households: %w", err)
	}
	defer rows.Close()
	out := []LiaisonHousehold{}
	for rows.Next() {
		l, err := scanLiaison(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *l)
	}
	return out, total, rows.Err()
}

// coveredSelect lists covered households with their head and resident count; visible is the
// condition on residents r that leaves out those the principal may not see ("" for none).
func coveredSelect(visible string) string {
	return `SELECT h.id, c.liaison_id, b.id, b.name, h.unit, h.room,
	COALESCE((SELECT MIN(r.name) FROM residents r WHERE r.household_id = h.id AND r.relation = '户主'` + visible + `), ''),
	(SELECT COUNT(*) FROM residents r WHERE r.household_id = h.id AND r.status = 'active'` + visible + `)
	FROM liaison_covers c JOIN liaison_households l ON l.id = c.liaison_id
	JOIN households h ON h.id = c.household_id JOIN buildings b ON b.id = h.building_id`
}

// CoveredFilter narrows the covered households list.
type CoveredFilter struct {
	LiaisonID int64
	OrgID     int64
	RegionID  int64
	// HouseholdID finds the liaison household that contacts one household (一户一档).
	HouseholdID int64
	Limit       int
	Offset      int
}

// listCovered lists the covered households under both LIKE patterns that match f; minorsOK says
// whether the principal may see residents under 18, who are otherwise left out of the counts.
func listCovered(ctx context.Context, q db.Querier, scope, within string, minorsOK bool, f CoveredFilter) ([]CoveredHousehold, int, error) {
	where := []string{db.InScope("l.region_id", "$1"), db.InScope("l.region_id", "$2")}
	args := []any{scope, within}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.LiaisonID > 0 {
		where = append(where, "c.liaison_id = "+arg(f.LiaisonID))
	}
	if f.OrgID > 0 {
		ph := arg(f.OrgID)
		where = append(where, "(l.org_id = "+ph+" OR l.org_id IN (SELECT id FROM party_orgs WHERE parent_id = "+ph+"))")
	}
	if f.HouseholdID > 0 {
		where = append(where, "c.household_id = "+arg(f.HouseholdID))
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM liaison_covers c JOIN liaison_households l ON l.id = c.liaison_id`+cond,
		args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count covered households: %w", err)
	}
	if f.Limit <= 0 {
		f.Limit = 1000
	}
	visible := ""
	if !minorsOK {
		visible = ` AND (r.birth_date = '' OR r.birth_date <= ` + arg(adultCutoff()) + `)`
	}
	limit, offset := arg(f.Limit), arg(f.Offset)
	rows, err := q.QueryContext(ctx, coveredSelect(visible)+cond+` ORDER BY b.name, h.unit, h.room, h.id LIMIT `+limit+` OFFSET `+offset, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list covered households: %w", err)
	}
	defer rows.Close()
	out := []CoveredHousehold{}
	for rows.Next() {
		var c CoveredHousehold
		var bname, unit, room string
		if err := rows.Scan(&c.HouseholdID, &c.LiaisonID, &c.BuildingID, &bname, &unit, &room, &c.Head, &c.Residents); err != nil {
			return nil, 0, err
		}
		c.Address = register.HouseholdAddress(bname, unit, room)
		out = append(out, c)
	}
	return out, total, rows.Err()
}

// household is what the party organisation needs of a register household.
type household struct {
	ID         int64
	RegionID   int64
	RegionPath string
	BuildingID int64
	GridID     *int64
	Address    string
	Lon, Lat   *float64
}

const householdSelect = `SELECT h.id, h.region_id, rg.path, b.id, b.grid_id, b.name, h.unit, h.room, b.lon, b.lat
	FROM households h JOIN buildings b ON b.id = h.building_id JOIN regions rg ON rg.id = h.region_id`

func scanHousehold(row scanner) (*household, error) {
	h := &household{}
	var bname, unit, room string
	err := row.Scan(&h.ID, &h.RegionID, &h.RegionPath, &h.BuildingID, &h.GridID, &bname, &unit, &room, &h.Lon, &h.Lat)
	h.Address = register.HouseholdAddress(bname, unit, room)
	return h, err
}

func householdByID(ctx context.Context, q db.Querier, id int64) (*household, error) {
	h, err := scanHousehold(q.QueryRowContext(ctx, householdSelect+` WHERE h.id = $1`, id))
	if err != nil {
		return nil, db.NotFound(err, "住户不存在")
	}
	return h, nil
}

// resident is what the party organisation needs of a register resident.
type resident struct {
	ID          int64
	RegionPath  string
	CommunityID int64
	HouseholdID *int64
	Name        string
	Gender      string
	BirthDate   string
	PhoneEnc    []byte
	PhoneIndex  sql.NullString
	PhoneMasked string
	Address     string
	MemberID    *int64
}

const residentSelect = `SELECT r.id, rg.path, r.community_id, r.household_id, r.name, r.gender, r.birth_date,
	r.phone_enc, r.phone_index, r.phone_masked, COALESCE(b.name, ''), COALESCE(h.unit, ''), COALESCE(h.room, ''),
	(SELECT MIN(m.id) FROM party_members m WHERE m.resident_id = r.id)
	FROM residents r JOIN regions rg ON rg.id = r.region_id
	LEFT JOIN households h ON h.id = r.household_id LEFT JOIN buildings b ON b.id = h.building_id`

func scanResident(row scanner) (*resident, error) {
	r := &resident{}
	var bname, unit, room string
	err := row.Scan(&r.ID, &r.RegionPath, &r.CommunityID, &r.HouseholdID, &r.Name, &r.Gender, &r.BirthDate,
		&r.PhoneEnc, &r.PhoneIndex, &r.PhoneMasked, &bname, &unit, &room, &r.MemberID)
	if bname != "" {
		r.Address = register.HouseholdAddress(bname, unit, room)
	}
	return r, err
}

func residentByID(ctx context.Context, q db.Querier, id int64) (*resident, error) {
	r, err := scanResident(q.QueryRowContext(ctx, residentSelect+` WHERE r.id = $1 AND r.status = 'active'`, id))
	if err != nil {
		return nil, db.NotFound(err, "居民不存在")
	}
	return r, nil
}

// communityOf returns the community region ID above a region path ("/1/4/9/12/" → the community
// among them), read from the regions table.
func communityOf(ctx context.Context, q db.Querier, regionID int64) (int64, error) {
	var level string
	var parent sql.NullInt64
	for range 6 {
		if err := q.QueryRowContext(ctx, `SELECT level, parent_id FROM regions WHERE id = $1`, regionID).Scan(&level, &parent); err != nil {
			return 0, db.NotFound(err, "区划不存在")
		}
		if level == "community" {
			return regionID, nil
		}
		if level != "grid" || !parent.Valid {
			break
		}
		regionID = parent.Int64
	}
	return 0, errs.E(errs.Invalid, "所选区划不是社区或网格")
}
