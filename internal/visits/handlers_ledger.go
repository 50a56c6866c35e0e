package visits

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/errs"
	"linli/internal/register"
	"linli/internal/web"
)

// filterFrom reads a ledger filter from the query.
func filterFrom(q url.Values) Filter {
	f := Filter{Kind: Kind(q.Get("kind")), From: q.Get("from"), To: q.Get("to"), Mine: q.Get("mine") == "1",
		WithCase: q.Get("with_case") == "1"}
	num := func(k string) int64 { n, _ := strconv.ParseInt(q.Get(k), 10, 64); return n }
	f.GridID, f.HouseholdID, f.LiaisonID, f.ResidentID = num("grid"), num("household"), num("liaison"), num("resident")
	return f
}

type listView struct {
	web.Page
	Visits  []Visit
	Filter  Filter
	Pager   web.Pager
	Query   url.Values
	CanRead bool
	// Filtering is how many filters the folded form sets.
	Filtering int
}

// ledgerFilters are the ledger's filter fields (web.ActiveFilters); a grid, household, resident
// or liaison in the query is the list's subject, not a filter of the form.
var ledgerFilters = map[string]string{"kind": "", "from": "", "to": "", "mine": "", "with_case": ""}

func (h *Handlers) list(w http.ResponseWriter, r *http.Request) {
	f := filterFrom(r.URL.Query())
	pg := web.PagerFrom(r, 50)
	f.Limit, f.Offset = pg.Limit, pg.Offset
	v := &listView{Page: web.Page{Title: "走访台账"}, Filter: f, Query: r.URL.Query(),
		CanRead: auth.FromContext(r.Context()).Can(auth.VisitsRead), Filtering: web.ActiveFilters(r.URL.Query(), ledgerFilters)}
	if f.Kind == KindContact {
		v.Title = "联系台账"
	}
	var err error
	var n int
	if v.Visits, n, err = h.svc.List(r.Context(), f); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	pg.Count(n)
	v.Pager = pg
	h.views.Render(w, r, http.StatusOK, "visits.html", v)
}

func (h *Handlers) export(w http.ResponseWriter, r *http.Request) {
	f := filterFrom(r.URL.Query())
	d := web.NewDownload(w, web.XLSXType, ExportSheetName(f)+"-"+h.svc.Today()+".xlsx", "visits.xlsx")
	if _, err := h.svc.ExportXLSX(r.Context(), f, d); err != nil {
		h.kit.DownloadFailed(w, r, d, err, false)
	}
}

type contactsView struct {
	web.Page
	Month   string
	OrgID   int64
	Rows    []LiaisonCoverage
	Covered int
	Reached int
}

func (h *Handlers) contacts(w http.ResponseWriter, r *http.Request) {
	month := r.URL.Query().Get("month")
	if month == "" {
		month = h.svc.Today()[:7]
	}
	v := &contactsView{Page: web.Page{Title: "党员联系户联系情况"}, Month: month, OrgID: web.QueryInt64(r, "org")}
	var err error
	if v.Rows, err = h.svc.ContactCoverage(r.Context(), v.OrgID, month); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	for _, c := range v.Rows {
		v.Covered += c.Covered
		v.Reached += c.Contacted
	}
	h.views.Render(w, r, http.StatusOK, "contacts.html", v)
}

type carePlansView struct {
	web.Page
	Report   *CoverageReport
	Cadences []cadenceRow
	CanEdit  bool
}

type cadenceRow struct {
	Tag  register.Tag
	Days int
}

func cadenceRows(c Cadences) []cadenceRow {
	out := make([]cadenceRow, 0, len(CareTags))
	for _, t := range CareTags {
		out = append(out, cadenceRow{Tag: t, Days: c[t]})
	}
	return out
}

func (h *Handlers) carePlans(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := &carePlansView{Page: web.Page{Title: "关爱计划"}, CanEdit: auth.FromContext(ctx).Can(auth.SettingsManage)}
	var err error
	if v.Report, err = h.svc.Coverage(ctx); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	cad, err := h.svc.Cadences(ctx)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	for _, c := range cadenceRows(cad) {
		if c.Days > 0 {
			v.Cadences = append(v.Cadences, c)
		}
	}
	h.views.Render(w, r, http.StatusOK, "careplans.html", v)
}

