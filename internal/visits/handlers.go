package visits

import (
	"embed"
	"encoding/json"
	"html/template"
	"net/http"
	"time"

	"linli/internal/auth"
	"linli/internal/cases"
	"linli/internal/clock"
	"linli/internal/register"
	"linli/internal/web"
)

//go:embed templates/*.html
var templatesFS embed.FS

// Handlers serves grid work's pages and API.
type Handlers struct {
	svc   *Service
	auth  auth.Guard
	kit   *web.Kit
	views *web.Views
}

// NewHandlers returns the grid-work handlers; it parses the templates and panics if one is broken.
func NewHandlers(svc *Service, a auth.Guard, kit *web.Kit) *Handlers {
	funcs := template.FuncMap{
		"tagLabel":     func(t register.Tag) string { return t.Label() },
		"cadenceLabel": CadenceLabel,
		"hours":        func(mins int) string { return formatHours(mins) },
	}
	return &Handlers{svc: svc, auth: a, kit: kit, views: kit.Views(templatesFS, funcs)}
}

// Routes registers the grid-work pages and API.
func (h *Handlers) Routes(mux *http.ServeMux) {
	read := func(f http.HandlerFunc) http.Handler { return h.auth.Page(auth.VisitsRead, f) }
	write := func(f http.HandlerFunc) http.Handler { return h.auth.Page(auth.VisitsWrite, f) }
	anyone := func(f http.HandlerFunc) http.Handler { return h.auth.Page("", f) }
	volunteer := func(f http.HandlerFunc) http.Handler { return h.auth.Page(auth.Volunteering, f) }
	mux.Handle("GET /today", write(h.today))
	mux.Handle("GET /visits", write(h.list))
	mux.Handle("GET /visits/new", write(h.newVisit))
	mux.Handle("POST /visits", write(h.create))
	mux.Handle("GET /visits/export.xlsx", read(h.export))
	mux.Handle("GET /visits/contacts", anyone(h.contacts))
	mux.Handle("GET /visits/{id}", write(h.show))
	mux.Handle("POST /visits/{id}/case", write(h.toCase))
	mux.Handle("GET /visits/{id}/photos/{photo}", write(h.photo))
	mux.Handle("GET /care-plans", read(h.carePlans))
	mux.Handle("GET /care-plans/residents", read(h.careResidents))
	mux.Handle("GET /settings/care-plans", h.auth.Page(auth.SettingsManage, h.settings))
	mux.Handle("POST /settings/care-plans", h.auth.Page(auth.SettingsManage, h.saveSettings))
	mux.Handle("GET /volunteer", volunteer(h.volunteer))
	mux.Handle("POST /volunteer/posts", volunteer(h.createPost))
	mux.Handle("POST /volunteer/posts/{id}/signup", volunteer(h.signUp))
	mux.Handle("POST /volunteer/hours", volunteer(h.logHours))
	mux.Handle("POST /volunteer/hours/{id}/decide", volunteer(h.decideHours))
	mux.Handle("GET /volunteer/ranking", volunteer(h.ranking))
	h.apiRoutes(mux)
}

// dueHousehold is a household on the today list with its residents due.
type dueHousehold struct {
	HouseholdID int64
	Address     string
	GridName    string
	Residents   []CareResident
	Overdue     bool
	Lon, Lat    *float64
}

type mapPoint struct {
	Lon     float64 `json:"lon"`
	Lat     float64 `json:"lat"`
	Label   string  `json:"label"`
	URL     string  `json:"url"`
	Overdue bool    `json:"overdue"`
}

type todayView struct {
	web.Page
	Today      string
	Households []dueHousehold
	DueCount   int
	Overdue    int
	Cases      []cases.Case
	CasesTotal int
	CanCases   bool
	Covered    []CoveredHousehold
	IsMember   bool
	// CanRecord is false for a leader above a community: they follow the work, the grid records it.
	CanRecord bool
	Map       *mapData
	HasMap    bool
	TileURL   string
	MyVisits  []Visit
}

func (h *Handlers) today(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := auth.FromContext(ctx)
	v := &todayView{Page: web.Page{Title: "今日工作"}, Today: h.svc.Today(), IsMember: p.Role == auth.PartyMember,
		TileURL: h.kit.TileURL, CanRecord: recordsVisits(p)}
	var err error
	if v.IsMember {
		if v.Covered, err = h.svc.MyCovered(ctx); err != nil {
			h.kit.Error(w, r, err)
			return
		}
	} else if p.Can(auth.VisitsRead) {
		due, _, err := h.svc.CarePlan(ctx, CareFilter{State: "due", Limit: 2000})
		if err != nil {
			h.kit.Error(w, r, err)
			return
		}
		v.Households, v.DueCount, v.Overdue = groupDue(due)
		v.Map = &mapData{Boundary: h.svc.GridBoundary(ctx, p), Points: duePoints(v.Households, v.CanRecord)}
		v.HasMap = h.kit.HasAsset("vendor/leaflet/leaflet.js") && (v.Map.Boundary != nil || len(v.Map.Points) > 0)
	}
	if p.Can(auth.CasesRead) && h.svc.opts.Cases != nil {
		v.CanCases = true
		if v.Cases, v.CasesTotal, err = h.svc.opts.Cases.List(ctx, cases.Filter{Queue: cases.QueueMine, Limit: 10}); err != nil {
			h.kit.Error(w, r, err)
			return
		}
	}
	if v.MyVisits, _, err = h.svc.List(ctx, Filter{Mine: true, From: v.Today, To: v.Today, Limit: 20}); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "today.html", v)
}

// recordsVisits reports whether p records visits themselves: everyone who may, except the leaders
// of a street, a district or a city, whose today page follows the visits of the communities.
func recordsVisits(p *auth.Principal) bool {
	switch p.RegionLevel {
	case "street", "district", "city":
		return false
	}
	return p.Can(auth.VisitsWrite)
}

// groupDue groups the due residents by household, overdue households first.
func groupDue(due []CareResident) (out []dueHousehold, residents, overdue int) {
	idx := map[int64]int{}
	for _, r := range due {
		i, ok := idx[r.HouseholdID]
		if !ok {
			i = len(out)
			idx[r.HouseholdID] = i
			out = append(out, dueHousehold{HouseholdID: r.HouseholdID, Address: r.Address, GridName: r.GridName,
				Lon: r.Lon, Lat: r.Lat})
		}
		out[i].Residents = append(out[i].Residents, r)
		if r.State == StateOverdue {
			out[i].Overdue = true
			overdue++
		}
	}
	return out, len(due), overdue
}

// duePoints are the map's households, each opening the visit form (or, for who does not record
// visits, the household).
func duePoints(hh []dueHousehold, record bool) []mapPoint {
	var out []mapPoint
	for _, h := range hh {
		if h.Lon != nil && h.Lat != nil {
			url := "/households/" + itoa(h.HouseholdID)
			if record {
				url = "/visits/new?household=" + itoa(h.HouseholdID)
			}
			out = append(out, mapPoint{Lon: *h.Lon, Lat: *h.Lat, Label: h.Address, URL: url, Overdue: h.Overdue})
		}
	}
	return out
}

// mapData is what visits-map.js draws: the worker's grid and the households due.
type mapData struct {
	Boundary json.RawMessage `json:"boundary,omitempty"`
	Points   []mapPoint      `json:"points"`
}

func itoa(n int64) string { return formatInt(n) }

// monthStart is the first day of today's month.
func monthStart(today string) string { return today[:8] + "01" }

// yearOf returns the year of a date.
func yearOf(t time.Time) int { return t.In(clock.Shanghai()).Year() }
