package notify

import (
	"context"
	"fmt"
	"time"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

// Service lets the signed-in user read their own notifications; nobody sees anyone else's.
// Marking read is the user's own bookkeeping and is not audited.
type Service struct {
	d *db.DB
}

// NewService returns the notification service over d.
func NewService(d *db.DB) *Service { return &Service{d: d} }

// Filter selects notifications in a list.
type Filter struct {
	UnreadOnly bool
	Limit      int
	Offset     int
}

// Page is one page of a user's notifications with the totals.
type Page struct {
	Items  []Notification `json:"items"`
	Total  int            `json:"total"`
	Unread int            `json:"unread"`
}

func principal(ctx context.Context) (*auth.Principal, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, errs.E(errs.Unauthorized, "请先登录")
	}
	return p, nil
}

const columns = "id, user_id, region_id, kind, title, body, link, created_at, read_at"

func scan(sc interface{ Scan(...any) error }) (Notification, error) {
	var n Notification
	var region *int64
	err := sc.Scan(&n.ID, &n.UserID, &region, &n.Kind, &n.Title, &n.Body, &n.Link, &n.CreatedAt, &n.ReadAt)
	if region != nil {
		n.RegionID = *region
	}
	return n, err
}

// List returns the signed-in user's notifications, newest first.
func (s *Service) List(ctx context.Context, f Filter) (*Page, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	where := "user_id = $1"
	if f.UnreadOnly {
		where += " AND read_at IS NULL"
	}
	out := &Page{Items: []Notification{}}
	if err := s.d.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM notifications WHERE "+where, p.UserID).Scan(&out.Total); err != nil {
		return nil, fmt.Errorf("count notifications: %w", err)
	}
	if out.Unread, err = UnreadCount(ctx, s.d.R, p.UserID); err != nil {
		return nil, err
	}
	rows, err := s.d.R.QueryContext(ctx, "SELECT "+columns+" FROM notifications WHERE "+where+
		" ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3", p.UserID, f.Limit, f.Offset)
	if err != nil {
		return nil, fmt.Errorf("list notifications: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		n, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out.Items = append(out.Items, n)
	}
	return out, rows.Err()
}

// Unread returns the signed-in user's unread count; 0 for anonymous requests.
func (s *Service) Unread(ctx context.Context) (int, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return 0, nil
	}
	return UnreadCount(ctx, s.d.R, p.UserID)
}

// MarkRead marks one of the signed-in user's notifications read and returns it; someone else's
// is not found.
func (s *Service) MarkRead(ctx context.Context, id int64) (*Notification, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	var n Notification
	err = s.d.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE notifications SET read_at = $1
			WHERE id = $2 AND user_id = $3 AND read_at IS NULL`, time.Now().UTC(), id, p.UserID); err != nil {
			return err
		}
		n, err = scan(tx.QueryRowContext(ctx, "SELECT "+columns+" FROM notifications WHERE id = $1 AND user_id = $2",
			id, p.UserID))
		return db.NotFound(err, "通知不存在")
	})
	if err != nil {
		return nil, err
	}
	return &n, nil
}

// MarkAllRead marks every unread notification of the signed-in user read and returns how many.
func (s *Service) MarkAllRead(ctx context.Context) (int64, error) {
	p, err := principal(ctx)
	if err != nil {
		return 0, err
	}
	res, err := s.d.W.ExecContext(ctx, `UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL`,
		time.Now().UTC(), p.UserID)
	if err != nil {
		return 0, fmt.Errorf("mark notifications read: %w", err)
	}
	return res.RowsAffected()
}
