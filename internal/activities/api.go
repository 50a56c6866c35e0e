package activities

import (
	_ "embed" // the OpenAPI fragment
	"net/http"
	"strconv"
	"time"

	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/errs"
	"linli/internal/web"
)

// OpenAPI is this package's part of /api/v1/openapi.json.
//
//go:embed openapi.json
var OpenAPI []byte

func (h *Handlers) apiRoutes(mux *http.ServeMux) {
	read := func(f http.HandlerFunc) http.Handler { return h.auth.API(auth.ActivitiesRead, f) }
	write := func(f http.HandlerFunc) http.Handler { return h.auth.API(auth.ActivitiesWrite, f) }
	book := func(f http.HandlerFunc) http.Handler { return h.auth.API(auth.VenuesBook, f) }
	anyone := func(f http.HandlerFunc) http.Handler { return h.auth.API("", f) }
	mux.Handle("GET /api/v1/venues", read(h.apiVenues))
	mux.Handle("POST /api/v1/venues", write(h.apiCreateVenue))
	mux.Handle("GET /api/v1/venues/{id}", read(h.apiVenue))
	mux.Handle("GET /api/v1/venues/{id}/bookings", read(h.apiBookings))
	mux.Handle("POST /api/v1/venues/{id}/bookings", book(h.apiBook))
	mux.Handle("POST /api/v1/venues/{id}/bookings/{bid}/actions/{action}", anyone(h.apiBookingAction))
	mux.HandleFunc("GET /api/v1/venues/{id}/calendar.ics", h.venueICS)
	mux.HandleFunc("GET /api/v1/activities/calendar.ics", h.activitiesICS)
	mux.Handle("GET /api/v1/activities", read(h.apiActivities))
	mux.Handle("POST /api/v1/activities", write(h.apiCreateActivity))
	mux.Handle("GET /api/v1/activities/series", read(h.apiSeries))
	mux.Handle("POST /api/v1/activities/series", write(h.apiCreateSeries))
	mux.Handle("GET /api/v1/activities/figures", read(h.apiFigures))
	mux.Handle("GET /api/v1/activities/figures/reach", read(h.apiReach))
	mux.Handle("GET /api/v1/activities/hours", read(h.apiHours))
	mux.Handle("GET /api/v1/activities/{id}", read(h.apiActivity))
	mux.Handle("GET /api/v1/activities/{id}/registrations", read(h.apiRegistrations))
	mux.Handle("POST /api/v1/activities/{id}/registrations", read(h.apiSignUp))
	mux.Handle("DELETE /api/v1/activities/{id}/registrations/{rid}", read(h.apiCancelRegistration))
	mux.Handle("POST /api/v1/activities/{id}/check-ins", write(h.apiCheckIn))
	mux.Handle("GET /api/v1/activities/{id}/volunteers", read(h.apiVolunteers))
	mux.Handle("POST /api/v1/activities/{id}/volunteers", read(h.apiVolunteerSignUp))
	mux.Handle("PUT /api/v1/activities/{id}/volunteers/{vid}/hours", write(h.apiRecordHours))
	mux.Handle("POST /api/v1/activities/{id}/volunteers/{vid}/actions/{action}", write(h.apiVolunteerAction))
}

// ids reads the path's numeric ids, answering 404 for a malformed one.
func (h *Handlers) ids(w http.ResponseWriter, r *http.Request, names ...string) ([]int64, bool) {
	out := make([]int64, len(names))
	for i, n := range names {
		id, err := web.PathID(r, n)
		if err != nil {
			h.kit.APIErr(w, r, errs.E(errs.NotFound, "记录不存在"))
			return nil, false
		}
		out[i] = id
	}
	return out, true
}

func (h *Handlers) apiVenues(w http.ResponseWriter, r *http.Request) {
	vs, err := h.svc.ListVenues(r.Context())
	h.kit.Reply(w, r, http.StatusOK, web.List[Venue]{Items: orEmpty(vs), Total: len(vs)}, err)
}

