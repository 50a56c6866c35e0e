package cobuild

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/pii"
)

// shanghai is the zone days are counted in.
var shanghai = clock.Shanghai()

// Service is the co-building alliance's use cases. Every method acts as the principal in ctx:
// staff see their region subtree; a unit contact sees their own unit's records and the open needs
// they may claim. Anything else is not found.
type Service struct {
	db     *db.DB
	now    func() time.Time
	sealer *pii.Sealer
}

// Options configure the service; zero values are the defaults.
type Options struct {
	Now func() time.Time // the clock; time.Now when nil
	// Sealer seals the phone of a resident who raises a need on the public page; without it the
	// public page refuses needs.
	Sealer *pii.Sealer
}

// NewService returns the co-building service.
func NewService(d *db.DB, opt Options) *Service {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Service{db: d, now: opt.Now, sealer: opt.Sealer}
}

// today is the current day in Asia/Shanghai, YYYY-MM-DD.
func (s *Service) today() string { return clock.Date(s.now()) }

// viewer is who is asking: their principal, scope pattern, and for a unit contact their unit.
type viewer struct {
	p      *auth.Principal
	scope  string
	unitID int64 // the unit a unit contact acts for; 0 for staff
}

// staff reports whether the viewer sees their whole region rather than one unit's records.
func (v viewer) staff() bool { return v.unitID == 0 }

// viewer checks perm and returns who is asking. A unit contact whose account is not linked to a
// unit may do nothing here.
func (s *Service) viewer(ctx context.Context, q db.Querier, perm auth.Permission) (viewer, error) {
	p := auth.FromContext(ctx)
	if err := p.Require(perm); err != nil {
		return viewer{}, err
	}
	v := viewer{p: p, scope: p.Scope()}
	if p.Role == auth.UnitContact {
		err := q.QueryRowContext(ctx, `SELECT unit_id FROM cobuild_unit_contacts WHERE user_id = $1`, p.UserID).Scan(&v.unitID)
		if err != nil {
			if err == sql.ErrNoRows {
				return v, errs.E(errs.Forbidden, "您的账号尚未关联共建单位，请联系社区")
			}
			return v, err
		}
	}
	return v, nil
}

// where collects SQL conditions and their arguments, numbering placeholders as they are added.
type where struct {
	conds []string
	args  db.Args
}

// arg adds an argument and returns its placeholder.
func (w *where) arg(v any) string { return w.args.Add(v) }

// add appends a condition in which every ? stands for v.
func (w *where) add(format string, v any) {
	w.conds = append(w.conds, strings.ReplaceAll(format, "?", w.arg(v)))
}

// sql is the WHERE clause, or "" when there is no condition.
func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// within returns the path pattern of a region in the viewer's scope (the scope itself for 0).
func (s *Service) within(ctx context.Context, v viewer, regionID int64) (string, error) {
	if regionID == 0 {
		return v.scope, nil
	}
	var path string
	err := s.db.R.QueryRowContext(ctx, `SELECT path FROM regions WHERE id = $1`, regionID).Scan(&path)
	if err != nil || !v.p.Covers(path) {
		return "", errs.E(errs.NotFound, "区划不存在")
	}
	return path + "%", nil
}

// community returns the community of a region in the principal's write scope: the region itself,
// or the parent of a grid. field names the form field when it is not.
func community(ctx context.Context, q db.Querier, p *auth.Principal, regionID int64, field string) (int64, string, error) {
	if regionID == 0 {
		regionID = p.RegionID
	}
	var level, path string
	var parent sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT level, path, parent_id FROM regions WHERE id = $1`, regionID).Scan(&level, &path, &parent)
	if err != nil || !p.Covers(path) {
		return 0, "", errs.Field(field, "所选社区不存在或不在您的管辖范围内")
	}
	switch level {
	case "community":
		return regionID, level, nil
	case "grid":
		return parent.Int64, level, nil
	}
	return 0, "", errs.Field(field, "请选择一个社区（或社区的网格）")
}

// inTx runs fn in a write transaction and returns what it made.
func inTx[T any](ctx context.Context, d *db.DB, fn func(tx *db.Tx) (T, error)) (T, error) {
	var out T
	err := d.InTx(ctx, func(tx *db.Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	return out, err
}

// record writes the audit entry of a change inside its transaction.
func record(ctx context.Context, tx *db.Tx, action, objectType string, id, regionID int64, detail string, after any) error {
	return audit.Record(ctx, tx, audit.Entry{Action: action, ObjectType: objectType, ObjectID: id, RegionID: regionID,
		Detail: detail, After: after})
}

func itoa(n int) string { return strconv.Itoa(n) }

func nullID(id int64) any {
	if id <= 0 {
		return nil
	}
	return id
}

func idPtr(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	return &n.Int64
}

// UnitFilter narrows the units list.
type UnitFilter struct {
	RegionID int64
	Kind     string
	Q        string
	Limit    int
	Offset   int
}

// Units lists the member units in scope (a unit contact: their own unit) and the total.
func (s *Service) Units(ctx context.Context, f UnitFilter) ([]Unit, int, error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return nil, 0, err
	}
	w := &where{}
	within, err := s.within(ctx, v, f.RegionID)
	if err != nil {
		return nil, 0, err
	}
	w.add(db.InScope("u.region_id", "?"), v.scope)
	w.add(db.InScope("u.region_id", "?"), within)
	if !v.staff() {
		w.add("u.id = ?", v.unitID)
	}
	if f.Kind != "" {
		w.add("u.kind = ?", f.Kind)
	}
	if f.Q != "" {
		w.add(`u.name LIKE ? ESCAPE '\'`, "%"+db.EscapeLike(f.Q)+"%")
	}
	return listUnits(ctx, s.db.R, s.db.Dialect, w, f.Limit, f.Offset)
}

