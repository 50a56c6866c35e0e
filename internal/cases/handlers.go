package cases

import (
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/errs"
	"linli/internal/pii"
	"linli/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// PageOptions configure the HTML pages.
type PageOptions struct {
	// BaseURL is the public address QR codes point to (LINLI_BASE_URL); the request's host when empty.
	BaseURL string
	// ReportEvery and ReportBurst limit public submissions per client address; one every 20 s with
	// a burst of 5 when zero.
	ReportEvery time.Duration
	ReportBurst int
}

// Handlers serves the cases pages: queues, the case page and its actions, intake, the 12345
// import, the dashboard and exports for staff; the public report form and tracking page; QR codes.
type Handlers struct {
	svc     *Service
	auth    auth.Guard
	kit     *web.Kit
	views   *web.Views
	opts    PageOptions
	limiter *web.Limiter
}

// NewHandlers returns the cases page handlers.
func NewHandlers(svc *Service, a auth.Guard, kit *web.Kit, opts PageOptions) *Handlers {
	if opts.ReportEvery <= 0 {
		opts.ReportEvery = defaultReportEvery
	}
	if opts.ReportBurst <= 0 {
		opts.ReportBurst = defaultReportBurst
	}
	limiter := svc.publicLimiter()
	limiter.Configure(opts.ReportEvery, opts.ReportBurst)
	funcs := template.FuncMap{
		"revealPurposes": func() []string { return pii.RevealPurposes },
		"when": func(t *time.Time) string {
			if t == nil || t.IsZero() {
				return ""
			}
			return t.In(clock.Shanghai()).Format("2006-01-02 15:04")
		},
		"coord": func(f *float64) string {
			if f == nil {
				return ""
			}
			return strconv.FormatFloat(*f, 'f', 6, 64)
		},
		"deref":       func(p *int64) int64 { return derefID(p) },
		"actionLabel": func(a string) string { return Action(a).Label() },
		"outcomeLabel": func(o Outcome) string {
			return o.Label()
		},
		"satLabel":    func(s Satisfaction) string { return s.Label() },
		"satText":     func(s string) string { return Satisfaction(s).Label() },
		"priorities":  func() []Priority { return []Priority{Normal, Urgent, Critical} },
		"outcomes":    func() []Outcome { return []Outcome{Resolved, Partly, Explained, NotOurs} },
		"states":      func() []State { return append(append([]State{}, openStates...), Closed) },
		"queues":      func() []struct{ Code, Label string } { return QueueLabels },
		"photosOf":    photosOf,
		"pctOf":       pctOf,
		"hours":       hoursText,
		"int64":       func(v any) int64 { n, _ := v.(int64); return n },
		"list":        func(v ...string) []string { return v },
		"monthLink":   monthLink,
		"bucketLink":  bucketLink,
		"regionDash":  regionDash,
		"reasonLabel": func(a string) string { return reasonLabels[a] },
		"needsNote":   func(a string) bool { return a != "supervise" && a != "approve_extension" && a != "withdraw" },
		"needs":       needsText,
		"taskStatus":  func(s string) string { return taskLabels[s] },
		"methodLabel": func(m string) string { return methodLabels[m] },
		"causeLabel":  func(c string) string { return causeLabels[c] },
		"figureHolds": func() string { return FigureHolds },
	}
	return &Handlers{svc: svc, auth: a, kit: kit, views: kit.Views(templates, funcs), opts: opts,
		limiter: limiter}
}

var reasonLabels = map[string]string{"withdraw": "撤回说明（可改派给其他对象）", "reject": "不予受理的理由", "return": "退单理由", "escalate": "上报原因",
	"suspend": "挂起原因", "reopen": "重办原因", "supervise": "督办意见", "approve_extension": "审批意见",
	"deny_extension": "驳回理由", "deny_suspend": "驳回理由"}

var taskLabels = map[string]string{"pending": "待签收", "signed": "已签收", "returned": "已退单", "withdrawn": "已收回",
	"done": "已办结"}

var methodLabels = map[string]string{"phone": "电话", "visit": "上门", "sms": "短信", "link": "查询链接"}

var causeLabels = map[string]string{"subjective": "主观原因", "objective": "客观原因"}

// Routes registers the pages.
func (h *Handlers) Routes(mux *http.ServeMux) {
	read := func(f http.HandlerFunc) http.Handler { return h.auth.Page(auth.CasesRead, f) }
	mux.Handle("GET /cases", read(h.list))
	mux.Handle("GET /cases/export.xlsx", read(h.export))
	mux.Handle("GET /cases/dashboard", read(h.dashboard))
	mux.Handle("GET /cases/new", h.auth.Page(auth.CasesIntake, h.newCase))
	mux.Handle("POST /cases", h.auth.Page(auth.CasesIntake, h.createCase))
	mux.Handle("GET /cases/import", h.auth.Page(auth.CasesDispatch, h.importForm))
	mux.Handle("POST /cases/import", h.auth.Page(auth.CasesDispatch, h.importPreview))
	mux.Handle("POST /cases/import/commit", h.auth.Page(auth.CasesDispatch, h.importCommit))
	mux.Handle("GET /cases/{id}", read(h.show))
	mux.Handle("GET /cases/{id}/print", read(h.print))
	mux.Handle("POST /cases/{id}/actions/{action}", read(h.act))
	mux.Handle("GET /cases/{id}/photos/{photo}", read(h.photo))
	mux.Handle("POST /cases/{id}/reveal-phone", read(h.revealPhone))
	mux.Handle("GET /cases/{id}/location", h.auth.Page(auth.CasesDispatch, h.locateForm))
	mux.Handle("POST /cases/{id}/location", h.auth.Page(auth.CasesDispatch, h.locateSave))
	mux.Handle("GET /grids/{id}/qr", h.auth.Page(auth.RegisterRead, h.qrPage("grid")))
	mux.Handle("GET /grids/{id}/qr.png", h.auth.Page(auth.RegisterRead, h.qrImage("grid")))
	mux.Handle("GET /buildings/{id}/qr", h.auth.Page(auth.RegisterRead, h.qrPage("building")))
	mux.Handle("GET /buildings/{id}/qr.png", h.auth.Page(auth.RegisterRead, h.qrImage("building")))
	mux.HandleFunc("GET /report", h.reportForm)
	mux.HandleFunc("POST /report", h.submitReport)
	mux.HandleFunc("POST /report/similar", h.checkSimilar)
	mux.HandleFunc("POST /report/follow/{id}", h.follow)
	mux.HandleFunc("GET /track", h.trackLookup)
	mux.HandleFunc("POST /track", h.trackByNumber)
	mux.HandleFunc("GET /track/{code}", h.track)
	mux.HandleFunc("GET /track/{code}/qr.png", h.trackQR)
	mux.HandleFunc("POST /track/{code}/rating", h.rate)
}

func derefID(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// photosOf returns the photos attached to one timeline entry.
func photosOf(all []Attachment, eventID int64) []Attachment {
	var out []Attachment
	for _, a := range all {
		if a.EventID != nil && *a.EventID == eventID {
			out = append(out, a)
		}
	}
	return out
}

// pctOf formats a rate of the figures (a float or nil) as a percentage.
func pctOf(v any) string {
	f, ok := v.(float64)
	if !ok {
		return "—"
	}
	return strconv.FormatFloat(f*100, 'f', 1, 64) + "%"
}

func hoursText(v any) string {
	f, ok := v.(float64)
	if !ok {
		return "—"
	}
	return strconv.FormatFloat(f, 'f', 1, 64)
}

// formShown is how the case forms answer a refusal: shown again for what the user can fix or may
// not do, always with the message on top.
var formShown = []web.FormOption{web.ShowOn(errs.Invalid, errs.Conflict, errs.Forbidden, errs.TooMany), web.AlwaysMessage()}

// formError renders a refused form (the template name with view) again with its messages, or the
// error page for anything else.
func (h *Handlers) formError(w http.ResponseWriter, r *http.Request, err error, page *web.Page, name string, view any) {
	h.kit.FormFailed(w, r, err, page, func(status int) { h.views.Render(w, r, status, name, view) }, formShown...)
}

// needsText is the hint after a category's name in the intake and report forms naming what its
// cases must carry (the category's required fields), so the form is not refused after typing.
func needsText(c Category) string {
	var out []string
	for _, f := range strings.Split(c.RequiredFields, ",") {
		switch strings.TrimSpace(f) {
		case "address":
			out = append(out, "需填写地址或楼院")
		case "location":
			out = append(out, "需在地图上定位或选择楼院")
		case "phone":
			out = append(out, "需留联系电话")
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "（" + strings.Join(out, "，") + "）"
}

// formResolved reads the 已解决/未解决 choice of a callback or rating: nil when neither was chosen.
func formResolved(v string) *bool {
	switch v {
	case "1":
		t := true
		return &t
	case "0":
		f := false
		return &f
	}
	return nil
}

// formID reads a non-negative integer form value, 0 when absent or malformed.
func formID(r *http.Request, name string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(r.FormValue(name)), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// formFloat reads an optional decimal form value.
func formFloat(r *http.Request, name string) *float64 {
	v := strings.TrimSpace(r.FormValue(name))
	if v == "" {
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return nil
	}
	return &f
}

// formTime reads a datetime-local value in Beijing time.
func formTime(r *http.Request, name string) (*time.Time, error) {
	v := strings.TrimSpace(r.FormValue(name))
	if v == "" {
		return nil, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, clock.Shanghai()); err == nil {
			return &t, nil
		}
	}
	return nil, errs.Field(name, "时间格式应为 2024-01-05 09:30")
}

// listQuery keeps the filter parameters of a list for links (paging, export, queue tabs).
func listQuery(q url.Values) url.Values {
	out := url.Values{}
	for _, k := range []string{"queue", "state", "category", "channel", "region", "grid", "handler", "from", "to", "by",
		"overdue", "supervised", "q", "phone", "name", "sort", "figure", "involved"} {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			out.Set(k, v)
		}
	}
	return out
}
