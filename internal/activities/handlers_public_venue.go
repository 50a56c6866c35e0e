package activities

import (
	"net/http"
	"time"

	"linli/internal/clock"
	"linli/internal/web"
)

type publicVenuesView struct {
	web.Page
	Items []Venue
}

func (h *Handlers) publicVenues(w http.ResponseWriter, r *http.Request) {
	vs, err := h.svc.PublicVenues(r.Context())
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "public_venues.html", &publicVenuesView{Page: web.Page{Title: "场地预约"}, Items: vs})
}

type publicVenueView struct {
	web.Page
	Venue      *Venue
	Days       []day
	Week, Prev string
	Next       string
	Form       BookingInput
	Date       string
	From, To   string
	Done       *Booking
	Photos     []int64
}

func (h *Handlers) publicVenue(w http.ResponseWriter, r *http.Request) {
	if v, ok := h.publicVenueData(w, r); ok {
		h.views.Render(w, r, http.StatusOK, "public_venue.html", v)
	}
}

// publicVenueData builds the public page of a room open to residents: its week with the taken
// hours, without who took them, and the booking form; it answers 404 itself for any other room.
func (h *Handlers) publicVenueData(w http.ResponseWriter, r *http.Request) (*publicVenueView, bool) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.NotFound(w, r)
		return nil, false
	}
	ven, err := h.svc.PublicVenue(r.Context(), id)
	if err != nil || !ven.mayBook(BookerResident) {
		h.kit.NotFound(w, r)
		return nil, false
	}
	start := h.weekStart(r)
	bs, err := h.svc.TakenSlots(r.Context(), id, start, start.AddDate(0, 0, 7))
	if err != nil {
		h.kit.Error(w, r, err)
		return nil, false
	}
	v := &publicVenueView{Page: web.Page{Title: ven.Name + " · 场地预约"}, Venue: ven, Days: h.week(r, ven, start, bs),
		Week: start.Format(time.DateOnly), Prev: start.AddDate(0, 0, -7).Format(time.DateOnly),
		Next: start.AddDate(0, 0, 7).Format(time.DateOnly), From: "09:00", To: "11:00",
		Date: h.svc.Now().In(clock.Shanghai()).AddDate(0, 0, ven.Rules.LeadDays).Format(time.DateOnly)}
	if v.Photos, err = h.svc.VenuePhotoIDs(r.Context(), id); err != nil {
		h.kit.Error(w, r, err)
		return nil, false
	}
	return v, true
}

func (h *Handlers) publicBook(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.NotFound(w, r)
		return
	}
	date, from, to := r.PostFormValue("date"), r.PostFormValue("from"), r.PostFormValue("to")
	in := BookingInput{VenueID: id, StartsAt: localTime(date, from), EndsAt: localTime(date, to), Purpose: r.PostFormValue("purpose"),
		Headcount: formInt(r, "headcount"), Commercial: r.PostFormValue("commercial") == "1", Name: r.PostFormValue("name"),
		Phone: r.PostFormValue("phone")}
	b, err := h.svc.BookPublic(r.Context(), in)
	v, ok := h.publicVenueData(w, r)
	if !ok {
		return
	}
	v.Form, v.Date, v.From, v.To = in, date, from, to
	render := func(status int) { h.views.Render(w, r, status, "public_venue.html", v) }
	if err != nil {
		h.kit.FormFailed(w, r, err, &v.Page, render)
		return
	}
	v.Done = b
	render(http.StatusOK)
}
