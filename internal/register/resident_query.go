package register

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/pii"
	"linli/internal/search"
)

const residentColumns = `r.id, r.region_id, r.household_id, h.building_id, r.name, r.gender, r.birth_date, r.id_masked,
	r.phone_masked, r.relation, r.residence_type, r.ethnicity, r.status, r.note, r.updated_at, COALESCE(b.name, ''),
	COALESCE(h.unit, ''), COALESCE(h.room, ''), COALESCE(gr.name, ''),
	COALESCE((SELECT 1 FROM party_members pm WHERE pm.resident_id = r.id AND pm.active LIMIT 1), 0)`

// The party flag is a scalar subquery, not EXISTS: PostgreSQL may turn an EXISTS into a hashed
// subplan that reads every active party member (54k in the 1M city, ~70 ms) to flag one page.

const residentFrom = ` FROM residents r LEFT JOIN households h ON h.id = r.household_id
	LEFT JOIN buildings b ON b.id = h.building_id LEFT JOIN regions gr ON gr.id = b.grid_id`

func scanResident(row interface{ Scan(...any) error }, day string) (*Resident, error) {
	r := &Resident{}
	var building, unit, room string
	var party int
	if err := row.Scan(&r.ID, &r.RegionID, &r.HouseholdID, &r.BuildingID, &r.Name, &r.Gender, &r.BirthDate, &r.IDMasked,
		&r.PhoneMasked, &r.Relation, &r.ResidenceType, &r.Ethnicity, &r.Status, &r.Note, &r.UpdatedAt, &building, &unit, &room,
		&r.GridName, &party); err != nil {
		return nil, err
	}
	if building != "" {
		r.Address = householdAddress(building, unit, room)
	}
	r.Age = Age(r.BirthDate, day)
	r.Tags = []Tag{}
	if r.Age >= 0 && r.Age < 18 {
		r.Tags = append(r.Tags, TagMinor)
	}
	if r.Age >= 80 {
		r.Tags = append(r.Tags, TagAged80)
	}
	if party == 1 {
		r.Tags = append(r.Tags, TagPartyMember)
	}
	return r, nil
}

// loadTags adds the stored tags to residents, in display order.
func loadTags(ctx context.Context, q db.Querier, rs []Resident) error {
	if len(rs) == 0 {
		return nil
	}
	var a db.Args
	ph := make([]string, len(rs))
	byID := map[int64]*Resident{}
	for i := range rs {
		ph[i] = a.Add(rs[i].ID)
		byID[rs[i].ID] = &rs[i]
	}
	rows, err := q.QueryContext(ctx, `SELECT resident_id, tag FROM resident_tags WHERE resident_id IN (`+strings.Join(ph, ",")+`)`, a...)
	if err != nil {
		return err
	}
	defer rows.Close()
	stored := map[int64]map[Tag]bool{}
	for rows.Next() {
		var id int64
		var t Tag
		if err := rows.Scan(&id, &t); err != nil {
			return err
		}
		if stored[id] == nil {
			stored[id] = map[Tag]bool{}
		}
		stored[id][t] = true
	}
	for id, set := range stored {
		r := byID[id]
		derived := r.Tags
		r.Tags = nil
		for _, t := range Tags {
			if set[t] || containsTag(derived, t) {
				r.Tags = append(r.Tags, t)
			}
		}
	}
	return rows.Err()
}

func containsTag(ts []Tag, t Tag) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

// ResidentWhere is the WHERE clause, with its arguments, that keeps the residents (aliased r) the
// resident list shows the principal for filter f: the same scope, minors rule and filters.
func (s *Service) ResidentWhere(p *auth.Principal, f ResidentFilter) (string, []any, error) {
	var a db.Args
	where, err := s.residentWhere(p, s.db.Dialect, f, &a)
	return where, a, err
}

