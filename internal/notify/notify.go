// Package notify delivers messages to users: in-app notifications, listed at /notifications with
// an unread count for the layout, and — when a webhook is configured — a copy POSTed to an SMS or
// WeChat gateway by a durable job, retried with backoff, never blocking the workflow that caused it.
//
// Notify is called inside the business transaction: the notification, and its webhook job, commit
// or roll back with the change they are about.
package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/jobs"
	"linli/internal/pii"
)

// WebhookJob is the job kind that POSTs one notification to the configured webhook.
const WebhookJob = "notify.webhook"

// webhookKey is the settings key that says a webhook is configured; Configure keeps it in step
// with the process configuration so that Notify, which has only a transaction, knows to enqueue.
const webhookKey = "notify.webhook"

// Notification is one message to one user.
type Notification struct {
	ID        int64      `json:"id"`
	UserID    int64      `json:"user_id"`
	RegionID  int64      `json:"region_id,omitempty"` // region of what it is about; 0 when none
	Kind      string     `json:"kind"`                // e.g. case.assigned, case.due_soon, case.overdue
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	Link      string     `json:"link"` // a path inside Linli, e.g. /cases/42; empty when none
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

// Unread reports whether the user has not read it yet.
func (n *Notification) Unread() bool { return n.ReadAt == nil }

// normalize validates a notification before it is stored and masks any ID or mobile number that
// slipped into its text: notifications are shown on screens and sent to gateways.
func (n *Notification) normalize() error {
	n.Kind = strings.TrimSpace(n.Kind)
	if n.Kind == "" {
		n.Kind = "info"
	}
	n.Title = pii.MaskText(strings.TrimSpace(n.Title))
	n.Body = pii.MaskText(strings.TrimSpace(n.Body))
	n.Link = strings.TrimSpace(n.Link)
	switch {
	case n.Title == "":
		return errs.Field("title", "通知标题不能为空")
	case utf8.RuneCountInString(n.Title) > 200:
		return errs.Field("title", "通知标题不能超过200个字")
	case utf8.RuneCountInString(n.Body) > 2000:
		return errs.Field("body", "通知内容不能超过2000个字")
	case n.Link != "" && !LocalLink(n.Link):
		return errs.Field("link", "通知链接应为本系统内的地址，如 /cases/42")
	}
	return nil
}

// LocalLink reports whether link is a path inside Linli (and so safe to redirect to).
func LocalLink(link string) bool {
	return strings.HasPrefix(link, "/") && !strings.HasPrefix(link, "//") && !strings.HasPrefix(link, "/\\") &&
		!strings.ContainsAny(link, "\r\n")
}

// Notify stores a notification for userID through q — the business transaction — and, when a
// webhook is configured, enqueues its delivery in the same transaction.
func Notify(ctx context.Context, q db.Querier, userID int64, n Notification) error {
	if userID <= 0 {
		return errors.New("notify: no recipient")
	}
	if err := n.normalize(); err != nil {
		return err
	}
	var region any
	if n.RegionID != 0 {
		region = n.RegionID
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	var id int64
	err := q.QueryRowContext(ctx, `INSERT INTO notifications (user_id, region_id, kind, title, body, link, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, userID, region, n.Kind, n.Title, n.Body, n.Link, now).Scan(&id)
	if err != nil {
		return fmt.Errorf("notify user %d: %w", userID, err)
	}
	on, err := webhookOn(ctx, q)
	if err != nil || !on {
		return err
	}
	if _, err := jobs.Enqueue(ctx, q, WebhookJob, webhookPayload{NotificationID: id}, now); err != nil {
		return fmt.Errorf("notify user %d: %w", userID, err)
	}
	return nil
}

type webhookPayload struct {
	NotificationID int64 `json:"notification_id"`
}

func webhookOn(ctx context.Context, q db.Querier) (bool, error) {
	var v string
	err := q.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = $1", webhookKey).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("notify: webhook setting: %w", err)
	}
	return v == "on", nil
}

// UnreadCount returns how many notifications userID has not read — the badge in the layout.
func UnreadCount(ctx context.Context, q db.Querier, userID int64) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL", userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("unread notifications: %w", err)
	}
	return n, nil
}
