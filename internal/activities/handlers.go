package activities

import (
	"embed"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/errs"
	"linli/internal/register"
	"linli/internal/web"
)

//go:embed templates/*.html
var templatesFS embed.FS

// Handlers serves the venues and activities pages, the public pages and the API.
type Handlers struct {
	svc   *Service
	auth  auth.Guard
	kit   *web.Kit
	views *web.Views
	base  string // the configured public address, for QR codes and feeds
	// public limits the public forms per client address: a burst of 20, then one every 30 seconds.
	public *web.Limiter
}

// NewHandlers returns the handlers; it parses the templates and panics if one is broken. baseURL
// is the public address residents reach (empty: the request's host).
func NewHandlers(svc *Service, a auth.Guard, kit *web.Kit, baseURL string) *Handlers {
	funcs := template.FuncMap{
		"clock":    func(t time.Time) string { return t.In(clock.Shanghai()).Format("15:04") },
		"tagLabel": func(t string) string { return register.Tag(t).Label() },
		"pct":      func(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" },
		"orgLabel": OrganiserLabel,
		"hoursOf":  func(m int) string { return hoursText(time.Duration(m) * time.Minute) },
		"dt": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return t.In(clock.Shanghai()).Format("2006-01-02 15:04")
		},
	}
	return &Handlers{svc: svc, auth: a, kit: kit, views: kit.Views(templatesFS, funcs), base: baseURL,
		public: web.NewLimiter(30*time.Second, 20)}
}

// Routes registers the pages, the public pages and the API.
func (h *Handlers) Routes(mux *http.ServeMux) {
	read := func(f http.HandlerFunc) http.Handler { return h.auth.Page(auth.ActivitiesRead, f) }
	write := func(f http.HandlerFunc) http.Handler { return h.auth.Page(auth.ActivitiesWrite, f) }
	mux.Handle("GET /venues", read(h.venuesPage))
	mux.Handle("GET /venues/{id}", read(h.venuePage))
	mux.Handle("POST /venues/{id}/bookings", h.auth.Page(auth.VenuesBook, h.bookForm))
	mux.Handle("POST /venues/{id}/bookings/{bid}/{action}", read(h.bookingActionForm))
	h.venueSettingsRoutes(mux, read, write)
	mux.Handle("GET /activities", read(h.activitiesPage))
	mux.Handle("GET /activities/new", write(h.newActivity))
	mux.Handle("POST /activities", write(h.createActivity))
	mux.Handle("GET /activities/figures", read(h.figuresPage))
	mux.Handle("GET /activities/figures/reach", read(h.reachPage))
	mux.Handle("GET /activities/hours", read(h.hoursPage))
	mux.Handle("GET /activities/hours/export.xlsx", write(h.exportHours))
	mux.Handle("POST /activities/hours/export.xlsx", write(h.exportHours))
	mux.Handle("GET /activities/{id}", read(h.activityPage))
	mux.Handle("GET /activities/{id}/poster", read(h.poster))
	mux.Handle("GET /activities/{id}/qr.png", read(h.qrImage))
	mux.Handle("POST /activities/{id}/registrations", read(h.staffSignUp))
	mux.Handle("POST /activities/{id}/registrations/{rid}/cancel", read(h.cancelForm))
	mux.Handle("POST /activities/{id}/registrations/{rid}/checkin", write(h.checkInForm))
	mux.Handle("POST /activities/{id}/walk-ins", write(h.walkInForm))
	mux.Handle("POST /activities/{id}/summary", write(h.summaryForm))
	mux.Handle("POST /activities/{id}/photos", write(h.uploadPhotos))
	mux.Handle("GET /activities/{id}/photos/{photo}", read(h.photo))
	mux.Handle("POST /activities/{id}/volunteers/{vid}/hours", write(h.hoursForm))
	mux.Handle("POST /activities/{id}/volunteers/{vid}/{action}", write(h.volunteerActionForm))
	mux.Handle("GET /activities/{id}/volunteers/{vid}/proof", write(h.proofPage))
	h.publicRoutes(mux)
	h.apiRoutes(mux)
}

