package cases

import (
	"context"
	"net/http"
	"strconv"

	"linli/internal/web"
)

// BuildingChoices lists the buildings of a community in the principal's scope with their grid,
// for placing a case of the 待定位 queue.
func (s *Service) BuildingChoices(ctx context.Context, communityID int64) ([]Option, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	return options(ctx, s.db.R, `SELECT b.id, COALESCE(r.name || ' · ', '') || b.name FROM buildings b
		LEFT JOIN regions r ON r.id = b.grid_id
		WHERE b.community_id = $1 AND b.region_id IN (SELECT id FROM regions WHERE path LIKE $2)
		ORDER BY r.code, b.name`, communityID, p.Scope())
}

type locateView struct {
	web.Page
	Case      *Detail
	Buildings []Option
	Grids     []Option
	Form      Placement
}

func (h *Handlers) locateView(w http.ResponseWriter, r *http.Request) (*locateView, bool) {
	id, ok := h.caseID(w, r)
	if !ok {
		return nil, false
	}
	d, err := h.svc.Get(r.Context(), id)
	if err == nil && d.State == Closed {
		err = errConflict()
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return nil, false
	}
	v := &locateView{Page: web.Page{Title: "定位 " + d.Number}, Case: d}
	if v.Buildings, err = h.svc.BuildingChoices(r.Context(), d.CommunityID); err == nil {
		v.Grids, err = h.svc.GridChoices(r.Context(), d.CommunityID)
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return nil, false
	}
	return v, true
}

func (h *Handlers) locateForm(w http.ResponseWriter, r *http.Request) {
	if v, ok := h.locateView(w, r); ok {
		h.views.Render(w, r, http.StatusOK, "locate.html", v)
	}
}

func (h *Handlers) locateSave(w http.ResponseWriter, r *http.Request) {
	v, ok := h.locateView(w, r)
	if !ok {
		return
	}
	v.Form.BuildingID, _ = strconv.ParseInt(r.PostFormValue("building_id"), 10, 64)
	v.Form.GridID, _ = strconv.ParseInt(r.PostFormValue("grid_id"), 10, 64)
	v.Form.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	c, err := h.svc.Place(r.Context(), v.Case.ID, v.Form)
	if err != nil {
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.views.Render(w, r, status, "locate.html", v) })
		return
	}
	web.Redirect(w, r, "/cases/"+strconv.FormatInt(c.ID, 10), "已定位到"+c.GridName)
}

func (h *API) place(w http.ResponseWriter, r *http.Request) {
	id, ok := h.caseID(w, r)
	if !ok {
		return
	}
	var in Placement
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	c, err := h.svc.Place(r.Context(), id, in)
	h.kit.Reply(w, r, http.StatusOK, c, err)
}
