package workday

import (
	"bytes"
	"embed"
	"io"
	"net/http"
	"strconv"
	"strings"

	"linli/internal/auth"
	"linli/internal/errs"
	"linli/internal/web"
)

//go:embed templates
var templates embed.FS

// OpenAPI is this package's part of the API document.
//
//go:embed openapi.json
var OpenAPI []byte

// Handlers serves /settings/calendar and /api/v1/calendar.
type Handlers struct {
	svc   *Service
	auth  auth.Guard
	kit   *web.Kit
	views *web.Views
}

// NewHandlers returns the calendar handlers.
func NewHandlers(svc *Service, a auth.Guard, kit *web.Kit) *Handlers {
	return &Handlers{svc: svc, auth: a, kit: kit, views: kit.Views(templates, nil)}
}

// Routes registers the calendar settings page and API.
func (h *Handlers) Routes(mux *http.ServeMux) {
	mux.Handle("GET /settings/calendar", h.auth.Page(auth.SettingsManage, h.page))
	mux.Handle("POST /settings/calendar/days", h.auth.Page(auth.SettingsManage, h.saveDay))
	mux.Handle("POST /settings/calendar/days/{date}/delete", h.auth.Page(auth.SettingsManage, h.deleteDay))
	mux.Handle("POST /settings/calendar/import", h.auth.Page(auth.SettingsManage, h.importYear))
	mux.Handle("POST /settings/calendar/hours", h.auth.Page(auth.SettingsManage, h.setHours))
	mux.Handle("GET /api/v1/calendar", h.auth.API("", h.apiGet))
	mux.Handle("PUT /api/v1/calendar", h.auth.API(auth.SettingsManage, h.apiPut))
}

type pageView struct {
	web.Page
	*Overview
	Covered bool
	Form    Day
	Edit    bool
}

func yearParam(r *http.Request) int {
	y, _ := strconv.Atoi(strings.TrimSpace(r.FormValue("year")))
	return y
}

func (h *Handlers) render(w http.ResponseWriter, r *http.Request, year int, form Day, ferr error) {
	o, err := h.svc.Overview(r.Context(), year)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v := &pageView{Page: web.Page{Title: "工作日历"}, Overview: o, Covered: len(o.Items) > 0, Form: form}
	if form.Date == "" && r.URL.Query().Get("edit") != "" {
		for _, d := range o.Items {
			if d.Date == r.URL.Query().Get("edit") {
				v.Form, v.Edit = d, true
			}
		}
	}
	status := http.StatusOK
	if ferr != nil {
		if errs.CodeOf(ferr) == errs.Internal {
			h.kit.Error(w, r, ferr)
			return
		}
		status = web.Status(ferr)
		v.Error, v.Errors = errs.MessageOf(ferr), errs.FieldsOf(ferr)
	}
	h.views.Render(w, r, status, "calendar.html", v)
}

func (h *Handlers) page(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, yearParam(r), Day{}, nil)
}

func back(year int) string { return "/settings/calendar?year=" + strconv.Itoa(year) }

func (h *Handlers) saveDay(w http.ResponseWriter, r *http.Request) {
	d := Day{Date: r.PostFormValue("date"), Kind: r.PostFormValue("kind"), Name: r.PostFormValue("name")}
	if err := h.svc.SaveDay(r.Context(), d); err != nil {
		h.render(w, r, yearParam(r), d, err)
		return
	}
	_ = d.Normalize()
	web.Redirect(w, r, back(d.Year()), "已保存 "+d.Date+"（"+d.KindLabel()+"）")
}

func (h *Handlers) deleteDay(w http.ResponseWriter, r *http.Request) {
	date := r.PathValue("date")
	if err := h.svc.DeleteDay(r.Context(), date); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	web.Redirect(w, r, back(Day{Date: date}.Year()), "已删除 "+date+"，该日恢复按周一至周五计算")
}

// MaxImportBytes bounds a year's calendar file; the app bounds the request by it through the
// kit's web.BodyLimits.
const MaxImportBytes = 1 << 20

func (h *Handlers) importYear(w http.ResponseWriter, r *http.Request) {
	year := yearParam(r)
	var data []byte
	if f, _, err := r.FormFile("file"); err == nil {
		data, err = io.ReadAll(io.LimitReader(f, MaxImportBytes))
		f.Close()
		if err != nil {
			h.kit.Error(w, r, err)
			return
		}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		data = []byte(r.PostFormValue("csv"))
	}
	days, err := ParseCSV(bytes.NewReader(data))
	if err == nil {
		var n int
		if n, err = h.svc.ImportYear(r.Context(), year, days); err == nil {
			web.Redirect(w, r, back(year), "已导入 "+strconv.Itoa(year)+" 年日历，共 "+strconv.Itoa(n)+" 天")
			return
		}
	}
	h.render(w, r, year, Day{}, err)
}

func (h *Handlers) setHours(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.SetHours(r.Context(), r.PostFormValue("hours")); err != nil {
		h.render(w, r, yearParam(r), Day{}, err)
		return
	}
	web.Redirect(w, r, back(yearParam(r)), "工作时段已更新，之后计算的时限按新时段执行")
}

func (h *Handlers) apiGet(w http.ResponseWriter, r *http.Request) {
	o, err := h.svc.Overview(r.Context(), yearParam(r))
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, o)
}

// YearInput is the body of PUT /api/v1/calendar: one year's days, replacing what it held.
type YearInput struct {
	Year int   `json:"year"`
	Days []Day `json:"days"`
}

func (h *Handlers) apiPut(w http.ResponseWriter, r *http.Request) {
	var in YearInput
	if err := web.DecodeJSON(r, &in); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	if _, err := h.svc.ImportYear(r.Context(), in.Year, in.Days); err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	o, err := h.svc.Overview(r.Context(), in.Year)
	if err != nil {
		h.kit.APIErr(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, o)
}
