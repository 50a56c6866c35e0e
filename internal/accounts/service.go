// Package accounts is account and role administration for security admins: the pages under
// /admin/users and the API under /api/v1/users. Accounts are scoped like everything else: a
// security admin manages the accounts in their region subtree, never their own role or region.
package accounts

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/notify"
)

// Service is account administration: a security admin lists, creates and edits the accounts in
// their scope, resets passwords, lifts lockouts and ends sessions. Who the user is, and signing
// in, stay with auth.
type Service struct {
	db   *db.DB
	auth *auth.Service // creates users, and is the clock lockouts and sessions are judged by
}

// NewService returns account administration on d, creating users through a.
func NewService(d *db.DB, a *auth.Service) *Service { return &Service{db: d, auth: a} }

// Filter narrows the account list a security admin sees.
type Filter struct {
	Role     auth.Role
	RegionID int64  // only accounts in this region's subtree (which must be in scope)
	Status   string // "active", "inactive" or "" for both
	Locked   bool   // only accounts locked now
	Q        string // part of the name or username
	Limit    int
	Offset   int
}

// Input is what a security admin fills in to create an account.
type Input struct {
	Username string    `json:"username"`
	Name     string    `json:"name"`
	Role     auth.Role `json:"role"`
	RegionID int64     `json:"region_id"`
	OrgName  string    `json:"org_name"`
	Password string    `json:"password"` // empty: a password is generated and shown once
}

// Change is an edit of an account's name, role, region or organisation.
type Change struct {
	Name     string
	Role     auth.Role
	RegionID int64
	OrgName  string
}

// RegionOption is a region a security admin may assign accounts to.
type RegionOption struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Level string `json:"level"`
	Depth int    `json:"-"` // levels below the admin's own region, for indenting
}

// Indent is the option's name indented by its depth, for a select box.
func (o RegionOption) Indent() string { return strings.Repeat("　", o.Depth) + o.Name }

// roleLevels says which region levels an account of a role may be assigned to; roles not listed
// may sit at any level.
var roleLevels = map[auth.Role][]string{
	auth.DistrictAdmin:  {"city", "district"},
	auth.StreetAdmin:    {"street"},
	auth.CommunityAdmin: {"community"},
	auth.GridLeader:     {"grid"},
	auth.GridWorker:     {"grid"},
	auth.BuildingLeader: {"grid"},
}

var levelLabels = map[string]string{"city": "市", "district": "区", "street": "街道", "community": "社区", "grid": "网格"}

// needsOrg lists the roles whose accounts belong to an organisation outside the community.
func needsOrg(r auth.Role) bool { return r == auth.UnitContact || r == auth.Department }

type scopedRegion struct {
	id    int64
	path  string
	level string
}

// regionInScope returns the region if the principal covers it; otherwise a field error.
func (s *Service) regionInScope(ctx context.Context, q db.Querier, p *auth.Principal, id int64) (*scopedRegion, error) {
	r := &scopedRegion{id: id}
	err := q.QueryRowContext(ctx, `SELECT path, level FROM regions WHERE id = $1`, id).Scan(&r.path, &r.level)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !p.Covers(r.path)) {
		return nil, errs.Field("region_id", "所属区域不存在或不在您的管辖范围内")
	}
	if err != nil {
		return nil, fmt.Errorf("region %d: %w", id, err)
	}
	return r, nil
}

// checkAssignment applies the rules for giving an account a role in a region.
func (s *Service) checkAssignment(ctx context.Context, q db.Querier, p *auth.Principal, role auth.Role, regionID int64, org string, f errs.Fields) {
	if !role.Valid() {
		f.Add("role", "请选择角色")
	}
	if regionID == 0 {
		f.Add("region_id", "请选择所属区域")
		return
	}
	r, err := s.regionInScope(ctx, q, p, regionID)
	if err != nil {
		f.Add("region_id", errs.MessageOf(err))
		return
	}
	if levels, ok := roleLevels[role]; ok {
		allowed := false
		var names []string
		for _, l := range levels {
			allowed = allowed || l == r.level
			names = append(names, levelLabels[l])
		}
		if !allowed {
			f.Add("region_id", fmt.Sprintf("%s只能设在%s一级", role.Label(), strings.Join(names, "或")))
		}
	}
	if needsOrg(role) && strings.TrimSpace(org) == "" {
		f.Add("org_name", "共建单位联络人和职能部门账号须填写所属单位")
	}
}

