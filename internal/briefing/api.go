package briefing

import (
	_ "embed"
	"net/http"

	"linli/internal/auth"
	"linli/internal/web"
)

// OpenAPI is this package's part of the API document: its paths and components.
//
//go:embed openapi.json
var OpenAPI []byte

func (h *Handlers) apiRoutes(mux *http.ServeMux) {
	read := func(f http.HandlerFunc) http.Handler { return h.auth.API(auth.BriefingRead, f) }
	write := func(f http.HandlerFunc) http.Handler { return h.auth.API(auth.BriefingWrite, f) }
	mux.Handle("GET /api/v1/briefings", read(h.apiList))
	mux.Handle("POST /api/v1/briefings", write(h.apiGenerate))
	mux.Handle("GET /api/v1/briefings/figures", read(h.apiDefs))
	mux.Handle("GET /api/v1/briefings/{id}", read(h.apiGet))
	mux.Handle("PATCH /api/v1/briefings/{id}", write(h.apiUpdate))
	mux.Handle("DELETE /api/v1/briefings/{id}", write(h.apiDelete))
	mux.Handle("POST /api/v1/briefings/{id}/publish", write(h.apiPublish))
	mux.Handle("GET /api/v1/briefings/{id}/docx", read(h.docx))
	mux.Handle("GET /api/v1/briefings/{id}/appendix.xlsx", read(h.appendix))
}

func (h *Handlers) apiList(w http.ResponseWriter, r *http.Request) {
	p := web.PagerFrom(r, 50)
	var list web.List[Briefing]
	var err error
	list.Items, list.Total, err = h.svc.List(r.Context(), Filter{RegionID: web.QueryInt64(r, "region"),
		State: State(r.URL.Query().Get("state")), Limit: p.Limit, Offset: p.Offset})
	h.kit.Reply(w, r, http.StatusOK, list, err)
}

func (h *Handlers) apiGenerate(w http.ResponseWriter, r *http.Request) {
	var in GenerateInput
	var v *View
	err := web.DecodeJSON(r, &in)
	if err == nil {
		v, err = h.svc.Generate(r.Context(), in)
	}
	h.kit.Reply(w, r, http.StatusCreated, v, err)
}

func (h *Handlers) apiDefs(w http.ResponseWriter, r *http.Request) {
	h.kit.Reply(w, r, http.StatusOK, web.List[*Def]{Items: defs, Total: len(defs)}, nil)
}

func (h *Handlers) apiGet(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var v *View
	if err == nil {
		v, err = h.svc.Get(r.Context(), id)
	}
	h.kit.Reply(w, r, http.StatusOK, v, err)
}

func (h *Handlers) apiUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var in Input
	var v *View
	if err == nil {
		err = web.DecodeJSON(r, &in)
	}
	if err == nil {
		v, err = h.svc.Update(r.Context(), id, in)
	}
	h.kit.Reply(w, r, http.StatusOK, v, err)
}

func (h *Handlers) apiPublish(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var v *View
	if err == nil {
		v, err = h.svc.Publish(r.Context(), id)
	}
	h.kit.Reply(w, r, http.StatusOK, v, err)
}

func (h *Handlers) apiDelete(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err == nil {
		err = h.svc.Delete(r.Context(), id)
	}
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
