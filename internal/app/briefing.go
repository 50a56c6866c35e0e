package app

import (
	"context"
	"net/http"
	"time"

	"linli/internal/auth"
	"linli/internal/briefing"
	"linli/internal/clock"
	"linli/internal/reports"
	"linli/internal/web"
)

// buildBriefing wires the work briefing over the capabilities whose figures it quotes.
func (m *Main) buildBriefing(mux *http.ServeMux, authH auth.Guard, kit *web.Kit) {
	svc := briefing.NewService(m.DB, m.briefingSources())
	briefing.NewHandlers(svc, authH, kit).Routes(mux)
}

func (m *Main) briefingSources() briefing.Sources {
	return briefing.Sources{
		Cases: m.services.cases, Party: m.services.party, Cobuild: m.services.cobuild,
		Mediation: m.services.mediation, Activities: m.services.activities, Deliberation: m.services.deliberation,
		Register: func(ctx context.Context, p *auth.Principal, regionID int64) (*reports.RegionTotals, error) {
			return reports.RegionCounts(ctx, m.DB, p, regionID, time.Now().In(clock.Shanghai()))
		},
	}
}
