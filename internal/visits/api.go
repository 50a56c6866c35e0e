package visits

import (
	_ "embed" // the OpenAPI fragment
	"net/http"

	"linli/internal/auth"
	"linli/internal/errs"
	"linli/internal/register"
	"linli/internal/web"
)

// OpenAPI is this package's part of /api/v1/openapi.json.
//
//go:embed openapi.json
var OpenAPI []byte

func (h *Handlers) apiRoutes(mux *http.ServeMux) {
	write := func(f http.HandlerFunc) http.Handler { return h.auth.API(auth.VisitsWrite, f) }
	read := func(f http.HandlerFunc) http.Handler { return h.auth.API(auth.VisitsRead, f) }
	anyone := func(f http.HandlerFunc) http.Handler { return h.auth.API("", f) }
	mux.Handle("GET /api/v1/visits", write(h.apiList(KindVisit)))
	mux.Handle("POST /api/v1/visits", write(h.apiCreate))
	mux.Handle("GET /api/v1/visits/{id}", write(h.apiGet))
	mux.Handle("GET /api/v1/contacts", write(h.apiList(KindContact)))
	mux.Handle("POST /api/v1/contacts", write(h.apiCreate))
	mux.Handle("GET /api/v1/contacts/coverage", anyone(h.apiContactCoverage))
	mux.Handle("GET /api/v1/care-plans", read(h.apiCarePlans))
	mux.Handle("PUT /api/v1/care-plans/cadences", h.auth.API(auth.SettingsManage, h.apiSetCadences))
	mux.Handle("GET /api/v1/care-plans/residents", read(h.apiCareResidents))
	mux.Handle("GET /api/v1/service-hours", anyone(h.apiHours))
	mux.Handle("POST /api/v1/service-hours", anyone(h.apiLogHours))
	mux.Handle("POST /api/v1/service-hours/{id}/actions/{action}", anyone(h.apiDecideHours))
}

func (h *Handlers) apiList(kind Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f := filterFrom(r.URL.Query())
		f.Kind = kind
		pg := web.PagerFrom(r, 50)
		f.Limit, f.Offset = pg.Limit, pg.Offset
		items, total, err := h.svc.List(r.Context(), f)
		if err != nil {
			h.kit.APIErr(w, r, err)
			return
		}
		web.JSON(w, http.StatusOK, web.CappedList(items, total))
	}
}

// apiCreate records a visit, or a contact for a party member. A client_uuid seen before answers
// the first visit with 200 instead of 201.
func (h *Handlers) apiCreate(w http.ResponseWriter, r *http.Request) {
	var in VisitInput
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	res, err := h.svc.Record(r.Context(), in, nil)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	v := *res.Visit
	if res.CaseErr != nil {
		v.CaseError = errs.MessageOf(res.CaseErr)
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	web.JSON(w, status, v)
}

func (h *Handlers) apiGet(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	v, err := h.svc.Get(r.Context(), id)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, v)
}

func (h *Handlers) apiContactCoverage(w http.ResponseWriter, r *http.Request) {
	rows, err := h.svc.ContactCoverage(r.Context(), web.QueryInt64(r, "org"), r.URL.Query().Get("month"))
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, web.List[LiaisonCoverage]{Items: rows, Total: len(rows)})
}

// cadenceJSON is a cadence as the API shows it.
type cadenceJSON struct {
	Tag   register.Tag `json:"tag"`
	Label string       `json:"label"`
	Days  int          `json:"days"`
}

type carePlansJSON struct {
	Cadences []cadenceJSON  `json:"cadences"`
	Coverage CoverageReport `json:"coverage"`
}

func cadencesJSON(c Cadences) []cadenceJSON {
	out := []cadenceJSON{}
	for _, t := range CareTags {
		out = append(out, cadenceJSON{Tag: t, Label: t.Label(), Days: c[t]})
	}
	return out
}

func (h *Handlers) apiCarePlans(w http.ResponseWriter, r *http.Request) {
	cad, err := h.svc.Cadences(r.Context())
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	rep, err := h.svc.Coverage(r.Context())
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, carePlansJSON{Cadences: cadencesJSON(cad), Coverage: *rep})
}

func (h *Handlers) apiSetCadences(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Cadences map[string]int `json:"cadences"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	c := Cadences{}
	for t, d := range body.Cadences {
		c[register.Tag(t)] = d
	}
	out, err := h.svc.SetCadences(r.Context(), c)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, web.List[cadenceJSON]{Items: cadencesJSON(out), Total: len(CareTags)})
}

// careResidentJSON is a resident of a care plan as the API shows it.
type careResidentJSON struct {
	CareResident
	Tag          register.Tag `json:"due_tag"`
	Cadence      int          `json:"cadence_days"`
	LastOn       string       `json:"last_visit_on"`
	NextDue      string       `json:"next_due_on"`
	State        CareState    `json:"state"`
	DaysOverdue  int          `json:"days_overdue"`
	MissedCycles int          `json:"missed_cycles"`
}

func (h *Handlers) apiCareResidents(w http.ResponseWriter, r *http.Request) {
	f, _ := careFilterFrom(r)
	list, total, err := h.svc.CarePlan(r.Context(), f)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	items := make([]careResidentJSON, 0, len(list))
	for _, c := range list {
		items = append(items, careResidentJSON{CareResident: c, Tag: c.Care.Tag, Cadence: c.Cadence, LastOn: c.LastOn,
			NextDue: c.NextDue, State: c.State, DaysOverdue: c.DaysOverdue, MissedCycles: c.MissedCycles})
	}
	web.JSON(w, http.StatusOK, web.List[careResidentJSON]{Items: items, Total: total})
}

func (h *Handlers) apiHours(w http.ResponseWriter, r *http.Request) {
	pg := web.PagerFrom(r, 50)
	items, total, err := h.svc.HoursList(r.Context(), r.URL.Query().Get("status"), pg.Limit, pg.Offset)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, web.List[Hours]{Items: items, Total: total})
}

func (h *Handlers) apiLogHours(w http.ResponseWriter, r *http.Request) {
	var in HoursInput
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	id, err := h.svc.LogHours(r.Context(), in)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, map[string]int64{"id": id})
}

func (h *Handlers) apiDecideHours(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	var body struct {
		Reason string `json:"reason"`
	}
	if r.ContentLength > 0 {
		if err := web.DecodeJSON(r, &body); err != nil {
			h.kit.APIErr(w, r, err)
			return
		}
	}
	var approve bool
	switch r.PathValue("action") {
	case "approve":
		approve = true
	case "reject":
	default:
		h.kit.APIErr(w, r, errs.E(errs.NotFound, "未知的操作"))
		return
	}
	if err := h.svc.DecideHours(r.Context(), id, approve, body.Reason); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]any{"id": id, "status": map[bool]string{true: "approved", false: "rejected"}[approve]})
}
