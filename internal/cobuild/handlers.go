package cobuild

import (
	"embed"
	"net/http"

	"linli/internal/auth"
	"linli/internal/web"
)

//go:embed templates/*.html
var templatesFS embed.FS

// Handlers serves the co-building alliance's pages and API.
type Handlers struct {
	svc   *Service
	auth  auth.Guard
	kit   *web.Kit
	views *web.Views
}

// NewHandlers returns the co-building handlers; it parses the templates and panics if one is broken.
func NewHandlers(svc *Service, a auth.Guard, kit *web.Kit) *Handlers {
	return &Handlers{svc: svc, auth: a, kit: kit, views: kit.Views(templatesFS, funcs)}
}

// Routes registers the co-building pages and API.
func (h *Handlers) Routes(mux *http.ServeMux) {
	h.pageRoutes(mux)
	h.publicRoutes(mux)
	h.apiRoutes(mux)
}