func (h *Handlers) apiCreateVenue(w http.ResponseWriter, r *http.Request) {
	var in VenueInput
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	v, err := h.svc.CreateVenue(r.Context(), in)
	h.kit.Reply(w, r, http.StatusCreated, v, err)
}

func (h *Handlers) apiVenue(w http.ResponseWriter, r *http.Request) {
	id, ok := h.ids(w, r, "id")
	if !ok {
		return
	}
	v, err := h.svc.Venue(r.Context(), id[0])
	h.kit.Reply(w, r, http.StatusOK, v, err)
}

// period reads from/to (YYYY-MM-DD, Asia/Shanghai, both included) with a default span from today.
func period(r *http.Request, days int, now time.Time) (time.Time, time.Time, error) {
	q := r.URL.Query()
	loc := clock.Shanghai()
	from := time.Date(now.In(loc).Year(), now.In(loc).Month(), now.In(loc).Day(), 0, 0, 0, 0, loc)
	if s := q.Get("from"); s != "" {
		t, err := time.ParseInLocation(time.DateOnly, s, loc)
		if err != nil {
			return time.Time{}, time.Time{}, errs.Field("from", "开始日期格式应为 YYYY-MM-DD")
		}
		from = t
	}
	to := from.AddDate(0, 0, days)
	if s := q.Get("to"); s != "" {
		t, err := time.ParseInLocation(time.DateOnly, s, loc)
		if err != nil || t.Before(from) {
			return time.Time{}, time.Time{}, errs.Field("to", "结束日期格式应为 YYYY-MM-DD，且不早于开始日期")
		}
		to = t.AddDate(0, 0, 1)
	}
	return from, to, nil
}

func (h *Handlers) apiBookings(w http.ResponseWriter, r *http.Request) {
	id, ok := h.ids(w, r, "id")
	if !ok {
		return
	}
	from, to, err := period(r, 7, h.svc.Now())
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	if _, err := h.svc.Venue(r.Context(), id[0]); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	bs, err := h.svc.Bookings(r.Context(), id[0], from, to)
	h.kit.Reply(w, r, http.StatusOK, web.List[Booking]{Items: orEmpty(bs), Total: len(bs)}, err)
}

func (h *Handlers) apiBook(w http.ResponseWriter, r *http.Request) {
	id, ok := h.ids(w, r, "id")
	if !ok {
		return
	}
	var in BookingInput
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	in.VenueID = id[0]
	b, err := h.svc.Book(r.Context(), in)
	h.kit.Reply(w, r, http.StatusCreated, b, err)
}

// bookingActionResult is the answer to a booking action: the booking and what it means.
type bookingActionResult struct {
	Booking *Booking `json:"booking"`
	Message string   `json:"message"`
}

func (h *Handlers) apiBookingAction(w http.ResponseWriter, r *http.Request) {
	id, ok := h.ids(w, r, "bid")
	if !ok {
		return
	}
	var body struct {
		Reason string `json:"reason"`
	}
	if r.ContentLength > 0 {
		if err := web.DecodeJSON(r, &body); err != nil {
			h.kit.APIErr(w, r, err)
			return
		}
	}
	res, err := h.bookingAction(r, id[0], r.PathValue("action"), body.Reason)
	h.kit.Reply(w, r, http.StatusOK, res, err)
}

// bookingAction runs one action on a booking for the API and the pages.
func (h *Handlers) bookingAction(r *http.Request, id int64, action, reason string) (*bookingActionResult, error) {
	ctx := r.Context()
	var b *Booking
	var err error
	switch action {
	case "cancel":
		b, err = h.svc.CancelBooking(ctx, id, reason)
	case "approve", "reject":
		b, err = h.svc.DecideBooking(ctx, id, action == "approve", reason)
	case "no_show":
		res, err := h.svc.MarkNoShow(ctx, id)
		if err != nil {
			return nil, err
		}
		return &bookingActionResult{Booking: res.Booking, Message: res.Message}, nil
	default:
		return nil, errs.E(errs.NotFound, "不支持的操作")
	}
	if err != nil {
		return nil, err
	}
	return &bookingActionResult{Booking: b, Message: "预约" + b.StatusLabel()}, nil
}

