package cobuild

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"linli/internal/auth"
	"linli/internal/errs"
	"linli/internal/geo"
	"linli/internal/web"
)

type homeView struct {
	web.Page
	Home *Home
	Who  who
}

type figuresView struct {
	web.Page
	F       *Figures
	Overdue []Milestone
	Pending int // residents' needs waiting for review
	From    string
	To      string
	Query   url.Values
	Who     who
	Year    int
	Quarter int
}

func (h *Handlers) home(w http.ResponseWriter, r *http.Request) {
	if auth.FromContext(r.Context()).Role == auth.UnitContact {
		home, err := h.svc.HomeFor(r.Context())
		if err != nil {
			h.kit.Error(w, r, err)
			return
		}
		h.views.Render(w, r, http.StatusOK, "unit_home.html", &homeView{Page: web.Page{Title: "本单位共建"}, Home: home, Who: whoOf(r)})
		return
	}
	h.figures(w, r)
}

func (h *Handlers) figures(w http.ResponseWriter, r *http.Request) {
	p, err := h.pagePeriod(r)
	var f *Figures
	if err == nil {
		f, err = h.svc.Figures(r.Context(), auth.FromContext(r.Context()), FigureFilter{RegionID: p.region, From: p.from, To: p.to, UnitID: p.unit})
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	today := h.svc.today()
	year, _ := strconv.Atoi(today[:4])
	month, _ := strconv.Atoi(today[5:7])
	v := &figuresView{Page: web.Page{Title: "共驻共建"}, F: f, From: p.from, To: p.to, Query: r.URL.Query(), Who: whoOf(r),
		Year: year, Quarter: (month-1)/3 + 1}
	if v.Overdue, err = h.svc.OverdueMilestones(r.Context()); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v.Pending = h.pendingReviews(r)
	h.views.Render(w, r, http.StatusOK, "figures.html", v)
}

type unitsView struct {
	web.Page
	Units []Unit
	Pager web.Pager
	Query url.Values
	Who   who
}

func (h *Handlers) units(w http.ResponseWriter, r *http.Request) {
	pg := web.PagerFrom(r, 50)
	q := r.URL.Query()
	units, total, err := h.svc.Units(r.Context(), UnitFilter{Kind: q.Get("kind"), Q: q.Get("q"), Limit: pg.Limit, Offset: pg.Offset})
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	pg.Total = total
	h.views.Render(w, r, http.StatusOK, "units.html", &unitsView{Page: web.Page{Title: "共建单位"}, Units: units, Pager: pg, Query: q, Who: whoOf(r)})
}

type unitFormView struct {
	web.Page
	ID          int64
	Form        UnitInput
	Communities []Ref // more than one: the form asks which community's 大党委
}

func (h *Handlers) renderUnitForm(w http.ResponseWriter, r *http.Request, status int, v *unitFormView) {
	v.Communities, _ = h.svc.Communities(r.Context())
	h.views.Render(w, r, status, "unit_form.html", v)
}

func (h *Handlers) newUnit(w http.ResponseWriter, r *http.Request) {
	h.renderUnitForm(w, r, http.StatusOK, &unitFormView{Page: web.Page{Title: "登记共建单位"}, Form: UnitInput{TermYears: 3}})
}

func unitForm(r *http.Request) UnitInput {
	return UnitInput{Name: r.FormValue("name"), Kind: r.FormValue("kind"), CreditCode: r.FormValue("credit_code"),
		Address: r.FormValue("address"), PartyOrg: r.FormValue("party_org"), Secretary: r.FormValue("secretary"),
		SignedOn: r.FormValue("signed_on"), TermYears: web.FormInt(r, "term_years"), Commitments: r.FormValue("commitments"),
		ReportedOn: r.FormValue("reported_on"), ContactUserID: web.QueryInt64(r, "contact_user_id"), RegionID: web.QueryInt64(r, "region_id")}
}

func (h *Handlers) createUnit(w http.ResponseWriter, r *http.Request) {
	in := unitForm(r)
	u, err := h.svc.CreateUnit(r.Context(), in)
	if err != nil {
		v := &unitFormView{Page: web.Page{Title: "登记共建单位"}, Form: in}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.renderUnitForm(w, r, status, v) })
		return
	}
	web.Redirect(w, r, "/cobuild/units/"+strconv.FormatInt(u.ID, 10), "共建单位已登记")
}

