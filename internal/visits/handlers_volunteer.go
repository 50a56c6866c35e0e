package visits

import (
	"net/http"
	"strconv"
	"strings"

	"linli/internal/auth"
	"linli/internal/errs"
	"linli/internal/web"
)

type gridOption struct {
	ID   int64
	Name string
}

type volunteerView struct {
	web.Page
	Posts    []Post
	Hours    []Hours
	Pending  int
	CanLead  bool
	IsMember bool
	Grids    []gridOption
	Post     PostInput
	Log      HoursInput
	Today    string
}

func (h *Handlers) volunteer(w http.ResponseWriter, r *http.Request) {
	h.renderVolunteer(w, r, http.StatusOK, &volunteerView{})
}

func (h *Handlers) renderVolunteer(w http.ResponseWriter, r *http.Request, status int, v *volunteerView) {
	ctx := r.Context()
	p := auth.FromContext(ctx)
	v.Title, v.CanLead, v.Today = "在职党员志愿服务", canLead(p), h.svc.Today()
	var err error
	if _, _, merr := member(ctx, h.svc.db.R, p); merr == nil {
		v.IsMember = true
	}
	if v.Log.ServedOn == "" {
		v.Log.ServedOn = v.Today
	}
	if v.Posts, err = h.svc.Posts(ctx, h.svc.now().AddDate(0, 0, -30)); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	status2 := ""
	if v.CanLead {
		status2 = "pending"
		if v.Grids, err = h.svc.scopeGrids(r.Context()); err != nil {
			h.kit.Error(w, r, err)
			return
		}
	}
	if v.Hours, v.Pending, err = h.svc.HoursList(ctx, status2, 100, 0); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, status, "volunteer.html", v)
}

func (h *Handlers) createPost(w http.ResponseWriter, r *http.Request) {
	in := PostInput{Title: r.FormValue("title"), Place: r.FormValue("place"), Note: r.FormValue("note"),
		StartsAt: parseLocal(r.FormValue("starts_at")), EndsAt: parseLocal(r.FormValue("ends_at"))}
	in.GridID = web.QueryInt64(r, "grid_id")
	in.Slots, _ = strconv.Atoi(strings.TrimSpace(r.FormValue("slots")))
	if _, err := h.svc.CreatePost(r.Context(), in); err != nil {
		v := &volunteerView{Post: in}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.renderVolunteer(w, r, status, v) })
		return
	}
	web.Redirect(w, r, "/volunteer", "志愿岗位已发布")
}

func (h *Handlers) signUp(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	if err := h.svc.SignUp(r.Context(), id); err != nil {
		if errs.CodeOf(err) == errs.Conflict {
			web.Redirect(w, r, "/volunteer", errs.MessageOf(err))
			return
		}
		h.kit.Error(w, r, err)
		return
	}
	web.Redirect(w, r, "/volunteer", "报名成功")
}

func (h *Handlers) logHours(w http.ResponseWriter, r *http.Request) {
	in := HoursInput{ServedOn: r.FormValue("served_on"), Note: r.FormValue("note"), PostID: web.QueryInt64(r, "post_id")}
	hours, _ := strconv.ParseFloat(strings.TrimSpace(r.FormValue("hours")), 64)
	in.Minutes = int(hours*60 + 0.5)
	if _, err := h.svc.LogHours(r.Context(), in); err != nil {
		v := &volunteerView{Log: in}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.renderVolunteer(w, r, status, v) })
		return
	}
	web.Redirect(w, r, "/volunteer", "服务时长已提交，待网格长审核")
}

func (h *Handlers) decideHours(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	approve := r.FormValue("decision") == "approve"
	if err := h.svc.DecideHours(r.Context(), id, approve, r.FormValue("reason")); err != nil {
		if c := errs.CodeOf(err); c == errs.Invalid || c == errs.Conflict {
			web.Redirect(w, r, "/volunteer", errs.MessageOf(err))
			return
		}
		h.kit.Error(w, r, err)
		return
	}
	msg := "已通过"
	if !approve {
		msg = "已退回"
	}
	web.Redirect(w, r, "/volunteer", "服务时长"+msg)
}

type rankingView struct {
	web.Page
	Year     int
	Years    []int
	Rows     []Standing
	PerHour  float64
	Selected int
}

func (h *Handlers) ranking(w http.ResponseWriter, r *http.Request) {
	cur := yearOf(h.svc.now())
	year, _ := strconv.Atoi(r.URL.Query().Get("year"))
	if year < 2000 || year > cur {
		year = cur
	}
	v := &rankingView{Page: web.Page{Title: "志愿服务积分排行"}, Year: year}
	for y := cur; y > cur-5; y-- {
		v.Years = append(v.Years, y)
	}
	var err error
	if v.Rows, v.PerHour, err = h.svc.Ranking(r.Context(), year); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "ranking.html", v)
}
