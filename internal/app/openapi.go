package app

import (
	"linli/internal/accounts"
	"linli/internal/activities"
	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/briefing"
	"linli/internal/cases"
	"linli/internal/cobuild"
	"linli/internal/deliberation"
	"linli/internal/ledger"
	"linli/internal/mediation"
	"linli/internal/notify"
	"linli/internal/open311"
	"linli/internal/openapi"
	"linli/internal/party"
	"linli/internal/register"
	"linli/internal/visits"
	"linli/internal/workday"
)

// openAPIFragments lists every capability's part of /api/v1/openapi.json. A package that serves
// /api/v1 embeds its internal/<pkg>/openapi.json as `var OpenAPI []byte` and is added here.
func openAPIFragments() []openapi.Fragment {
	return []openapi.Fragment{
		{Name: "activities", JSON: activities.OpenAPI},
		{Name: "auth", JSON: auth.OpenAPI},
		{Name: "accounts", JSON: accounts.OpenAPI},
		{Name: "audit", JSON: audit.OpenAPI},
		{Name: "briefing", JSON: briefing.OpenAPI},
		{Name: "cases", JSON: cases.OpenAPI},
		{Name: "cobuild", JSON: cobuild.OpenAPI},
		{Name: "deliberation", JSON: deliberation.OpenAPI},
		{Name: "ledger", JSON: ledger.OpenAPI},
		{Name: "mediation", JSON: mediation.OpenAPI},
		{Name: "notify", JSON: notify.OpenAPI},
		{Name: "open311", JSON: open311.OpenAPI},
		{Name: "party", JSON: party.OpenAPI},
		{Name: "register", JSON: register.OpenAPI},
		{Name: "visits", JSON: visits.OpenAPI},
		{Name: "workday", JSON: workday.OpenAPI},
	}
}

// OpenAPI returns the API document served at /api/v1/openapi.json: the base merged with every
// capability's fragment. Tests validate every /api/v1 answer against it.
func OpenAPI() ([]byte, error) { return openapi.Merge(openAPIFragments()...) }
