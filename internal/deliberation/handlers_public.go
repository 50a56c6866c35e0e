package deliberation

import (
	"net/http"
	"strings"
	"time"

	"linli/internal/errs"
	"linli/internal/photo"
	"linli/internal/web"
)

// publicRoutes are the pages residents open without signing in: the hall's topics, meetings and
// decisions, the forms to raise, support, comment, ask, rate, and the room's check-in and ballot
// page the meeting's QR code leads to. A resident is known by name and phone as registered in the
// register; names are never shown (building and role only).
func (h *Handlers) publicRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /public/deliberation", h.publicHome)
	mux.HandleFunc("GET /public/deliberation/new", h.publicNew)
	mux.HandleFunc("GET /public/deliberation/verify", h.verifyPage)
	mux.HandleFunc("POST /public/deliberation/code", h.limited(h.sendCode))
	mux.HandleFunc("POST /public/deliberation/verify", h.limited(h.verifyCode))
	mux.HandleFunc("POST /public/deliberation/signout", h.signOut)
	mux.HandleFunc("POST /public/deliberation/topics", h.limited(h.publicCreate))
	mux.HandleFunc("GET /public/deliberation/topics/{id}", h.publicTopic)
	mux.HandleFunc("GET /public/deliberation/topics/{id}/photos/{photo}", h.publicPhoto)
	mux.HandleFunc("POST /public/deliberation/topics/{id}/{what}", h.limited(h.publicTopicForm))
	mux.HandleFunc("GET /public/deliberation/meetings/{token}", h.publicMeeting)
	mux.HandleFunc("POST /public/deliberation/meetings/{token}/checkin", h.limited(h.publicCheckIn))
	mux.HandleFunc("POST /public/deliberation/meetings/{token}/motions/{mid}", h.limited(h.publicBallot))
}

// limited refuses a client address that posts faster than a person would.
func (h *Handlers) limited(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !h.public.Allow(r, time.Now()) {
			h.kit.Error(w, r, errs.E(errs.TooMany, "操作过于频繁，请稍后再试"))
			return
		}
		next(w, r)
	}
}

// residentFrom is the resident the request's cookie names (verified by the service).
func residentFrom(r *http.Request) ResidentInput {
	var tok string
	if c, err := r.Cookie(ResidentToken); err == nil {
		tok = c.Value
	}
	return ResidentInput{Token: tok}
}

// me is the verified resident of the request, or nil.
func (h *Handlers) me(r *http.Request) *Resident {
	who := residentFrom(r)
	if who.Token == "" {
		return nil
	}
	res, err := h.svc.Verified(r.Context(), who.Token)
	if err != nil {
		return nil
	}
	return res
}

// backTo is the public page to return to after verifying: a path under /public/deliberation.
func backTo(s string) string {
	if strings.HasPrefix(s, "/public/deliberation") && !strings.Contains(s, "//") {
		return s
	}
	return "/public/deliberation"
}

type verifyView struct {
	web.Page
	Back, Name, Phone, Masked string
}

// verifyPage asks a resident for the name and phone the register holds, to text them a code.
func (h *Handlers) verifyPage(w http.ResponseWriter, r *http.Request) {
	h.views.Render(w, r, http.StatusOK, "verify.html", &verifyView{Page: web.Page{Title: "验证手机号"},
		Back: backTo(r.URL.Query().Get("back"))})
}

func (h *Handlers) sendCode(w http.ResponseWriter, r *http.Request) {
	v := &verifyView{Page: web.Page{Title: "验证手机号"}, Back: backTo(r.FormValue("back")), Name: r.FormValue("name"),
		Phone: r.FormValue("phone")}
	masked, err := h.svc.SendCode(r.Context(), ResidentInput{Name: v.Name, Phone: v.Phone})
	if err != nil {
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.views.Render(w, r, status, "verify.html", v) },
			web.ShowOn(errs.Invalid, errs.Conflict, errs.TooMany))
		return
	}
	v.Masked = masked
	h.views.Render(w, r, http.StatusOK, "verify.html", v)
}

func (h *Handlers) verifyCode(w http.ResponseWriter, r *http.Request) {
	v := &verifyView{Page: web.Page{Title: "验证手机号"}, Back: backTo(r.FormValue("back")), Name: r.FormValue("name"),
		Phone: r.FormValue("phone"), Masked: "您的手机"}
	tok, err := h.svc.Verify(r.Context(), ResidentInput{Name: v.Name, Phone: v.Phone}, strings.TrimSpace(r.FormValue("code")))
	if err != nil {
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.views.Render(w, r, status, "verify.html", v) })
		return
	}
	http.SetCookie(w, &http.Cookie{Name: ResidentToken, Value: tok, Path: "/public/deliberation", MaxAge: int(ResidentTTL.Seconds()),
		HttpOnly: true, Secure: h.kit.CookieSecure, SameSite: http.SameSiteLaxMode})
	web.Redirect(w, r, v.Back, "手机号已验证，可以参与议事了")
}

func (h *Handlers) signOut(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: ResidentToken, Path: "/public/deliberation", MaxAge: -1})
	web.Redirect(w, r, "/public/deliberation", "已退出")
}

