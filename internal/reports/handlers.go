// Package reports computes the figures Linli shows — the home page's counts and the dashboards —
// each one a link to the records it counts.
package reports

import (
	"net/http"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/web"
)

// Handlers serves the home page and the dashboards.
type Handlers struct {
	db   *db.DB
	auth *auth.Handlers
	kit  *web.Kit
}

// NewHandlers returns the reports handlers.
func NewHandlers(d *db.DB, a *auth.Handlers, kit *web.Kit) *Handlers {
	return &Handlers{db: d, auth: a, kit: kit}
}

// Routes registers the home page and dashboards.
func (h *Handlers) Routes(mux *http.ServeMux) {}