// filterFrom reads an activity filter from the query.
func filterFrom(r *http.Request) Filter {
	q := r.URL.Query()
	f := Filter{Kind: q.Get("kind"), From: q.Get("from"), To: q.Get("to"), Upcoming: q.Get("upcoming") == "1",
		Featured: q.Get("featured") == "1", Held: q.Get("held") == "1"}
	f.RegionID, _ = strconv.ParseInt(q.Get("region"), 10, 64)
	f.SeriesID, _ = strconv.ParseInt(q.Get("series"), 10, 64)
	pg := web.PagerFrom(r, 50)
	f.Limit, f.Offset = pg.Limit, pg.Offset
	return f
}

func (h *Handlers) apiActivities(w http.ResponseWriter, r *http.Request) {
	items, total, err := h.svc.ListActivities(r.Context(), filterFrom(r))
	h.kit.Reply(w, r, http.StatusOK, web.List[Activity]{Items: orEmpty(items), Total: total}, err)
}

func (h *Handlers) apiCreateActivity(w http.ResponseWriter, r *http.Request) {
	var in ActivityInput
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	a, err := h.svc.CreateActivity(r.Context(), in)
	h.kit.Reply(w, r, http.StatusCreated, a, err)
}

func (h *Handlers) apiActivity(w http.ResponseWriter, r *http.Request) {
	id, ok := h.ids(w, r, "id")
	if !ok {
		return
	}
	a, err := h.svc.Activity(r.Context(), id[0])
	h.kit.Reply(w, r, http.StatusOK, a, err)
}

func (h *Handlers) apiSeries(w http.ResponseWriter, r *http.Request) {
	s, err := h.svc.ListSeries(r.Context())
	h.kit.Reply(w, r, http.StatusOK, web.List[Series]{Items: orEmpty(s), Total: len(s)}, err)
}

func (h *Handlers) apiCreateSeries(w http.ResponseWriter, r *http.Request) {
	var in Series
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	s, err := h.svc.CreateSeries(r.Context(), in)
	h.kit.Reply(w, r, http.StatusCreated, s, err)
}

func figureFilterFrom(r *http.Request) FigureFilter {
	q := r.URL.Query()
	f := FigureFilter{From: q.Get("from"), To: q.Get("to")}
	f.RegionID, _ = strconv.ParseInt(q.Get("region"), 10, 64)
	return f
}

func (h *Handlers) apiFigures(w http.ResponseWriter, r *http.Request) {
	f, err := h.svc.Figures(r.Context(), figureFilterFrom(r))
	h.kit.Reply(w, r, http.StatusOK, f, err)
}

func (h *Handlers) apiReach(w http.ResponseWriter, r *http.Request) {
	list, err := h.svc.ReachList(r.Context(), figureFilterFrom(r), r.URL.Query().Get("tag"))
	h.kit.Reply(w, r, http.StatusOK, web.List[ReachResident]{Items: orEmpty(list), Total: len(list)}, err)
}

// volunteerFilterFrom reads the hours list's filters: status, period, the figures' region and
// held, and the page (limit and offset or page, which the export ignores). (A form's fields, when
// posted, before the address's.)
func volunteerFilterFrom(r *http.Request) VolunteerFilter {
	f := VolunteerFilter{Status: r.FormValue("status"), From: r.FormValue("from"), To: r.FormValue("to"), Held: r.FormValue("held") == "1"}
	f.RegionID, _ = strconv.ParseInt(r.FormValue("region"), 10, 64)
	pg := web.PagerFrom(r, 50)
	f.Limit, f.Offset = pg.Limit, pg.Offset
	return f
}

func (h *Handlers) apiHours(w http.ResponseWriter, r *http.Request) {
	vs, total, err := h.svc.Volunteers(r.Context(), volunteerFilterFrom(r))
	h.kit.Reply(w, r, http.StatusOK, web.List[Volunteer]{Items: orEmpty(vs), Total: total}, err)
}

