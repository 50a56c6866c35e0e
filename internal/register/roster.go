package register

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/pii"
)

// Duty is a place on a grid's roster 网格力量 (多网合一: every sector's people on one grid).
type Duty string

// The roster duties.
const (
	DutyGridLeader      Duty = "grid_leader"
	DutyWorkerFull      Duty = "worker_full"
	DutyWorkerPart      Duty = "worker_part"
	DutyBuildingLeader  Duty = "building_leader"
	DutyPolice          Duty = "police"
	DutyUrban           Duty = "urban"
	DutyZongzhi         Duty = "zongzhi"
	DutyMinzheng        Duty = "minzheng"
	DutyBranchSecretary Duty = "branch_secretary"
)

// Duties lists the duties in the order a roster shows them.
var Duties = []Duty{DutyGridLeader, DutyWorkerFull, DutyWorkerPart, DutyBuildingLeader, DutyPolice, DutyUrban,
	DutyZongzhi, DutyMinzheng, DutyBranchSecretary}

var dutyLabels = map[Duty]string{
	DutyGridLeader: "网格长", DutyWorkerFull: "专职网格员", DutyWorkerPart: "兼职网格员", DutyBuildingLeader: "楼栋长",
	DutyPolice: "社区民警", DutyUrban: "城管队员", DutyZongzhi: "综治专干", DutyMinzheng: "民政专干",
	DutyBranchSecretary: "网格党支部书记",
}

// Label is the duty's Chinese name.
func (d Duty) Label() string { return dutyLabels[d] }

// WorkerDuties are the duties the home page counts as 网格员: full- and part-time grid workers.
var WorkerDuties = []Duty{DutyWorkerFull, DutyWorkerPart}

// ParseDuties reads a duty filter: codes or Chinese names, given as repeated values or separated by
// commas ("worker_full,worker_part"); empty values are ignored and each duty is kept once.
func ParseDuties(values []string) ([]Duty, error) {
	var out []Duty
	seen := map[Duty]bool{}
	for _, v := range values {
		for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			d := Duty(strings.ToLower(part))
			if d.Label() == "" {
				for code, label := range dutyLabels {
					if label == part {
						d = code
					}
				}
			}
			if d.Label() == "" {
				return nil, errs.Field("duty", "职责“"+part+"”不存在")
			}
			if !seen[d] {
				seen[d] = true
				out = append(out, d)
			}
		}
	}
	return out, nil
}

// DutyQuery is the duty filter's query value for a list of duties: codes joined by commas.
func DutyQuery(duties []Duty) string {
	parts := make([]string, len(duties))
	for i, d := range duties {
		parts[i] = string(d)
	}
	return strings.Join(parts, ",")
}

// RosterEntry is one person on a grid's roster. Username is the sign-in account linked to the
// entry, empty when the person has none.
type RosterEntry struct {
	ID           int64  `json:"id"`
	GridID       int64  `json:"grid_id"`
	GridName     string `json:"grid_name"`
	Duty         Duty   `json:"duty"`
	Name         string `json:"name"`
	PhoneMasked  string `json:"phone_masked"`
	BuildingID   *int64 `json:"building_id"`
	BuildingName string `json:"building_name"`
	UserID       *int64 `json:"user_id"`
	Username     string `json:"username"`
	Note         string `json:"note"`
}

// RosterFilter selects roster entries for the roster list and the API: by grid and by duties
// (none means every duty).
type RosterFilter struct {
	GridID int64
	Duties []Duty
	Limit  int
	Offset int
}

// DutyLabel is the entry's duty in Chinese.
func (e *RosterEntry) DutyLabel() string { return e.Duty.Label() }

// RosterInput is what adding or editing a roster entry takes. On edit an empty Phone keeps the
// stored number unless ClearPhone is set.
type RosterInput struct {
	Duty       string `json:"duty"`
	Name       string `json:"name"`
	Phone      string `json:"phone"`
	ClearPhone bool   `json:"clear_phone"`
	BuildingID int64  `json:"building_id"`
	Note       string `json:"note"`
}

const rosterColumns = `e.id, e.grid_id, g.name, e.duty, e.name, e.phone_masked, e.building_id, COALESCE(b.name, ''),
	e.user_id, COALESCE(u.username, ''), e.note`

// rosterFrom joins a roster entry to its grid's region, its building and its linked account.
const rosterFrom = ` FROM grid_roster e JOIN regions g ON g.id = e.grid_id
	LEFT JOIN buildings b ON b.id = e.building_id LEFT JOIN users u ON u.id = e.user_id`

func scanRoster(row interface{ Scan(...any) error }) (*RosterEntry, error) {
	e := &RosterEntry{}
	err := row.Scan(&e.ID, &e.GridID, &e.GridName, &e.Duty, &e.Name, &e.PhoneMasked, &e.BuildingID, &e.BuildingName,
		&e.UserID, &e.Username, &e.Note)
	return e, err
}

