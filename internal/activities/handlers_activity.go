package activities

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/errs"
	"linli/internal/photo"
	"linli/internal/register"
	"linli/internal/web"
)

type activitiesView struct {
	web.Page
	Items    []Activity
	Series   []Series
	Pager    web.Pager
	Query    url.Values
	Kinds    []ActivityKind
	CanWrite bool
}

func (h *Handlers) activitiesPage(w http.ResponseWriter, r *http.Request) {
	f := filterFrom(r)
	if r.URL.Query().Get("all") == "" && f.From == "" && f.To == "" && f.SeriesID == 0 && f.Kind == "" {
		f.Upcoming = true
	}
	items, total, err := h.svc.ListActivities(r.Context(), f)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	series, err := h.svc.ListSeries(r.Context())
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	pg := web.PagerFrom(r, 50)
	pg.Total = total
	title := "活动"
	if f.Upcoming {
		title = "近期活动"
	}
	v := &activitiesView{Page: web.Page{Title: title}, Items: items, Series: series, Pager: pg, Query: r.URL.Query(),
		Kinds: ActivityKinds, CanWrite: auth.FromContext(r.Context()).Can(auth.ActivitiesWrite)}
	h.views.Render(w, r, http.StatusOK, "activities.html", v)
}

type activityFormView struct {
	web.Page
	Form      ActivityInput
	Venues    []Venue
	Series    []Series
	Kinds     []ActivityKind
	Tags      []register.Tag
	Start     string
	End       string
	RoleTitle string
	RoleSlots int
}

func (h *Handlers) renderActivityForm(w http.ResponseWriter, r *http.Request, status int, v *activityFormView) {
	var err error
	if v.Venues, err = h.svc.ListVenues(r.Context()); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	if v.Series, err = h.svc.ListSeries(r.Context()); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v.Title, v.Kinds, v.Tags = "发布活动", ActivityKinds, FocusTags
	h.views.Render(w, r, status, "activity_form.html", v)
}

func (h *Handlers) newActivity(w http.ResponseWriter, r *http.Request) {
	p := auth.FromContext(r.Context())
	h.renderActivityForm(w, r, http.StatusOK, &activityFormView{Form: ActivityInput{Organiser: p.RegionName + "居委会",
		Public: true, Cost: "免费"}, RoleSlots: 0})
}

func (h *Handlers) createActivity(w http.ResponseWriter, r *http.Request) {
	in := ActivityInput{Title: r.PostFormValue("title"), Kind: ActivityKind(r.PostFormValue("kind")),
		OrganiserKind: r.PostFormValue("organiser_kind"), Organiser: r.PostFormValue("organiser"), Place: r.PostFormValue("place"),
		StartsAt: localDateTime(r.PostFormValue("starts_at")), EndsAt: localDateTime(r.PostFormValue("ends_at")),
		Audience: r.PostFormValue("audience"), FocusTag: r.PostFormValue("focus_tag"), Capacity: formInt(r, "capacity"),
		Cost: r.PostFormValue("cost"), ContactName: r.PostFormValue("contact_name"), ContactPhone: r.PostFormValue("contact_phone"),
		Public: r.PostFormValue("public") == "1", Description: r.PostFormValue("description")}
	in.SeriesID, _ = strconv.ParseInt(r.PostFormValue("series_id"), 10, 64)
	in.VenueID, _ = strconv.ParseInt(r.PostFormValue("venue_id"), 10, 64)
	if t := localDateTime(r.PostFormValue("signup_closes")); !t.IsZero() {
		in.SignupCloses = &t
	}
	role, slots := strings.TrimSpace(r.PostFormValue("role_title")), formInt(r, "role_slots")
	if role != "" || slots > 0 {
		in.Volunteers = []RoleInput{{Title: role, Slots: slots}}
	}
	a, err := h.svc.CreateActivity(r.Context(), in)
	if err != nil {
		v := &activityFormView{Form: in, Start: r.PostFormValue("starts_at"), End: r.PostFormValue("ends_at"), RoleTitle: role, RoleSlots: slots}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.renderActivityForm(w, r, status, v) })
		return
	}
	web.Redirect(w, r, fmt.Sprintf("/activities/%d", a.ID), "活动已发布")
}

type activityView struct {
	web.Page
	Activity   *Activity
	Regs       []Registration
	Roles      []VolunteerRole
	Volunteers []Volunteer
	CanRun     bool
	IsToday    bool
	Started    bool
	CheckinURL string
	PublicURL  string
	Form       SignUpInput
	Photos     []int64
}

func (h *Handlers) activityPage(w http.ResponseWriter, r *http.Request) {
	if v, ok := h.activityData(w, r); ok {
		h.views.Render(w, r, http.StatusOK, "activity.html", v)
	}
}

