package cobuild

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"linli/internal/activities"
	"linli/internal/auth"
	"linli/internal/web"
)

type projectsView struct {
	web.Page
	Projects []Project
	Pager    web.Pager
	Query    url.Values
	Who      who
}

func projectFilter(r *http.Request) (ProjectFilter, error) {
	p, err := readPeriod(r)
	return ProjectFilter{RegionID: p.region, UnitID: p.unit, From: p.from, To: p.to, State: ProjectState(r.URL.Query().Get("state"))}, err
}

func (h *Handlers) projects(w http.ResponseWriter, r *http.Request) {
	f, err := projectFilter(r)
	pg := web.PagerFrom(r, 30)
	f.Limit, f.Offset = pg.Limit, pg.Offset
	var items []Project
	if err == nil {
		items, pg.Total, err = h.svc.Projects(r.Context(), f)
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "projects.html", &projectsView{Page: web.Page{Title: "项目清单"}, Projects: items, Pager: pg,
		Query: r.URL.Query(), Who: whoOf(r)})
}

func (h *Handlers) projectsXLSX(w http.ResponseWriter, r *http.Request) {
	f, err := projectFilter(r)
	var b []byte
	if err == nil {
		b, err = h.svc.ExportProjects(r.Context(), f, r.URL.RawQuery)
	}
	h.xlsx(w, r, "项目清单.xlsx", b, err)
}

func (h *Handlers) createProject(w http.ResponseWriter, r *http.Request) {
	in := ProjectInput{NeedID: web.QueryInt64(r, "need_id"), Title: r.FormValue("title"), Plan: r.FormValue("plan")}
	p, err := h.svc.CreateProject(r.Context(), in)
	if err != nil {
		h.done(w, r, err, "/cobuild/needs/"+strconv.FormatInt(in.NeedID, 10), "")
		return
	}
	web.Redirect(w, r, "/cobuild/projects/"+strconv.FormatInt(p.ID, 10), "已立项，请添加项目节点")
}

type projectView struct {
	web.Page
	Project   *Project
	Who       who
	Today     string
	Resources []Resource
}

func (h *Handlers) project(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var p *Project
	if err == nil {
		p, err = h.svc.Project(r.Context(), id)
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v := &projectView{Page: web.Page{Title: p.Title}, Project: p, Who: whoOf(r), Today: h.svc.today()}
	v.Resources, _, _ = h.svc.Resources(r.Context(), ResourceFilter{Limit: 200})
	h.views.Render(w, r, http.StatusOK, "project.html", v)
}

func (h *Handlers) addMilestone(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err == nil {
		_, err = h.svc.AddMilestone(r.Context(), id, MilestoneInput{Title: r.FormValue("title"), DueOn: r.FormValue("due_on")})
	}
	h.done(w, r, err, "/cobuild/projects/"+r.PathValue("id"), "节点已添加")
}

func (h *Handlers) completeMilestone(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	var mid int64
	if err == nil {
		mid, err = web.PathID(r, "milestone")
	}
	if err == nil {
		_, err = h.svc.CompleteMilestone(r.Context(), id, mid)
	}
	h.done(w, r, err, "/cobuild/projects/"+r.PathValue("id"), "节点已完成")
}

func (h *Handlers) useResource(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err == nil {
		_, err = h.svc.UseResource(r.Context(), id, UseInput{ResourceID: web.QueryInt64(r, "resource_id"), Amount: web.FormInt(r, "amount"),
			UsedOn: r.FormValue("used_on"), Note: r.FormValue("note")})
	}
	h.done(w, r, err, "/cobuild/projects/"+r.PathValue("id"), "资源使用已登记")
}

func (h *Handlers) projectAction(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err == nil {
		_, err = h.svc.ProjectAction(r.Context(), id, r.PathValue("action"), Evaluation{Satisfaction: r.FormValue("satisfaction"), Note: r.FormValue("note")})
	}
	h.done(w, r, err, "/cobuild/projects/"+r.PathValue("id"), "项目已更新")
}

type meetingsView struct {
	web.Page
	Meetings []Meeting
	Pager    web.Pager
	Query    url.Values
	Who      who
}

func (h *Handlers) meetings(w http.ResponseWriter, r *http.Request) {
	p, err := readPeriod(r)
	pg := web.PagerFrom(r, 30)
	var items []Meeting
	if err == nil {
		items, pg.Total, err = h.svc.Meetings(r.Context(), MeetingFilter{RegionID: p.region, From: p.from, To: p.to,
			State: r.URL.Query().Get("state"), Limit: pg.Limit, Offset: pg.Offset})
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "meetings.html", &meetingsView{Page: web.Page{Title: "党建联席会议"}, Meetings: items, Pager: pg,
		Query: r.URL.Query(), Who: whoOf(r)})
}

type meetingFormView struct {
	web.Page
	Form        MeetingInput
	StartsAt    string
	Communities []Ref
}

func (h *Handlers) renderMeetingForm(w http.ResponseWriter, r *http.Request, status int, v *meetingFormView) {
	v.Communities, _ = h.svc.Communities(r.Context())
	h.views.Render(w, r, status, "meeting_form.html", v)
}

func (h *Handlers) newMeeting(w http.ResponseWriter, r *http.Request) {
	h.renderMeetingForm(w, r, http.StatusOK, &meetingFormView{Page: web.Page{Title: "安排联席会议"},
		Form: MeetingInput{Cadence: "quarterly", Place: "社区党群服务中心会议室"}})
}

func (h *Handlers) scheduleMeeting(w http.ResponseWriter, r *http.Request) {
	starts, _ := time.ParseInLocation("2006-01-02T15:04", r.FormValue("starts_at"), shanghai)
	in := MeetingInput{Title: r.FormValue("title"), Cadence: r.FormValue("cadence"), StartsAt: starts, Place: r.FormValue("place"),
		Chair: r.FormValue("chair"), RegionID: web.QueryInt64(r, "region_id")}
	m, err := h.svc.ScheduleMeeting(r.Context(), in)
	if err != nil {
		v := &meetingFormView{Page: web.Page{Title: "安排联席会议"}, Form: in, StartsAt: r.FormValue("starts_at")}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.renderMeetingForm(w, r, status, v) })
		return
	}
	web.Redirect(w, r, "/cobuild/meetings/"+strconv.FormatInt(m.ID, 10), "会议已安排，议题征集截止日和通知日已按规定生成")
}

