package app

import (
	"net/http"

	"linli/internal/auth"
	"linli/internal/visits"
	"linli/internal/web"
)

// buildVisits builds grid work (visits, contacts, care plans, volunteer service) on the cases
// service, which turns needs found into cases. It runs after buildCases.
func (m *Main) buildVisits(mux *http.ServeMux, authH *auth.Handlers, kit *web.Kit) {
	svc := visits.NewService(m.DB, visits.Options{DataDir: m.Config.DataDir, Cases: m.services.cases, Sealer: m.Sealer})
	visits.NewHandlers(svc, authH, kit).Routes(mux)
}
