package cases

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"linli/internal/auth"
	"linli/internal/errs"
	"linli/internal/photo"
	"linli/internal/pii"
	"linli/internal/web"
)

type caseView struct {
	web.Page
	Case       *Detail
	Links      Links
	Can        map[string]bool
	Dispatch   *DispatchChoices
	Merge      []Option
	Grids      []Option
	Categories []Category
	HasMap     bool
	Print      bool
	// Supervisor: the user approves requests (a suspend asked by a handler is approved by suspending).
	Supervisor bool
	// CanReveal: the user may reveal the reporter's phone (with a reason); Phone is the revealed number.
	CanReveal bool
	Phone     string
	// ToMediation: the user may refer this open case to people's mediation (internal/mediation).
	ToMediation bool
	// CanLocate: the case has no grid yet and the user may place it (待定位).
	CanLocate bool
}

// loadCaseView reads a case and everything its page needs for the signed-in user.
func (h *Handlers) loadCaseView(r *http.Request, id int64) (*caseView, error) {
	ctx := r.Context()
	d, err := h.svc.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &caseView{Page: web.Page{Title: d.Number + " " + d.Title}, Case: d, Can: map[string]bool{},
		HasMap:     h.kit.HasAsset("vendor/leaflet/leaflet.js") && d.Lon != nil,
		Supervisor: auth.FromContext(ctx).Can(auth.CasesSupervise)}
	v.CanReveal = auth.FromContext(ctx).Can(auth.RevealPII) && !d.Anonymous && d.ReporterPhone != ""
	v.ToMediation = auth.FromContext(ctx).Can(auth.MediationWrite) && d.State != Closed
	v.CanLocate = auth.FromContext(ctx).Can(auth.CasesDispatch) && d.GridID == nil && d.State != Closed
	for _, a := range d.Actions {
		v.Can[string(a)] = true
	}
	if v.Links, err = h.svc.LinksOf(ctx, &d.Case); err != nil {
		return nil, err
	}
	if v.Can[string(ActDispatch)] {
		if v.Dispatch, err = h.svc.DispatchChoices(ctx); err != nil {
			return nil, err
		}
	}
	if v.Can[string(ActMerge)] {
		if v.Merge, err = h.svc.MergeChoices(ctx, &d.Case); err != nil {
			return nil, err
		}
	}
	if v.Can[string(ActAccept)] {
		if v.Grids, err = h.svc.GridChoices(ctx, d.CommunityID); err != nil {
			return nil, err
		}
		if v.Categories, err = h.svc.Categories(ctx); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// caseID reads the case id of the path; a malformed one answers 404 like a case outside scope.
func (h *Handlers) caseID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, errs.E(errs.NotFound, "案件不存在或您无权查看"))
		return 0, false
	}
	return id, true
}

func (h *Handlers) show(w http.ResponseWriter, r *http.Request) {
	id, ok := h.caseID(w, r)
	if !ok {
		return
	}
	v, err := h.loadCaseView(r, id)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "case.html", v)
}

func (h *Handlers) print(w http.ResponseWriter, r *http.Request) {
	id, ok := h.caseID(w, r)
	if !ok {
		return
	}
	d, err := h.svc.Get(r.Context(), id)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v := &caseView{Page: web.Page{Title: "打印 " + d.Number}, Case: d, Print: true}
	if v.Links, err = h.svc.LinksOf(r.Context(), &d.Case); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "case_print.html", v)
}

