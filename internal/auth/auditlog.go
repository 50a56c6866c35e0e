package auth

import (
	"strings"

	"linli/internal/audit"
)

// AuditScope is the part of the audit log a principal may read: their region subtree and, for a
// principal at the top of the region tree, the entries tied to no region.
func AuditScope(p *Principal) audit.Scope {
	if p == nil || p.RegionPath == "" {
		return audit.Scope{}
	}
	return audit.Scope{Pattern: p.Scope(), Root: strings.Count(p.RegionPath, "/") == 2}
}
