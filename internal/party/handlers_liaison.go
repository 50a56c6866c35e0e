package party

import (
	"net/http"
	"net/url"
	"strconv"

	"linli/internal/web"
)

type liaisonsView struct {
	web.Page
	Liaisons []LiaisonHousehold
	Orgs     []*Org
	Filter   LiaisonFilter
	Query    url.Values
	Pager    web.Pager
}

func (h *Handlers) liaisons(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := &liaisonsView{Page: web.Page{Title: "党员联系户"}, Query: q, Pager: web.PagerFrom(r, 50),
		Filter: LiaisonFilter{OrgID: queryInt(q, "org"), RegionID: queryInt(q, "region"), MemberID: queryInt(q, "member")}}
	v.Filter.Limit, v.Filter.Offset = v.Pager.Limit, v.Pager.Offset
	var err error
	if v.Liaisons, v.Pager.Total, err = h.svc.Liaisons(r.Context(), v.Filter); err == nil {
		v.Orgs, err = h.svc.Tree(r.Context())
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "liaisons.html", v)
}

type liaisonView struct {
	web.Page
	Liaison     *LiaisonHousehold
	Households  []CoveredHousehold
	Suggestions []Candidate
	CanWrite    bool
	TypicalMin  int
	TypicalMax  int
}

// Fewer reports fewer covered households than usual.
func (v *liaisonView) Fewer() bool { return v.Liaison.Covered < v.TypicalMin }

// More reports more covered households than usual.
func (v *liaisonView) More() bool { return v.Liaison.Covered > v.TypicalMax }

func (h *Handlers) loadLiaison(r *http.Request, id int64) (*liaisonView, error) {
	ctx := r.Context()
	v := &liaisonView{CanWrite: canWrite(r), TypicalMin: TypicalCoverMin, TypicalMax: TypicalCoverMax}
	var err error
	if v.Liaison, err = h.svc.Liaison(ctx, id); err != nil {
		return nil, err
	}
	v.Title = "党员联系户 · " + v.Liaison.MemberName
	if v.Households, _, err = h.svc.Covered(ctx, CoveredFilter{LiaisonID: id}); err != nil {
		return nil, err
	}
	if v.CanWrite {
		if v.Suggestions, err = h.svc.SuggestCovered(ctx, id, 30); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (h *Handlers) liaison(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var v *liaisonView
	if err == nil {
		v, err = h.loadLiaison(r, id)
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "liaison.html", v)
}

// liaisonAction re-shows the liaison page with the action's error, or redirects with msg.
func (h *Handlers) liaisonAction(w http.ResponseWriter, r *http.Request, id int64, err error, msg string) {
	if err == nil {
		web.Redirect(w, r, "/party/liaison/"+strconv.FormatInt(id, 10), msg)
		return
	}
	v, lerr := h.loadLiaison(r, id)
	if lerr != nil {
		h.kit.Error(w, r, lerr)
		return
	}
	h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.views.Render(w, r, status, "liaison.html", v) })
}

func (h *Handlers) coverHouseholds(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	_ = r.ParseForm()
	var ids []int64
	for _, s := range r.PostForm["household_id"] {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
			ids = append(ids, n)
		}
	}
	_, err = h.svc.CoverHouseholds(r.Context(), id, ids)
	h.liaisonAction(w, r, id, err, "已添加"+strconv.Itoa(len(ids))+"户联系户")
}

func (h *Handlers) uncoverHousehold(w http.ResponseWriter, r *http.Request) {
	id, hid, err := coveredPath(r)
	if err == nil {
		err = h.svc.UncoverHousehold(r.Context(), id, hid)
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	web.Redirect(w, r, "/party/liaison/"+strconv.FormatInt(id, 10), "已移除该户")
}

func (h *Handlers) deleteLiaison(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var l *LiaisonHousehold
	if err == nil {
		if l, err = h.svc.Liaison(r.Context(), id); err == nil {
			err = h.svc.DeleteLiaison(r.Context(), id)
		}
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	web.Redirect(w, r, "/party/orgs/"+strconv.FormatInt(l.OrgID, 10), "已撤销"+l.MemberName+"的党员联系户")
}

type liaisonFormView struct {
	web.Page
	Form    LiaisonInput
	Member  *Member
	Choices []Candidate
}

func (h *Handlers) liaisonForm(w http.ResponseWriter, r *http.Request, v *liaisonFormView, status int) {
	v.Title = "设立党员联系户"
	var err error
	if v.Member, err = h.svc.Member(r.Context(), v.Form.MemberID); err == nil && v.Member.HouseholdID == nil {
		v.Choices, err = h.svc.HouseholdChoices(r.Context(), v.Member.OrgID)
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, status, "liaison_form.html", v)
}

func (h *Handlers) newLiaison(w http.ResponseWriter, r *http.Request) {
	memberID := queryInt(r.URL.Query(), "member")
	if m, err := h.svc.Member(r.Context(), memberID); err == nil && m.LiaisonID != nil {
		web.Redirect(w, r, "/party/liaison/"+strconv.FormatInt(*m.LiaisonID, 10), m.Name+"已负责一个党员联系户")
		return
	}
	h.liaisonForm(w, r, &liaisonFormView{Form: LiaisonInput{MemberID: memberID}}, http.StatusOK)
}

func (h *Handlers) createLiaison(w http.ResponseWriter, r *http.Request) {
	in := LiaisonInput{MemberID: web.QueryInt64(r, "member_id"), HouseholdID: web.QueryInt64(r, "household_id"),
		Since: r.PostFormValue("since"), Note: r.PostFormValue("note")}
	l, err := h.svc.CreateLiaison(r.Context(), in)
	if err != nil {
		v := &liaisonFormView{Form: in}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.liaisonForm(w, r, v, status) })
		return
	}
	web.Redirect(w, r, "/party/liaison/"+strconv.FormatInt(l.ID, 10), "已设立党员联系户，请添加其联系的住户")
}

type coveredView struct {
	web.Page
	Households []CoveredHousehold
	Liaisons   map[int64]string
	Query      url.Values
	Pager      web.Pager
}

func (h *Handlers) covered(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := &coveredView{Page: web.Page{Title: "联系覆盖住户"}, Query: q, Pager: web.PagerFrom(r, 100), Liaisons: map[int64]string{}}
	f := CoveredFilter{OrgID: queryInt(q, "org"), RegionID: queryInt(q, "region"), LiaisonID: queryInt(q, "liaison"),
		Limit: v.Pager.Limit, Offset: v.Pager.Offset}
	var err error
	if v.Households, v.Pager.Total, err = h.svc.Covered(r.Context(), f); err == nil {
		var ls []LiaisonHousehold
		if ls, _, err = h.svc.Liaisons(r.Context(), LiaisonFilter{RegionID: f.RegionID, OrgID: f.OrgID, Limit: 100000}); err == nil {
			for _, l := range ls {
				v.Liaisons[l.ID] = l.MemberName + "（" + l.Address + "）"
			}
		}
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "covered.html", v)
}

// coveredPath reads the liaison household and covered household IDs of the path ({id}, {household}).
func coveredPath(r *http.Request) (liaison, household int64, err error) {
	if liaison, err = web.PathID(r, "id"); err == nil {
		household, err = web.PathID(r, "household")
	}
	return liaison, household, err
}
