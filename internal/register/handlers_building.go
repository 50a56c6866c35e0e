package register

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"linli/internal/auth"
	"linli/internal/errs"
	"linli/internal/geo"
	"linli/internal/web"
)

type buildingsView struct {
	web.Page
	Buildings []Building
	Grids     []Grid
	Pager     web.Pager
	Query     url.Values
	Q         string
	GridID    int64
	CanWrite  bool
}

func (h *Handlers) buildings(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	pg := web.PagerFrom(r, 50)
	v := buildingsView{Page: web.Page{Title: "楼院"}, Query: r.URL.Query(), Q: r.FormValue("q"), GridID: web.QueryInt64(r, "grid")}
	var err error
	var n int
	if v.Buildings, n, err = h.svc.Buildings(ctx, BuildingFilter{GridID: v.GridID, Q: v.Q, Limit: pg.Limit, Offset: pg.Offset}); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	pg.Count(n)
	if v.Grids, err = h.svc.Grids(ctx); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v.Pager, v.CanWrite = pg, auth.FromContext(ctx).Can(auth.RegisterWrite)
	h.views.Render(w, r, http.StatusOK, "buildings.html", &v)
}

type householdsView struct {
	web.Page
	Households []Household
	Grids      []Grid
	Filter     HouseholdFilter
	Pager      web.Pager
	Query      url.Values
	// Filtering is how many filters the folded form sets.
	Filtering int
}

// householdFilters are the households list's filter fields (web.ActiveFilters).
var householdFilters = map[string]string{"grid": "", "kind": ""}

// households lists the households in scope, by grid, building and kind: the list the home page's
// household figures count.
func (h *Handlers) households(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	pg := web.PagerFrom(r, 50)
	f := HouseholdFilter{GridID: web.QueryInt64(r, "grid"), BuildingID: web.QueryInt64(r, "building"), Kind: r.FormValue("kind"),
		Limit: pg.Limit, Offset: pg.Offset}
	v := householdsView{Page: web.Page{Title: "住户"}, Filter: f, Query: r.URL.Query(),
		Filtering: web.ActiveFilters(r.URL.Query(), householdFilters)}
	var err error
	var n int
	if v.Households, n, err = h.svc.Households(ctx, f); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	pg.Count(n)
	if v.Grids, err = h.svc.Grids(ctx); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v.Pager = pg
	h.views.Render(w, r, http.StatusOK, "households.html", &v)
}

type buildingFormView struct {
	web.Page
	ID    int64
	Form  BuildingInput
	Grids []Grid
	CRS   []struct {
		CRS   geo.CRS
		Label string
	}
}

func (h *Handlers) renderBuildingForm(w http.ResponseWriter, r *http.Request, status int, v buildingFormView) {
	grids, err := h.svc.Grids(r.Context())
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v.Grids, v.CRS = grids, crsOptions()
	if v.Page.Title == "" {
		v.Page.Title = "新建楼院"
		if v.ID != 0 {
			v.Page.Title = "编辑楼院"
		}
	}
	h.views.Render(w, r, status, "building_form.html", &v)
}

func (h *Handlers) newBuilding(w http.ResponseWriter, r *http.Request) {
	h.renderBuildingForm(w, r, http.StatusOK, buildingFormView{Form: BuildingInput{GridID: web.QueryInt64(r, "grid"),
		Units: 1, Floors: 6, CRS: string(geo.WGS84)}})
}

func buildingForm(r *http.Request) BuildingInput {
	return BuildingInput{Name: r.FormValue("name"), Address: r.FormValue("address"), Kind: r.FormValue("kind"),
		Lon: r.FormValue("lon"), Lat: r.FormValue("lat"), CRS: r.FormValue("crs"), GridID: web.QueryInt64(r, "grid_id"),
		Units: web.FormInt(r, "units"), Floors: web.FormInt(r, "floors"), Note: r.FormValue("note")}
}

func (h *Handlers) createBuilding(w http.ResponseWriter, r *http.Request) {
	in := buildingForm(r)
	b, err := h.svc.CreateBuilding(r.Context(), in)
	if err != nil {
		v := buildingFormView{Form: in}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.renderBuildingForm(w, r, status, v) }, formShown...)
		return
	}
	web.Redirect(w, r, fmt.Sprintf("/buildings/%d", b.ID), "已新建楼院“"+b.Name+"”，所属"+b.GridName)
}

