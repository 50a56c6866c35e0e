package app

import (
	"net/http"

	"linli/internal/auth"
	"linli/internal/mediation"
	"linli/internal/web"
)

// buildMediation builds people's mediation on the cases service (a residents' case referred to
// mediation is noted in the same transaction). It runs after buildCases.
func (m *Main) buildMediation(mux *http.ServeMux, authH auth.Guard, kit *web.Kit) {
	opts := mediation.Options{Cases: m.services.cases}
	if m.Calendar != nil {
		opts.Calendar = m.Calendar.Calendar
	}
	svc := mediation.NewService(m.DB, m.Sealer, opts)
	m.services.mediation = svc
	mediation.NewHandlers(svc, authH, kit).Routes(mux)
}
