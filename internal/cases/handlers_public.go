package cases

import (
	"net/http"
	"strings"
	"time"

	"linli/internal/errs"
	"linli/internal/photo"
	"linli/internal/web"
)

type reportView struct {
	web.Page
	Places     *ReportPlaces
	Categories []Category
	Similar    []Similar
	Checked    bool
	Form       reportForm
}

// reportForm is the public form as typed; the phone is never echoed back.
type reportForm struct {
	CategoryID, BuildingID, GridID, CommunityID int64
	Description, Address, Name, Lon, Lat, CRS   string
	Anonymous                                   bool
}

// readPlace reads the category and place of the public form: all that the similar-cases check
// needs, and all that may travel in a URL.
func readPlace(r *http.Request) reportForm {
	return reportForm{CategoryID: formID(r, "category_id"), BuildingID: formID(r, "building_id"),
		GridID: formID(r, "grid_id"), CommunityID: formID(r, "community_id"),
		Lon: r.FormValue("lon"), Lat: r.FormValue("lat"), CRS: r.FormValue("coord_system")}
}

// readReportForm reads the whole posted form except the phone.
func readReportForm(r *http.Request) reportForm {
	f := readPlace(r)
	f.Description, f.Address, f.Name = r.FormValue("description"), r.FormValue("address"), r.FormValue("reporter_name")
	f.Anonymous = r.FormValue("anonymous") == "1"
	return f
}

func (h *Handlers) renderReport(w http.ResponseWriter, r *http.Request, f reportForm, err error) {
	ctx := r.Context()
	places, lerr := h.svc.ReportPlaces(ctx, f.CommunityID, f.GridID, f.BuildingID)
	if lerr != nil {
		h.kit.Error(w, r, lerr)
		return
	}
	if f.BuildingID == 0 {
		f.BuildingID = places.BuildingID
	}
	v := &reportView{Page: web.Page{Title: "我要反映"}, Places: places, Form: f}
	if v.Categories, lerr = h.svc.Categories(ctx); lerr != nil {
		h.kit.Error(w, r, lerr)
		return
	}
	if f.CategoryID != 0 && (f.BuildingID != 0 || f.Lon != "") {
		v.Checked = true
		if v.Similar, lerr = h.svc.SimilarOpen(ctx, f.CategoryID, f.BuildingID, formFloat(r, "lon"), formFloat(r, "lat"), f.CRS); lerr != nil {
			h.kit.Error(w, r, lerr)
			return
		}
	}
	if err != nil {
		h.formError(w, r, err, &v.Page, "report.html", v)
		return
	}
	h.views.Render(w, r, http.StatusOK, "report.html", v)
}

// reportForm is the public form; ?grid= and ?building= come from QR codes, and with a category and
// a place chosen it lists similar open cases first. Only the category and place are read from the
// address: what a resident writes about themselves never travels in a URL.
func (h *Handlers) reportForm(w http.ResponseWriter, r *http.Request) {
	f := readPlace(r)
	if f.GridID == 0 {
		f.GridID = formID(r, "grid")
	}
	if f.BuildingID == 0 {
		f.BuildingID = formID(r, "building")
	}
	if f.CommunityID == 0 {
		f.CommunityID = formID(r, "community")
	}
	if f.CRS == "" {
		f.CRS = "gcj02"
	}
	h.renderReport(w, r, f, nil)
}

// smallFormBytes bounds the body of the public POSTs that carry only a few fields.
const smallFormBytes = 64 << 10

// smallForm parses the form of a public POST that carries only a few fields. Its body is bounded
// by the kit (web.Bodies, web.DefaultBodyBytes) before it reaches here.
func smallForm(w http.ResponseWriter, r *http.Request) error {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(smallFormBytes)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		return errs.E(errs.Invalid, "提交的内容过大或格式有误，请返回后重试")
	}
	return nil
}

// smallPublicPost admits a public POST of a few fields: within the per-address limit and
// smallFormBytes; otherwise it answers with the reason and reports false.
func (h *Handlers) smallPublicPost(w http.ResponseWriter, r *http.Request) bool {
	err := smallForm(w, r)
	if !h.limiter.Allow(r, time.Now()) {
		err = errs.E(errs.TooMany, "操作过于频繁，请稍后再试")
	}
	if err != nil {
		h.kit.Error(w, r, err)
		return false
	}
	return true
}

// checkSimilar is the similar-cases check of the form without scripts: the form is posted (never
// sent as a GET, which would put the resident's text and phone in the address, the browser
// history and proxy logs) and shown again as typed, without the phone, with the similar open
// cases. Nothing is saved.
func (h *Handlers) checkSimilar(w http.ResponseWriter, r *http.Request) {
	if err := smallForm(w, r); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.renderReport(w, r, readReportForm(r), nil)
}

func (h *Handlers) submitReport(w http.ResponseWriter, r *http.Request) {
	if !h.limiter.Allow(r, time.Now()) {
		limited := errs.E(errs.TooMany, "提交过于频繁，请稍后再试")
		if err := smallForm(w, r); err != nil { // photos are not read
			h.kit.Error(w, r, limited)
			return
		}
		h.renderReport(w, r, readReportForm(r), limited)
		return
	}
	photos, err := photo.FromForm(w, r, MaxPhotos)
	f := readReportForm(r)
	if err != nil {
		h.renderReport(w, r, f, err)
		return
	}
	in := PublicSubmission{CategoryID: f.CategoryID, Description: f.Description, Address: f.Address,
		CommunityID: f.CommunityID, GridID: f.GridID, BuildingID: f.BuildingID, Lon: formFloat(r, "lon"),
		Lat: formFloat(r, "lat"), CoordSystem: f.CRS, ReporterName: f.Name,
		ReporterPhone: strings.TrimSpace(r.FormValue("reporter_phone")), Anonymous: f.Anonymous}
	if in.Lon == nil || in.Lat == nil {
		in.Lon, in.Lat, in.CoordSystem = nil, nil, ""
	}
	c, err := h.svc.SubmitReport(r.Context(), in, photos)
	if err != nil {
		h.renderReport(w, r, f, err)
		return
	}
	web.Redirect(w, r, "/track/"+c.TrackingCode+"?new=1", "")
}

