package cases

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"linli/internal/clock"
	"linli/internal/photo"
	"linli/internal/web"
)

type intakeView struct {
	web.Page
	Form intakeForm
	FilterChoices
	Buildings []Option
}

// intakeForm is the staff intake form as typed, for showing it again after an error.
type intakeForm struct {
	Channel, Priority, ReceivedAt, ReporterName, ReporterPhone, Description, Address string
	Lon, Lat, CoordSystem                                                            string
	CategoryID, GridID, BuildingID                                                   int64
	Anonymous                                                                        bool
}

func (h *Handlers) renderIntake(w http.ResponseWriter, r *http.Request, f intakeForm, err error) {
	v := &intakeView{Page: web.Page{Title: "登记诉求"}, Form: f}
	var lerr error
	if v.FilterChoices, lerr = h.svc.FilterChoices(r.Context()); lerr != nil {
		h.kit.Error(w, r, lerr)
		return
	}
	if v.Buildings, lerr = h.svc.ScopeBuildings(r.Context()); lerr != nil {
		h.kit.Error(w, r, lerr)
		return
	}
	if err != nil {
		h.formError(w, r, err, &v.Page, "case_new.html", v)
		return
	}
	h.views.Render(w, r, http.StatusOK, "case_new.html", v)
}

// channelCookie remembers the channel of a worker's last intake: a worker on the 12345 desk or
// reading the WeChat group records many cases in a row from the same channel.
const channelCookie = "linli_intake_channel"

// newCase is the intake form, the time of the call set to now and the channel to ?channel=, the
// last one used or 电话.
func (h *Handlers) newCase(w http.ResponseWriter, r *http.Request) {
	f := intakeForm{Channel: "phone", ReceivedAt: time.Now().In(clock.Shanghai()).Format("2006-01-02T15:04"),
		CoordSystem: "gcj02", GridID: formID(r, "grid"), BuildingID: formID(r, "building")}
	if c, err := r.Cookie(channelCookie); err == nil && c.Value != "" {
		f.Channel = c.Value
	}
	if ch := r.URL.Query().Get("channel"); ch != "" {
		f.Channel = ch
	}
	h.renderIntake(w, r, f, nil)
}

func (h *Handlers) createCase(w http.ResponseWriter, r *http.Request) {
	photos, err := photo.FromForm(w, r, MaxPhotos)
	f := intakeForm{Channel: r.FormValue("channel"), Priority: r.FormValue("priority"), ReceivedAt: r.FormValue("received_at"),
		ReporterName: r.FormValue("reporter_name"), ReporterPhone: r.FormValue("reporter_phone"),
		Description: r.FormValue("description"), Address: r.FormValue("address"), Lon: r.FormValue("lon"),
		Lat: r.FormValue("lat"), CoordSystem: r.FormValue("coord_system"), CategoryID: formID(r, "category_id"),
		GridID: formID(r, "grid_id"), BuildingID: formID(r, "building_id"), Anonymous: r.FormValue("anonymous") == "1"}
	if err != nil {
		h.renderIntake(w, r, f, err)
		return
	}
	in := Intake{Channel: f.Channel, CategoryID: f.CategoryID, Priority: Priority(f.Priority), Description: f.Description,
		Address: f.Address, GridID: f.GridID, BuildingID: f.BuildingID, Lon: formFloat(r, "lon"), Lat: formFloat(r, "lat"),
		CoordSystem: f.CoordSystem, ReporterName: f.ReporterName, ReporterPhone: strings.TrimSpace(f.ReporterPhone),
		Anonymous: f.Anonymous}
	if in.ReceivedAt, err = formTime(r, "received_at"); err != nil {
		h.renderIntake(w, r, f, err)
		return
	}
	c, err := h.svc.IntakeWithPhotos(r.Context(), in, photos)
	if err != nil {
		f.ReporterPhone = "" // never echo a phone number back into the page
		h.renderIntake(w, r, f, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: channelCookie, Value: c.Channel, Path: "/cases", MaxAge: 180 * 24 * 3600,
		HttpOnly: true, Secure: web.Secure(r), SameSite: http.SameSiteLaxMode})
	web.Redirect(w, r, fmt.Sprintf("/cases/%d", c.ID), "诉求已登记，案卷编号 "+c.Number)
}
