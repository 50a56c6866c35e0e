package accounts

import (
	"context"
	"fmt"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/notify"
)

// AlertSecurityAdmins tells every active security admin whose scope covers the account that it is
// under attack: many failed sign-ins from several addresses have held it. The app sets it as
// auth.Service.OnAccountHeld, so the alert commits with the hold.
func AlertSecurityAdmins(ctx context.Context, q db.Querier, u *auth.User, detail string) error {
	rows, err := q.QueryContext(ctx, `SELECT a.id FROM users a JOIN regions ar ON ar.id = a.region_id
		WHERE a.role = $1 AND a.active AND (SELECT path FROM regions WHERE id = $2) LIKE ar.path || '%'`,
		string(auth.SecurityAdmin), u.RegionID)
	if err != nil {
		return fmt.Errorf("security admins of user %d: %w", u.ID, err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range ids {
		if err := notify.Notify(ctx, q, id, notify.Notification{RegionID: u.RegionID, Kind: "security.account_attacked",
			Title: "账号疑似遭受密码猜测攻击：" + u.Username,
			Body:  detail + "。请核查审计日志中的登录失败记录，必要时联系账号本人。",
			Link:  fmt.Sprintf("/admin/users/%d", u.ID)}); err != nil {
			return err
		}
	}
	return nil
}