// activityData builds an activity's page (sign-ups, volunteers, photos), answering the error itself when it cannot.
func (h *Handlers) activityData(w http.ResponseWriter, r *http.Request) (*activityView, bool) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.NotFound(w, r)
		return nil, false
	}
	ctx := r.Context()
	a, err := h.svc.Activity(ctx, id)
	if err != nil {
		h.kit.Error(w, r, err)
		return nil, false
	}
	v := &activityView{Page: web.Page{Title: a.Title}, Activity: a, CanRun: h.svc.CanRun(ctx, a),
		PublicURL: fmt.Sprintf("/public/activities/%d", a.ID)}
	now := h.svc.Now()
	v.IsToday, v.Started = clock.Date(now) == clock.Date(a.StartsAt), !a.StartsAt.After(now)
	if v.Regs, err = h.svc.Registrations(ctx, id); err != nil {
		h.kit.Error(w, r, err)
		return nil, false
	}
	if v.Roles, err = h.svc.VolunteerRoles(ctx, id); err != nil {
		h.kit.Error(w, r, err)
		return nil, false
	}
	if v.Volunteers, _, err = h.svc.Volunteers(ctx, VolunteerFilter{ActivityID: id, Limit: 500}); err != nil {
		h.kit.Error(w, r, err)
		return nil, false
	}
	if v.Photos, err = h.svc.PhotoIDs(ctx, id); err != nil {
		h.kit.Error(w, r, err)
		return nil, false
	}
	if v.CanRun {
		tok, err := h.svc.CheckinToken(ctx, id)
		if err != nil {
			h.kit.Error(w, r, err)
			return nil, false
		}
		v.CheckinURL = "/checkin/" + tok
	}
	return v, true
}

type posterView struct {
	web.Page
	Activity   *Activity
	SignupURL  string
	CheckinURL string
	Kind       string
}

// poster is the printable poster with the sign-up QR code, or (?kind=checkin) the sheet for the
// door with the check-in QR code.
func (h *Handlers) poster(w http.ResponseWriter, r *http.Request) {
	a, target, ok := h.qrTarget(w, r)
	if !ok {
		return
	}
	kind := r.URL.Query().Get("kind")
	v := &posterView{Page: web.Page{Title: "活动海报 · " + a.Title}, Activity: a, Kind: kind}
	if kind == "checkin" {
		v.Title, v.CheckinURL = "签到二维码 · "+a.Title, target
	} else {
		v.SignupURL = target
	}
	h.views.Render(w, r, http.StatusOK, "poster.html", v)
}

// qrTarget reads the activity and the address its QR code carries: the public page, or the
// check-in page for ?kind=checkin (only for those who run it).
func (h *Handlers) qrTarget(w http.ResponseWriter, r *http.Request) (*Activity, string, bool) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.NotFound(w, r)
		return nil, "", false
	}
	a, err := h.svc.Activity(r.Context(), id)
	if err != nil {
		h.kit.Error(w, r, err)
		return nil, "", false
	}
	if r.URL.Query().Get("kind") == "checkin" {
		tok, err := h.svc.CheckinToken(r.Context(), id)
		if err != nil {
			h.kit.Error(w, r, err)
			return nil, "", false
		}
		return a, h.baseURL(r) + "/checkin/" + tok, true
	}
	return a, fmt.Sprintf("%s/public/activities/%d", h.baseURL(r), a.ID), true
}

// qrImage is the QR code itself (the same library the cases' report sheets use).
func (h *Handlers) qrImage(w http.ResponseWriter, r *http.Request) {
	_, target, ok := h.qrTarget(w, r)
	if !ok {
		return
	}
	png, err := qrcode.Encode(target, qrcode.Medium, 512)
	if err != nil {
		h.kit.Error(w, r, fmt.Errorf("qr code: %w", err))
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, max-age=300")
	_, _ = w.Write(png)
}

// signUpFrom reads a sign-up form.
func signUpFrom(r *http.Request) SignUpInput {
	in := SignUpInput{Name: r.PostFormValue("name"), Phone: r.PostFormValue("phone"), Minor: r.PostFormValue("minor") == "1",
		GuardianName: r.PostFormValue("guardian_name"), GuardianRelation: r.PostFormValue("guardian_relation"),
		Consent: r.PostFormValue("consent") == "1"}
	in.ResidentID, _ = strconv.ParseInt(r.PostFormValue("resident_id"), 10, 64)
	return in
}

func activityURL(r *http.Request) string { return "/activities/" + r.PathValue("id") }

func (h *Handlers) staffSignUp(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.NotFound(w, r)
		return
	}
	in := signUpFrom(r)
	in.ActivityID = id
	reg, err := h.svc.SignUp(r.Context(), in)
	if err != nil {
		v, ok := h.activityData(w, r)
		if !ok {
			return
		}
		v.Form = in
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.views.Render(w, r, status, "activity.html", v) })
		return
	}
	msg := reg.Name + " 报名成功"
	if reg.Status == "waitlisted" {
		msg = "名额已满，" + reg.Name + " 已列入候补，有人取消时自动递补"
	}
	web.Redirect(w, r, activityURL(r), msg)
}

