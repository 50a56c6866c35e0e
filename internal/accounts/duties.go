package accounts

import (
	"context"
	"fmt"
	"strings"
	"time"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/notify"
)

// Separation of duties (三权分立, docs/security.md): the security admin manages accounts, the
// auditor reads the audit log, business admins run the community's work. No one account holds two
// of these duties, no account changes its own role, and no security admin alone can open a
// business admin account: a business admin of the region requests it, a security admin approves,
// and the one-time code goes to the requester, never to the security admin.

// Duty is one of the three duties an account may hold.
type Duty string

// The three duties.
const (
	DutySecurity Duty = "security"
	DutyAudit    Duty = "audit"
	DutyBusiness Duty = "business"
)

// DutyOf is the duty a role belongs to.
func DutyOf(r auth.Role) Duty {
	switch r {
	case auth.SecurityAdmin:
		return DutySecurity
	case auth.Auditor:
		return DutyAudit
	}
	return DutyBusiness
}

// needsRequest says which roles an account gets only through an approved account request: every
// business role, because every one of them reads business data (grid workers and mediators reveal
// residents' numbers; unit contacts and departments handle cases). The security admin opens only
// security and audit accounts directly.
func needsRequest(r auth.Role) bool { return DutyOf(r) == DutyBusiness }

// CodeLifetime is how long an initial or reset password (a one-time code) may be used to reach
// the set-password form.
const CodeLifetime = 72 * time.Hour

var errNeedsRequest = errs.E(errs.Forbidden, "业务账号（含网格员、调解员等）须由所在区域的业务管理员提出开通申请，经安全管理员审批后开通")

// checkDuties refuses what separation of duties forbids for giving role to an account that now
// has from (empty when creating): crossing duties, and a business admin role without a request.
func checkDuties(from, to auth.Role) error {
	if from != "" && DutyOf(from) != DutyOf(to) {
		return errs.E(errs.Forbidden, "账号的职责（安全管理、安全审计、业务）不能变更：一人不得兼任两类职责，如需调整请停用本账号并另行开通")
	}
	if needsRequest(to) && from != to {
		return errNeedsRequest
	}
	return nil
}

// AccountRequest is a business admin's request for a business account.
type AccountRequest struct {
	ID       int64     `json:"id"`
	Username string    `json:"username"`
	Name     string    `json:"name"`
	Role     auth.Role `json:"role"`
	RegionID int64     `json:"region_id"`
	OrgName  string    `json:"org_name,omitempty"`
	Reason   string    `json:"reason"`
	Status   string    `json:"status"`
}

// RequestAccount files a request for a business account in the requester's scope; only a business
// admin (who holds settings.manage over their region) may file one.
func (s *Service) RequestAccount(ctx context.Context, p *auth.Principal, in AccountRequest) (*AccountRequest, error) {
	if err := p.Require(auth.SettingsManage); err != nil {
		return nil, err
	}
	in.Username, in.Name, in.Reason = strings.TrimSpace(in.Username), strings.TrimSpace(in.Name), strings.TrimSpace(in.Reason)
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		f := errs.Fields{}
		if err := auth.ValidateUsername(in.Username); err != nil {
			f.Add("username", errs.MessageOf(err))
		}
		if in.Name == "" {
			f.Add("name", "请填写姓名")
		}
		if in.Role.Valid() && !needsRequest(in.Role) {
			f.Add("role", "安全管理员、审计员账号不经业务申请，由安全管理员开通")
		}
		in.OrgName = strings.TrimSpace(in.OrgName)
		s.checkAssignment(ctx, tx, p, in.Role, in.RegionID, in.OrgName, f)
		if err := f.Err(); err != nil {
			return err
		}
		if !needsOrg(in.Role) {
			in.OrgName = ""
		}
		var taken int
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM users WHERE username = $1) +
			(SELECT COUNT(*) FROM account_requests WHERE username = $1 AND status = 'pending')`, in.Username).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			return errs.Field("username", "该用户名已被使用或已在申请中")
		}
		in.Status = "pending"
		if err := tx.QueryRowContext(ctx, `INSERT INTO account_requests (username, name, role, region_id, org_name, reason, requested_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, in.Username, in.Name, string(in.Role), in.RegionID, in.OrgName, in.Reason,
			p.UserID, s.auth.Now()).Scan(&in.ID); err != nil {
			return fmt.Errorf("file account request: %w", err)
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "user.request", ObjectType: "account_request", ObjectID: in.ID,
			RegionID: in.RegionID, After: map[string]any{"username": in.Username, "name": in.Name, "role": in.Role}})
	})
	if err != nil {
		return nil, err
	}
	return &in, nil
}

// ApproveRequest opens the requested account (a security admin of the region). The one-time code
// goes to the requester as a notification — the security admin never sees it — and opens only the
// set-password form, for CodeLifetime.
func (s *Service) ApproveRequest(ctx context.Context, p *auth.Principal, id int64) (*auth.User, error) {
	if err := p.Require(auth.AccountsManage); err != nil {
		return nil, err
	}
	var out *auth.User
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var req AccountRequest
		var requester int64
		err := tx.QueryRowContext(ctx, `SELECT q.username, q.name, q.role, q.region_id, q.org_name, q.status, q.requested_by
			FROM account_requests q JOIN regions r ON r.id = q.region_id WHERE q.id = $1 AND r.path LIKE $2`, id, p.Scope()).
			Scan(&req.Username, &req.Name, &req.Role, &req.RegionID, &req.OrgName, &req.Status, &requester)
		if err != nil {
			return db.NotFound(err, "开通申请不存在")
		}
		if req.Status != "pending" {
			return errs.E(errs.Conflict, "该申请已处理")
		}
		if requester == p.UserID {
			return errs.E(errs.Forbidden, "不能审批自己提出的申请")
		}
		code := GeneratePassword(req.Username)
		now := s.auth.Now()
		uid, err := s.auth.CreateUser(ctx, tx, auth.NewUser{Username: req.Username, Name: req.Name, Password: code,
			Role: req.Role, RegionID: req.RegionID, OrgName: req.OrgName, MustChange: true})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_expires_at = $1 WHERE id = $2`, now.Add(CodeLifetime), uid); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE account_requests SET status = 'approved', decided_by = $1, decided_at = $2, user_id = $3
			WHERE id = $4`, p.UserID, now, uid, id); err != nil {
			return err
		}
		if err := notify.Notify(ctx, tx, requester, notify.Notification{RegionID: req.RegionID, Kind: "account.approved",
			Title: "账号开通申请已批准：" + req.Username,
			Body: fmt.Sprintf("一次性初始口令：%s（%d小时内有效，仅能用于设置新密码）。请当面交给%s本人，登录后立即设置新密码。",
				code, int(CodeLifetime.Hours()), req.Name)}); err != nil {
			return err
		}
		if out, err = s.scopedUser(ctx, tx, p, uid); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "user.request_approve", ObjectType: "account_request", ObjectID: id,
			RegionID: req.RegionID, Detail: "批准开通申请，初始口令已发给申请人"})
	})
	return out, err
}
