package cases

import (
	"net/http"
	"net/url"

	"linli/internal/auth"
	"linli/internal/web"
)

// figureLabels names the figures whose drill-down a list can show.
var figureLabels = map[string]string{
	"intake": "受理数", "accepted": "立案数", "closed": "结案数", "due": "应结案数",
	"response_rate_num": "按时签收的派遣", "response_rate_den": "已派遣", "on_time_rate_num": "按期办结",
	"on_time_rate_den": "应结案", "closure_rate_num": "已结案", "closure_rate_den": "已立案",
	"resolution_rate_num": "回访已解决", "resolution_rate_den": "已回访", "satisfaction_rate_num": "满意和基本满意",
	"satisfaction_rate_den": "已回访", "satisfaction_satisfied": "满意", "satisfaction_basic": "基本满意",
	"satisfaction_dissatisfied": "不满意", "reopen_rate_num": "重办过的结案", "reopen_rate_den": "已结案",
	"mean_handle_hours": "计入平均办理时长的结案",
}

type listView struct {
	web.Page
	Cases       []Case
	Pager       web.Pager
	Query       url.Values
	Filter      Filter
	Queue       string
	FigureLabel string
	FilterChoices
	CanIntake   bool
	CanImport   bool
	ExportURL   string // the export of exactly the cases on screen
	Sorts       []struct{ Code, Label string }
	OverdueOnly bool
	NotOverdue  bool
	// Tabs are the queues with their counts; Filtering is how many filters the form has set.
	Tabs      []QueueCount
	Filtering int
}

func (h *Handlers) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := FilterFromQuery(q)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	pg := web.PagerFrom(r, 50)
	if pg.Limit > MaxListLimit {
		pg.Limit = MaxListLimit
	}
	f.Limit, f.Offset = pg.Limit, pg.Offset
	lp, err := h.svc.CaseList(r.Context(), f)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	pg.Total, pg.More = lp.Total, lp.More
	p := auth.FromContext(r.Context())
	view := &listView{Page: web.Page{Title: "诉求办理"}, Cases: lp.Cases, Pager: pg, Query: listQuery(q), Filter: f,
		Queue: f.Queue, FigureLabel: figureLabels[f.Figure], CanIntake: p.Can(auth.CasesIntake),
		CanImport: p.Can(auth.CasesDispatch), FilterChoices: lp.Choices}
	// A whole URL, not a query spliced after "?" in the template: html/template escapes a query
	// part's "&" and "=", which made the export ignore every filter.
	view.ExportURL = "/cases/export.xlsx"
	if len(view.Query) > 0 {
		view.ExportURL += "?" + view.Query.Encode()
	}
	view.Sorts = SortKeys
	if f.Overdue != nil {
		view.OverdueOnly, view.NotOverdue = *f.Overdue, !*f.Overdue
	}
	if view.Tabs, err = h.svc.QueueCounts(r.Context(), f.RegionID); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	view.Filtering = web.ActiveFilters(q, filterFields)
	h.views.Render(w, r, http.StatusOK, "cases.html", view)
}

// filterFields are the list's filter form fields (the queue and a figure are shown elsewhere).
var filterFields = map[string]string{"q": "", "phone": "", "name": "", "state": "", "category": "", "channel": "", "grid": "",
	"handler": "", "by": "", "from": "", "to": "", "overdue": ""}
