package register

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"linli/internal/auth"
	"linli/internal/errs"
	"linli/internal/geo"
	"linli/internal/web"
)

type regionsView struct {
	web.Page
	Tree     *RegionNode
	CanWrite bool
	Form     NewRegion
}

func (h *Handlers) regions(w http.ResponseWriter, r *http.Request) {
	h.renderRegions(w, r, http.StatusOK, regionsView{})
}

func (h *Handlers) renderRegions(w http.ResponseWriter, r *http.Request, status int, v regionsView) {
	tree, err := h.svc.RegionTree(r.Context())
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v.Page.Title, v.Tree = "行政区划", tree
	v.CanWrite = auth.FromContext(r.Context()).Can(auth.RegisterWrite)
	h.views.Render(w, r, status, "regions.html", &v)
}

func (h *Handlers) createRegion(w http.ResponseWriter, r *http.Request) {
	n := NewRegion{ParentID: web.QueryInt64(r, "parent_id"), Level: Level(r.FormValue("level")),
		Code: strings.TrimSpace(r.FormValue("code")), Name: r.FormValue("name")}
	reg, err := h.svc.CreateSubRegion(r.Context(), n)
	if err != nil {
		v := regionsView{Form: n}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.renderRegions(w, r, status, v) }, formShown...)
		return
	}
	web.Redirect(w, r, "/regions", "已新建"+reg.Level.Label()+"“"+reg.Name+"”")
}

// mapGrid is what map.js draws for one grid.
type mapGrid struct {
	ID       int64        `json:"id"`
	Name     string       `json:"name"`
	URL      string       `json:"url"`
	Boundary geo.Geometry `json:"boundary"`
}

type gridsView struct {
	web.Page
	Grids       []Grid
	MapData     any
	ShowMap     bool
	TileURL     string
	CanWrite    bool
	Communities []Region
	Form        GridInput
}

func (h *Handlers) grids(w http.ResponseWriter, r *http.Request) {
	h.renderGrids(w, r, http.StatusOK, gridsView{})
}

func (h *Handlers) renderGrids(w http.ResponseWriter, r *http.Request, status int, v gridsView) {
	grids, err := h.svc.Grids(r.Context())
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	var shapes []mapGrid
	for _, g := range grids {
		if g.HasBoundary() {
			shapes = append(shapes, mapGrid{ID: g.ID, Name: g.Name, URL: fmt.Sprintf("/grids/%d", g.ID), Boundary: geo.ToGeometry(g.Boundary)})
		}
	}
	if shapes == nil {
		shapes = []mapGrid{}
	}
	v.Page.Title, v.Grids, v.MapData = "网格", grids, shapes
	v.ShowMap = h.kit.HasAsset("vendor/leaflet/leaflet.js") && len(shapes) > 0
	v.TileURL = h.kit.TileURL
	p := auth.FromContext(r.Context())
	if v.CanWrite = p.Can(auth.RegisterWrite); v.CanWrite {
		regs, err := h.svc.Regions(r.Context(), 0)
		if err != nil {
			h.kit.Error(w, r, err)
			return
		}
		for _, reg := range regs {
			if reg.Level == LevelCommunity {
				v.Communities = append(v.Communities, reg)
			}
		}
	}
	h.views.Render(w, r, status, "grids.html", &v)
}

func (h *Handlers) createGrid(w http.ResponseWriter, r *http.Request) {
	in := GridInput{CommunityID: web.QueryInt64(r, "community_id"), Number: web.FormInt(r, "number"), Name: r.FormValue("name"),
		Kind: r.FormValue("kind"), Note: r.FormValue("note")}
	g, err := h.svc.CreateGrid(r.Context(), in)
	if err != nil {
		v := gridsView{Form: in}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.renderGrids(w, r, status, v) }, formShown...)
		return
	}
	web.Redirect(w, r, fmt.Sprintf("/grids/%d", g.ID), "已新建网格“"+g.Name+"”，请划定网格边界")
}

type gridView struct {
	web.Page
	Grid          *Grid
	Roster        []RosterEntry
	Buildings     []Building
	BuildingsMore bool
	Duties        []Duty
	CanWrite      bool
	CanEditRoster bool
	MapData       any
	ShowMap       bool
	TileURL       string
	BoundaryText  string
	RosterForm    RosterInput
}

func (h *Handlers) grid(w http.ResponseWriter, r *http.Request) {
	h.renderGrid(w, r, http.StatusOK, gridView{})
}

func (h *Handlers) renderGrid(w http.ResponseWriter, r *http.Request, status int, v gridView) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	ctx := r.Context()
	if v.Grid, err = h.svc.Grid(ctx, id); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	if v.Roster, err = h.svc.Roster(ctx, id); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	var total int
	if v.Buildings, total, err = h.svc.Buildings(ctx, BuildingFilter{GridID: id, Limit: 100}); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v.BuildingsMore = total > len(v.Buildings)
	v.Page.Title, v.Duties = v.Grid.Name, Duties
	v.CanWrite = auth.FromContext(ctx).Can(auth.RegisterWrite)
	v.CanEditRoster = CheckRosterEdit(ctx, v.Grid) == nil
	var shape any
	if v.Grid.HasBoundary() {
		shape = geo.ToGeometry(v.Grid.Boundary)
	}
	v.MapData = map[string]any{"id": v.Grid.ID, "name": v.Grid.Name, "boundary": shape}
	v.TileURL = h.kit.TileURL
	v.ShowMap = h.kit.HasAsset("vendor/leaflet/leaflet.js")
	if v.BoundaryText == "" {
		v.BoundaryText = geo.Marshal(v.Grid.Boundary)
	}
	h.views.Render(w, r, status, "grid.html", &v)
}

