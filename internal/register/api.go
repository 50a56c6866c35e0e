package register

import (
	"context"
	_ "embed"
	"io"
	"net/http"
	"strconv"

	"linli/internal/auth"
	"linli/internal/errs"
	"linli/internal/geo"
	"linli/internal/web"
)

// OpenAPI is this package's part of the API document (paths and components only).
//
//go:embed openapi.json
var OpenAPI []byte

func (h *Handlers) apiRoutes(mux *http.ServeMux) {
	read := func(f http.HandlerFunc) http.Handler { return h.auth.API(auth.RegisterRead, f) }
	write := func(f http.HandlerFunc) http.Handler { return h.auth.API(auth.RegisterWrite, f) }
	mux.Handle("GET /api/v1/regions", read(h.apiRegions))
	mux.Handle("POST /api/v1/regions", write(h.apiCreateRegion))
	mux.Handle("GET /api/v1/grids", read(h.apiGrids))
	mux.Handle("POST /api/v1/grids", write(h.apiCreateGrid))
	mux.Handle("GET /api/v1/grids/{id}", read(h.apiGrid))
	mux.Handle("PATCH /api/v1/grids/{id}", write(h.apiUpdateGrid))
	mux.Handle("PUT /api/v1/grids/{id}/boundary", write(h.apiSetBoundary))
	mux.Handle("GET /api/v1/grids/{id}/roster", read(h.apiRoster))
	mux.Handle("GET /api/v1/roster", read(h.apiRosterList))
	// Roster changes are checked by the service (the community and the grid's own leader only).
	mux.Handle("POST /api/v1/grids/{id}/roster", read(apiUpdate(h, http.StatusCreated, h.svc.AddRosterEntry)))
	mux.Handle("PUT /api/v1/grids/{id}/roster/{entry}", read(h.apiUpdateRoster))
	mux.Handle("DELETE /api/v1/grids/{id}/roster/{entry}", read(h.apiRemoveRoster))
	mux.Handle("GET /api/v1/buildings", read(h.apiBuildings))
	mux.Handle("POST /api/v1/buildings", write(apiCreate(h, h.svc.CreateBuilding)))
	mux.Handle("GET /api/v1/buildings/{id}", read(apiGet(h, h.svc.Building)))
	mux.Handle("PUT /api/v1/buildings/{id}", write(apiUpdate(h, http.StatusOK, h.svc.UpdateBuilding)))
	mux.Handle("GET /api/v1/households", read(h.apiHouseholds))
	mux.Handle("POST /api/v1/households", write(apiCreate(h, h.svc.CreateHousehold)))
	mux.Handle("GET /api/v1/households/{id}", read(apiGet(h, h.svc.Household)))
	mux.Handle("PUT /api/v1/households/{id}", write(apiUpdate(h, http.StatusOK, h.svc.UpdateHousehold)))
	h.apiResidentRoutes(mux, read, write)
}

func queryInt(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(r.URL.Query().Get(name), 10, 64)
	return n
}

// apiID reads the path value name as an ID; when it is not one it answers the error and reports false.
func (h *Handlers) apiID(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	id, err := web.PathID(r, name)
	if err != nil {
		h.kit.APIErr(w, r, err)
	}
	return id, err == nil
}

// apiBody decodes the JSON body into v; when it cannot it answers the error and reports false.
func (h *Handlers) apiBody(w http.ResponseWriter, r *http.Request, v any) bool {
	err := web.DecodeJSON(r, v)
	if err != nil {
		h.kit.APIErr(w, r, err)
	}
	return err == nil
}

// apiGet serves GET …/{id}: it answers what get finds for the path's ID.
func apiGet[T any](h *Handlers, get func(context.Context, int64) (T, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if id, ok := h.apiID(w, r, "id"); ok {
			v, err := get(r.Context(), id)
			h.kit.Reply(w, r, http.StatusOK, v, err)
		}
	}
}

// apiCreate serves a POST that creates a record: it answers 201 with what create makes of the body.
func apiCreate[In, Out any](h *Handlers, create func(context.Context, In) (Out, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in In
		if h.apiBody(w, r, &in) {
			v, err := create(r.Context(), in)
			h.kit.Reply(w, r, http.StatusCreated, v, err)
		}
	}
}

// apiUpdate serves a request on …/{id} with a body: it answers status with what update makes of
// the path's ID and the body.
func apiUpdate[In, Out any](h *Handlers, status int, update func(context.Context, int64, In) (Out, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in In
		if id, ok := h.apiID(w, r, "id"); ok && h.apiBody(w, r, &in) {
			v, err := update(r.Context(), id, in)
			h.kit.Reply(w, r, status, v, err)
		}
	}
}

// rosterPath reads the grid and roster entry IDs of a …/grids/{id}/roster/{entry} path.
func rosterPath(r *http.Request) (grid, entry int64, err error) {
	if grid, err = web.PathID(r, "id"); err == nil {
		entry, err = web.PathID(r, "entry")
	}
	return grid, entry, err
}

func (h *Handlers) apiRegions(w http.ResponseWriter, r *http.Request) {
	regs, err := h.svc.Regions(r.Context(), queryInt(r, "parent"))
	h.kit.Reply(w, r, http.StatusOK, web.List[Region]{Items: regs, Total: len(regs)}, err)
}

type regionBody struct {
	ParentID int64  `json:"parent_id"`
	Level    Level  `json:"level"`
	Code     string `json:"code"`
	Name     string `json:"name"`
}

func (h *Handlers) apiCreateRegion(w http.ResponseWriter, r *http.Request) {
	var b regionBody
	if h.apiBody(w, r, &b) {
		reg, err := h.svc.CreateSubRegion(r.Context(), NewRegion{ParentID: b.ParentID, Level: b.Level, Code: b.Code, Name: b.Name})
		h.kit.Reply(w, r, http.StatusCreated, reg, err)
	}
}