// Roster lists a grid's roster in duty order.
func (s *Service) Roster(ctx context.Context, gridID int64) ([]RosterEntry, error) {
	p, err := principal(ctx, auth.RegisterRead)
	if err != nil {
		return nil, err
	}
	if _, err := s.gridInScope(ctx, s.db.R, p, gridID, false); err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+rosterColumns+rosterFrom+` WHERE e.grid_id = $1 ORDER BY e.id`, gridID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byDuty := map[Duty][]RosterEntry{}
	for rows.Next() {
		e, err := scanRoster(rows)
		if err != nil {
			return nil, err
		}
		byDuty[e.Duty] = append(byDuty[e.Duty], *e)
	}
	out := []RosterEntry{}
	for _, d := range Duties {
		out = append(out, byDuty[d]...)
	}
	return out, rows.Err()
}

// rosterEntry returns one entry of a grid in scope.
func (s *Service) rosterEntry(ctx context.Context, q db.Querier, p *auth.Principal, gridID, id int64) (*RosterEntry, error) {
	if _, err := s.gridInScope(ctx, q, p, gridID, false); err != nil {
		return nil, err
	}
	e, err := scanRoster(q.QueryRowContext(ctx, `SELECT `+rosterColumns+rosterFrom+` WHERE e.id = $1 AND e.grid_id = $2`, id, gridID))
	return e, db.NotFound(err, "网格力量成员不存在")
}

// RosterEntry returns one roster entry of a grid in scope.
func (s *Service) RosterEntry(ctx context.Context, gridID, id int64) (*RosterEntry, error) {
	p, err := principal(ctx, auth.RegisterRead)
	if err != nil {
		return nil, err
	}
	return s.rosterEntry(ctx, s.db.R, p, gridID, id)
}

// rosterEditError says why p may not maintain grid g's roster, or is nil when they may. The
// roster is kept by the community (community admins and above) and by the grid's own leader; grid
// workers and building leaders read it only.
func rosterEditError(p *auth.Principal, g *Grid) error {
	if p == nil {
		return errs.E(errs.Unauthorized, "请先登录")
	}
	if !p.Can(auth.RosterWrite) {
		if !p.Can(auth.RegisterRead) {
			return p.Require(auth.RosterWrite)
		}
		return errs.E(errs.Forbidden, "网格力量由社区和本网格网格长维护，%s只能查看", p.Role.Label())
	}
	if p.Role == auth.GridLeader && p.RegionID != g.ID {
		return errs.E(errs.Forbidden, "只有本网格的网格长可以维护“%s”的网格力量", g.Name)
	}
	return nil
}

// CheckRosterEdit returns nil when the signed-in user may maintain grid g's roster, or the
// forbidden error that says who may; pages use it to offer the edit controls only to them.
func CheckRosterEdit(ctx context.Context, g *Grid) error {
	return rosterEditError(auth.FromContext(ctx), g)
}

// rosterWriter returns the principal when they may maintain grid gridID's roster: a grid outside
// their scope is not found, one they may only read is forbidden.
func (s *Service) rosterWriter(ctx context.Context, q db.Querier, gridID int64) (*auth.Principal, error) {
	p, err := principal(ctx, auth.RegisterRead)
	if err != nil {
		return nil, err
	}
	g, err := s.gridInScope(ctx, q, p, gridID, false)
	if err != nil {
		return nil, err
	}
	if err := rosterEditError(p, g); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Service) normalizeRoster(ctx context.Context, q db.Querier, gridID int64, in *RosterInput) error {
	f := errs.Fields{}
	in.Name = cleanName(in.Name)
	in.Note = strings.TrimSpace(in.Note)
	if Duty(in.Duty).Label() == "" {
		f.Add("duty", "请选择职责")
	}
	if in.Name == "" {
		f.Add("name", "请填写姓名")
	} else if utf8.RuneCountInString(in.Name) > 40 {
		f.Add("name", "姓名不能超过40个字")
	}
	if strings.TrimSpace(in.Phone) != "" {
		ph, err := pii.NormalizePhone(in.Phone)
		if err != nil {
			f.Add("phone", err.Error())
		}
		in.Phone = ph
	} else {
		in.Phone = ""
	}
	if utf8.RuneCountInString(in.Note) > 200 {
		f.Add("note", "备注不能超过200字")
	}
	if Duty(in.Duty) != DutyBuildingLeader {
		in.BuildingID = 0
	} else if in.BuildingID != 0 {
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM buildings WHERE id = $1 AND grid_id = $2`, in.BuildingID, gridID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			f.Add("building_id", "所选楼院不在本网格内")
		}
	}
	return f.Err()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// AddRosterEntry puts a person on a grid's roster (the community's and the grid leader's work).
func (s *Service) AddRosterEntry(ctx context.Context, gridID int64, in RosterInput) (*RosterEntry, error) {
	var id int64
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		p, err := s.rosterWriter(ctx, tx, gridID)
		if err != nil {
			return err
		}
		if err := s.normalizeRoster(ctx, tx, gridID, &in); err != nil {
			return err
		}
		now := time.Now().UTC()
		err = tx.QueryRowContext(ctx, `INSERT INTO grid_roster (grid_id, region_id, duty, name, phone_enc, phone_index,
			phone_masked, building_id, note, created_at, updated_at) VALUES ($1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
			gridID, in.Duty, in.Name, s.sealer.Seal(in.Phone), nullString(s.sealer.Index(in.Phone)), pii.MaskPhone(in.Phone),
			nullID(in.BuildingID), in.Note, now).Scan(&id)
		if err != nil {
			return err
		}
		e, err := s.rosterEntry(ctx, tx, p, gridID, id)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "roster.create", ObjectType: "grid_roster", ObjectID: id,
			RegionID: gridID, After: e})
	})
	if err != nil {
		return nil, err
	}
	return s.RosterEntry(ctx, gridID, id)
}