type meetingView struct {
	web.Page
	Meeting *Meeting
	Who     who
	Today   string
	Units   []Unit
	// Community names the meeting's community, which signs the printed notice.
	Community string
}

func (h *Handlers) loadMeeting(w http.ResponseWriter, r *http.Request, page string) {
	id, err := web.PathID(r, "id")
	var m *Meeting
	if err == nil {
		m, err = h.svc.Meeting(r.Context(), id)
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v := &meetingView{Page: web.Page{Title: m.Title}, Meeting: m, Who: whoOf(r), Today: h.svc.today(),
		Community: h.svc.regionName(r.Context(), m.RegionID)}
	if v.Who.Staff {
		v.Units = h.unitOptions(r)
	}
	h.views.Render(w, r, http.StatusOK, page, v)
}

func (h *Handlers) meeting(w http.ResponseWriter, r *http.Request) {
	h.loadMeeting(w, r, "meeting.html")
}

func (h *Handlers) notice(w http.ResponseWriter, r *http.Request) { h.loadMeeting(w, r, "notice.html") }

func (h *Handlers) proposeTopic(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err == nil {
		_, err = h.svc.ProposeTopic(r.Context(), id, TopicInput{Title: r.FormValue("title"), UnitID: web.QueryInt64(r, "unit_id")})
	}
	h.done(w, r, err, "/cobuild/meetings/"+r.PathValue("id"), "议题已提交")
}

func (h *Handlers) recordMinutes(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	in := MinutesInput{Present: formIDs(r, "present"), MinuteTaker: r.FormValue("minute_taker"), Minutes: r.FormValue("minutes"),
		Attendees: map[string]string{}}
	for _, u := range in.Present {
		key := strconv.FormatInt(u, 10)
		in.Attendees[key] = r.FormValue("attendee_" + key)
	}
	if err == nil {
		_, err = h.svc.RecordMinutes(r.Context(), id, in)
	}
	h.done(w, r, err, "/cobuild/meetings/"+r.PathValue("id"), "会议纪要已记录，请登记决议事项")
}

func (h *Handlers) addDecision(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err == nil {
		_, err = h.svc.AddDecision(r.Context(), id, DecisionInput{Text: r.FormValue("text"), UnitID: web.QueryInt64(r, "unit_id"),
			DueOn: r.FormValue("due_on")})
	}
	h.done(w, r, err, "/cobuild/meetings/"+r.PathValue("id"), "决议事项已登记，将跟踪至销号")
}

type decisionsView struct {
	web.Page
	Decisions []Decision
	Pager     web.Pager
	Query     url.Values
	Who       who
	Today     string
}

func (h *Handlers) decisions(w http.ResponseWriter, r *http.Request) {
	f, err := decisionFilter(r)
	pg := web.PagerFrom(r, 50)
	f.Limit, f.Offset = pg.Limit, pg.Offset
	var items []Decision
	if err == nil {
		items, pg.Total, err = h.svc.Decisions(r.Context(), f)
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "decisions.html", &decisionsView{Page: web.Page{Title: "决议事项"}, Decisions: items, Pager: pg,
		Query: r.URL.Query(), Who: whoOf(r), Today: h.svc.today()})
}

func (h *Handlers) closeDecision(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err == nil {
		_, err = h.svc.CloseDecision(r.Context(), id, r.FormValue("note"))
	}
	back := r.FormValue("back")
	if back == "" || back[0] != '/' || (len(back) > 1 && back[1] == '/') {
		back = "/cobuild/decisions"
	}
	h.done(w, r, err, back, "决议事项已销号")
}

type activitiesView struct {
	web.Page
	Activities []Activity
	Pager      web.Pager
	Query      url.Values
	Who        who
	// Photos are each activity's photos; Back returns an upload to this page.
	Photos map[int64][]int64
	Back   string
	// Linked says whether the user opens the activities themselves (the activities capability's page).
	Linked bool
}

// activityFilter reads the co-building activities list's filter from the query.
func activityFilter(r *http.Request) (ActivityFilter, error) {
	p, err := readPeriod(r)
	return ActivityFilter{RegionID: p.region, UnitID: p.unit, From: p.from, To: p.to, NeedID: web.QueryInt64(r, "need"),
		ProjectID: web.QueryInt64(r, "project")}, err
}

func (h *Handlers) activitiesXLSX(w http.ResponseWriter, r *http.Request) {
	f, err := activityFilter(r)
	var b []byte
	if err == nil {
		b, err = h.svc.ExportActivities(r.Context(), f, r.URL.RawQuery)
	}
	h.xlsx(w, r, "共建活动.xlsx", b, err)
}

func (h *Handlers) activities(w http.ResponseWriter, r *http.Request) {
	f, err := activityFilter(r)
	pg := web.PagerFrom(r, 30)
	var items []Activity
	if err == nil {
		f.Limit, f.Offset = pg.Limit, pg.Offset
		items, pg.Total, err = h.svc.Activities(r.Context(), f)
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	ids := make([]int64, len(items))
	for i, a := range items {
		ids[i] = a.ID
	}
	photos, err := h.svc.PhotoIDs(r.Context(), PhotoActivity, ids)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "activities.html", &activitiesView{Page: web.Page{Title: "共建活动"}, Activities: items, Pager: pg,
		Query: r.URL.Query(), Who: whoOf(r), Photos: photos, Back: r.URL.RequestURI(),
		Linked: auth.FromContext(r.Context()).Can(auth.ActivitiesRead)})
}

type activityFormView struct {
	web.Page
	Form  ActivityInput
	Units []Ref
	Kinds []Choice // the activity kinds of internal/activities
}

func activityKinds() []Choice {
	out := make([]Choice, len(activities.ActivityKinds))
	for i, k := range activities.ActivityKinds {
		out[i] = Choice{string(k), k.Label()}
	}
	return out
}

func (h *Handlers) newActivity(w http.ResponseWriter, r *http.Request) {
	h.views.Render(w, r, http.StatusOK, "activity_form.html", &activityFormView{Page: web.Page{Title: "登记共建活动"},
		Form: ActivityInput{HeldOn: h.svc.today(), Start: "09:00", End: "11:00", Kind: "volunteer", NeedID: web.QueryInt64(r, "need"),
			ProjectID: web.QueryInt64(r, "project")},
		Units: h.unitOptionsAll(r), Kinds: activityKinds()})
}

// unitOptionsAll lists every unit of the user's community, partner units included, for activities.
func (h *Handlers) unitOptionsAll(r *http.Request) []Ref {
	units, _ := h.svc.PartnerUnits(r.Context())
	return units
}

func (h *Handlers) recordActivity(w http.ResponseWriter, r *http.Request) {
	in := ActivityInput{Title: r.FormValue("title"), Kind: r.FormValue("kind"), HeldOn: r.FormValue("held_on"),
		Start: r.FormValue("start"), End: r.FormValue("end"), Place: r.FormValue("place"),
		Participants: web.FormInt(r, "participants"), ServiceMinutes: web.FormInt(r, "service_hours") * 60, UnitIDs: formIDs(r, "unit_ids"),
		NeedID: web.QueryInt64(r, "need_id"), ProjectID: web.QueryInt64(r, "project_id"), Summary: r.FormValue("summary")}
	if _, err := h.svc.RecordActivity(r.Context(), in); err != nil {
		v := &activityFormView{Page: web.Page{Title: "登记共建活动"}, Form: in, Units: h.unitOptionsAll(r), Kinds: activityKinds()}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.views.Render(w, r, status, "activity_form.html", v) })
		return
	}
	web.Redirect(w, r, "/cobuild/activities", "共建活动已登记")
}

type cardView struct {
	web.Page
	Card  *ServiceCard
	Query url.Values
}

func (h *Handlers) loadCard(r *http.Request) (*ServiceCard, error) {
	today := h.svc.today()
	year, _ := strconv.Atoi(today[:4])
	month, _ := strconv.Atoi(today[5:7])
	if y := web.FormInt(r, "year"); y > 0 {
		year = y
	}
	q := (month-1)/3 + 1
	if n := web.FormInt(r, "quarter"); n > 0 {
		q = n
	}
	return h.svc.ServiceCard(r.Context(), web.QueryInt64(r, "unit"), year, q)
}

func (h *Handlers) card(w http.ResponseWriter, r *http.Request) {
	c, err := h.loadCard(r)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "card.html", &cardView{Page: web.Page{Title: c.Title()}, Card: c, Query: r.URL.Query()})
}

func (h *Handlers) cardXLSX(w http.ResponseWriter, r *http.Request) {
	c, err := h.loadCard(r)
	var b []byte
	if err == nil {
		b, err = h.svc.ServiceCardXLSX(r.Context(), c)
	}
	name := "服务反馈单.xlsx"
	if c != nil {
		name = c.Title() + ".xlsx"
	}
	h.xlsx(w, r, name, b, err)
}
