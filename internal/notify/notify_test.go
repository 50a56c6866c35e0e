package notify_test

import (
	"context"
	"errors"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
	"linli/internal/fixture"
	"linli/internal/jobs"
	"linli/internal/notify"
)

func send(t *testing.T, d *db.DB, userID int64, n notify.Notification) {
	t.Helper()
	if err := d.InTx(context.Background(), func(tx *db.Tx) error { return notify.Notify(context.Background(), tx, userID, n) }); err != nil {
		t.Fatal(err)
	}
}

func TestNotify(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := fixture.New(t, d)
		ctx := context.Background()
		grid01, worker01 := f.Users["grid01"].UserID, f.Users["worker01"].UserID
		svc := notify.NewService(d)

		t.Run("a notification in a rolled-back transaction is never seen", func(t *testing.T) {
			boom := errors.New("dispatch failed")
			err := d.InTx(ctx, func(tx *db.Tx) error {
				if err := notify.Notify(ctx, tx, grid01, notify.Notification{Kind: "case.assigned", Title: "新派遣案件"}); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatal(err)
			}
			if n, _ := notify.UnreadCount(ctx, d.R, grid01); n != 0 {
				t.Fatalf("unread = %d after rollback", n)
			}
		})
		t.Run("without a webhook no delivery job is queued", func(t *testing.T) {
			send(t, d, grid01, notify.Notification{Kind: "case.assigned", Title: "新派遣案件：路灯不亮", Link: "/cases/1", RegionID: f.Grids[0].ID})
			if list, _ := jobs.List(ctx, d.R, notify.WebhookJob, "", 10); len(list) != 0 {
				t.Fatalf("webhook jobs = %v", list)
			}
		})
		t.Run("with a webhook each notification queues its delivery in the same transaction", func(t *testing.T) {
			if err := notify.Configure(ctx, d, notify.WebhookConfig{URL: "http://127.0.0.1:9/hook"}); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { notify.Configure(ctx, d, notify.WebhookConfig{}) })
			send(t, d, worker01, notify.Notification{Kind: "case.due_soon", Title: "案件即将超时"})
			if list, _ := jobs.List(ctx, d.R, notify.WebhookJob, jobs.StatePending, 10); len(list) != 1 {
				t.Fatalf("webhook jobs = %v, want one", list)
			}
		})
		t.Run("ID and phone numbers in the text are masked", func(t *testing.T) {
			send(t, d, worker01, notify.Notification{Title: "回访 13912345678", Body: "身份证 62070219800101123X 已核实；编号 20240101"})
			page, err := svc.List(f.Ctx("worker01"), notify.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			n := page.Items[0]
			if n.Title != "回访 139****5678" || n.Body != "身份证 6207**********123X 已核实；编号 20240101" {
				t.Errorf("stored %q / %q", n.Title, n.Body)
			}
		})
		t.Run("a link must stay inside Linli", func(t *testing.T) {
			err := d.InTx(ctx, func(tx *db.Tx) error {
				return notify.Notify(ctx, tx, worker01, notify.Notification{Title: "x", Link: "https://evil.example/"})
			})
			if !errs.Is(err, errs.Invalid) {
				t.Errorf("err = %v, want invalid", err)
			}
		})
		t.Run("users see and mark only their own notifications", func(t *testing.T) {
			page, err := svc.List(f.Ctx("grid01"), notify.Filter{})
			if err != nil || page.Total != 1 || page.Unread != 1 {
				t.Fatalf("grid01 page = %+v, %v", page, err)
			}
			own := page.Items[0].ID
			if _, err := svc.MarkRead(f.Ctx("worker01"), own); !errs.Is(err, errs.NotFound) {
				t.Errorf("worker01 marking grid01's notification: %v, want not found", err)
			}
			n, err := svc.MarkRead(f.Ctx("grid01"), own)
			if err != nil || n.ReadAt == nil {
				t.Fatalf("MarkRead = %+v, %v", n, err)
			}
			if c, _ := svc.Unread(f.Ctx("grid01")); c != 0 {
				t.Errorf("unread after marking = %d", c)
			}
			if c, _ := svc.Unread(f.Ctx("worker01")); c != 2 {
				t.Errorf("worker01 unread = %d, want 2", c)
			}
			if m, err := svc.MarkAllRead(f.Ctx("worker01")); err != nil || m != 2 {
				t.Errorf("MarkAllRead = %d, %v", m, err)
			}
			unread, _ := svc.List(f.Ctx("worker01"), notify.Filter{UnreadOnly: true})
			if unread.Total != 0 {
				t.Errorf("unread list after mark all = %d", unread.Total)
			}
		})
	})
}
