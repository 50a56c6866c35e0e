package app

import (
	"net/http"

	"linli/internal/auth"
	"linli/internal/open311"
	"linli/internal/web"
)

// buildOpen311 serves Open311 GeoReport v2 over the cases service and its key administration. It
// runs after buildCases.
func (m *Main) buildOpen311(mux *http.ServeMux, authH auth.Guard, kit *web.Kit, baseURL string) {
	h := open311.NewHandlers(open311.NewService(m.DB, m.services.cases, open311.Options{}), authH, kit)
	h.BaseURL = baseURL
	h.Routes(mux)
}
