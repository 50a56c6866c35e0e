package activities

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"linli/internal/errs"
	"linli/internal/web"
)

// publicRoutes are the pages residents open without signing in: the activities, sign-up, volunteer
// sign-up, the rooms open to residents with their booking form, and the check-in page the door's
// QR code leads to. Residents are known by name and phone for now; phone-verified accounts come
// with the deliberation hall.
func (h *Handlers) publicRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /public/activities", h.publicList)
	mux.HandleFunc("GET /public/activities/{id}", h.publicActivity)
	mux.HandleFunc("POST /public/activities/{id}/signup", h.limited(h.publicSignUp))
	mux.HandleFunc("POST /public/activities/{id}/cancel", h.limited(h.publicCancel))
	mux.HandleFunc("POST /public/activities/{id}/volunteer", h.limited(h.publicVolunteer))
	mux.HandleFunc("GET /public/venues", h.publicVenues)
	mux.HandleFunc("GET /public/venues/{id}", h.publicVenue)
	mux.HandleFunc("POST /public/venues/{id}/bookings", h.limited(h.publicBook))
	mux.HandleFunc("GET /checkin/{token}", h.checkinPage)
	mux.HandleFunc("POST /checkin/{token}", h.limited(h.checkinSubmit))
}

// limited refuses a client address that posts the public forms faster than a person would, so a
// script cannot fill an activity's places or probe phone numbers at the door.
func (h *Handlers) limited(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !h.public.Allow(r, time.Now()) {
			h.kit.Error(w, r, errs.E(errs.TooMany, "操作过于频繁，请稍后再试"))
			return
		}
		next(w, r)
	}
}

type publicListView struct {
	web.Page
	Items []Activity
}

func (h *Handlers) publicList(w http.ResponseWriter, r *http.Request) {
	items, _, err := h.svc.PublicActivities(r.Context(), Filter{Upcoming: true, Limit: 100})
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "public_list.html", &publicListView{Page: web.Page{Title: "社区活动"}, Items: items})
}

type publicActivityView struct {
	web.Page
	Activity  *Activity
	Roles     []VolunteerRole
	Open      bool
	Form      SignUpInput
	Volunteer VolunteerInput
	Done      *Registration
}

func (h *Handlers) publicActivity(w http.ResponseWriter, r *http.Request) {
	if v, ok := h.publicData(w, r); ok {
		h.views.Render(w, r, http.StatusOK, "public_activity.html", v)
	}
}

// publicData builds a public activity's page, answering the error itself when it cannot.
func (h *Handlers) publicData(w http.ResponseWriter, r *http.Request) (*publicActivityView, bool) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.NotFound(w, r)
		return nil, false
	}
	a, err := h.svc.PublicActivity(r.Context(), id)
	if err != nil {
		h.kit.Error(w, r, err)
		return nil, false
	}
	v := &publicActivityView{Page: web.Page{Title: a.Title}, Activity: a, Open: a.SignupOpen(h.svc.Now())}
	if v.Roles, err = h.svc.VolunteerRoles(r.Context(), id); err != nil {
		h.kit.Error(w, r, err)
		return nil, false
	}
	return v, true
}

func (h *Handlers) publicSignUp(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.NotFound(w, r)
		return
	}
	in := signUpFrom(r)
	in.ActivityID, in.ResidentID = id, 0
	reg, err := h.svc.SignUpPublic(r.Context(), in)
	v, ok := h.publicData(w, r)
	if !ok {
		return
	}
	render := func(status int) { h.views.Render(w, r, status, "public_activity.html", v) }
	if err != nil {
		v.Form = in
		h.kit.FormFailed(w, r, err, &v.Page, render)
		return
	}
	v.Done = reg
	render(http.StatusOK)
}

func (h *Handlers) publicCancel(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.NotFound(w, r)
		return
	}
	n, err := h.svc.CancelPublic(r.Context(), id, r.PostFormValue("phone"))
	h.back(w, r, fmt.Sprintf("/public/activities/%d", id), fmt.Sprintf("已取消 %d 个报名", n), err)
}

func (h *Handlers) publicVolunteer(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.NotFound(w, r)
		return
	}
	in := VolunteerInput{Name: r.PostFormValue("name"), Phone: r.PostFormValue("phone"), IDNumber: r.PostFormValue("id_number")}
	in.RoleID, _ = strconv.ParseInt(r.PostFormValue("role_id"), 10, 64)
	v, err := h.svc.VolunteerSignUp(r.Context(), in)
	msg := ""
	if v != nil {
		msg = v.Name + " 已报名志愿岗位「" + v.RoleTitle + "」，活动当天请向组织者签到"
	}
	h.back(w, r, fmt.Sprintf("/public/activities/%d", id), msg, err)
}

type checkinView struct {
	web.Page
	Token string
	Form  SignUpInput
	Done  []Registration
}

func (h *Handlers) checkinPage(w http.ResponseWriter, r *http.Request) {
	h.views.Render(w, r, http.StatusOK, "checkin.html", &checkinView{Page: web.Page{Title: "活动签到"}, Token: r.PathValue("token")})
}

func (h *Handlers) checkinSubmit(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	in := SignUpInput{Name: r.PostFormValue("name"), Phone: r.PostFormValue("phone")}
	done, err := h.svc.DoorCheckIn(r.Context(), tok, in)
	v := &checkinView{Page: web.Page{Title: "活动签到"}, Token: tok, Form: in, Done: done}
	render := func(status int) { h.views.Render(w, r, status, "checkin.html", v) }
	if err != nil {
		h.kit.FormFailed(w, r, err, &v.Page, render)
		return
	}
	render(http.StatusOK)
}