// ListUsers returns the accounts in the principal's scope that match f, and how many match in all.
func (s *Service) ListUsers(ctx context.Context, p *auth.Principal, f Filter) ([]auth.User, int, error) {
	if err := p.Require(auth.AccountsManage); err != nil {
		return nil, 0, err
	}
	where := []string{`r.path LIKE $1`}
	args := []any{p.Scope()}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.Role != "" {
		where = append(where, `u.role = `+arg(string(f.Role)))
	}
	if f.RegionID != 0 {
		r, err := s.regionInScope(ctx, s.db.R, p, f.RegionID)
		if err != nil {
			return nil, 0, errs.E(errs.NotFound, "区域不存在或不在您的管辖范围内")
		}
		where = append(where, `r.path LIKE `+arg(r.path+"%"))
	}
	switch f.Status {
	case "active":
		where = append(where, `u.active = `+arg(true))
	case "inactive":
		where = append(where, `u.active = `+arg(false))
	}
	if f.Locked {
		where = append(where, `u.locked_until > `+arg(s.auth.Now()))
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		pat := "%" + db.EscapeLike(strings.ToLower(q)) + "%"
		n := arg(pat)
		where = append(where, `(LOWER(u.username) LIKE `+n+` ESCAPE '\' OR u.name LIKE `+n+` ESCAPE '\')`)
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM users u JOIN regions r ON r.id = u.region_id WHERE `+cond,
		args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count users: %w", err)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+auth.UserColumns+` FROM users u JOIN regions r ON r.id = u.region_id WHERE `+
		cond+` ORDER BY r.path, u.username LIMIT `+arg(f.Limit)+` OFFSET `+arg(f.Offset), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	out := []auth.User{}
	for rows.Next() {
		u, err := auth.ScanUser(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *u)
	}
	return out, total, rows.Err()
}

// User returns an account in the principal's scope; outside it, not found.
func (s *Service) User(ctx context.Context, p *auth.Principal, id int64) (*auth.User, error) {
	if err := p.Require(auth.AccountsManage); err != nil {
		return nil, err
	}
	return s.scopedUser(ctx, s.db.R, p, id)
}

func (s *Service) scopedUser(ctx context.Context, q db.Querier, p *auth.Principal, id int64) (*auth.User, error) {
	u, err := auth.ScanUser(q.QueryRowContext(ctx, `SELECT `+auth.UserColumns+` FROM users u JOIN regions r ON r.id = u.region_id
		WHERE u.id = $1 AND r.path LIKE $2`, id, p.Scope()))
	if err != nil {
		return nil, db.NotFound(err, "账号不存在")
	}
	return u, nil
}

// CreateAccount creates an account in the security admin's scope. Without a password it generates
// one and returns it, to be shown once; either way the user must change it at first sign-in.
func (s *Service) CreateAccount(ctx context.Context, p *auth.Principal, in Input) (*auth.User, string, error) {
	if err := p.Require(auth.AccountsManage); err != nil {
		return nil, "", err
	}
	in.Username, in.Name, in.OrgName = strings.TrimSpace(in.Username), strings.TrimSpace(in.Name), strings.TrimSpace(in.OrgName)
	generated := ""
	if in.Password == "" {
		generated = GeneratePassword(in.Username)
		in.Password = generated
	}
	var u *auth.User
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		f := errs.Fields{}
		s.checkAssignment(ctx, tx, p, in.Role, in.RegionID, in.OrgName, f)
		if err := f.Err(); err != nil {
			// Report the field problems of CreateUser too, in one answer.
			if cerr := validateNewUser(in); cerr != nil {
				for k, v := range errs.FieldsOf(cerr) {
					f.Add(k, v)
				}
			}
			return f.Err()
		}
		if err := checkDuties("", in.Role); err != nil {
			return err
		}
		if !needsOrg(in.Role) {
			in.OrgName = ""
		}
		id, err := s.auth.CreateUser(ctx, tx, auth.NewUser{Username: in.Username, Name: in.Name, Password: in.Password,
			Role: in.Role, RegionID: in.RegionID, OrgName: in.OrgName, MustChange: true})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_expires_at = $1 WHERE id = $2`,
			s.auth.Now().Add(CodeLifetime), id); err != nil {
			return err
		}
		u, err = s.scopedUser(ctx, tx, p, id)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return u, generated, nil
}

func validateNewUser(in Input) error {
	f := errs.Fields{}
	if err := auth.ValidateUsername(in.Username); err != nil {
		f.Add("username", errs.MessageOf(err))
	}
	if in.Name == "" {
		f.Add("name", "请填写姓名")
	}
	if err := auth.ValidatePassword(in.Password, in.Username); err != nil {
		f.Add("password", errs.MessageOf(err))
	}
	return f.Err()
}

