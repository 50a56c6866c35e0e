package activities

import (
	"net/http"
	"net/url"
	"time"

	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/errs"
	"linli/internal/register"
	"linli/internal/web"
)

type figuresView struct {
	web.Page
	F *Figures
}

func (h *Handlers) figuresPage(w http.ResponseWriter, r *http.Request) {
	f, err := h.svc.Figures(r.Context(), figureFilterFrom(r))
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	h.views.Render(w, r, http.StatusOK, "figures.html", &figuresView{Page: web.Page{Title: "活动统计"}, F: f})
}

type reachView struct {
	web.Page
	Tag      string
	Label    string
	Filter   FigureFilter
	Items    []ReachResident
	Missed   int
	CanMinor bool
}

func (h *Handlers) reachPage(w http.ResponseWriter, r *http.Request) {
	f := figureFilterFrom(r)
	tag := r.URL.Query().Get("tag")
	items, err := h.svc.ReachList(r.Context(), f, tag)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v := &reachView{Page: web.Page{Title: register.Tag(tag).Label() + "参与活动情况"}, Tag: tag, Label: register.Tag(tag).Label(),
		Filter: f, Items: items}
	for _, x := range items {
		if !x.TookPart {
			v.Missed++
		}
	}
	h.views.Render(w, r, http.StatusOK, "reach.html", v)
}

type hoursView struct {
	web.Page
	Items     []Volunteer
	Pager     web.Pager
	Status    string
	From, To  string
	CanRun    bool
	CanUnmask bool
	Query     url.Values
}

// hoursPage is the list of volunteer hours, pending ones first for approval, with the export.
func (h *Handlers) hoursPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := volunteerFilterFrom(r)
	if f.Status == "" && f.From == "" {
		f.Status = "pending"
	}
	status := f.Status
	items, total, err := h.svc.Volunteers(r.Context(), f)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	pg := web.PagerFrom(r, 50)
	pg.Total = total
	now := h.svc.Now().In(clock.Shanghai())
	p := auth.FromContext(r.Context())
	v := &hoursView{Page: web.Page{Title: "志愿服务时长"}, Items: items, Pager: pg, Status: status, From: q.Get("from"), To: q.Get("to"),
		CanRun: p.Can(auth.ActivitiesWrite), CanUnmask: p.Can(auth.RevealPII), Query: q}
	if v.From == "" {
		v.From = now.Format("2006") + "-01-01"
	}
	if v.To == "" {
		v.To = now.Format(time.DateOnly)
	}
	h.views.Render(w, r, http.StatusOK, "hours.html", v)
}

func (h *Handlers) exportHours(w http.ResponseWriter, r *http.Request) {
	req := HoursExport{Filter: volunteerFilterFrom(r)}
	if r.Method == http.MethodPost {
		req.Unmask = r.PostFormValue("unmask") != ""
		req.Reason = r.PostFormValue("reason")
	}
	d := web.NewDownload(w, web.XLSXType, "志愿服务时长.xlsx", "volunteer-hours.xlsx")
	_, err := h.svc.ExportHoursXLSX(r.Context(), req, d)
	if errs.CodeOf(err) == errs.Invalid && !d.Started() {
		h.back(w, r, "/activities/hours?"+r.URL.RawQuery, "", err)
		return
	}
	if err != nil {
		h.kit.DownloadFailed(w, r, d, err, false)
	}
}