func (h *Handlers) editBuilding(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	b, err := h.svc.Building(r.Context(), id)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	in := BuildingInput{Name: b.Name, Address: b.Address, Kind: b.Kind, Lon: formatCoord(b.Lon), Lat: formatCoord(b.Lat),
		CRS: string(geo.WGS84), Units: b.Units, Floors: b.Floors, Note: b.Note}
	if b.GridManual && b.GridID != nil {
		in.GridID = *b.GridID
	}
	h.renderBuildingForm(w, r, http.StatusOK, buildingFormView{ID: id, Form: in})
}

func (h *Handlers) updateBuilding(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	in := buildingForm(r)
	b, err := h.svc.UpdateBuilding(r.Context(), id, in)
	if err != nil {
		v := buildingFormView{ID: id, Form: in}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.renderBuildingForm(w, r, status, v) }, formShown...)
		return
	}
	web.Redirect(w, r, fmt.Sprintf("/buildings/%d", b.ID), "楼院信息已保存")
}

type buildingView struct {
	web.Page
	Building   *Building
	Households []Household
	Pager      web.Pager
	Query      url.Values
	CanWrite   bool
	Form       HouseholdInput
}

func (h *Handlers) building(w http.ResponseWriter, r *http.Request) {
	h.renderBuilding(w, r, http.StatusOK, buildingView{})
}

func (h *Handlers) renderBuilding(w http.ResponseWriter, r *http.Request, status int, v buildingView) {
	id, err := web.PathID(r, "id")
	if err != nil {
		id = web.QueryInt64(r, "building_id")
	}
	ctx := r.Context()
	if v.Building, err = h.svc.Building(ctx, id); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	pg := web.PagerFrom(r, 100)
	var n int
	if v.Households, n, err = h.svc.Households(ctx, HouseholdFilter{BuildingID: id, Limit: pg.Limit, Offset: pg.Offset}); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	pg.Count(n)
	v.Page.Title, v.Pager, v.Query = v.Building.Name, pg, r.URL.Query()
	v.CanWrite = auth.FromContext(ctx).Can(auth.RegisterWrite)
	h.views.Render(w, r, status, "building.html", &v)
}

func householdForm(r *http.Request) HouseholdInput {
	return HouseholdInput{BuildingID: web.QueryInt64(r, "building_id"), Unit: r.FormValue("unit"), Room: r.FormValue("room"),
		Kind: r.FormValue("kind"), Note: r.FormValue("note")}
}

func (h *Handlers) createHousehold(w http.ResponseWriter, r *http.Request) {
	in := householdForm(r)
	hh, err := h.svc.CreateHousehold(r.Context(), in)
	if err != nil {
		if errs.CodeOf(err) != errs.Invalid || in.BuildingID == 0 {
			h.kit.Error(w, r, err)
			return
		}
		h.renderBuilding(w, r, http.StatusUnprocessableEntity, buildingView{Page: web.Page{Error: errs.MessageOf(err),
			Errors: errs.FieldsOf(err)}, Form: in})
		return
	}
	web.Redirect(w, r, fmt.Sprintf("/households/%d", hh.ID), "已登记 "+hh.Address)
}

type householdView struct {
	web.Page
	Household *Household
	Members   []Resident
	Former    []Resident
	CanWrite  bool
	Form      HouseholdInput
	Related   []web.Related
}

func (h *Handlers) household(w http.ResponseWriter, r *http.Request) {
	h.renderHousehold(w, r, http.StatusOK, householdView{})
}

func (h *Handlers) renderHousehold(w http.ResponseWriter, r *http.Request, status int, v householdView) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	ctx := r.Context()
	if v.Household, err = h.svc.Household(ctx, id); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	if v.Members, _, err = h.svc.Residents(ctx, ResidentFilter{HouseholdID: id, Limit: 200}); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	if v.Former, _, err = h.svc.Residents(ctx, ResidentFilter{HouseholdID: id, Status: "moved_out", Limit: 200}); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	if v.Form.Room == "" {
		hh := v.Household
		v.Form = HouseholdInput{BuildingID: hh.BuildingID, Unit: hh.Unit, Room: hh.Room, Kind: string(hh.Kind), Note: hh.Note}
	}
	v.Page.Title = v.Household.Address
	v.CanWrite = auth.FromContext(ctx).Can(auth.RegisterWrite)
	if h.Dossier != nil {
		v.Related = h.Dossier(ctx, "household", id, id)
	}
	h.views.Render(w, r, status, "household.html", &v)
}

func (h *Handlers) updateHousehold(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	in := householdForm(r)
	if _, err := h.svc.UpdateHousehold(r.Context(), id, in); err != nil {
		v := householdView{Form: in}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.renderHousehold(w, r, status, v) }, formShown...)
		return
	}
	web.Redirect(w, r, fmt.Sprintf("/households/%d", id), "户信息已保存")
}

func trimAll(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