// UpdateAccount changes an account's name, role, region and organisation. Nobody changes their own
// role or region: that takes another security admin.
func (s *Service) UpdateAccount(ctx context.Context, p *auth.Principal, id int64, c Change) (*auth.User, error) {
	if err := p.Require(auth.AccountsManage); err != nil {
		return nil, err
	}
	c.Name, c.OrgName = strings.TrimSpace(c.Name), strings.TrimSpace(c.OrgName)
	var out *auth.User
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		u, err := s.scopedUser(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if u.ID == p.UserID && (c.Role != u.Role || c.RegionID != u.RegionID) {
			return errs.E(errs.Forbidden, "不能修改自己的角色或所属区域，请由其他安全管理员操作")
		}
		f := errs.Fields{}
		if c.Name == "" {
			f.Add("name", "请填写姓名")
		}
		s.checkAssignment(ctx, tx, p, c.Role, c.RegionID, c.OrgName, f)
		if err := f.Err(); err != nil {
			return err
		}
		if err := checkDuties(u.Role, c.Role); err != nil {
			return err
		}
		if !needsOrg(c.Role) {
			c.OrgName = ""
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET name = $1, role = $2, region_id = $3, org_name = $4, updated_at = $5
			WHERE id = $6`, c.Name, string(c.Role), c.RegionID, c.OrgName, s.auth.Now(), id); err != nil {
			return fmt.Errorf("update user %d: %w", id, err)
		}
		if out, err = s.scopedUser(ctx, tx, p, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "user.update", ObjectType: "user", ObjectID: id, RegionID: out.RegionID,
			Before: accountSnapshot(u), After: accountSnapshot(out)})
	})
	return out, err
}

func accountSnapshot(u *auth.User) map[string]any {
	return map[string]any{"username": u.Username, "name": u.Name, "role": u.Role, "region_id": u.RegionID,
		"region_name": u.RegionName, "org_name": u.OrgName, "active": u.Active}
}

// Reset is the outcome of a password reset: the one-time code when the security admin may see it
// (a security or audit account), or else the business admins it was sent to.
type Reset struct {
	Password string
	SentTo   []string
}

// ResetPassword gives another account a one-time code that opens only the set-password form, for
// CodeLifetime. It clears any lockout and ends the user's sessions and tokens. The code of a
// business account goes to the business side (the account's requester, or the business admins
// over it) as a notification — the security admin never sees it, so cannot sign in as a business
// user; the code of a security or audit account is returned to be shown once.
func (s *Service) ResetPassword(ctx context.Context, p *auth.Principal, id int64) (Reset, error) {
	if err := p.Require(auth.AccountsManage); err != nil {
		return Reset{}, err
	}
	var out Reset
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		u, err := s.scopedUser(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if u.ID == p.UserID {
			return errs.E(errs.Forbidden, "不能重置自己的密码，请在“修改密码”中修改")
		}
		code := GeneratePassword(u.Username)
		var recipients []int64
		if needsRequest(u.Role) {
			if recipients, out.SentTo, err = codeRecipients(ctx, tx, u); err != nil {
				return err
			}
		} else {
			out.Password = code
		}
		hash, err := auth.HashPassword(code)
		if err != nil {
			return err
		}
		now := s.auth.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, must_change_password = TRUE, failed_logins = 0,
			locked_until = NULL, password_changed_at = $2, updated_at = $2, password_expires_at = $3 WHERE id = $4`,
			hash, now, now.Add(CodeLifetime), id); err != nil {
			return fmt.Errorf("reset password of user %d: %w", id, err)
		}
		if err := auth.EndUserSessions(ctx, tx, id); err != nil {
			return err
		}
		for _, to := range recipients {
			if err := notify.Notify(ctx, tx, to, notify.Notification{RegionID: u.RegionID, Kind: "account.reset",
				Title: "账号密码已重置：" + u.Username,
				Body: fmt.Sprintf("一次性口令：%s（%d小时内有效，仅能用于设置新密码）。请当面交给%s本人，登录后立即设置新密码。",
					code, int(CodeLifetime.Hours()), u.Name)}); err != nil {
				return err
			}
		}
		detail := "密码已重置，须在下次登录时修改；已结束该账号的全部会话"
		if len(out.SentTo) > 0 {
			detail += "；一次性口令已发给业务管理员 " + strings.Join(out.SentTo, "、")
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "user.password_reset", ObjectType: "user", ObjectID: id,
			RegionID: u.RegionID, Detail: detail})
	})
	return out, err
}