func (h *Handlers) cancelForm(w http.ResponseWriter, r *http.Request) {
	id, err1 := web.PathID(r, "id")
	rid, err2 := web.PathID(r, "rid")
	if err1 != nil || err2 != nil {
		h.kit.NotFound(w, r)
		return
	}
	h.back(w, r, activityURL(r), "已取消报名，候补人员按顺序递补", h.svc.CancelRegistration(r.Context(), id, rid))
}

func (h *Handlers) checkInForm(w http.ResponseWriter, r *http.Request) {
	id, err1 := web.PathID(r, "id")
	rid, err2 := web.PathID(r, "rid")
	if err1 != nil || err2 != nil {
		h.kit.NotFound(w, r)
		return
	}
	reg, err := h.svc.CheckIn(r.Context(), id, rid)
	msg := ""
	if reg != nil {
		msg = reg.Name + " 已签到"
	}
	h.back(w, r, activityURL(r)+"#attendance", msg, err)
}

func (h *Handlers) walkInForm(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.NotFound(w, r)
		return
	}
	in := signUpFrom(r)
	in.ActivityID = id
	reg, err := h.svc.WalkIn(r.Context(), in)
	msg := ""
	if reg != nil {
		msg = reg.Name + " 现场登记并签到"
	}
	h.back(w, r, activityURL(r)+"#attendance", msg, err)
}

func (h *Handlers) summaryForm(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.NotFound(w, r)
		return
	}
	h.back(w, r, activityURL(r), "活动小结已保存", h.svc.SetSummary(r.Context(), id, r.PostFormValue("summary")))
}

func (h *Handlers) hoursForm(w http.ResponseWriter, r *http.Request) {
	vid, err := web.PathID(r, "vid")
	if err != nil {
		h.kit.NotFound(w, r)
		return
	}
	hours, _ := strconv.ParseFloat(strings.TrimSpace(r.PostFormValue("hours")), 64)
	_, err = h.svc.RecordHours(r.Context(), vid, HoursInput{Minutes: int(hours * 60), Content: r.PostFormValue("content")})
	h.back(w, r, activityURL(r)+"#volunteers", "服务时长已登记，待审核", err)
}

var volunteerActionDone = map[string]string{"check_in": "志愿者已签到", "check_out": "志愿者已签退，服务时长待审核",
	"approve": "服务时长已审核通过", "reject": "服务时长已退回"}

func (h *Handlers) volunteerActionForm(w http.ResponseWriter, r *http.Request) {
	vid, err := web.PathID(r, "vid")
	if err != nil {
		h.kit.NotFound(w, r)
		return
	}
	action := r.PathValue("action")
	_, err = h.volunteerAction(r, vid, action)
	to := activityURL(r) + "#volunteers"
	if r.PostFormValue("back") == "hours" {
		to = "/activities/hours"
	}
	h.back(w, r, to, volunteerActionDone[action], err)
}

func (h *Handlers) uploadPhotos(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.NotFound(w, r)
		return
	}
	if err := r.ParseMultipartForm(photo.MaxBytes * 2); err != nil {
		h.back(w, r, activityURL(r), "", errs.Field("photos", "照片太大或上传中断，请重试"))
		return
	}
	n := 0
	for _, fh := range r.MultipartForm.File["photos"] {
		f, err := fh.Open()
		if err != nil {
			h.kit.Error(w, r, err)
			return
		}
		data, err := io.ReadAll(io.LimitReader(f, photo.MaxBytes+1))
		f.Close()
		if err != nil {
			h.kit.Error(w, r, err)
			return
		}
		if _, err := h.svc.AddPhoto(r.Context(), id, fh.Filename, data); err != nil {
			h.back(w, r, activityURL(r), "", err)
			return
		}
		n++
	}
	h.back(w, r, activityURL(r), fmt.Sprintf("已上传%d张照片", n), nil)
}

func (h *Handlers) photo(w http.ResponseWriter, r *http.Request) {
	id, err1 := web.PathID(r, "id")
	pid, err2 := web.PathID(r, "photo")
	if err1 != nil || err2 != nil {
		h.kit.NotFound(w, r)
		return
	}
	data, ctype, _, err := h.svc.Photo(r.Context(), id, pid)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "private, max-age=86400")
	_, _ = w.Write(data)
}

type proofView struct {
	web.Page
	Proof *Proof
}

func (h *Handlers) proofPage(w http.ResponseWriter, r *http.Request) {
	vid, err := web.PathID(r, "vid")
	if err != nil {
		h.kit.NotFound(w, r)
		return
	}
	p, err := h.svc.Proof(r.Context(), vid)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "proof.html", &proofView{Page: web.Page{Title: "志愿服务证明"}, Proof: p})
}