// baseURL is the public address for links that leave the browser (QR codes, feeds).
func (h *Handlers) baseURL(r *http.Request) string { return web.BaseURL(r, h.base) }

// back answers a button's POST: to the page with the outcome as a flash, error or not.
func (h *Handlers) back(w http.ResponseWriter, r *http.Request, to, ok string, err error) {
	if err != nil {
		if c := errs.CodeOf(err); c != errs.Invalid && c != errs.Conflict && c != errs.Forbidden {
			h.kit.Error(w, r, err)
			return
		}
		web.Redirect(w, r, to, errs.MessageOf(err))
		return
	}
	web.Redirect(w, r, to, ok)
}

// day is one day of a week view: the date and the bookings on it.
type day struct {
	Date     time.Time
	Label    string
	Open     bool
	Bookings []Booking
}

// week lays bookings out over seven days from start.
func (h *Handlers) week(r *http.Request, v *Venue, start time.Time, bs []Booking) []day {
	cal, _ := h.svc.opts.Calendar(r.Context())
	names := []string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}
	var out []day
	for i := range 7 {
		d := start.AddDate(0, 0, i)
		x := day{Date: d, Label: d.Format("1月2日") + " " + names[d.Weekday()], Open: true}
		if v != nil && cal != nil {
			x.Open = v.OpenOn(cal, d)
		}
		for _, b := range bs {
			if v != nil && b.VenueID != v.ID {
				continue
			}
			if b.StartsAt.In(clock.Shanghai()).Format(time.DateOnly) == d.Format(time.DateOnly) {
				x.Bookings = append(x.Bookings, b)
			}
		}
		out = append(out, x)
	}
	return out
}

// weekStart is the Monday of the week asked for (?week=YYYY-MM-DD), this week by default.
func (h *Handlers) weekStart(r *http.Request) time.Time {
	now := h.svc.Now().In(clock.Shanghai())
	d := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, clock.Shanghai())
	if s := r.URL.Query().Get("week"); s != "" {
		if t, err := time.ParseInLocation(time.DateOnly, s, clock.Shanghai()); err == nil {
			d = t
		}
	}
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

type venueRowView struct {
	Venue Venue
	Days  []day
}

type venuesView struct {
	web.Page
	Rows       []venueRowView
	Days       []day
	Week, Prev string
	Next       string
}

func (h *Handlers) venuesPage(w http.ResponseWriter, r *http.Request) {
	vs, err := h.svc.ListVenues(r.Context())
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	start := h.weekStart(r)
	bs, err := h.svc.Bookings(r.Context(), 0, start, start.AddDate(0, 0, 7))
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v := &venuesView{Page: web.Page{Title: "阵地预约"}, Days: h.week(r, nil, start, nil), Week: start.Format(time.DateOnly),
		Prev: start.AddDate(0, 0, -7).Format(time.DateOnly), Next: start.AddDate(0, 0, 7).Format(time.DateOnly)}
	for i := range vs {
		v.Rows = append(v.Rows, venueRowView{Venue: vs[i], Days: h.week(r, &vs[i], start, bs)})
	}
	h.views.Render(w, r, http.StatusOK, "venues.html", v)
}

type venueView struct {
	web.Page
	Venue      *Venue
	Days       []day
	Week, Prev string
	Next       string
	Form       BookingInput
	Date       string
	From, To   string
	CanRun     bool
	CanBook    bool
	UserKey    string
	ICS        string
	Photos     []int64
	MaxPhotos  int
}

func (h *Handlers) venuePage(w http.ResponseWriter, r *http.Request) {
	if v, ok := h.venueData(w, r); ok {
		h.views.Render(w, r, http.StatusOK, "venue.html", v)
	}
}

