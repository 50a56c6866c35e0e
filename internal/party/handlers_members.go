package party

import (
	"net/http"
	"net/url"
	"strconv"

	"linli/internal/web"
)

type membersView struct {
	web.Page
	Members  []Member
	Orgs     []*Org
	Filter   MemberFilter
	Query    url.Values
	Pager    web.Pager
	CanWrite bool
}

func memberFilterFrom(q url.Values) MemberFilter {
	f := MemberFilter{OrgID: queryInt(q, "org"), RegionID: queryInt(q, "region"), Kind: MemberKind(q.Get("kind")),
		Status: MemberStatus(q.Get("status")), Q: q.Get("q"), Inactive: q.Get("inactive") == "1"}
	if f.Kind.Label() == "" {
		f.Kind = ""
	}
	if f.Status.Label() == "" {
		f.Status = ""
	}
	return f
}

func (h *Handlers) members(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := &membersView{Page: web.Page{Title: "党员名册"}, Filter: memberFilterFrom(q), Query: q,
		Pager: web.PagerFrom(r, 50), CanWrite: canWrite(r)}
	if v.Filter.Kind == InServiceMember {
		v.Title = "在职党员报到名单"
	}
	if v.Filter.Inactive {
		v.Title = "已减少党员"
	}
	v.Filter.Limit, v.Filter.Offset = v.Pager.Limit, v.Pager.Offset
	var err error
	var n int
	if v.Members, n, err = h.svc.Members(r.Context(), v.Filter); err == nil {
		v.Pager.Count(n)
		v.Orgs, err = h.svc.Tree(r.Context())
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "members.html", v)
}

type memberView struct {
	web.Page
	Member   *Member
	Orgs     []*Org
	CanWrite bool
}

func (h *Handlers) member(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	v := &memberView{CanWrite: canWrite(r)}
	if err == nil {
		if v.Member, err = h.svc.Member(r.Context(), id); err == nil && v.CanWrite {
			v.Orgs, err = h.svc.Tree(r.Context())
		}
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v.Title = v.Member.Name
	h.views.Render(w, r, http.StatusOK, "member.html", v)
}

type memberFormView struct {
	web.Page
	ID       int64 // 0 when creating
	Form     MemberInput
	Resident *ResidentHit
	Q        string
	Hits     []ResidentHit
	Searched bool
	Orgs     []*Org
}

func (h *Handlers) memberForm(w http.ResponseWriter, r *http.Request, v *memberFormView, status int) {
	ctx := r.Context()
	var err error
	switch {
	case v.ID != 0:
		v.Title = "编辑党员信息"
	case v.Form.Kind == InServiceMember:
		v.Title = "在职党员报到登记"
	default:
		v.Title = "登记党员"
	}
	if v.Form.ResidentID > 0 && v.Resident == nil {
		v.Resident, err = h.svc.Resident(ctx, v.Form.ResidentID)
	}
	if err == nil && v.Q != "" {
		v.Hits, err = h.svc.SearchResidents(ctx, v.Q)
		v.Searched = true
	}
	if err == nil {
		v.Orgs, err = h.svc.Tree(ctx)
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, status, "member_form.html", v)
}

func (h *Handlers) newMember(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	in := MemberInput{Kind: MemberKind(q.Get("kind")), ResidentID: queryInt(q, "resident"), OrgID: queryInt(q, "org")}
	if in.Kind != InServiceMember {
		in.Kind = ResidentMember
	}
	h.memberForm(w, r, &memberFormView{Form: in, Q: q.Get("q")}, http.StatusOK)
}

func memberInputFrom(r *http.Request) MemberInput {
	return MemberInput{OrgID: web.QueryInt64(r, "org_id"), ResidentID: web.QueryInt64(r, "resident_id"),
		Name: r.PostFormValue("name"), Gender: r.PostFormValue("gender"), Phone: r.PostFormValue("phone"),
		JoinedOn: r.PostFormValue("joined_on"), Status: MemberStatus(r.PostFormValue("status")),
		Kind: MemberKind(r.PostFormValue("kind")), Employment: Employment(r.PostFormValue("employment")),
		Workplace: r.PostFormValue("workplace"), HomeOrg: r.PostFormValue("home_org"), Skills: r.PostFormValue("skills"),
		RegisteredOn: r.PostFormValue("registered_on"), Note: r.PostFormValue("note")}
}

func (h *Handlers) createMember(w http.ResponseWriter, r *http.Request) {
	in := memberInputFrom(r)
	m, err := h.svc.CreateMember(r.Context(), in)
	if err != nil {
		in.Phone = ""
		v := &memberFormView{Form: in}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.memberForm(w, r, v, status) })
		return
	}
	msg := "已登记党员" + m.Name
	if m.Kind == InServiceMember {
		msg = m.Name + "已报到登记"
	}
	web.Redirect(w, r, "/party/members/"+strconv.FormatInt(m.ID, 10), msg)
}

func (h *Handlers) editMember(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var m *Member
	if err == nil {
		m, err = h.svc.Member(r.Context(), id)
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.memberForm(w, r, &memberFormView{ID: id, Form: inputOf(m)}, http.StatusOK)
}

// inputOf returns a member's editable fields; the phone stays empty (kept unless replaced).
func inputOf(m *Member) MemberInput {
	in := MemberInput{OrgID: m.OrgID, Name: m.Name, Gender: m.Gender, JoinedOn: m.JoinedOn, Status: m.Status,
		Kind: m.Kind, Employment: m.Employment, Workplace: m.Workplace, HomeOrg: m.HomeOrg, Skills: m.Skills,
		RegisteredOn: m.RegisteredOn, Note: m.Note}
	if m.ResidentID != nil {
		in.ResidentID = *m.ResidentID
	}
	return in
}

func (h *Handlers) updateMember(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	in := memberInputFrom(r)
	if _, err := h.svc.UpdateMember(r.Context(), id, in); err != nil {
		in.Phone = ""
		v := &memberFormView{ID: id, Form: in}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.memberForm(w, r, v, status) })
		return
	}
	web.Redirect(w, r, "/party/members/"+strconv.FormatInt(id, 10), "已保存")
}

// memberAction re-shows the member page with the action's error, or redirects with msg.
func (h *Handlers) memberAction(w http.ResponseWriter, r *http.Request, id int64, err error, msg string) {
	if err == nil {
		web.Redirect(w, r, "/party/members/"+strconv.FormatInt(id, 10), msg)
		return
	}
	v := &memberView{CanWrite: true}
	var lerr error
	if v.Member, lerr = h.svc.Member(r.Context(), id); lerr == nil {
		v.Orgs, lerr = h.svc.Tree(r.Context())
	}
	if lerr != nil {
		h.kit.Error(w, r, lerr)
		return
	}
	v.Title = v.Member.Name
	h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.views.Render(w, r, status, "member.html", v) })
}

func (h *Handlers) transferMember(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	m, err := h.svc.TransferMember(r.Context(), id, web.QueryInt64(r, "org_id"), r.PostFormValue("note"))
	msg := ""
	if err == nil {
		msg = "已转入" + m.OrgName
	}
	h.memberAction(w, r, id, err, msg)
}

func (h *Handlers) deactivateMember(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	_, err = h.svc.DeactivateMember(r.Context(), id, r.PostFormValue("reason"), r.PostFormValue("left_on"))
	h.memberAction(w, r, id, err, "已办理党员减少")
}