// Unit returns one unit in scope with its contacts.
func (s *Service) Unit(ctx context.Context, id int64) (*Unit, error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return nil, err
	}
	return s.unitFor(ctx, s.db.R, v, id)
}

func (s *Service) unitFor(ctx context.Context, q db.Querier, v viewer, id int64) (*Unit, error) {
	if !v.staff() && id != v.unitID {
		return nil, errs.E(errs.NotFound, "共建单位不存在")
	}
	w := &where{}
	w.add(db.InScope("u.region_id", "?"), v.scope)
	w.add("u.id = ?", id)
	units, _, err := listUnits(ctx, q, s.db.Dialect, w, 1, 0)
	if err != nil {
		return nil, err
	}
	if len(units) == 0 {
		return nil, errs.E(errs.NotFound, "共建单位不存在")
	}
	return &units[0], nil
}

// CreateUnit registers a member unit, its agreement and optionally its liaison contact.
func (s *Service) CreateUnit(ctx context.Context, in UnitInput) (*Unit, error) {
	return inTx(ctx, s.db, func(tx *db.Tx) (*Unit, error) {
		v, err := s.viewer(ctx, tx, auth.CobuildWrite)
		if err != nil {
			return nil, err
		}
		if err := in.Validate(); err != nil {
			return nil, err
		}
		regionID, level, err := community(ctx, tx, v.p, in.RegionID, "region_id")
		if err != nil {
			return nil, err
		}
		if level != "community" {
			return nil, errs.Field("region_id", "共建单位只能加入社区大党委")
		}
		now := s.now().UTC()
		var id int64
		err = tx.QueryRowContext(ctx, `INSERT INTO cobuild_units (region_id, name, kind, credit_code, address, party_org,
			secretary, signed_on, term_years, commitments, reported_on, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id`,
			regionID, in.Name, in.Kind, in.CreditCode, in.Address, in.PartyOrg, in.Secretary, in.SignedOn, in.TermYears,
			in.Commitments, in.ReportedOn, now).Scan(&id)
		if db.IsUnique(err) {
			return nil, errs.Field("credit_code", "该统一社会信用代码的单位已加入本社区大党委")
		}
		if err != nil {
			return nil, err
		}
		if in.ContactUserID > 0 {
			if err := linkContact(ctx, tx, v, id, regionID, in.ContactUserID, now); err != nil {
				return nil, err
			}
		}
		u, err := s.unitFor(ctx, tx, v, id)
		if err != nil {
			return nil, err
		}
		return u, record(ctx, tx, "cobuild.unit.create", "cobuild_unit", id, regionID, "登记共建单位："+u.Name, u)
	})
}

