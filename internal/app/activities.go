package app

import (
	"context"
	"net/http"
	"os"
	"time"

	"linli/internal/activities"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/jobs"
	"linli/internal/notify"
	"linli/internal/web"
)

// buildActivities builds venues and activities on the working-day calendar, with their day-before
// reminders as jobs and notifications, and serves their pages,
// public pages and API. Co-building and the deliberation hall book rooms and record attendance
// through m.services.activities.
func (m *Main) buildActivities(mux *http.ServeMux, authH auth.Guard, kit *web.Kit) {
	opts := activities.Options{
		Enqueue: func(ctx context.Context, q db.Querier, kind, key string, payload any, runAt time.Time) error {
			_, err := jobs.Enqueue(ctx, q, kind, payload, runAt, jobs.Unique(key), jobs.Replace())
			return err
		},
		Notify: func(ctx context.Context, q db.Querier, userID int64, n activities.Notice) error {
			return notify.Notify(ctx, q, userID, notify.Notification{RegionID: n.RegionID, Kind: "activity.reminder",
				Title: n.Title, Body: n.Body, Link: n.Link})
		},
	}
	if m.Calendar != nil {
		opts.Calendar = m.Calendar.Calendar
	}
	svc := activities.NewService(m.DB, m.Sealer, opts)
	m.services.activities = svc
	m.Jobs.Register(activities.JobReminder, func(ctx context.Context, job *jobs.Job) error {
		return svc.RunReminder(ctx, job.Payload)
	})
	baseURL := m.Config.BaseURL
	if baseURL == "" {
		baseURL = os.Getenv("LINLI_BASE_URL")
	}
	activities.NewHandlers(svc, authH, kit, baseURL).Routes(mux)
}
