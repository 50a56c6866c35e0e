package register

import (
	"embed"
	"html/template"
	"net/http"
	"strconv"

	"linli/internal/auth"
	"linli/internal/errs"
	"linli/internal/geo"
	"linli/internal/pii"
	"linli/internal/web"
)

//go:embed templates/region*.html templates/grid*.html templates/building*.html templates/household*.html templates/resident*.html templates/roster*.html
var templates embed.FS

// Handlers serves the register's pages and API.
type Handlers struct {
	svc   *Service
	auth  auth.Guard
	kit   *web.Kit
	views *web.Views
	// Dossier, when set, adds the records of other capabilities to the resident and household pages.
	Dossier Dossier
}

// NewHandlers returns the register handlers.
func NewHandlers(svc *Service, a auth.Guard, kit *web.Kit) *Handlers {
	funcs := template.FuncMap{
		"tagLabel":       func(t Tag) string { return t.Label() },
		"revealPurposes": func() []string { return pii.RevealPurposes },
		"dutyLabel":      func(d Duty) string { return d.Label() },
		"gridKindLabel":  GridKindLabel,
		"buildingKind":   BuildingKindLabel,
		"statusLabel":    StatusLabel,
		"coord":          func(f *float64) string { return formatCoord(f) },
		"householdKinds": func() []HouseholdKind { return HouseholdKinds },
		"deref": func(p *int64) int64 {
			if p == nil {
				return 0
			}
			return *p
		},
		"has": func(list []string, s string) bool {
			for _, x := range list {
				if x == s {
					return true
				}
			}
			return false
		},
	}
	return &Handlers{svc: svc, auth: a, kit: kit, views: kit.Views(templates, funcs)}
}

// Routes registers the register's pages and API.
func (h *Handlers) Routes(mux *http.ServeMux) {
	read := func(f http.HandlerFunc) http.Handler { return h.auth.Page(auth.RegisterRead, f) }
	write := func(f http.HandlerFunc) http.Handler { return h.auth.Page(auth.RegisterWrite, f) }
	mux.Handle("GET /regions", read(h.regions))
	mux.Handle("POST /regions", write(h.createRegion))
	mux.Handle("GET /grids", read(h.grids))
	mux.Handle("GET /grids/map", read(h.grids))
	mux.Handle("POST /grids", write(h.createGrid))
	mux.Handle("GET /grids/{id}", read(h.grid))
	mux.Handle("POST /grids/{id}", write(h.updateGrid))
	mux.Handle("POST /grids/{id}/boundary", write(h.setBoundary))
	// Roster changes are checked by the service, which names who may make them (CheckRosterEdit).
	mux.Handle("POST /grids/{id}/roster", read(h.addRoster))
	mux.Handle("GET /grids/{id}/roster/{entry}", read(h.rosterEntry))
	mux.Handle("GET /roster", read(h.rosterList))
	mux.Handle("POST /grids/{id}/roster/{entry}", read(h.updateRoster))
	mux.Handle("POST /grids/{id}/roster/{entry}/delete", read(h.removeRoster))
	mux.Handle("GET /buildings", read(h.buildings))
	mux.Handle("GET /buildings/new", write(h.newBuilding))
	mux.Handle("POST /buildings", write(h.createBuilding))
	mux.Handle("GET /buildings/{id}", read(h.building))
	mux.Handle("GET /buildings/{id}/edit", write(h.editBuilding))
	mux.Handle("POST /buildings/{id}", write(h.updateBuilding))
	mux.Handle("GET /households", read(h.households))
	mux.Handle("POST /households", write(h.createHousehold))
	mux.Handle("GET /households/{id}", read(h.household))
	mux.Handle("POST /households/{id}", write(h.updateHousehold))
	mux.Handle("GET /residents", read(h.residents))
	mux.Handle("GET /residents/new", write(h.newResident))
	mux.Handle("POST /residents", write(h.createResident))
	mux.Handle("GET /residents/{id}", read(h.resident))
	mux.Handle("GET /residents/{id}/edit", write(h.editResident))
	mux.Handle("POST /residents/{id}", write(h.updateResident))
	mux.Handle("POST /residents/{id}/move", write(h.moveResident))
	mux.Handle("POST /residents/{id}/status", write(h.setStatus))
	mux.Handle("POST /residents/{id}/reveal", h.auth.Page(auth.RevealPII, h.reveal))
	h.apiRoutes(mux)
}

func formatCoord(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', 6, 64)
}

// formShown is how the register's forms answer a refusal: shown again, message on top, for a
// validation error only.
var formShown = []web.FormOption{web.ShowOn(errs.Invalid), web.AlwaysMessage()}

// formError renders a refused form (the template name with view) again with its messages, or the
// error page for anything that is not a validation error.
func (h *Handlers) formError(w http.ResponseWriter, r *http.Request, err error, page *web.Page, name string, view any) {
	h.kit.FormFailed(w, r, err, page, func(status int) { h.views.Render(w, r, status, name, view) }, formShown...)
}

// crsOptions are the coordinate systems a building form offers.
func crsOptions() []struct {
	CRS   geo.CRS
	Label string
} {
	return geo.CRSLabels
}
