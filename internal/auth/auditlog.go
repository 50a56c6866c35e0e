package auth

import (
	"net/http"
	"strings"

	"linli/internal/audit"
)

// auditRoutes serves the audit log reader to auditors, scoped to their region subtree.
func (h *Handlers) auditRoutes(mux *http.ServeMux) {
	audit.NewHandlers(h.svc.db, h.kit, audit.Access{
		Page:  func(f http.HandlerFunc) http.Handler { return h.guard.Page(AuditRead, f) },
		API:   func(f http.HandlerFunc) http.Handler { return h.guard.API(AuditRead, f) },
		Scope: func(r *http.Request) audit.Scope { return AuditScope(FromContext(r.Context())) },
	}).Routes(mux)
}

// AuditScope is the part of the audit log a principal may read: their region subtree and, for a
// principal at the top of the region tree, the entries tied to no region.
func AuditScope(p *Principal) audit.Scope {
	if p == nil || p.RegionPath == "" {
		return audit.Scope{}
	}
	return audit.Scope{Pattern: p.Scope(), Root: strings.Count(p.RegionPath, "/") == 2}
}
