package app

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"linli/internal/auth"
	"linli/internal/jobs"
	"linli/internal/notify"
	"linli/internal/web"
	"linli/internal/workday"
)

// background is the work that runs beside the HTTP server: the job runner.
type background struct {
	stop context.CancelFunc
	wg   sync.WaitGroup
}

// webhookConfig is the notifications' gateway: the configured one, else LINLI_WEBHOOK_URL's.
func (m *Main) webhookConfig() notify.WebhookConfig {
	if m.Config.Webhook != (notify.WebhookConfig{}) {
		return m.Config.Webhook
	}
	return notify.WebhookFromEnv()
}

// buildJobs creates the job runner (capabilities register their job kinds on m.Jobs in build),
// the calendar and notification services, and their routes.
func (m *Main) buildJobs(mux *http.ServeMux, authH auth.Guard, kit *web.Kit) error {
	if m.Jobs == nil {
		m.Jobs = jobs.NewRunner(m.DB, m.Log)
	}
	hook := m.webhookConfig()
	if err := notify.Configure(context.Background(), m.DB, hook); err != nil {
		return err
	}
	notify.NewWebhook(m.DB, hook).Register(m.Jobs)
	m.Calendar = workday.NewService(m.DB)
	kit.Chrome = calendarNotice(kit.Chrome, m.Calendar)
	m.Notify = notify.NewService(m.DB)
	workday.NewHandlers(m.Calendar, authH, kit).Routes(mux)
	notify.NewHandlers(m.Notify, authH, kit).Routes(mux)
	return nil
}

// startJobs runs the job runner until ctx ends or Close stops it.
func (m *Main) startJobs(ctx context.Context) {
	if m.Jobs == nil || m.bg.stop != nil {
		return
	}
	ctx, m.bg.stop = context.WithCancel(ctx)
	m.bg.wg.Add(1)
	go func() {
		defer m.bg.wg.Done()
		m.Jobs.Run(ctx)
	}()
}

// stopJobs stops the runner and waits for the jobs in hand, so the database outlives them.
func (m *Main) stopJobs() {
	if m.bg.stop != nil {
		m.bg.stop()
		m.bg.wg.Wait()
	}
}

// calendarNotice adds to the chrome of those who manage the calendar the warning that a year
// deadlines need has no working-day data, linking to its import.
func calendarNotice(base func(*http.Request) web.Chrome, cal *workday.Service) func(*http.Request) web.Chrome {
	return func(r *http.Request) web.Chrome {
		c := base(r)
		if p := auth.FromContext(r.Context()); p == nil || !p.Can(auth.SettingsManage) {
			return c
		}
		if text, href, ok := cal.Warning(r.Context(), time.Now()); ok {
			short, rest, _ := strings.Cut(text, "：")
			c.Notices = append(c.Notices, web.Notice{Short: short, Text: rest, Href: href, Link: "导入工作日历"})
		}
		return c
	}
}