// UpdateUnit changes a unit's details and agreement.
func (s *Service) UpdateUnit(ctx context.Context, id int64, in UnitInput) (*Unit, error) {
	return inTx(ctx, s.db, func(tx *db.Tx) (*Unit, error) {
		v, err := s.viewer(ctx, tx, auth.CobuildWrite)
		if err != nil {
			return nil, err
		}
		old, err := s.unitFor(ctx, tx, v, id)
		if err != nil {
			return nil, err
		}
		if err := in.Validate(); err != nil {
			return nil, err
		}
		now := s.now().UTC()
		_, err = tx.ExecContext(ctx, `UPDATE cobuild_units SET name = $1, kind = $2, credit_code = $3, address = $4,
			party_org = $5, secretary = $6, signed_on = $7, term_years = $8, commitments = $9, reported_on = $10,
			updated_at = $11 WHERE id = $12`, in.Name, in.Kind, in.CreditCode, in.Address, in.PartyOrg, in.Secretary,
			in.SignedOn, in.TermYears, in.Commitments, in.ReportedOn, now, id)
		if db.IsUnique(err) {
			return nil, errs.Field("credit_code", "该统一社会信用代码的单位已加入本社区大党委")
		}
		if err != nil {
			return nil, err
		}
		if in.ContactUserID > 0 {
			if err := linkContact(ctx, tx, v, id, old.RegionID, in.ContactUserID, now); err != nil {
				return nil, err
			}
		}
		u, err := s.unitFor(ctx, tx, v, id)
		if err != nil {
			return nil, err
		}
		return u, audit.Record(ctx, tx, audit.Entry{Action: "cobuild.unit.update", ObjectType: "cobuild_unit", ObjectID: id,
			RegionID: u.RegionID, Before: old, After: u})
	})
}

// linkContact makes an account of role unit_contact in the unit's community the unit's contact.
func linkContact(ctx context.Context, tx *db.Tx, v viewer, unitID, regionID, userID int64, now time.Time) error {
	var role, path string
	err := tx.QueryRowContext(ctx, `SELECT u.role, r.path FROM users u JOIN regions r ON r.id = u.region_id WHERE u.id = $1`,
		userID).Scan(&role, &path)
	if err != nil || !v.p.Covers(path) {
		return errs.Field("contact_user_id", "联络人账号不存在")
	}
	if auth.Role(role) != auth.UnitContact {
		return errs.Field("contact_user_id", "联络人账号的角色应为“共建单位联络人”")
	}
	var other int64
	err = tx.QueryRowContext(ctx, `SELECT unit_id FROM cobuild_unit_contacts WHERE user_id = $1`, userID).Scan(&other)
	switch {
	case err == nil && other != unitID:
		return errs.Field("contact_user_id", "该账号已是其他共建单位的联络人")
	case err == nil:
		return nil
	case err != sql.ErrNoRows:
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO cobuild_unit_contacts (user_id, unit_id, created_at) VALUES ($1, $2, $3)`,
		userID, unitID, now); err != nil {
		return err
	}
	return record(ctx, tx, "cobuild.unit.contact", "cobuild_unit", unitID, regionID, "关联联络人账号", map[string]int64{"user_id": userID})
}

// LinkMember links an in-service party member to the unit they serve through, so their approved
// service hours count for it.
func (s *Service) LinkMember(ctx context.Context, unitID, memberID int64) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		v, err := s.viewer(ctx, tx, auth.CobuildWrite)
		if err != nil {
			return err
		}
		u, err := s.unitFor(ctx, tx, v, unitID)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM party_members WHERE id = $1 AND `+db.InScope("region_id", "$2"),
			memberID, v.scope).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errs.Field("member_id", "党员不存在")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO cobuild_unit_members (member_id, unit_id, created_at) VALUES ($1, $2, $3)
			ON CONFLICT (member_id) DO UPDATE SET unit_id = excluded.unit_id`, memberID, unitID, s.now().UTC()); err != nil {
			return err
		}
		return record(ctx, tx, "cobuild.unit.member", "cobuild_unit", unitID, u.RegionID, "关联在职党员",
			map[string]int64{"member_id": memberID})
	})
}

// PartnerUnits names every active member unit in the viewer's region — a unit contact's partners
// too — for picking the units of a joint activity.
func (s *Service) PartnerUnits(ctx context.Context) ([]Ref, error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, name FROM cobuild_units WHERE active = TRUE AND `+db.InScope("region_id", "$1")+
		` ORDER BY id`, v.scope)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Ref{}
	for rows.Next() {
		var r Ref
		if err := rows.Scan(&r.ID, &r.Name); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Communities names the communities in the viewer's scope, for the forms of staff above one
// community (a street or district admin picks whose 大党委 a unit joins or a meeting belongs to).
func (s *Service) Communities(ctx context.Context) ([]Ref, error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, name FROM regions WHERE level = 'community' AND path LIKE $1 ORDER BY code`, v.scope)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Ref{}
	for rows.Next() {
		var r Ref
		if err := rows.Scan(&r.ID, &r.Name); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// regionName names a region the caller has already read a record of; "" when unknown.
func (s *Service) regionName(ctx context.Context, id int64) string {
	var name string
	_ = s.db.R.QueryRowContext(ctx, `SELECT name FROM regions WHERE id = $1`, id).Scan(&name)
	return name
}