// revealPhone shows the case page with the reporter's full phone number, for a callback; the
// reason is required and audited, and the page is not cached.
func (h *Handlers) revealPhone(w http.ResponseWriter, r *http.Request) {
	id, ok := h.caseID(w, r)
	if !ok {
		return
	}
	reason, err := pii.RevealReason(r.FormValue("purpose"), r.FormValue("reason"))
	var phone string
	if err == nil {
		phone, err = h.svc.RevealReporterPhone(r.Context(), id, reason)
	}
	v, lerr := h.loadCaseView(r, id)
	if lerr != nil {
		h.kit.Error(w, r, lerr)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if err != nil {
		h.formError(w, r, err, &v.Page, "case.html", v)
		return
	}
	v.Phone = phone
	h.views.Render(w, r, http.StatusOK, "case.html", v)
}

// act runs one workflow action posted from the case page. A refused action shows the case page
// again with the Chinese reason; nothing has changed.
func (h *Handlers) act(w http.ResponseWriter, r *http.Request) {
	id, ok := h.caseID(w, r)
	if !ok {
		return
	}
	a := Action(r.PathValue("action"))
	photos, err := photo.FromForm(w, r, MaxPhotos)
	var c *Case
	if err == nil {
		var in ActionInput
		if in, err = actionInput(r, a); err == nil {
			c, err = h.svc.ActWithPhotos(r.Context(), id, a, in, photos)
		}
	}
	if err != nil {
		v, lerr := h.loadCaseView(r, id)
		if lerr != nil {
			h.kit.Error(w, r, lerr)
			return
		}
		v.Page.Error = "“" + a.Label() + "”未能完成：" + errs.MessageOf(err)
		if a.Label() == "" {
			v.Page.Error = errs.MessageOf(err)
		}
		h.formError(w, r, err, &v.Page, "case.html", v)
		return
	}
	web.Redirect(w, r, fmt.Sprintf("/cases/%d", c.ID), a.Label()+"已完成")
}

// actionInput reads the fields of action a from the posted form.
func actionInput(r *http.Request, a Action) (ActionInput, error) {
	in := ActionInput{Note: r.FormValue("note"), Public: r.FormValue("public") == "1"}
	in.Version, _ = strconv.Atoi(r.FormValue("version"))
	switch a {
	case ActAccept:
		in.CategoryID, in.GridID, in.Priority = formID(r, "category_id"), formID(r, "grid_id"), Priority(r.FormValue("priority"))
	case ActMerge:
		in.MergeInto = formID(r, "merge_into")
	case ActDispatch:
		lead, err := parseTarget(r.FormValue("lead"))
		if err != nil {
			return in, err
		}
		in.Lead = lead
		for _, v := range r.Form["assist"] {
			t, err := parseTarget(v)
			if err != nil {
				return in, err
			}
			in.Assist = append(in.Assist, *t)
		}
	case ActExtend:
		until, err := formTime(r, "until")
		if err != nil {
			return in, err
		}
		in.Until = until
	case ActVerify:
		in.Outcome = Outcome(r.FormValue("outcome"))
	case ActCallback:
		in.Resolved = formResolved(r.FormValue("resolved"))
		in.Satisfaction, in.Cause, in.Method = Satisfaction(r.FormValue("satisfaction")), r.FormValue("cause"), r.FormValue("method")
	}
	return in, nil
}

// parseTarget reads a dispatch target of the page's select: grid:ID, user:ID, unit:NAME or
// department:NAME.
func parseTarget(v string) (*Target, error) {
	kind, id, _ := strings.Cut(v, ":")
	n, _ := strconv.ParseInt(id, 10, 64)
	switch kind {
	case "grid":
		return &Target{Kind: kind, GridID: n}, nil
	case "user":
		return &Target{Kind: kind, UserID: n}, nil
	case "unit", "department":
		return &Target{Kind: kind, Name: id}, nil
	case "":
		return nil, errs.Field("lead", "请选择主办对象")
	}
	return nil, errs.Field("lead", "派遣对象应为网格、人员、共建单位或职能部门")
}

// photo serves a photo of a case the user may see; anything else is 404.
func (h *Handlers) photo(w http.ResponseWriter, r *http.Request) {
	id, err1 := web.PathID(r, "id")
	pid, err2 := web.PathID(r, "photo")
	if err1 != nil || err2 != nil {
		h.kit.NotFound(w, r)
		return
	}
	a, data, err := h.svc.OpenPhoto(r.Context(), id, pid)
	if err != nil {
		if errs.CodeOf(err) == errs.Internal {
			h.kit.Error(w, r, err)
			return
		}
		h.kit.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Content-Disposition", "inline")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}
