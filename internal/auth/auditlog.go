package auth

import (
	"context"
	"strings"
	"time"

	"linli/internal/audit"
)

// AuditScope is the part of the audit log a principal may read: their region subtree and, for a
// principal at the top of the region tree, the entries tied to no region.
func AuditScope(p *Principal) audit.Scope {
	if p == nil || p.RegionPath == "" {
		return audit.Scope{}
	}
	s := audit.Scope{Pattern: p.Scope(), Root: strings.Count(p.RegionPath, "/") == 2}
	if p.HidesMinors() {
		s.MinorsBornAfter = AdultBornBy(time.Now())
	}
	return s
}

// AuditReader is who may read the audit log, for the audit reader's service: the principal in ctx
// must hold AuditRead, and reads their AuditScope.
func AuditReader(ctx context.Context) (audit.Scope, error) {
	p := FromContext(ctx)
	if err := p.Require(AuditRead); err != nil {
		return audit.Scope{}, err
	}
	return AuditScope(p), nil
}
