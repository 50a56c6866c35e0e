package register

import (
	"net/http"
	"net/url"

	"linli/internal/web"
)

// dutyOption is one choice of the roster list's duty filter.
type dutyOption struct {
	Value string
	Label string
}

// dutyOptions are the duty filter's choices: every duty, and the grid workers of both kinds
// together (what the home page counts as 网格员).
func dutyOptions() []dutyOption {
	out := make([]dutyOption, 0, len(Duties)+1)
	for _, d := range Duties {
		out = append(out, dutyOption{Value: string(d), Label: d.Label()})
		if d == DutyGridLeader {
			out = append(out, dutyOption{Value: DutyQuery(WorkerDuties), Label: "网格员（专职、兼职）"})
		}
	}
	return out
}

type rosterListView struct {
	web.Page
	Entries []RosterEntry
	Grids   []Grid
	GridID  int64
	Duty    string
	Options []dutyOption
	Pager   web.Pager
	Query   url.Values
}

// rosterList lists the roster entries in scope (网格力量名册) by grid and duty: the list the home
// page's 网格长 and 网格员 figures count.
func (h *Handlers) rosterList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	duties, err := ParseDuties(r.URL.Query()["duty"])
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	pg := web.PagerFrom(r, 50)
	v := rosterListView{Page: web.Page{Title: "网格力量"}, GridID: web.QueryInt64(r, "grid"), Duty: DutyQuery(duties),
		Options: dutyOptions(), Query: r.URL.Query()}
	if v.Entries, pg.Total, err = h.svc.RosterList(ctx, RosterFilter{GridID: v.GridID, Duties: duties, Limit: pg.Limit, Offset: pg.Offset}); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	if v.Grids, err = h.svc.Grids(ctx); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v.Pager = pg
	h.views.Render(w, r, http.StatusOK, "roster.html", &v)
}
