package app

import (
	"net/http"
	"os"

	"linli/internal/activities"
	"linli/internal/auth"
	"linli/internal/web"
)

// buildActivities builds venues and activities on the working-day calendar and serves their pages,
// public pages and API. Co-building and the deliberation hall book rooms and record attendance
// through m.services.activities.
func (m *Main) buildActivities(mux *http.ServeMux, authH auth.Guard, kit *web.Kit) {
	opts := activities.Options{}
	if m.Calendar != nil {
		opts.Calendar = m.Calendar.Calendar
	}
	svc := activities.NewService(m.DB, m.Sealer, opts)
	m.services.activities = svc
	baseURL := m.Config.BaseURL
	if baseURL == "" {
		baseURL = os.Getenv("LINLI_BASE_URL")
	}
	activities.NewHandlers(svc, authH, kit, baseURL).Routes(mux)
}