type publicHomeView struct {
	web.Page
	Me                                 *Resident
	Collecting, Moving, Decided, Ended []Topic
	Meetings                           []Meeting
}

func (h *Handlers) publicHome(w http.ResponseWriter, r *http.Request) {
	items, _, err := h.svc.PublicTopics(r.Context(), Filter{Limit: 200})
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	now := h.svc.Now()
	ms, err := h.svc.PublicMeetings(r.Context(), now.Add(-3*time.Hour), now.AddDate(0, 2, 0))
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v := &publicHomeView{Page: web.Page{Title: "居民议事厅"}, Meetings: ms, Me: h.me(r)}
	for _, t := range items {
		switch {
		case t.State == Proposed || t.State == Queued:
			v.Collecting = append(v.Collecting, t)
		case t.State == Discussing || t.State == Reviewing || t.State == Resolving:
			v.Moving = append(v.Moving, t)
		case t.State == Decided || t.State == Published || t.State == Implementing || t.State == Evaluating:
			v.Decided = append(v.Decided, t)
		default:
			v.Ended = append(v.Ended, t)
		}
	}
	h.views.Render(w, r, http.StatusOK, "public_home.html", v)
}

type publicNewView struct {
	web.Page
	Form      TopicInput
	Me        *Resident
	Building  bool
	MaxPhotos int
}

func (h *Handlers) publicNew(w http.ResponseWriter, r *http.Request) {
	h.views.Render(w, r, http.StatusOK, "public_new.html", &publicNewView{Page: web.Page{Title: "我要提议题"}, Building: true, Me: h.me(r),
		MaxPhotos: MaxPhotos})
}

func (h *Handlers) publicCreate(w http.ResponseWriter, r *http.Request) {
	files, err := photo.FromForm(w, r, MaxPhotos)
	v := &publicNewView{Page: web.Page{Title: "我要提议题"}, Form: TopicInput{Title: r.FormValue("title"),
		Description: r.FormValue("description")}, Me: h.me(r), Building: r.FormValue("scope") == "building", MaxPhotos: MaxPhotos}
	var t *Topic
	if err == nil {
		t, err = h.svc.CreatePublicTopic(r.Context(), residentFrom(r), v.Form, v.Building, files...)
	}
	if err != nil {
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.views.Render(w, r, status, "public_new.html", v) })
		return
	}
	web.Redirect(w, r, "/public/deliberation/topics/"+itoa(t.ID), "议题已提交，正在征集邻居支持")
}

func (h *Handlers) publicTopic(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	pa, err := h.svc.PublicPath(r.Context(), id)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "topic.html", &topicView{Page: web.Page{Title: pa.Topic.Title}, Path: pa, Public: true,
		Me: h.me(r)})
}

// publicTopicForm takes a resident's support, comment, question or rating.
func (h *Handlers) publicTopicForm(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	who, to := residentFrom(r), "/public/deliberation/topics/"+itoa(id)
	switch r.PathValue("what") {
	case "support":
		_, err = h.svc.SupportPublic(r.Context(), id, who)
		h.back(w, r, to, "感谢支持！本户的支持已记录", err)
	case "comment":
		h.back(w, r, to, "意见已发表", h.svc.CommentPublic(r.Context(), id, who, r.FormValue("body")))
	case "question":
		h.back(w, r, to, "疑问已提交，社区将在3日内答复", h.svc.AskPublic(r.Context(), id, who, r.FormValue("question")))
	case "rate":
		h.back(w, r, to, "感谢评议！", h.svc.RatePublic(r.Context(), id, who, web.FormInt(r, "score"), r.FormValue("comment")))
	default:
		h.kit.Error(w, r, errs.E(errs.NotFound, "页面不存在"))
	}
}

type publicMeetingView struct {
	web.Page
	Me      *Resident
	M       *Meeting
	Agenda  []AgendaItem
	Motions []Motion
	Token   string
}

func (h *Handlers) publicMeeting(w http.ResponseWriter, r *http.Request) {
	tok := strings.TrimSpace(r.PathValue("token"))
	m, err := h.svc.PublicMeeting(r.Context(), tok)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v := &publicMeetingView{Page: web.Page{Title: m.Title}, M: m, Token: tok, Me: h.me(r)}
	if v.Agenda, err = h.svc.Agenda(r.Context(), m.ID); err == nil {
		v.Motions, err = h.svc.Motions(r.Context(), m.ID)
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "public_meeting.html", v)
}

func (h *Handlers) publicCheckIn(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	_, err := h.svc.CheckInPublic(r.Context(), tok, residentFrom(r))
	h.back(w, r, "/public/deliberation/meetings/"+tok, "签到成功，可以参加表决", err)
}

func (h *Handlers) publicBallot(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	mid, err := web.PathID(r, "mid")
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	err = h.svc.BallotPublic(r.Context(), tok, mid, residentFrom(r), Choice(r.FormValue("choice")))
	h.back(w, r, "/public/deliberation/meetings/"+tok, "投票成功", err)
}