// venueData builds a room's page (its week and the booking form), answering the error itself when it cannot.
func (h *Handlers) venueData(w http.ResponseWriter, r *http.Request) (*venueView, bool) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.NotFound(w, r)
		return nil, false
	}
	ven, err := h.svc.Venue(r.Context(), id)
	if err != nil {
		h.kit.Error(w, r, err)
		return nil, false
	}
	start := h.weekStart(r)
	bs, err := h.svc.Bookings(r.Context(), id, start, start.AddDate(0, 0, 7))
	if err != nil {
		h.kit.Error(w, r, err)
		return nil, false
	}
	p := auth.FromContext(r.Context())
	v := &venueView{Page: web.Page{Title: ven.Name}, Venue: ven, Days: h.week(r, ven, start, bs), Week: start.Format(time.DateOnly),
		Prev: start.AddDate(0, 0, -7).Format(time.DateOnly), Next: start.AddDate(0, 0, 7).Format(time.DateOnly),
		CanRun: p.Can(auth.ActivitiesWrite), CanBook: p.Can(auth.VenuesBook), From: "09:00", To: "11:00",
		Date: h.svc.Now().In(clock.Shanghai()).AddDate(0, 0, ven.Rules.LeadDays).Format(time.DateOnly),
		ICS:  "/api/v1/venues/" + strconv.FormatInt(id, 10) + "/calendar.ics", MaxPhotos: MaxVenuePhotos}
	if v.Photos, err = h.svc.VenuePhotoIDs(r.Context(), id); err != nil {
		h.kit.Error(w, r, err)
		return nil, false
	}
	return v, true
}

// localTime reads a date and a clock from a form as a time in Asia/Shanghai.
func localTime(date, hhmm string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", strings.TrimSpace(date)+" "+strings.TrimSpace(hhmm), clock.Shanghai())
	if err != nil {
		return time.Time{}
	}
	return t
}

// localDateTime reads an <input type=datetime-local> value in Asia/Shanghai.
func localDateTime(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02T15:04", strings.TrimSpace(s), clock.Shanghai())
	if err != nil {
		return time.Time{}
	}
	return t
}

func formInt(r *http.Request, name string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue(name)))
	return n
}

func (h *Handlers) bookForm(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.NotFound(w, r)
		return
	}
	date, from, to := r.PostFormValue("date"), r.PostFormValue("from"), r.PostFormValue("to")
	in := BookingInput{VenueID: id, StartsAt: localTime(date, from), EndsAt: localTime(date, to),
		Purpose: r.PostFormValue("purpose"), Headcount: formInt(r, "headcount"), Commercial: r.PostFormValue("commercial") == "1"}
	b, err := h.svc.Book(r.Context(), in)
	if err != nil {
		v, ok := h.venueData(w, r)
		if !ok {
			return
		}
		v.Form, v.Date, v.From, v.To = in, date, from, to
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.views.Render(w, r, status, "venue.html", v) })
		return
	}
	msg := "预约成功：" + b.StartsAt.In(clock.Shanghai()).Format("1月2日 15:04") + "—" + b.EndsAt.In(clock.Shanghai()).Format("15:04")
	if b.Status == "pending" {
		msg += "，待社区审批"
	}
	web.Redirect(w, r, "/venues/"+strconv.FormatInt(id, 10)+"?week="+h.weekOf(b.StartsAt), msg)
}

func (h *Handlers) weekOf(t time.Time) string { return t.In(clock.Shanghai()).Format(time.DateOnly) }

func (h *Handlers) bookingActionForm(w http.ResponseWriter, r *http.Request) {
	vid, err1 := web.PathID(r, "id")
	bid, err2 := web.PathID(r, "bid")
	if err1 != nil || err2 != nil {
		h.kit.NotFound(w, r)
		return
	}
	res, err := h.bookingAction(r, bid, r.PathValue("action"), r.PostFormValue("reason"))
	msg := ""
	if res != nil {
		msg = res.Message
	}
	h.back(w, r, "/venues/"+strconv.FormatInt(vid, 10)+"?week="+r.PostFormValue("week"), msg, err)
}
