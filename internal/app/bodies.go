package app

import (
	"linli/internal/activities"
	"linli/internal/cases"
	"linli/internal/cobuild"
	"linli/internal/deliberation"
	"linli/internal/ledger"
	"linli/internal/mediation"
	"linli/internal/register"
	"linli/internal/visits"
	"linli/internal/web"
	"linli/internal/workday"
)

// signInBytes bounds a sign-in or token request: a username and a password.
const signInBytes = 4 << 10

// bodyLimits is every route whose body may differ from web.DefaultBodyBytes (64 KB): sign-in is
// smaller; uploads are bounded by the documented limit of what they carry.
func bodyLimits() web.BodyLimits {
	return web.BodyLimits{
		"POST /login":                            signInBytes,
		"POST /api/v1/auth/token":                signInBytes,
		"POST /cases":                            cases.MaxFormBytes,
		"POST /cases/{id}/actions/{action}":      cases.MaxFormBytes,
		"POST /report":                           cases.MaxFormBytes,
		"POST /cases/import":                     cases.MaxImportBody,
		"POST /api/v1/cases/imports":             cases.MaxImportBody,
		"POST /visits":                           visits.MaxFormBytes,
		"POST /imports":                          ledger.MaxLedgerBody,
		"POST /api/v1/imports":                   ledger.MaxLedgerBody,
		"POST /grids/{id}/boundary":              register.MaxBoundaryBytes,
		"PUT /api/v1/grids/{id}/boundary":        register.MaxBoundaryBytes,
		"POST /settings/calendar/import":         workday.MaxImportBytes + web.DefaultBodyBytes,
		"POST /mediation/cases/{id}/attachments": mediation.MaxAttachmentForm,
		"POST /venues/{id}/photos":               activities.MaxVenuePhotoForm,
		"POST /activities/{id}/photos":           activities.MaxVenuePhotoForm,
		"POST /cobuild/units/{id}/agreement":     cobuild.MaxPhotoForm,
		"POST /cobuild/activities/{id}/photos":   cobuild.MaxPhotoForm,

		// A deliberation topic's photos, when it is raised or while it is open.
		"POST /deliberation/topics":                    deliberation.MaxPhotoForm,
		"POST /deliberation/topics/{id}/photos":        deliberation.MaxPhotoForm,
		"POST /public/deliberation/topics":             deliberation.MaxPhotoForm,
		"POST /api/v1/deliberation/topics":             deliberation.MaxPhotoForm,
		"POST /api/v1/deliberation/topics/{id}/photos": deliberation.MaxPhotoForm,
	}
}
