package register

import (
	"net/http"

	"linli/internal/auth"
	"linli/internal/web"
)

// Handlers serves the register's pages and API.
type Handlers struct {
	svc  *Service
	auth *auth.Handlers
	kit  *web.Kit
}

// NewHandlers returns the register handlers.
func NewHandlers(svc *Service, a *auth.Handlers, kit *web.Kit) *Handlers {
	return &Handlers{svc: svc, auth: a, kit: kit}
}

// Routes registers the register's pages and API.
func (h *Handlers) Routes(mux *http.ServeMux) {}
