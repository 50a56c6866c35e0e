package register

import (
	"fmt"
	"net/http"
	"net/url"

	"linli/internal/auth"
	"linli/internal/errs"
	"linli/internal/pii"
	"linli/internal/web"
)

type residentsView struct {
	web.Page
	Residents []Resident
	Grids     []Grid
	Tags      []Tag
	Filter    ResidentFilter
	Pager     web.Pager
	Query     url.Values
	CanWrite  bool
	// Filtering is how many filters the folded form sets.
	Filtering int
}

// residentFilters are the residents list's filter fields and their defaults (web.ActiveFilters).
var residentFilters = map[string]string{"q": "", "grid": "", "tag": "", "status": "active"}

func residentFilter(r *http.Request) ResidentFilter {
	return ResidentFilter{Q: r.FormValue("q"), GridID: web.QueryInt64(r, "grid"), BuildingID: web.QueryInt64(r, "building"),
		HouseholdID: web.QueryInt64(r, "household"), Tag: r.FormValue("tag"), Status: r.FormValue("status")}
}

func (h *Handlers) residents(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	pg := web.PagerFrom(r, 50)
	f := residentFilter(r)
	f.Limit, f.Offset = pg.Limit, pg.Offset
	v := residentsView{Page: web.Page{Title: "居民"}, Filter: f, Query: r.URL.Query(), Tags: Tags,
		Filtering: web.ActiveFilters(r.URL.Query(), residentFilters)}
	var err error
	var n int
	v.Residents, n, err = h.svc.Residents(ctx, f)
	pg.Count(n)
	if err != nil {
		if errs.CodeOf(err) != errs.Invalid {
			h.kit.Error(w, r, err)
			return
		}
		v.Page.Error, v.Page.Errors = errs.MessageOf(err), errs.FieldsOf(err)
	}
	if v.Grids, err = h.svc.Grids(ctx); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v.Pager, v.CanWrite = pg, auth.FromContext(ctx).Can(auth.RegisterWrite)
	status := http.StatusOK
	if v.Page.Error != "" {
		status = http.StatusUnprocessableEntity
	}
	h.views.Render(w, r, status, "residents.html", &v)
}

type residentView struct {
	web.Page
	Resident  *Resident
	CanWrite  bool
	CanReveal bool
	// Revealed holds a number the user has just revealed, shown once on this response only.
	Revealed      string
	RevealedLabel string
	RevealField   string
	Households    []Household
	Related       []web.Related
}

func (h *Handlers) resident(w http.ResponseWriter, r *http.Request) {
	h.renderResident(w, r, http.StatusOK, residentView{})
}

func (h *Handlers) renderResident(w http.ResponseWriter, r *http.Request, status int, v residentView) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	ctx := r.Context()
	if v.Resident, err = h.svc.Resident(ctx, id); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	p := auth.FromContext(ctx)
	v.Page.Title, v.CanWrite, v.CanReveal = v.Resident.Name, p.Can(auth.RegisterWrite), p.Can(auth.RevealPII)
	if v.CanWrite && v.Resident.BuildingID != nil {
		v.Households, _, _ = h.svc.Households(ctx, HouseholdFilter{BuildingID: *v.Resident.BuildingID, Limit: 500})
	}
	if h.Dossier != nil {
		var hh int64
		if v.Resident.HouseholdID != nil {
			hh = *v.Resident.HouseholdID
		}
		v.Related = h.Dossier(ctx, "resident", v.Resident.ID, hh)
	}
	w.Header().Set("Cache-Control", "no-store")
	h.views.Render(w, r, status, "resident.html", &v)
}

func (h *Handlers) reveal(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	field := r.FormValue("field")
	reason, err := pii.RevealReason(r.FormValue("purpose"), r.FormValue("reason"))
	var value string
	if err == nil {
		value, err = h.svc.Reveal(r.Context(), id, field, reason)
	}
	if err != nil {
		v := residentView{RevealField: field}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.renderResident(w, r, status, v) }, formShown...)
		return
	}
	h.renderResident(w, r, http.StatusOK, residentView{Revealed: value, RevealedLabel: RevealFields[field], RevealField: field})
}

type residentFormView struct {
	web.Page
	ID        int64
	Form      ResidentInput
	Household *Household
	Resident  *Resident
	Tags      []Tag
	Relations []string
	Types     []ResidenceType
}