func (h *Handlers) apiRegistrations(w http.ResponseWriter, r *http.Request) {
	id, ok := h.ids(w, r, "id")
	if !ok {
		return
	}
	regs, err := h.svc.Registrations(r.Context(), id[0])
	h.kit.Reply(w, r, http.StatusOK, web.List[Registration]{Items: orEmpty(regs), Total: len(regs)}, err)
}

func (h *Handlers) apiSignUp(w http.ResponseWriter, r *http.Request) {
	id, ok := h.ids(w, r, "id")
	if !ok {
		return
	}
	var in SignUpInput
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	in.ActivityID = id[0]
	reg, err := h.svc.SignUp(r.Context(), in)
	h.kit.Reply(w, r, http.StatusCreated, reg, err)
}

func (h *Handlers) apiCancelRegistration(w http.ResponseWriter, r *http.Request) {
	id, ok := h.ids(w, r, "id", "rid")
	if !ok {
		return
	}
	if err := h.svc.CancelRegistration(r.Context(), id[0], id[1]); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// checkInInput is a check-in from the organiser's list (registration_id) or a walk-in (name, phone).
type checkInInput struct {
	RegistrationID int64 `json:"registration_id"`
	SignUpInput
}

func (h *Handlers) apiCheckIn(w http.ResponseWriter, r *http.Request) {
	id, ok := h.ids(w, r, "id")
	if !ok {
		return
	}
	var in checkInInput
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	var reg *Registration
	var err error
	if in.RegistrationID != 0 {
		reg, err = h.svc.CheckIn(r.Context(), id[0], in.RegistrationID)
	} else {
		in.ActivityID = id[0]
		reg, err = h.svc.WalkIn(r.Context(), in.SignUpInput)
	}
	h.kit.Reply(w, r, http.StatusCreated, reg, err)
}

func (h *Handlers) apiVolunteers(w http.ResponseWriter, r *http.Request) {
	id, ok := h.ids(w, r, "id")
	if !ok {
		return
	}
	if _, err := h.svc.Activity(r.Context(), id[0]); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	vs, total, err := h.svc.Volunteers(r.Context(), VolunteerFilter{ActivityID: id[0], Limit: 500})
	h.kit.Reply(w, r, http.StatusOK, web.List[Volunteer]{Items: orEmpty(vs), Total: total}, err)
}

func (h *Handlers) apiVolunteerSignUp(w http.ResponseWriter, r *http.Request) {
	var in VolunteerInput
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	v, err := h.svc.VolunteerSignUp(r.Context(), in)
	h.kit.Reply(w, r, http.StatusCreated, v, err)
}

func (h *Handlers) apiRecordHours(w http.ResponseWriter, r *http.Request) {
	id, ok := h.ids(w, r, "vid")
	if !ok {
		return
	}
	var in HoursInput
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	v, err := h.svc.RecordHours(r.Context(), id[0], in)
	h.kit.Reply(w, r, http.StatusOK, v, err)
}

func (h *Handlers) apiVolunteerAction(w http.ResponseWriter, r *http.Request) {
	id, ok := h.ids(w, r, "vid")
	if !ok {
		return
	}
	v, err := h.volunteerAction(r, id[0], r.PathValue("action"))
	h.kit.Reply(w, r, http.StatusOK, v, err)
}

// volunteerAction runs check_in, check_out, approve or reject on a volunteer record.
func (h *Handlers) volunteerAction(r *http.Request, id int64, action string) (*Volunteer, error) {
	switch action {
	case "check_in", "check_out":
		return h.svc.VolunteerClock(r.Context(), id, action == "check_out")
	case "approve", "reject":
		return h.svc.DecideHours(r.Context(), id, action == "approve")
	}
	return nil, errs.E(errs.NotFound, "不支持的操作")
}

// orEmpty makes a nil list an empty one, so JSON says [] rather than null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