// residentWhere builds the scoped WHERE clause of a resident filter. Minors are left out unless
// the principal may see them.
func (s *Service) residentWhere(p *auth.Principal, d db.Dialect, f ResidentFilter, a *db.Args) (string, error) {
	w := []string{db.InScope("r.region_id", a.Add(p.Scope())) + adultsOnly(p, "r", a)}
	day := today()
	switch f.Status {
	case "", "active":
		w = append(w, `r.status = 'active'`)
	case "moved_out", "deceased":
		w = append(w, `r.status = `+a.Add(f.Status))
	case "all":
	default:
		return "", errs.Field("status", "状态应为在册、已迁出、已故或全部")
	}
	if f.GridID != 0 {
		w = append(w, `r.region_id = `+a.Add(f.GridID))
	}
	if f.HouseholdID != 0 {
		w = append(w, `r.household_id = `+a.Add(f.HouseholdID))
	}
	if f.BuildingID != 0 {
		w = append(w, `r.household_id IN (SELECT id FROM households WHERE building_id = `+a.Add(f.BuildingID)+`)`)
	}
	if f.Tag != "" {
		t, ok := ParseTag(f.Tag)
		switch {
		case !ok:
			return "", errs.Field("tag", "无法识别的标签“"+f.Tag+"”")
		case t == TagMinor:
			w = append(w, `r.birth_date <> '' AND r.birth_date > `+a.Add(MinorCutoff(day)))
		case t == TagAged80:
			w = append(w, `r.birth_date <> '' AND r.birth_date <= `+a.Add(Aged80Cutoff(day)))
		case t == TagPartyMember:
			w = append(w, `EXISTS (SELECT 1 FROM party_members pm WHERE pm.resident_id = r.id AND pm.active)`)
		default:
			w = append(w, `r.id IN (SELECT resident_id FROM resident_tags WHERE tag = `+a.Add(string(t))+`)`)
		}
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		clause, err := s.searchClause(q, d, a)
		if err != nil {
			return "", err
		}
		if clause != "" {
			w = append(w, clause)
		}
	}
	return ` WHERE ` + strings.Join(w, ` AND `), nil
}

// searchClause interprets a search: a full ID number or phone through the blind index, four digits
// as a phone's last four, anything else as Chinese full-text over name and address.
func (s *Service) searchClause(q string, d db.Dialect, a *db.Args) (string, error) {
	clean := strings.ToUpper(pii.Clean(q))
	if clean != "" && strings.Trim(clean, "0123456789X+") == "" {
		if id, err := pii.NormalizeID(clean); err == nil {
			return `r.id_index = ` + a.Add(s.sealer.Index(id)), nil
		}
		if ph, err := pii.NormalizePhone(clean); err == nil {
			return `r.phone_index = ` + a.Add(s.sealer.Index(ph)), nil
		}
		if len(clean) == 4 && !strings.ContainsAny(clean, "X+") {
			return `substr(r.phone_masked, length(r.phone_masked) - 3) = ` + a.Add(clean), nil
		}
		return "", errs.Field("q", "请输入完整的身份证号或手机号，或手机号后四位")
	}
	terms, prefix := search.Terms(q)
	if len(terms) == 0 {
		return "", nil
	}
	return `r.id IN (SELECT rowid FROM resident_fts WHERE ` + d.MatchFTS("resident_fts", a.Add(d.FTSQuery(terms, prefix))) + `)`, nil
}

// Residents lists the residents in scope that match f, newest registration last, with the total
// counted up to db.CountCap+1 (above db.CountCap: more than that).
func (s *Service) Residents(ctx context.Context, f ResidentFilter) ([]Resident, int, error) {
	p, err := principal(ctx, auth.RegisterRead)
	if err != nil {
		return nil, 0, err
	}
	if utf8.RuneCountInString(f.Q) > 50 {
		return nil, 0, errs.Field("q", "搜索内容不能超过50个字")
	}
	var a db.Args
	where, err := s.residentWhere(p, s.db.Dialect, f, &a)
	if err != nil {
		return nil, 0, err
	}
	limit, offset := pageArgs(f.Limit, f.Offset)
	if strings.TrimSpace(f.Q) != "" {
		// A search collects the ids of its matches once (up to searchCap), counts them and pages
		// them here, instead of a COUNT and then a page query that works the match out again and
		// that PostgreSQL may plan as a walk of every indexed resident in id order.
		ids, err := db.QueryIDs(ctx, s.db.R, `SELECT r.id FROM residents r`+where+` LIMIT `+strconv.Itoa(searchCap+1),
			a...)
		if err != nil {
			return nil, 0, err
		}
		if len(ids) <= searchCap {
			slices.Sort(ids)
			out, err := s.residentsByID(ctx, ids[min(offset, len(ids)):min(offset+limit, len(ids))])
			return out, len(ids), err
		}
	}
	count, page, n := residentPage(s.db.Dialect, f, where, &a, limit, offset)
	var total int
	if err := s.db.R.QueryRowContext(ctx, count, a[:n]...).Scan(&total); err != nil {
		return nil, 0, err
	}
	out := []Resident{}
	if total == 0 {
		return out, 0, nil
	}
	rows, err := s.db.R.QueryContext(ctx, page, a...)
	if err != nil {
		return nil, 0, err
	}
	out, err = scanResidents(rows)
	if err != nil {
		return nil, 0, err
	}
	return out, total, loadTags(ctx, s.db.R, out)
}