// Unlock lifts a lockout after failed sign-ins.
func (s *Service) Unlock(ctx context.Context, p *auth.Principal, id int64) (*auth.User, error) {
	if err := p.Require(auth.AccountsManage); err != nil {
		return nil, err
	}
	var out *auth.User
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		u, err := s.scopedUser(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL, updated_at = $1 WHERE id = $2`,
			s.auth.Now(), id); err != nil {
			return fmt.Errorf("unlock user %d: %w", id, err)
		}
		detail := "账号未处于锁定状态"
		if u.Locked(s.auth.Now()) {
			detail = "解除登录失败锁定（原锁定至 " + u.LockedUntil.UTC().Format(time.RFC3339) + "）"
		}
		if out, err = s.scopedUser(ctx, tx, p, id); err != nil {
			return err
		}
		tx.AfterCommit(func() { s.auth.ReleaseHolds(u.Username) })
		return audit.Record(ctx, tx, audit.Entry{Action: "user.unlock", ObjectType: "user", ObjectID: id, RegionID: u.RegionID,
			Detail: detail, Before: map[string]any{"failed_logins": u.FailedLogins, "locked_until": u.LockedUntil},
			After: map[string]any{"failed_logins": 0, "locked_until": nil}})
	})
	return out, err
}

// SetActive deactivates or reactivates an account. Deactivating ends every session and token of
// the account at once; nobody deactivates themselves.
func (s *Service) SetActive(ctx context.Context, p *auth.Principal, id int64, active bool) (*auth.User, error) {
	if err := p.Require(auth.AccountsManage); err != nil {
		return nil, err
	}
	var out *auth.User
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		u, err := s.scopedUser(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if u.ID == p.UserID && !active {
			return errs.E(errs.Forbidden, "不能停用自己的账号")
		}
		if u.Active == active {
			out = u
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET active = $1, updated_at = $2 WHERE id = $3`, active, s.auth.Now(), id); err != nil {
			return fmt.Errorf("set user %d active: %w", id, err)
		}
		action, detail := "user.activate", "重新启用账号"
		if !active {
			action, detail = "user.deactivate", "停用账号，已结束其全部会话和访问令牌"
			if err := auth.EndUserSessions(ctx, tx, id); err != nil {
				return err
			}
		}
		if out, err = s.scopedUser(ctx, tx, p, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: action, ObjectType: "user", ObjectID: id, RegionID: u.RegionID,
			Detail: detail, Before: map[string]any{"active": u.Active}, After: map[string]any{"active": active}})
	})
	return out, err
}

// RegionsInScope lists the regions the principal may assign accounts to, in tree order.
func (s *Service) RegionsInScope(ctx context.Context, p *auth.Principal) ([]RegionOption, error) {
	if err := p.Require(auth.AccountsManage); err != nil {
		return nil, err
	}
	return s.regionsIn(ctx, p)
}

// RequestRegions lists the regions a business admin may request accounts in, in tree order.
func (s *Service) RequestRegions(ctx context.Context, p *auth.Principal) ([]RegionOption, error) {
	if err := p.Require(auth.SettingsManage); err != nil {
		return nil, err
	}
	return s.regionsIn(ctx, p)
}

func (s *Service) regionsIn(ctx context.Context, p *auth.Principal) ([]RegionOption, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, name, level, path FROM regions WHERE path LIKE $1 ORDER BY path`, p.Scope())
	if err != nil {
		return nil, fmt.Errorf("regions in scope: %w", err)
	}
	defer rows.Close()
	base := strings.Count(p.RegionPath, "/")
	var out []RegionOption
	for rows.Next() {
		var o RegionOption
		var path string
		if err := rows.Scan(&o.ID, &o.Name, &o.Level, &path); err != nil {
			return nil, err
		}
		o.Depth = strings.Count(path, "/") - base
		out = append(out, o)
	}
	return out, rows.Err()
}

// passwordAlphabet leaves out characters easily misread when a password is read out on the phone.
const (
	passwordUpper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	passwordLower  = "abcdefghijkmnpqrstuvwxyz"
	passwordDigits = "23456789"
)

// GeneratePassword returns a random password that meets the password rules for username: three
// groups of four letters and digits joined by hyphens, e.g. "Kp7m-x3Qa-9rTz".
func GeneratePassword(username string) string {
	all := passwordUpper + passwordLower + passwordDigits
	for {
		var b strings.Builder
		for i := 0; i < 12; i++ {
			if i > 0 && i%4 == 0 {
				b.WriteByte('-')
			}
			n, err := rand.Int(rand.Reader, big.NewInt(int64(len(all))))
			if err != nil {
				panic(fmt.Sprintf("auth: no randomness: %v", err))
			}
			b.WriteByte(all[n.Int64()])
		}
		pw := b.String()
		if auth.ValidatePassword(pw, username) == nil && strings.ContainsAny(pw, passwordDigits) &&
			strings.ContainsAny(pw, passwordUpper) && strings.ContainsAny(pw, passwordLower) {
			return pw
		}
	}
}
