package app

import (
	"net/http"
	"os"

	"linli/internal/auth"
	"linli/internal/open311"
	"linli/internal/web"
)

// buildOpen311 serves Open311 GeoReport v2 over the cases service and its key administration. It
// runs after buildCases. The discovery document's texts and test endpoint come from
// LINLI_OPEN311_CONTACT, LINLI_OPEN311_KEY_SERVICE and LINLI_OPEN311_TEST_URL, as LINLI_BASE_URL.
func (m *Main) buildOpen311(mux *http.ServeMux, authH auth.Guard, kit *web.Kit, baseURL string) {
	svc := open311.NewService(m.DB, m.services.cases, open311.Options{Contact: os.Getenv("LINLI_OPEN311_CONTACT"),
		KeyService: os.Getenv("LINLI_OPEN311_KEY_SERVICE"), TestURL: os.Getenv("LINLI_OPEN311_TEST_URL")})
	h := open311.NewHandlers(svc, authH, kit)
	h.BaseURL = baseURL
	h.Routes(mux)
}