type unitView struct {
	web.Page
	Unit       *Unit
	Who        who
	Needs      []Need
	Activities []Activity
	// Members are the in-service party members: the unit's, then the unlinked, then others'.
	Members []UnitMember
	// Lon, Lat locate the unit (WGS-84) when Located.
	Lon, Lat float64
	Located  bool
	// Scans are the photos of the unit's signed agreement.
	Scans []int64
}

func (h *Handlers) unit(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var u *Unit
	if err == nil {
		u, err = h.svc.Unit(r.Context(), id)
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v := &unitView{Page: web.Page{Title: u.Name}, Unit: u, Who: whoOf(r)}
	v.Needs, _, _ = h.svc.Needs(r.Context(), NeedFilter{UnitID: id, Limit: 20})
	v.Activities, _, _ = h.svc.Activities(r.Context(), ActivityFilter{UnitID: id, Limit: 10})
	if v.Members, err = h.svc.UnitMembers(r.Context(), id); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	if v.Lon, v.Lat, v.Located, err = h.svc.UnitLocation(r.Context(), id); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	scans, err := h.svc.PhotoIDs(r.Context(), PhotoAgreement, []int64{id})
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v.Scans = scans[id]
	h.views.Render(w, r, http.StatusOK, "unit.html", v)
}

// unitLocation records where the unit is, for matching by distance.
func (h *Handlers) unitLocation(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	to := "/cobuild/units/" + strconv.FormatInt(id, 10) + "#location"
	lon, err1 := strconv.ParseFloat(strings.TrimSpace(r.PostFormValue("lon")), 64)
	lat, err2 := strconv.ParseFloat(strings.TrimSpace(r.PostFormValue("lat")), 64)
	if err1 != nil || err2 != nil {
		web.Redirect(w, r, to, "请填写数字形式的经度和纬度，如 100.4512、38.9321")
		return
	}
	if err := h.svc.SetUnitLocation(r.Context(), id, lon, lat, geo.CRS(r.PostFormValue("crs"))); err != nil {
		if c := errs.CodeOf(err); c == errs.Invalid || c == errs.Forbidden {
			web.Redirect(w, r, to, errs.MessageOf(err))
			return
		}
		h.kit.Error(w, r, err)
		return
	}
	web.Redirect(w, r, to, "已标注单位位置，匹配资源时将考虑距离")
}

// unitMember links (or, with unlink set, unlinks) an in-service party member to the unit.
func (h *Handlers) unitMember(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	member, _ := strconv.ParseInt(r.PostFormValue("member_id"), 10, 64)
	msg := "已关联在职党员，其志愿服务时长计入本单位"
	if r.PostFormValue("unlink") != "" {
		err, msg = h.svc.UnlinkMember(r.Context(), id, member), "已取消关联"
	} else {
		err = h.svc.LinkMember(r.Context(), id, member)
	}
	to := "/cobuild/units/" + strconv.FormatInt(id, 10) + "#members"
	if err != nil {
		if errs.CodeOf(err) == errs.Invalid {
			web.Redirect(w, r, to, errs.MessageOf(err))
			return
		}
		h.kit.Error(w, r, err)
		return
	}
	web.Redirect(w, r, to, msg)
}

func (h *Handlers) editUnit(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var u *Unit
	if err == nil {
		u, err = h.svc.Unit(r.Context(), id)
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	in := UnitInput{Name: u.Name, Kind: u.Kind, CreditCode: u.CreditCode, Address: u.Address, PartyOrg: u.PartyOrg,
		Secretary: u.Secretary, SignedOn: u.SignedOn, TermYears: u.TermYears, Commitments: u.Commitments, ReportedOn: u.ReportedOn}
	h.renderUnitForm(w, r, http.StatusOK, &unitFormView{Page: web.Page{Title: "修改共建单位"}, ID: id, Form: in})
}

func (h *Handlers) updateUnit(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	in := unitForm(r)
	if err == nil {
		_, err = h.svc.UpdateUnit(r.Context(), id, in)
	}
	if err != nil {
		v := &unitFormView{Page: web.Page{Title: "修改共建单位"}, ID: id, Form: in}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.renderUnitForm(w, r, status, v) })
		return
	}
	web.Redirect(w, r, "/cobuild/units/"+strconv.FormatInt(id, 10), "已保存")
}