// UpdateRosterEntry edits a roster entry; an empty phone keeps the stored one unless ClearPhone.
// Like every roster change it is for the community and the grid's own leader only.
func (s *Service) UpdateRosterEntry(ctx context.Context, gridID, id int64, in RosterInput) (*RosterEntry, error) {
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		p, err := s.rosterWriter(ctx, tx, gridID)
		if err != nil {
			return err
		}
		before, err := s.rosterEntry(ctx, tx, p, gridID, id)
		if err != nil {
			return err
		}
		if err := s.normalizeRoster(ctx, tx, gridID, &in); err != nil {
			return err
		}
		set := `duty = $1, name = $2, building_id = $3, note = $4, updated_at = $5`
		a := []any{in.Duty, in.Name, nullID(in.BuildingID), in.Note, time.Now().UTC()}
		if in.Phone != "" || in.ClearPhone {
			set += `, phone_enc = $7, phone_index = $8, phone_masked = $9`
			a = append(a, nil, s.sealer.Seal(in.Phone), nullString(s.sealer.Index(in.Phone)), pii.MaskPhone(in.Phone))
		} else {
			a = append(a, nil)
		}
		a[5] = id
		if _, err := tx.ExecContext(ctx, `UPDATE grid_roster SET `+set+` WHERE id = $6`, a...); err != nil {
			return err
		}
		after, err := s.rosterEntry(ctx, tx, p, gridID, id)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "roster.update", ObjectType: "grid_roster", ObjectID: id,
			RegionID: gridID, Before: before, After: after})
	})
	if err != nil {
		return nil, err
	}
	return s.RosterEntry(ctx, gridID, id)
}

// RemoveRosterEntry takes a person off a grid's roster (the community's and the grid leader's work).
func (s *Service) RemoveRosterEntry(ctx context.Context, gridID, id int64) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		p, err := s.rosterWriter(ctx, tx, gridID)
		if err != nil {
			return err
		}
		before, err := s.rosterEntry(ctx, tx, p, gridID, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM grid_roster WHERE id = $1`, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "roster.delete", ObjectType: "grid_roster", ObjectID: id,
			RegionID: gridID, Before: before})
	})
}

// nullString stores "" as NULL, so unique blind indexes ignore absent numbers.
func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// RosterList lists the roster entries in the principal's scope — every grid's 网格力量 in one
// list — by grid and duty, with the total. It is the list the home page's 网格长 and 网格员
// figures count. A grid filter outside the scope answers not found.
func (s *Service) RosterList(ctx context.Context, f RosterFilter) ([]RosterEntry, int, error) {
	p, err := principal(ctx, auth.RegisterRead)
	if err != nil {
		return nil, 0, err
	}
	var a db.Args
	where := ` WHERE ` + db.InScope("e.region_id", a.Add(p.Scope()))
	if f.GridID != 0 {
		if _, err := s.gridInScope(ctx, s.db.R, p, f.GridID, false); err != nil {
			return nil, 0, err
		}
		where += ` AND e.grid_id = ` + a.Add(f.GridID)
	}
	if len(f.Duties) > 0 {
		where += ` AND e.duty IN (`
		for i, d := range f.Duties {
			if i > 0 {
				where += `, `
			}
			where += a.Add(string(d))
		}
		where += `)`
	}
	var total int
	if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM grid_roster e`+where, a...).Scan(&total); err != nil {
		return nil, 0, err
	}
	// Duties in the order a roster shows them; an unknown stored duty sorts last.
	rank := `CASE e.duty`
	for i, d := range Duties {
		rank += ` WHEN '` + string(d) + `' THEN ` + strconv.Itoa(i)
	}
	rank += ` ELSE ` + strconv.Itoa(len(Duties)) + ` END`
	limit, offset := pageArgs(f.Limit, f.Offset)
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+rosterColumns+rosterFrom+where+
		` ORDER BY g.code, `+rank+`, e.id LIMIT `+a.Add(limit)+` OFFSET `+a.Add(offset), a...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []RosterEntry{}
	for rows.Next() {
		e, err := scanRoster(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *e)
	}
	return out, total, rows.Err()
}