// searchCap is the most matches of a search that Residents collects and pages itself; a larger
// selection is counted and paged by the database.
var searchCap = 5000

// residentsByID returns the residents with the given ids (already in scope), in id order, with
// their tags.
func (s *Service) residentsByID(ctx context.Context, ids []int64) ([]Resident, error) {
	if len(ids) == 0 {
		return []Resident{}, nil
	}
	var a db.Args
	in := s.db.Dialect.InIDs("r.id", ids, &a)
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+residentColumns+residentFrom+` WHERE `+in+` ORDER BY r.id`, a...)
	if err != nil {
		return nil, err
	}
	out, err := scanResidents(rows)
	if err != nil {
		return nil, err
	}
	return out, loadTags(ctx, s.db.R, out)
}

// scanResidents reads and closes rows of residentColumns.
func scanResidents(rows *sql.Rows) ([]Resident, error) {
	defer rows.Close()
	day := today().Format("2006-01-02")
	out := []Resident{}
	for rows.Next() {
		r, err := scanResident(rows, day)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

// Resident returns one resident in scope; a minor without the minors permission is not found.
func (s *Service) Resident(ctx context.Context, id int64) (*Resident, error) {
	p, err := principal(ctx, auth.RegisterRead)
	if err != nil {
		return nil, err
	}
	return s.residentInScope(ctx, s.db.R, p, id)
}

func (s *Service) residentInScope(ctx context.Context, q db.Querier, p *auth.Principal, id int64) (*Resident, error) {
	var a db.Args
	w := `r.id = ` + a.Add(id) + ` AND ` + db.InScope("r.region_id", a.Add(p.Scope())) + adultsOnly(p, "r", &a)
	r, err := scanResident(q.QueryRowContext(ctx, `SELECT `+residentColumns+residentFrom+` WHERE `+w, a...),
		today().Format("2006-01-02"))
	if err != nil {
		return nil, db.NotFound(err, "居民不存在")
	}
	rs := []Resident{*r}
	if err := loadTags(ctx, q, rs); err != nil {
		return nil, err
	}
	return &rs[0], nil
}

// RevealFields are the personal numbers a reveal may show.
var RevealFields = map[string]string{"id_number": "身份证号", "phone": "联系电话"}

// Reveal returns one resident's full ID or phone number to a user who may reveal personal data and
// states why. The reveal and its reason go to the audit log in the same transaction.
func (s *Service) Reveal(ctx context.Context, id int64, field, reason string) (string, error) {
	p, err := principal(ctx, auth.RevealPII)
	if err != nil {
		return "", err
	}
	label, ok := RevealFields[field]
	if !ok {
		return "", errs.Field("field", "只能查看身份证号或联系电话")
	}
	if reason, err = pii.CheckReason(reason); err != nil {
		return "", err
	}
	var plain string
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		r, err := s.residentInScope(ctx, tx, p, id)
		if err != nil {
			return err
		}
		col := "id_enc"
		if field == "phone" {
			col = "phone_enc"
		}
		var sealed []byte
		if err := tx.QueryRowContext(ctx, `SELECT `+col+` FROM residents WHERE id = $1`, id).Scan(&sealed); err != nil {
			return err
		}
		if len(sealed) == 0 {
			return errs.E(errs.NotFound, "该居民未登记%s", label)
		}
		if plain, err = s.sealer.Open(sealed); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "pii.reveal", ObjectType: "resident", ObjectID: id,
			RegionID: r.RegionID, Detail: "查看" + label + "，原因：" + reason})
	})
	return plain, err
}