// gridJSON is a grid as the API shows it: with its boundary as a GeoJSON geometry.
type gridJSON struct {
	*Grid
	Boundary *geo.Geometry `json:"boundary"`
	Centroid []float64     `json:"centroid"`
	Vertices int           `json:"vertices"`
}

func toGridJSON(g *Grid) gridJSON {
	out := gridJSON{Grid: g, Centroid: g.Centroid(), Vertices: g.VertexCount()}
	if g.HasBoundary() {
		geom := geo.ToGeometry(g.Boundary)
		out.Boundary = &geom
	}
	return out
}

func (h *Handlers) apiGrids(w http.ResponseWriter, r *http.Request) {
	grids, err := h.svc.Grids(r.Context())
	items := make([]gridJSON, len(grids))
	for i := range grids {
		items[i] = toGridJSON(&grids[i])
	}
	h.kit.Reply(w, r, http.StatusOK, web.List[gridJSON]{Items: items, Total: len(items)}, err)
}

// sendGrid answers g as the API shows a grid, or the error.
func (h *Handlers) sendGrid(w http.ResponseWriter, r *http.Request, status int, g *Grid, err error) {
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, status, toGridJSON(g))
}

func (h *Handlers) apiGrid(w http.ResponseWriter, r *http.Request) {
	if id, ok := h.apiID(w, r, "id"); ok {
		g, err := h.svc.Grid(r.Context(), id)
		h.sendGrid(w, r, http.StatusOK, g, err)
	}
}

func (h *Handlers) apiCreateGrid(w http.ResponseWriter, r *http.Request) {
	var in GridInput
	if h.apiBody(w, r, &in) {
		g, err := h.svc.CreateGrid(r.Context(), in)
		h.sendGrid(w, r, http.StatusCreated, g, err)
	}
}

type gridPatch struct {
	Kind *string `json:"kind"`
	Note *string `json:"note"`
}

func (h *Handlers) apiUpdateGrid(w http.ResponseWriter, r *http.Request) {
	var b gridPatch
	id, ok := h.apiID(w, r, "id")
	if !ok || !h.apiBody(w, r, &b) {
		return
	}
	g, err := h.svc.Grid(r.Context(), id)
	if err == nil {
		kind, note := g.Kind, g.Note
		if b.Kind != nil {
			kind = *b.Kind
		}
		if b.Note != nil {
			note = *b.Note
		}
		g, err = h.svc.UpdateGrid(r.Context(), id, kind, note)
	}
	h.sendGrid(w, r, http.StatusOK, g, err)
}

type boundaryJSON struct {
	Grid       gridJSON `json:"grid"`
	Reassigned int      `json:"reassigned"`
}

func (h *Handlers) apiSetBoundary(w http.ResponseWriter, r *http.Request) {
	id, ok := h.apiID(w, r, "id")
	if !ok {
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		h.kit.APIErr(w, r, errs.Field("boundary", "边界内容读取失败或超过 4 MB"))
		return
	}
	text := string(body)
	if text == "null" {
		text = ""
	}
	res, err := h.svc.SetBoundary(r.Context(), id, text)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, boundaryJSON{Grid: toGridJSON(res.Grid), Reassigned: res.Reassigned})
}

func (h *Handlers) apiRoster(w http.ResponseWriter, r *http.Request) {
	if id, ok := h.apiID(w, r, "id"); ok {
		list, err := h.svc.Roster(r.Context(), id)
		h.kit.Reply(w, r, http.StatusOK, web.List[RosterEntry]{Items: list, Total: len(list)}, err)
	}
}

func (h *Handlers) apiRosterList(w http.ResponseWriter, r *http.Request) {
	duties, err := ParseDuties(r.URL.Query()["duty"])
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	pg := web.PagerFrom(r, 50)
	list, total, err := h.svc.RosterList(r.Context(), RosterFilter{GridID: queryInt(r, "grid"), Duties: duties,
		Limit: pg.Limit, Offset: pg.Offset})
	h.kit.Reply(w, r, http.StatusOK, web.List[RosterEntry]{Items: list, Total: total}, err)
}

func (h *Handlers) apiUpdateRoster(w http.ResponseWriter, r *http.Request) {
	id, entry, err := rosterPath(r)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	var in RosterInput
	if h.apiBody(w, r, &in) {
		e, err := h.svc.UpdateRosterEntry(r.Context(), id, entry, in)
		h.kit.Reply(w, r, http.StatusOK, e, err)
	}
}

func (h *Handlers) apiRemoveRoster(w http.ResponseWriter, r *http.Request) {
	id, entry, err := rosterPath(r)
	if err == nil {
		err = h.svc.RemoveRosterEntry(r.Context(), id, entry)
	}
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handlers) apiBuildings(w http.ResponseWriter, r *http.Request) {
	pg := web.PagerFrom(r, 50)
	list, total, err := h.svc.Buildings(r.Context(), BuildingFilter{GridID: queryInt(r, "grid"), Q: r.URL.Query().Get("q"),
		Limit: pg.Limit, Offset: pg.Offset})
	h.kit.Reply(w, r, http.StatusOK, web.CappedList(list, total), err)
}

func (h *Handlers) apiHouseholds(w http.ResponseWriter, r *http.Request) {
	pg := web.PagerFrom(r, 50)
	list, total, err := h.svc.Households(r.Context(), HouseholdFilter{BuildingID: queryInt(r, "building"),
		GridID: queryInt(r, "grid"), Limit: pg.Limit, Offset: pg.Offset})
	h.kit.Reply(w, r, http.StatusOK, web.CappedList(list, total), err)
}
