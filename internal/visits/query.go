package visits

import (
	"context"
	"database/sql"
	"strings"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

const visitColumns = `v.id, v.client_uuid, v.kind, v.region_id, g.name, v.household_id, b.name, h.unit, h.room,
	v.liaison_id, v.member_id, v.method, v.visited_on, v.situation, v.needs, v.follow_up_on, v.case_id,
	COALESCE(c.number, ''), v.created_by, u.name, v.created_at`

const visitFrom = ` FROM visits v JOIN regions g ON g.id = v.region_id JOIN households h ON h.id = v.household_id
	JOIN buildings b ON b.id = h.building_id JOIN users u ON u.id = v.created_by LEFT JOIN cases c ON c.id = v.case_id`

func scanVisit(sc interface{ Scan(...any) error }) (*Visit, error) {
	v := &Visit{}
	var bname, unit, room string
	var liaison, member, caseID sql.NullInt64
	err := sc.Scan(&v.ID, &v.ClientUUID, &v.Kind, &v.RegionID, &v.GridName, &v.HouseholdID, &bname, &unit, &room,
		&liaison, &member, &v.Method, &v.VisitedOn, &v.Situation, &v.Needs, &v.FollowUpOn, &caseID, &v.CaseNumber,
		&v.CreatedBy, &v.CreatedByName, &v.CreatedAt)
	if err != nil {
		return nil, err
	}
	v.Address = address(bname, unit, room)
	if liaison.Valid {
		v.LiaisonID = &liaison.Int64
	}
	if member.Valid {
		v.MemberID = &member.Int64
	}
	if caseID.Valid {
		v.CaseID = &caseID.Int64
	}
	v.Met, v.Photos = []Person{}, []Photo{}
	return v, nil
}

// load reads a visit with the residents met and its photos, without a scope check.
func (s *Service) load(ctx context.Context, q db.Querier, id int64) (*Visit, error) {
	v, err := scanVisit(q.QueryRowContext(ctx, `SELECT `+visitColumns+visitFrom+` WHERE v.id = $1`, id))
	if err != nil {
		return nil, db.NotFound(err, "走访记录不存在")
	}
	a := &db.Args{}
	where := `vr.visit_id = ` + a.Add(id) + s.metMinors(ctx, a)
	rows, err := q.QueryContext(ctx, `SELECT r.id, r.name, r.relation, r.phone_masked FROM visit_residents vr
		JOIN residents r ON r.id = vr.resident_id WHERE `+where+` ORDER BY r.id`, *a...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var p Person
		if err := rows.Scan(&p.ID, &p.Name, &p.Relation, &p.PhoneMasked); err != nil {
			rows.Close()
			return nil, err
		}
		v.Met = append(v.Met, p)
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT id, file_name, content_type, size, path FROM visit_photos WHERE visit_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var ph Photo
		if err := rows.Scan(&ph.ID, &ph.FileName, &ph.ContentType, &ph.Size, &ph.path); err != nil {
			return nil, err
		}
		v.Photos = append(v.Photos, ph)
	}
	return v, rows.Err()
}

// visible reports whether the principal may see a visit: staff with VisitsRead in whose scope it
// lies, or whoever recorded it.
func visible(p *auth.Principal, v *Visit, path string) bool {
	return v.CreatedBy == p.UserID || (p.Can(auth.VisitsRead) && p.Covers(path))
}

// Get returns a visit or contact the principal may see; any other is not found.
func (s *Service) Get(ctx context.Context, id int64) (*Visit, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	v, err := s.load(ctx, s.db.R, id)
	if err != nil {
		return nil, err
	}
	var path string
	if err := s.db.R.QueryRowContext(ctx, `SELECT path FROM regions WHERE id = $1`, v.RegionID).Scan(&path); err != nil {
		return nil, db.NotFound(err, "走访记录不存在")
	}
	if !visible(p, v, path) {
		return nil, errs.E(errs.NotFound, "走访记录不存在")
	}
	return v, nil
}

// Filter selects entries of the ledger. Zero fields do not filter; From and To are inclusive dates.
type Filter struct {
	Kind        Kind
	GridID      int64
	HouseholdID int64
	LiaisonID   int64
	ResidentID  int64
	Mine        bool // recorded by the principal
	From, To    string
	WithCase    bool
	Limit       int
	Offset      int
}

func (s *Service) where(p *auth.Principal, f Filter, a *db.Args) (string, error) {
	w := []string{}
	if f.Mine || !p.Can(auth.VisitsRead) {
		w = append(w, `v.created_by = `+a.Add(p.UserID))
	} else {
		w = append(w, db.InScope("v.region_id", a.Add(p.Scope())))
	}
	switch f.Kind {
	case "":
	case KindVisit, KindContact:
		w = append(w, `v.kind = `+a.Add(string(f.Kind)))
	default:
		return "", errs.Field("kind", "类型应为走访或联系")
	}
	if f.GridID != 0 {
		w = append(w, `v.region_id = `+a.Add(f.GridID))
	}
	if f.HouseholdID != 0 {
		w = append(w, `v.household_id = `+a.Add(f.HouseholdID))
	}
	if f.LiaisonID != 0 {
		w = append(w, `v.liaison_id = `+a.Add(f.LiaisonID))
	}
	if f.ResidentID != 0 {
		w = append(w, `v.id IN (SELECT visit_id FROM visit_residents WHERE resident_id = `+a.Add(f.ResidentID)+`)`)
	}
	for _, d := range []struct{ v, op, field string }{{f.From, ">=", "from"}, {f.To, "<=", "to"}} {
		if d.v == "" {
			continue
		}
		if !validDate(d.v) {
			return "", errs.Field(d.field, "日期格式应为 YYYY-MM-DD")
		}
		w = append(w, `v.visited_on `+d.op+` `+a.Add(d.v))
	}
	if f.WithCase {
		w = append(w, `v.case_id IS NOT NULL`)
	}
	return ` WHERE ` + strings.Join(w, ` AND `), nil
}

// visitOrder is the ledger's order, newest first; the index visits_list (migration 0029) reads it.
const visitOrder = ` ORDER BY v.visited_on DESC, v.id DESC`

// List returns the ledger entries the principal may see, newest first, and their total counted up
// to db.CountCap+1 (above db.CountCap: more than that). Users without VisitsRead (party members) see
// what they recorded themselves. The page's ids are read first (db.IDPage), then its rows.
func (s *Service) List(ctx context.Context, f Filter) ([]Visit, int, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, 0, err
	}
	if !p.Can(auth.VisitsRead) && !p.Can(auth.VisitsWrite) {
		return nil, 0, p.Require(auth.VisitsRead)
	}
	a := &db.Args{}
	where, err := s.where(p, f, a)
	if err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	ids, total, err := db.IDPage{From: "visits v", Walk: "visits v INDEXED BY visits_list", ID: "v.id", Where: where,
		Args: *a, Order: visitOrder, Limit: f.Limit, Offset: max(f.Offset, 0)}.Read(ctx, s.db.R, s.db.Dialect)
	if err != nil || len(ids) == 0 {
		return []Visit{}, total, err
	}
	b := &db.Args{}
	out, err := s.readVisits(ctx, `SELECT `+visitColumns+visitFrom+` WHERE `+s.db.Dialect.InIDs("v.id", ids, b)+visitOrder, b)
	return out, total, err
}

