package mediation

import (
	_ "embed" // the OpenAPI fragment
	"net/http"

	"linli/internal/auth"
	"linli/internal/web"
)

// OpenAPI is this package's part of /api/v1/openapi.json.
//
//go:embed openapi.json
var OpenAPI []byte

func (h *Handlers) apiRoutes(mux *http.ServeMux) {
	anyone := func(f http.HandlerFunc) http.Handler { return h.auth.API("", f) } // the service decides (grid workers see existence only)
	read := func(f http.HandlerFunc) http.Handler { return h.auth.API(auth.MediationRead, f) }
	write := func(f http.HandlerFunc) http.Handler { return h.auth.API(auth.MediationWrite, f) }
	mux.Handle("GET /api/v1/mediation/cases", anyone(h.apiList))
	mux.Handle("POST /api/v1/mediation/cases", write(h.apiCreate))
	mux.Handle("GET /api/v1/mediation/cases/{id}", anyone(h.apiGet))
	mux.Handle("POST /api/v1/mediation/cases/{id}/actions/{action}", write(h.apiAct))
	mux.Handle("POST /api/v1/mediation/parties/{id}/reveal", write(h.apiReveal))
	mux.Handle("GET /api/v1/mediation/types", anyone(h.apiTypes))
	mux.Handle("GET /api/v1/mediation/experts", read(h.apiExperts))
	mux.Handle("POST /api/v1/mediation/experts", write(h.apiAddExpert))
	mux.Handle("GET /api/v1/mediation/screenings", anyone(h.apiScreenings))
	mux.Handle("POST /api/v1/mediation/screenings", h.auth.API(auth.MediationScreen, h.apiRecordScreening))
	mux.Handle("GET /api/v1/mediation/screenings/grids", anyone(h.apiGridStatus))
	mux.Handle("GET /api/v1/mediation/figures", read(h.apiFigures))
}

func (h *Handlers) apiList(w http.ResponseWriter, r *http.Request) {
	f := FilterFrom(r.URL.Query())
	pg := web.PagerFrom(r, 50)
	f.Limit, f.Offset = pg.Limit, pg.Offset
	items, total, err := h.svc.List(r.Context(), f)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, web.List[Case]{Items: items, Total: total})
}

func (h *Handlers) apiCreate(w http.ResponseWriter, r *http.Request) {
	var in Registration
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	d, err := h.svc.Register(r.Context(), in)
	h.kit.Reply(w, r, http.StatusCreated, d, err)
}

func (h *Handlers) apiGet(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	d, err := h.svc.Get(r.Context(), id)
	h.kit.Reply(w, r, http.StatusOK, d, err)
}

func (h *Handlers) apiAct(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	var in ActionInput
	if r.ContentLength != 0 {
		if err := web.DecodeJSON(r, &in); err != nil {
			h.kit.APIErr(w, r, err)
			return
		}
	}
	d, err := h.svc.Act(r.Context(), id, Action(r.PathValue("action")), in)
	h.kit.Reply(w, r, http.StatusOK, d, err)
}

type revealJSON struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func (h *Handlers) apiReveal(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	var in revealJSON
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	v, err := h.svc.RevealParty(r.Context(), id, in.Field, in.Reason)
	h.kit.Reply(w, r, http.StatusOK, map[string]string{"value": v}, err)
}

func (h *Handlers) apiTypes(w http.ResponseWriter, r *http.Request) {
	list, err := h.svc.DisputeTypes(r.Context())
	h.kit.Reply(w, r, http.StatusOK, web.List[DisputeType]{Items: list, Total: len(list)}, err)
}

func (h *Handlers) apiExperts(w http.ResponseWriter, r *http.Request) {
	list, err := h.svc.Experts(r.Context(), r.URL.Query().Get("type"))
	h.kit.Reply(w, r, http.StatusOK, web.List[Expert]{Items: list, Total: len(list)}, err)
}

func (h *Handlers) apiAddExpert(w http.ResponseWriter, r *http.Request) {
	var in ExpertInput
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	e, err := h.svc.AddExpert(r.Context(), in)
	h.kit.Reply(w, r, http.StatusCreated, e, err)
}

func (h *Handlers) apiScreenings(w http.ResponseWriter, r *http.Request) {
	pg := web.PagerFrom(r, 50)
	list, total, err := h.svc.Screenings(r.Context(), web.QueryInt64(r, "grid"), pg.Limit, pg.Offset)
	h.kit.Reply(w, r, http.StatusOK, web.List[Screening]{Items: list, Total: total}, err)
}

func (h *Handlers) apiRecordScreening(w http.ResponseWriter, r *http.Request) {
	var in ScreeningInput
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	sc, err := h.svc.RecordScreening(r.Context(), in)
	h.kit.Reply(w, r, http.StatusCreated, sc, err)
}

func (h *Handlers) apiGridStatus(w http.ResponseWriter, r *http.Request) {
	list, _, err := h.svc.GridStatus(r.Context())
	h.kit.Reply(w, r, http.StatusOK, web.List[GridScreening]{Items: list, Total: len(list)}, err)
}

func (h *Handlers) apiFigures(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := h.svc.Figures(r.Context(), FigureFilter{RegionID: web.QueryInt64(r, "region"), From: q.Get("from"), To: q.Get("to")})
	h.kit.Reply(w, r, http.StatusOK, f, err)
}