// follow lets a resident follow a similar open case instead of submitting the same problem again.
func (h *Handlers) follow(w http.ResponseWriter, r *http.Request) {
	if !h.smallPublicPost(w, r) {
		return
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		h.kit.NotFound(w, r)
		return
	}
	f := readPlace(r)
	code, err := h.svc.Follow(r.Context(), id, f.CategoryID, f.BuildingID, formFloat(r, "lon"), formFloat(r, "lat"), f.CRS)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	web.Redirect(w, r, "/track/"+code+"?followed=1", "")
}

// PublicHome is the home page of a visitor who is not signed in: report a request, track one by
// its number or tracking code, and the staff sign-in one link away.
func (h *Handlers) PublicHome(w http.ResponseWriter, r *http.Request) {
	h.views.Render(w, r, http.StatusOK, "track.html", &trackView{Page: web.Page{Title: "居民服务"}, Home: true})
}

// trackByNumber looks a case up by its number and the last four digits of the reporter's phone and
// opens its tracking page.
func (h *Handlers) trackByNumber(w http.ResponseWriter, r *http.Request) {
	v := &trackView{Page: web.Page{Title: "查询办理进度"}, Number: r.PostFormValue("number")}
	err := smallForm(w, r)
	if err == nil && !h.svc.lookupLimiter().Allow(r, time.Now()) {
		err = errs.E(errs.TooMany, "查询过于频繁，请稍后再试")
	}
	var code string
	if err == nil {
		code, err = h.svc.TrackingCodeOf(r.Context(), v.Number, r.PostFormValue("phone4"))
	}
	if err != nil {
		w.Header().Set("Cache-Control", "no-store")
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.views.Render(w, r, status, "track.html", v) },
			web.ShowOn(errs.Invalid, errs.NotFound, errs.TooMany), web.AlwaysMessage())
		return
	}
	http.Redirect(w, r, "/track/"+code, http.StatusSeeOther)
}

type trackView struct {
	web.Page
	Code     string
	Number   string // the case number typed into the lookup
	Home     bool   // the public home page: report and track
	Case     *PublicCase
	New      bool
	Followed bool
	Link     string
	Rating   ratingForm
}

type ratingForm struct {
	Resolved, Satisfaction, Cause, Note string
}

func (h *Handlers) trackLookup(w http.ResponseWriter, r *http.Request) {
	if code := strings.TrimSpace(r.URL.Query().Get("code")); code != "" {
		http.Redirect(w, r, "/track/"+strings.ToLower(code), http.StatusSeeOther)
		return
	}
	h.views.Render(w, r, http.StatusOK, "track.html", &trackView{Page: web.Page{Title: "查询办理进度"}})
}

func (h *Handlers) renderTrack(w http.ResponseWriter, r *http.Request, code string, rf ratingForm, ferr error) {
	pc, err := h.svc.TrackAny(r.Context(), code)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	q := r.URL.Query()
	v := &trackView{Page: web.Page{Title: "诉求 " + pc.Number}, Code: strings.ToLower(code), Case: pc,
		New: q.Get("new") == "1", Followed: q.Get("followed") == "1", Rating: rf}
	v.Link = h.baseURL(r) + "/track/" + v.Code
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
	if ferr != nil {
		h.formError(w, r, ferr, &v.Page, "track.html", v)
		return
	}
	h.views.Render(w, r, http.StatusOK, "track.html", v)
}

func (h *Handlers) track(w http.ResponseWriter, r *http.Request) {
	h.renderTrack(w, r, r.PathValue("code"), ratingForm{}, nil)
}

// rate records the resident's own rating of a closed case through the tracking link.
func (h *Handlers) rate(w http.ResponseWriter, r *http.Request) {
	if !h.smallPublicPost(w, r) {
		return
	}
	code := r.PathValue("code")
	rf := ratingForm{Resolved: r.FormValue("resolved"), Satisfaction: r.FormValue("satisfaction"),
		Cause: r.FormValue("cause"), Note: r.FormValue("note")}
	if strings.HasPrefix(strings.ToLower(code), "f") && strings.Contains(code, "-") {
		h.renderTrack(w, r, code, rf, errs.E(errs.Forbidden, "只有反映人本人可以评价，关注者只能查看进度"))
		return
	}
	in := Rating{Resolved: formResolved(rf.Resolved), Satisfaction: Satisfaction(rf.Satisfaction), Cause: rf.Cause,
		Note: rf.Note}
	if _, err := h.svc.Rate(r.Context(), code, in); err != nil {
		h.renderTrack(w, r, code, rf, err)
		return
	}
	web.Redirect(w, r, "/track/"+strings.ToLower(code), "感谢您的评价，我们会继续改进工作")
}

// baseURL is the public address links and QR codes use.
func (h *Handlers) baseURL(r *http.Request) string {
	if h.opts.BaseURL != "" {
		return strings.TrimRight(h.opts.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
