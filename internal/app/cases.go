package app

import (
	"context"
	"net/http"
	"time"

	"linli/internal/auth"
	"linli/internal/cases"
	"linli/internal/db"
	"linli/internal/jobs"
	"linli/internal/notify"
	"linli/internal/web"
)

// sweepEvery is how often the overdue sweep runs.
const sweepEvery = 5 * time.Minute

// buildCases builds the cases service on the calendar, jobs, notifications and the grid locator,
// registers its job kinds and serves its API. It runs after buildJobs.
func (m *Main) buildCases(mux *http.ServeMux, authH auth.Guard, kit *web.Kit) error {
	opts := cases.Options{
		DataDir:          m.Config.DataDir,
		MaxExtensionDays: m.Config.CaseMaxExtensionDays,
		Enqueue: func(ctx context.Context, q db.Querier, kind, key string, payload any, runAt time.Time) error {
			_, err := jobs.Enqueue(ctx, q, kind, payload, runAt, jobs.Unique(key), jobs.Replace())
			return err
		},
		Notify: func(ctx context.Context, q db.Querier, userID int64, n cases.Notice) error {
			return notify.Notify(ctx, q, userID, notify.Notification{RegionID: n.RegionID, Kind: n.Kind,
				Title: n.Title, Body: n.Body, Link: n.Link})
		},
		Locator: m.services.register.LocateGrid,
	}
	if m.Calendar != nil {
		opts.Calendar = m.Calendar.Calendar
	}
	svc := cases.NewService(m.DB, m.Sealer, opts)
	m.services.cases = svc
	m.Jobs.Register(cases.JobReminder, func(ctx context.Context, job *jobs.Job) error {
		return svc.RunReminder(ctx, job.Payload)
	})
	m.Jobs.Register(cases.JobSweep, func(ctx context.Context, job *jobs.Job) error {
		if _, err := svc.SweepOverdue(ctx); err != nil {
			return err
		}
		_, err := jobs.Enqueue(ctx, m.DB.W, cases.JobSweep, struct{}{}, time.Now().Add(sweepEvery), jobs.Unique("sweep"))
		return err
	})
	if _, err := jobs.Enqueue(context.Background(), m.DB.W, cases.JobSweep, struct{}{}, time.Now(), jobs.Unique("sweep")); err != nil {
		return err
	}
	cases.NewAPI(svc, authH, kit).Routes(mux)
	return nil
}
