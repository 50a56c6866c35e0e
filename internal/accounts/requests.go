package accounts

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/notify"
)

// RequestRow is an account request as the requests page lists it.
type RequestRow struct {
	AccountRequest
	RegionName   string     `json:"region_name"`
	RequestedBy  string     `json:"requested_by"` // the requester's name
	CreatedAt    time.Time  `json:"created_at"`
	DecidedAt    *time.Time `json:"decided_at,omitempty"`
	DecisionNote string     `json:"decision_note,omitempty"`
	Mine         bool       `json:"-"` // filed by the reader
	requesterID  int64
}

// RoleLabel is the requested role's Chinese name.
func (r RequestRow) RoleLabel() string { return r.Role.Label() }

// StatusLabel is the request's state in Chinese.
func (r RequestRow) StatusLabel() string {
	return map[string]string{"pending": "待审批", "approved": "已开通", "rejected": "未批准"}[r.Status]
}

// MayRequest reports whether p may file account requests (a business admin).
func MayRequest(p *auth.Principal) bool { return p.Can(auth.SettingsManage) }

// Requests lists account requests, newest first: a security admin sees every request in their
// scope (pending ones first), a business admin the requests they filed.
func (s *Service) Requests(ctx context.Context, p *auth.Principal) ([]RequestRow, error) {
	var cond string
	var args []any
	switch {
	case p.Can(auth.AccountsManage):
		cond, args = `r.path LIKE $1`, []any{p.Scope()}
	case p.Can(auth.SettingsManage):
		cond, args = `q.requested_by = $1`, []any{p.UserID}
	default:
		return nil, p.Require(auth.SettingsManage)
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT q.id, q.username, q.name, q.role, q.region_id, q.org_name, q.reason, q.status,
		r.name, u.id, u.name, q.created_at, q.decided_at, q.decision_note
		FROM account_requests q JOIN regions r ON r.id = q.region_id JOIN users u ON u.id = q.requested_by
		WHERE `+cond+` ORDER BY CASE WHEN q.status = 'pending' THEN 0 ELSE 1 END, q.created_at DESC, q.id DESC LIMIT 200`, args...)
	if err != nil {
		return nil, fmt.Errorf("list account requests: %w", err)
	}
	defer rows.Close()
	out := []RequestRow{}
	for rows.Next() {
		var q RequestRow
		if err := rows.Scan(&q.ID, &q.Username, &q.Name, &q.Role, &q.RegionID, &q.OrgName, &q.Reason, &q.Status,
			&q.RegionName, &q.requesterID, &q.RequestedBy, &q.CreatedAt, &q.DecidedAt, &q.DecisionNote); err != nil {
			return nil, err
		}
		q.Mine = q.requesterID == p.UserID
		out = append(out, q)
	}
	return out, rows.Err()
}

// RejectRequest refuses a pending request with a reason the requester is told.
func (s *Service) RejectRequest(ctx context.Context, p *auth.Principal, id int64, note string) error {
	if err := p.Require(auth.AccountsManage); err != nil {
		return err
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) < 2 || utf8.RuneCountInString(note) > 500 {
		return errs.Field("note", "请填写不予批准的理由（2至500字）")
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		var status, username string
		var region, requester int64
		err := tx.QueryRowContext(ctx, `SELECT q.status, q.username, q.region_id, q.requested_by FROM account_requests q
			JOIN regions r ON r.id = q.region_id WHERE q.id = $1 AND r.path LIKE $2`, id, p.Scope()).
			Scan(&status, &username, &region, &requester)
		if err != nil {
			return db.NotFound(err, "开通申请不存在")
		}
		if status != "pending" {
			return errs.E(errs.Conflict, "该申请已处理")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE account_requests SET status = 'rejected', decided_by = $1, decided_at = $2,
			decision_note = $3 WHERE id = $4`, p.UserID, s.auth.Now(), note, id); err != nil {
			return err
		}
		if err := notify.Notify(ctx, tx, requester, notify.Notification{RegionID: region, Kind: "account.rejected",
			Title: "账号开通申请未获批准：" + username, Body: "理由：" + note, Link: "/account-requests"}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "user.request_reject", ObjectType: "account_request", ObjectID: id,
			RegionID: region, Detail: "不予批准开通申请：" + note})
	})
}

// codeRecipients are the business admins a new one-time code of a business account goes to: the
// account's requester if still active, else the active business admins of the nearest region
// above or at the account's that has any — never the account itself, never a security admin.
func codeRecipients(ctx context.Context, q db.Querier, u *auth.User) ([]int64, []string, error) {
	var id int64
	var name string
	err := q.QueryRowContext(ctx, `SELECT a.id, a.name FROM account_requests q JOIN users a ON a.id = q.requested_by
		WHERE q.user_id = $1 AND a.active AND a.id <> $1 ORDER BY q.id DESC LIMIT 1`, u.ID).Scan(&id, &name)
	if err == nil {
		return []int64{id}, []string{name}, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT a.id, a.name, LENGTH(ar.path) FROM users a JOIN regions ar ON ar.id = a.region_id
		WHERE a.role IN ($1, $2, $3) AND a.active AND a.id <> $4
		AND (SELECT path FROM regions WHERE id = $5) LIKE ar.path || '%' ORDER BY LENGTH(ar.path) DESC, a.id`,
		string(auth.CommunityAdmin), string(auth.StreetAdmin), string(auth.DistrictAdmin), u.ID, u.RegionID)
	if err != nil {
		return nil, nil, fmt.Errorf("business admins over user %d: %w", u.ID, err)
	}
	defer rows.Close()
	var ids []int64
	var names []string
	deepest := -1
	for rows.Next() {
		var n int
		if err := rows.Scan(&id, &name, &n); err != nil {
			return nil, nil, err
		}
		if deepest >= 0 && n != deepest {
			break
		}
		deepest = n
		ids, names = append(ids, id), append(names, name)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if len(ids) == 0 {
		return nil, nil, errs.E(errs.Conflict, "该账号所在区域没有可接收口令的业务管理员，无法重置；请先为该区域开通业务管理员")
	}
	return ids, names, nil
}