func (h *Handlers) renderResidentForm(w http.ResponseWriter, r *http.Request, status int, v residentFormView) {
	hh, err := h.svc.Household(r.Context(), v.Form.HouseholdID)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v.Household, v.Tags, v.Relations, v.Types = hh, SettableTags(), Relations, ResidenceTypes
	if v.Page.Title == "" {
		v.Page.Title = "登记居民"
		if v.ID != 0 {
			v.Page.Title = "编辑居民信息"
		}
	}
	h.views.Render(w, r, status, "resident_form.html", &v)
}

func (h *Handlers) newResident(w http.ResponseWriter, r *http.Request) {
	hid := web.QueryInt64(r, "household")
	if hid == 0 {
		web.Redirect(w, r, "/buildings", "请先选择楼院和户，再登记居民")
		return
	}
	h.renderResidentForm(w, r, http.StatusOK, residentFormView{Form: ResidentInput{HouseholdID: hid}})
}

func residentForm(r *http.Request) ResidentInput {
	_ = r.ParseForm()
	return ResidentInput{HouseholdID: web.QueryInt64(r, "household_id"), Name: r.FormValue("name"),
		IDNumber: r.FormValue("id_number"), Phone: r.FormValue("phone"), Gender: r.FormValue("gender"),
		BirthDate: r.FormValue("birth_date"), Relation: r.FormValue("relation"), ResidenceType: r.FormValue("residence_type"),
		Ethnicity: r.FormValue("ethnicity"), Note: r.FormValue("note"), Tags: trimAll(r.PostForm["tags"])}
}

func (h *Handlers) createResident(w http.ResponseWriter, r *http.Request) {
	in := residentForm(r)
	res, err := h.svc.CreateResident(r.Context(), in)
	if err != nil {
		if errs.CodeOf(err) != errs.Invalid || in.HouseholdID == 0 {
			h.kit.Error(w, r, err)
			return
		}
		in.IDNumber, in.Phone = "", "" // never echo a personal number back into the page
		h.renderResidentForm(w, r, http.StatusUnprocessableEntity, residentFormView{Page: web.Page{Error: errs.MessageOf(err),
			Errors: errs.FieldsOf(err)}, Form: in})
		return
	}
	web.Redirect(w, r, fmt.Sprintf("/residents/%d", res.ID), "已登记居民"+res.Name)
}

func (h *Handlers) editResident(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	res, err := h.svc.Resident(r.Context(), id)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.renderResidentForm(w, r, http.StatusOK, residentFormView{ID: id, Form: res.input(), Resident: res})
}

func (h *Handlers) updateResident(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	in := residentForm(r)
	upd := ResidentUpdate{ResidentInput: in, ClearID: r.FormValue("clear_id") == "1", ClearPhone: r.FormValue("clear_phone") == "1"}
	if _, err := h.svc.UpdateResident(r.Context(), id, upd); err != nil {
		res, gerr := h.svc.Resident(r.Context(), id)
		if errs.CodeOf(err) != errs.Invalid || gerr != nil {
			h.kit.Error(w, r, err)
			return
		}
		in.IDNumber, in.Phone = "", ""
		if in.HouseholdID == 0 {
			in.HouseholdID = *res.HouseholdID
		}
		h.renderResidentForm(w, r, http.StatusUnprocessableEntity, residentFormView{Page: web.Page{Error: errs.MessageOf(err),
			Errors: errs.FieldsOf(err)}, ID: id, Form: in, Resident: res})
		return
	}
	web.Redirect(w, r, fmt.Sprintf("/residents/%d", id), "居民信息已保存")
}

func (h *Handlers) moveResident(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	res, err := h.svc.MoveResident(r.Context(), id, web.QueryInt64(r, "household_id"), r.FormValue("relation"))
	if err != nil {
		v := residentView{}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.renderResident(w, r, status, v) }, formShown...)
		return
	}
	web.Redirect(w, r, fmt.Sprintf("/residents/%d", id), res.Name+"已迁至 "+res.Address)
}

func (h *Handlers) setStatus(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	res, err := h.svc.SetResidentStatus(r.Context(), id, r.FormValue("status"), r.FormValue("note"))
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	web.Redirect(w, r, fmt.Sprintf("/residents/%d", id), res.Name+"：已标记为“"+res.StatusLabel()+"”")
}
