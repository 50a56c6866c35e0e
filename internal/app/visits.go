package app

import (
	"context"
	"net/http"

	"linli/internal/auth"
	"linli/internal/party"
	"linli/internal/visits"
	"linli/internal/web"
)

// buildVisits builds grid work (visits, contacts, care plans, volunteer service) on the cases
// service, which turns needs found into cases. It runs after buildCases.
// The party branch page shows each liaison household's contacts this month from the visits log.
func (m *Main) buildVisits(mux *http.ServeMux, authH auth.Guard, kit *web.Kit, partyH *party.Handlers) {
	svc := visits.NewService(m.DB, visits.Options{DataDir: m.Config.DataDir, Cases: m.services.cases, Sealer: m.Sealer})
	m.services.visits = svc
	visits.NewHandlers(svc, authH, kit).Routes(mux)
	partyH.Contacts = func(ctx context.Context, orgID int64) (map[int64]party.MonthContacts, error) {
		rows, err := svc.ContactCoverage(ctx, orgID, "")
		if err != nil {
			return nil, err
		}
		out := make(map[int64]party.MonthContacts, len(rows))
		for _, c := range rows {
			out[c.LiaisonID] = party.MonthContacts{Contacted: c.Contacted, Covered: c.Covered}
		}
		return out, nil
	}
}