type careResidentsView struct {
	web.Page
	Residents []CareResident
	Filter    CareFilter
	Pager     web.Pager
	Query     url.Values
	Today     string
	Heading   string
}

var stateHeadings = map[string]string{"": "全部关爱对象", "ok": "按期走访的关爱对象", "overdue": "逾期未走访的关爱对象",
	"counted": "应走访的关爱对象", "new": "待首次走访的关爱对象", "due": "今日应走访的关爱对象"}

// careFilterFrom reads the care-plan list's query (state, tag, grid, community and the page),
// shared by the page and the API.
func careFilterFrom(r *http.Request) (CareFilter, web.Pager) {
	q := r.URL.Query()
	f := CareFilter{State: q.Get("state"), Tag: register.Tag(q.Get("tag"))}
	f.GridID, _ = strconv.ParseInt(q.Get("grid"), 10, 64)
	f.CommunityID, _ = strconv.ParseInt(q.Get("community"), 10, 64)
	pg := web.PagerFrom(r, 100)
	f.Limit, f.Offset = pg.Limit, pg.Offset
	return f, pg
}

func (h *Handlers) careResidents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, pg := careFilterFrom(r)
	v := &careResidentsView{Page: web.Page{Title: "关爱对象"}, Filter: f, Query: q, Today: h.svc.Today(),
		Heading: stateHeadings[f.State]}
	var err error
	if v.Residents, pg.Total, err = h.svc.CarePlan(r.Context(), f); err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v.Pager = pg
	h.views.Render(w, r, http.StatusOK, "care_residents.html", v)
}

type settingsView struct {
	web.Page
	Cadences []cadenceRow
	Points   float64
}

func (h *Handlers) settings(w http.ResponseWriter, r *http.Request) {
	h.renderSettings(w, r, http.StatusOK, &settingsView{Page: web.Page{Title: "关爱计划设置"}})
}

func (h *Handlers) renderSettings(w http.ResponseWriter, r *http.Request, status int, v *settingsView) {
	ctx := r.Context()
	if v.Cadences == nil {
		cad, err := h.svc.Cadences(ctx)
		if err != nil {
			h.kit.Error(w, r, err)
			return
		}
		v.Cadences = cadenceRows(cad)
		if v.Points, err = h.svc.PointsPerHour(ctx); err != nil {
			h.kit.Error(w, r, err)
			return
		}
	}
	h.views.Render(w, r, status, "care_settings.html", v)
}

func (h *Handlers) saveSettings(w http.ResponseWriter, r *http.Request) {
	c := Cadences{}
	f := errs.Fields{}
	for _, t := range CareTags {
		s := r.FormValue("cadence_" + string(t))
		if s == "" {
			s = "0"
		}
		d, err := strconv.Atoi(s)
		if err != nil {
			f.Add(string(t), t.Label()+"的走访周期应为整数天数")
		}
		c[t] = d
	}
	points, perr := strconv.ParseFloat(r.FormValue("points_per_hour"), 64)
	if perr != nil {
		f.Add("points_per_hour", "每小时积分应为数字")
	}
	err := f.Err()
	if err == nil {
		_, err = h.svc.SetCadences(r.Context(), c)
	}
	if err == nil {
		err = h.svc.SetPointsPerHour(r.Context(), points)
	}
	if err != nil {
		v := &settingsView{Page: web.Page{Title: "关爱计划设置"}, Cadences: cadenceRows(c), Points: points}
		h.kit.FormFailed(w, r, err, &v.Page, func(status int) { h.renderSettings(w, r, status, v) })
		return
	}
	web.Redirect(w, r, "/settings/care-plans", "关爱计划设置已保存")
}

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }

func formatHours(mins int) string {
	return strconv.FormatFloat(float64(mins)/60, 'f', 1, 64)
}

// parseLocal reads a datetime-local field in Asia/Shanghai.
func parseLocal(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02T15:04", s, clock.Shanghai())
	if err != nil {
		return time.Time{}
	}
	return t
}
