package party

import (
	"net/http"
	"strconv"

	"linli/internal/web"
)

type orgsView struct {
	web.Page
	Orgs     []Org
	Kind     OrgKind
	RegionID int64
	Query    map[string][]string
	Pager    web.Pager
}

func (h *Handlers) orgs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := &orgsView{Page: web.Page{Title: "党组织列表"}, Kind: OrgKind(q.Get("kind")), RegionID: queryInt(q, "region"),
		Query: q, Pager: web.PagerFrom(r, 50)}
	if v.Kind != "" && v.Kind.Label() == "" {
		v.Kind = ""
	}
	if v.Kind != "" {
		v.Title = v.Kind.Label() + "列表"
	}
	var err error
	v.Orgs, v.Pager.Total, err = h.svc.Orgs(r.Context(), OrgFilter{Kind: v.Kind, RegionID: v.RegionID,
		Limit: v.Pager.Limit, Offset: v.Pager.Offset})
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "orgs.html", v)
}

type orgView struct {
	web.Page
	Org      *Org
	Children []Org
	Members  []Member
	Liaisons []LiaisonHousehold
	// Contacts is this month's contact coverage by liaison household ID, shown when ShowContacts.
	Contacts     map[int64]MonthContacts
	ShowContacts bool
	CanWrite     bool
}

func (h *Handlers) org(w http.ResponseWriter, r *http.Request) {
	v, err := h.orgPage(r)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "org.html", v)
}

func (h *Handlers) orgPage(r *http.Request) (*orgView, error) {
	ctx := r.Context()
	id, err := web.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	v := &orgView{CanWrite: canWrite(r)}
	if v.Org, err = h.svc.Org(ctx, id); err != nil {
		return nil, err
	}
	v.Title = v.Org.Name
	if v.Children, err = h.svc.Children(ctx, id); err != nil {
		return nil, err
	}
	if v.Members, _, err = h.svc.Members(ctx, MemberFilter{OrgID: id, Limit: 500}); err != nil {
		return nil, err
	}
	if v.Liaisons, _, err = h.svc.Liaisons(ctx, LiaisonFilter{OrgID: id, Limit: 500}); err != nil {
		return nil, err
	}
	if h.Contacts != nil {
		if v.Contacts, err = h.Contacts(ctx, id); err != nil {
			return nil, err
		}
		v.ShowContacts = true
	}
	return v, nil
}

type orgFormView struct {
	web.Page
	ID          int64 // 0 when creating
	Form        OrgInput
	Parent      *Org
	Grids       []regionInfo
	Communities []regionInfo
}

func (h *Handlers) orgForm(w http.ResponseWriter, r *http.Request, v *orgFormView, status int) {
	ctx := r.Context()
	var err error
	switch {
	case v.ID != 0:
		v.Title = "编辑" + v.Form.Kind.Label()
	case v.Form.Kind == Committee:
		v.Title = "建立社区党委"
		v.Communities, err = h.svc.CommunitiesWithoutCommittee(ctx)
	case v.Form.Kind == Branch || v.Form.Kind == Group:
		v.Title = "新建" + v.Form.Kind.Label()
		if v.Parent, err = h.svc.Org(ctx, v.Form.ParentID); err == nil && v.Form.Kind == Branch {
			v.Grids, err = h.svc.GridsWithoutBranch(ctx, v.Parent.ID)
		}
	default:
		err = errNoKind
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, status, "org_form.html", v)
}

func (h *Handlers) newOrg(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	h.orgForm(w, r, &orgFormView{Form: OrgInput{Kind: OrgKind(q.Get("kind")), ParentID: queryInt(q, "parent"),
		RegionID: queryInt(q, "region")}}, http.StatusOK)
}

func orgInputFrom(r *http.Request) OrgInput {
	return OrgInput{Kind: OrgKind(r.PostFormValue("kind")), RegionID: web.QueryInt64(r, "region_id"),
		ParentID: web.QueryInt64(r, "parent_id"), GridID: web.QueryInt64(r, "grid_id"), Name: r.PostFormValue("name"),
		Secretary: r.PostFormValue("secretary"), FoundedOn: r.PostFormValue("founded_on"), Note: r.PostFormValue("note")}
}

func (h *Handlers) createOrg(w http.ResponseWriter, r *http.Request) {
	in := orgInputFrom(r)
	o, err := h.svc.CreateOrg(r.Context(), in)
	if err != nil {
		v := &orgFormView{Form: in}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.orgForm(w, r, v, status) })
		return
	}
	web.Redirect(w, r, "/party/orgs/"+strconv.FormatInt(o.ID, 10), "已建立"+o.Name)
}

func (h *Handlers) editOrg(w http.ResponseWriter, r *http.Request) {
	id, o, err := h.pathOrg(r)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.orgForm(w, r, &orgFormView{ID: id, Form: OrgInput{Kind: o.Kind, Name: o.Name, Secretary: o.Secretary,
		FoundedOn: o.FoundedOn, Note: o.Note}}, http.StatusOK)
}

func (h *Handlers) updateOrg(w http.ResponseWriter, r *http.Request) {
	id, o, err := h.pathOrg(r)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	in := orgInputFrom(r)
	in.Kind = o.Kind
	if _, err := h.svc.UpdateOrg(r.Context(), id, OrgUpdate{Name: in.Name, Secretary: in.Secretary,
		FoundedOn: in.FoundedOn, Note: in.Note}); err != nil {
		v := &orgFormView{ID: id, Form: in}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.orgForm(w, r, v, status) })
		return
	}
	web.Redirect(w, r, "/party/orgs/"+strconv.FormatInt(id, 10), "已保存")
}

func (h *Handlers) createBranches(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var created []Org
	if err == nil {
		created, err = h.svc.CreateMissingBranches(r.Context(), id)
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	msg := "每个网格均已建立党支部"
	if len(created) > 0 {
		msg = "已为" + strconv.Itoa(len(created)) + "个网格建立党支部"
	}
	web.Redirect(w, r, "/party/orgs/"+strconv.FormatInt(id, 10), msg)
}

// pathOrg reads the organisation the path's {id} names.
func (h *Handlers) pathOrg(r *http.Request) (int64, *Org, error) {
	id, err := web.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	o, err := h.svc.Org(r.Context(), id)
	return id, o, err
}