// metMinors is the condition that leaves minors out of the residents met (alias r) for a user
// without the minors permission, so no list, page or export of visits names them; "" for one with
// it or for the server's own work (no principal).
func (s *Service) metMinors(ctx context.Context, a *db.Args) string {
	p := auth.FromContext(ctx)
	if p == nil {
		return ""
	}
	if c := minorsHidden(p, "r.birth_date", s.today(), a); c != "" {
		return " AND " + c
	}
	return ""
}

// fillMet adds the names of the residents met to a page of visits.
func (s *Service) fillMet(ctx context.Context, list []Visit) error {
	if len(list) == 0 {
		return nil
	}
	a := &db.Args{}
	idx := map[int64]int{}
	ph := make([]string, len(list))
	for i := range list {
		idx[list[i].ID] = i
		ph[i] = a.Add(list[i].ID)
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT vr.visit_id, r.id, r.name, r.relation, r.phone_masked FROM visit_residents vr
		JOIN residents r ON r.id = vr.resident_id WHERE vr.visit_id IN (`+strings.Join(ph, ",")+`)`+s.metMinors(ctx, a)+` ORDER BY r.id`, *a...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var vid int64
		var p Person
		if err := rows.Scan(&vid, &p.ID, &p.Name, &p.Relation, &p.PhoneMasked); err != nil {
			return err
		}
		list[idx[vid]].Met = append(list[idx[vid]].Met, p)
	}
	return rows.Err()
}