type needsView struct {
	web.Page
	Needs []Need
	Pager web.Pager
	Query url.Values
	Who   who
	F     NeedFilter
	// Pending is how many residents' needs wait for the staff member's review.
	Pending int
}

func (h *Handlers) needs(w http.ResponseWriter, r *http.Request) {
	f, err := needFilter(r)
	pg := web.PagerFrom(r, 30)
	f.Limit, f.Offset = pg.Limit, pg.Offset
	var items []Need
	if err == nil {
		items, pg.Total, err = h.svc.Needs(r.Context(), f)
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "needs.html", &needsView{Page: web.Page{Title: "需求清单"}, Needs: items, Pager: pg,
		Query: r.URL.Query(), Who: whoOf(r), F: f, Pending: h.pendingReviews(r)})
}

func (h *Handlers) needsXLSX(w http.ResponseWriter, r *http.Request) {
	f, err := needFilter(r)
	var b []byte
	if err == nil {
		b, err = h.svc.ExportNeeds(r.Context(), f, r.URL.RawQuery)
	}
	h.xlsx(w, r, "需求清单.xlsx", b, err)
}

type needFormView struct {
	web.Page
	Form NeedInput
}

func (h *Handlers) newNeed(w http.ResponseWriter, r *http.Request) {
	in := NeedInput{VisitID: web.QueryInt64(r, "visit"), CaseID: web.QueryInt64(r, "case"), Urgency: "normal", Title: r.URL.Query().Get("title")}
	if in.VisitID > 0 || in.CaseID > 0 {
		in.Beneficiary = "households"
	}
	h.views.Render(w, r, http.StatusOK, "need_form.html", &needFormView{Page: web.Page{Title: "提出需求"}, Form: in})
}

func (h *Handlers) raiseNeed(w http.ResponseWriter, r *http.Request) {
	in := NeedInput{Title: r.FormValue("title"), Category: r.FormValue("category"), Detail: r.FormValue("detail"),
		Beneficiary: r.FormValue("beneficiary"), FocusGroup: r.FormValue("focus_group"), Households: r.FormValue("households"),
		Urgency: r.FormValue("urgency"), WantPeople: web.FormInt(r, "want_people"), WantHours: web.FormInt(r, "want_hours"),
		WantMoney: web.FormInt(r, "want_money"), WantRoom: r.FormValue("want_room") != "", WantSkill: r.FormValue("want_skill"),
		VisitID: web.QueryInt64(r, "visit_id"), CaseID: web.QueryInt64(r, "case_id"), BuildingID: web.QueryInt64(r, "building_id")}
	n, err := h.svc.RaiseNeed(r.Context(), in)
	if err != nil {
		v := &needFormView{Page: web.Page{Title: "提出需求"}, Form: in}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.views.Render(w, r, status, "need_form.html", v) })
		return
	}
	web.Redirect(w, r, "/cobuild/needs/"+strconv.FormatInt(n.ID, 10), "需求已提出，已进入需求清单")
}

type needView struct {
	web.Page
	Need    *Need
	Who     who
	Mine    bool // a unit contact's own need
	Matches []Match
	Units   []Unit
	// ContactName and ContactPhone (masked) name the resident who raised the need publicly.
	ContactName, ContactPhone string
}