func (h *Handlers) updateGrid(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	if _, err := h.svc.UpdateGrid(r.Context(), id, r.FormValue("kind"), r.FormValue("note")); err != nil {
		v := gridView{}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.renderGrid(w, r, status, v) }, formShown...)
		return
	}
	web.Redirect(w, r, fmt.Sprintf("/grids/%d", id), "网格信息已保存")
}

// MaxBoundaryBytes bounds a grid boundary (GeoJSON text or file); the app hands it to the kit's
// web.BodyLimits.
const MaxBoundaryBytes = 4 << 20

func (h *Handlers) setBoundary(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	text := r.FormValue("geojson")
	if f, _, ferr := r.FormFile("file"); ferr == nil {
		b, rerr := io.ReadAll(f)
		f.Close()
		if rerr != nil {
			h.kit.Error(w, r, errs.Field("boundary", "边界文件读取失败或超过 4 MB"))
			return
		}
		if strings.TrimSpace(string(b)) != "" {
			text = string(b)
		}
	}
	if strings.TrimSpace(text) == "" && r.FormValue("clear") != "1" {
		h.renderGrid(w, r, http.StatusUnprocessableEntity, gridView{Page: web.Page{Error: "请上传 GeoJSON 文件、在地图上绘制或粘贴边界坐标",
			Errors: map[string]string{"boundary": "边界为空"}}})
		return
	}
	res, err := h.svc.SetBoundary(r.Context(), id, text)
	if err != nil {
		v := gridView{BoundaryText: text}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.renderGrid(w, r, status, v) }, formShown...)
		return
	}
	web.Redirect(w, r, fmt.Sprintf("/grids/%d", id), fmt.Sprintf("网格边界已保存，%d 栋楼院按坐标重新划归网格", res.Reassigned))
}

func rosterForm(r *http.Request) RosterInput {
	return RosterInput{Duty: r.FormValue("duty"), Name: r.FormValue("name"), Phone: r.FormValue("phone"),
		ClearPhone: r.FormValue("clear_phone") == "1", BuildingID: web.QueryInt64(r, "building_id"), Note: r.FormValue("note")}
}

func (h *Handlers) addRoster(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	in := rosterForm(r)
	e, err := h.svc.AddRosterEntry(r.Context(), id, in)
	if err != nil {
		in.Phone = ""
		v := gridView{RosterForm: in}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.renderGrid(w, r, status, v) }, formShown...)
		return
	}
	web.Redirect(w, r, fmt.Sprintf("/grids/%d#roster", id), "已将"+e.Name+"加入网格力量（"+e.Duty.Label()+"）")
}

type rosterEntryView struct {
	web.Page
	Grid      *Grid
	Entry     *RosterEntry
	Duties    []Duty
	Buildings []Building
}

func (h *Handlers) rosterEntry(w http.ResponseWriter, r *http.Request) {
	h.renderRosterEntry(w, r, http.StatusOK, rosterEntryView{})
}

func (h *Handlers) renderRosterEntry(w http.ResponseWriter, r *http.Request, status int, v rosterEntryView) {
	gid, eid, err := rosterPath(r)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	if v.Grid, err = h.svc.Grid(r.Context(), gid); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	if err := CheckRosterEdit(r.Context(), v.Grid); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	if v.Entry, err = h.svc.RosterEntry(r.Context(), gid, eid); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	if v.Buildings, _, err = h.svc.Buildings(r.Context(), BuildingFilter{GridID: gid, Limit: 500}); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v.Page.Title, v.Duties = "编辑网格力量", Duties
	h.views.Render(w, r, status, "grid_roster.html", &v)
}

func (h *Handlers) updateRoster(w http.ResponseWriter, r *http.Request) {
	gid, eid, err := rosterPath(r)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	if _, err := h.svc.UpdateRosterEntry(r.Context(), gid, eid, rosterForm(r)); err != nil {
		v := rosterEntryView{}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.renderRosterEntry(w, r, status, v) }, formShown...)
		return
	}
	web.Redirect(w, r, fmt.Sprintf("/grids/%d#roster", gid), "网格力量信息已保存")
}

func (h *Handlers) removeRoster(w http.ResponseWriter, r *http.Request) {
	gid, eid, err := rosterPath(r)
	if err == nil {
		err = h.svc.RemoveRosterEntry(r.Context(), gid, eid)
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	web.Redirect(w, r, fmt.Sprintf("/grids/%d#roster", gid), "已从网格力量中移除")
}
