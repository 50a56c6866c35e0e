package activities

import (
	"net/http"
	"strconv"
	"strings"

	"linli/internal/photo"
	"linli/internal/web"
)

type venueSettingsView struct {
	web.Page
	Venue   *Venue
	Form    VenueInput
	Rules   Rules
	Bookers map[BookerKind]bool
	Kinds   []BookerKind
}

// venueSettingsRoutes registers the room's settings form and its photos.
func (h *Handlers) venueSettingsRoutes(mux *http.ServeMux, read, write func(http.HandlerFunc) http.Handler) {
	mux.Handle("GET /venues/{id}/settings", write(h.venueSettings))
	mux.Handle("POST /venues/{id}/settings", write(h.saveVenueSettings))
	mux.Handle("POST /venues/{id}/photos", write(h.uploadVenuePhotos))
	mux.Handle("GET /venues/{id}/photos/{photo}", read(h.venuePhoto))
	mux.HandleFunc("GET /public/venues/{id}/photos/{photo}", h.venuePhoto)
}

func (h *Handlers) renderVenueSettings(w http.ResponseWriter, r *http.Request, status int, v *venueSettingsView) {
	v.Bookers = map[BookerKind]bool{}
	for _, b := range v.Form.Bookers {
		v.Bookers[b] = true
	}
	v.Kinds = []BookerKind{BookerStaff, BookerUnit, BookerResident}
	if v.Form.Rules != nil {
		v.Rules = *v.Form.Rules
	}
	h.views.Render(w, r, status, "venue_settings.html", v)
}

func (h *Handlers) venueSettings(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.NotFound(w, r)
		return
	}
	ven, err := h.svc.Venue(r.Context(), id)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	rules := ven.Rules
	form := VenueInput{Name: ven.Name, Capacity: ven.Capacity, Facilities: ven.Facilities, Place: ven.Place, Opens: ven.Opens,
		Closes: ven.Closes, OpenDays: ven.OpenDays, Bookers: ven.Bookers, Rules: &rules}
	h.renderVenueSettings(w, r, http.StatusOK, &venueSettingsView{Page: web.Page{Title: ven.Name + " · 开放与预约规则"}, Venue: ven, Form: form})
}

// venueSettingsForm reads the settings form; a number left empty or unreadable is 0, which the
// rules refuse with their own message.
func venueSettingsForm(r *http.Request) VenueInput {
	n := func(name string) int { v, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue(name))); return v }
	in := VenueInput{Name: r.PostFormValue("name"), Capacity: n("capacity"), Facilities: r.PostFormValue("facilities"),
		Place: r.PostFormValue("place"), Opens: r.PostFormValue("opens"), Closes: r.PostFormValue("closes"),
		OpenDays: r.PostFormValue("open_days"), Rules: &Rules{MaxHours: n("max_hours"), MaxConsecutive: n("max_consecutive"),
			MonthHours: n("month_hours"), LeadDays: n("lead_days"), NeedsApproval: r.PostFormValue("needs_approval") != "",
			NoShowLimit: n("noshow_limit"), SuspendDays: n("suspend_days")}}
	for _, b := range r.PostForm["bookers"] {
		in.Bookers = append(in.Bookers, BookerKind(b))
	}
	if len(in.Bookers) == 0 {
		in.Bookers = []BookerKind{BookerStaff} // none ticked: staff only, never "everyone" by default
	}
	return in
}

func (h *Handlers) saveVenueSettings(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.NotFound(w, r)
		return
	}
	in := venueSettingsForm(r)
	if _, err := h.svc.UpdateVenue(r.Context(), id, in); err != nil {
		ven, verr := h.svc.Venue(r.Context(), id)
		if verr != nil {
			h.kit.Error(w, r, verr)
			return
		}
		v := &venueSettingsView{Page: web.Page{Title: ven.Name + " · 开放与预约规则"}, Venue: ven, Form: in}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.renderVenueSettings(w, r, status, v) })
		return
	}
	web.Redirect(w, r, "/venues/"+strconv.FormatInt(id, 10), "已保存场地的开放时间和预约规则")
}

func (h *Handlers) uploadVenuePhotos(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.NotFound(w, r)
		return
	}
	to := "/venues/" + strconv.FormatInt(id, 10)
	files, err := photo.FromForm(w, r, MaxVenuePhotos)
	if err != nil {
		h.back(w, r, to, "", err)
		return
	}
	n, err := h.svc.AddVenuePhotos(r.Context(), id, files)
	h.back(w, r, to, "已上传"+strconv.Itoa(n)+"张照片", err)
}

// venuePhoto answers a room's photo to staff who see the room, or on the public pages for a room
// residents may book.
func (h *Handlers) venuePhoto(w http.ResponseWriter, r *http.Request) {
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.NotFound(w, r)
		return
	}
	pid, err := web.PathID(r, "photo")
	if err != nil {
		h.kit.NotFound(w, r)
		return
	}
	data, ctype, err := h.svc.VenuePhoto(r.Context(), id, pid, strings.HasPrefix(r.URL.Path, "/public/"))
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(data)
}