func (h *Handlers) need(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var n *Need
	if err == nil {
		n, err = h.svc.Need(r.Context(), id)
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v := &needView{Page: web.Page{Title: n.Title}, Need: n, Who: whoOf(r)}
	if v.ContactName, v.ContactPhone, err = h.svc.NeedContact(r.Context(), id); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	if mine := h.svc.MyUnit(r.Context()); mine > 0 && n.UnitID != nil {
		v.Mine = *n.UnitID == mine
	}
	if v.Who.Staff || v.Who.Unit {
		v.Matches, _ = h.svc.NeedMatches(r.Context(), id)
	}
	if v.Who.Staff && n.State == Raised {
		v.Units = h.unitOptions(r)
	}
	h.views.Render(w, r, http.StatusOK, "need.html", v)
}

func (h *Handlers) claim(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err == nil {
		_, err = h.svc.Claim(r.Context(), id, web.QueryInt64(r, "unit_id"))
	}
	h.done(w, r, err, "/cobuild/needs/"+r.PathValue("id"), "认领成功，请尽快组织实施")
}

func (h *Handlers) needAction(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err == nil {
		_, err = h.svc.NeedAction(r.Context(), id, r.PathValue("action"), Evaluation{Satisfaction: r.FormValue("satisfaction"), Note: r.FormValue("note")})
	}
	h.done(w, r, err, "/cobuild/needs/"+r.PathValue("id"), "已更新")
}

type resourcesView struct {
	web.Page
	Resources []Resource
	Pager     web.Pager
	Query     url.Values
	Who       who
}

func resourceFilter(r *http.Request) (ResourceFilter, error) {
	p, err := readPeriod(r)
	return ResourceFilter{RegionID: p.region, UnitID: p.unit, From: p.from, To: p.to, Kind: r.URL.Query().Get("kind"),
		Used: r.URL.Query().Get("used") == "1"}, err
}

func (h *Handlers) resources(w http.ResponseWriter, r *http.Request) {
	f, err := resourceFilter(r)
	pg := web.PagerFrom(r, 30)
	f.Limit, f.Offset = pg.Limit, pg.Offset
	var items []Resource
	if err == nil {
		items, pg.Total, err = h.svc.Resources(r.Context(), f)
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "resources.html", &resourcesView{Page: web.Page{Title: "资源清单"}, Resources: items, Pager: pg,
		Query: r.URL.Query(), Who: whoOf(r)})
}

func (h *Handlers) resourcesXLSX(w http.ResponseWriter, r *http.Request) {
	f, err := resourceFilter(r)
	var b []byte
	if err == nil {
		b, err = h.svc.ExportResources(r.Context(), f, r.URL.RawQuery)
	}
	h.xlsx(w, r, "资源清单.xlsx", b, err)
}

type resourceFormView struct {
	web.Page
	Form  ResourceInput
	Units []Unit
	Who   who
}

func (h *Handlers) newResource(w http.ResponseWriter, r *http.Request) {
	v := &resourceFormView{Page: web.Page{Title: "提供资源"}, Form: ResourceInput{AvailableFrom: h.svc.today()}, Who: whoOf(r)}
	v.Units = h.unitOptions(r)
	h.views.Render(w, r, http.StatusOK, "resource_form.html", v)
}

func (h *Handlers) offerResource(w http.ResponseWriter, r *http.Request) {
	in := ResourceInput{UnitID: web.QueryInt64(r, "unit_id"), Person: r.FormValue("person"), Kind: r.FormValue("kind"),
		Category: r.FormValue("category"), Title: r.FormValue("title"), Detail: r.FormValue("detail"), Quantity: web.FormInt(r, "quantity"),
		Measure: r.FormValue("measure"), Availability: r.FormValue("availability"), AvailableFrom: r.FormValue("available_from"),
		AvailableTo: r.FormValue("available_to"), Conditions: r.FormValue("conditions")}
	res, err := h.svc.OfferResource(r.Context(), in)
	if err != nil {
		v := &resourceFormView{Page: web.Page{Title: "提供资源"}, Form: in, Units: h.unitOptions(r), Who: whoOf(r)}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.views.Render(w, r, status, "resource_form.html", v) })
		return
	}
	web.Redirect(w, r, "/cobuild/resources/"+strconv.FormatInt(res.ID, 10), "资源已加入资源清单")
}

type resourceView struct {
	web.Page
	Resource *Resource
	Matches  []Match
}

func (h *Handlers) resource(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var res *Resource
	if err == nil {
		res, err = h.svc.Resource(r.Context(), id)
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v := &resourceView{Page: web.Page{Title: res.Title}, Resource: res}
	v.Matches, _ = h.svc.ResourceMatches(r.Context(), id)
	h.views.Render(w, r, http.StatusOK, "resource.html", v)
}
