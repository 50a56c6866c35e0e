package cases

import (
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"linli/internal/clock"
	"linli/internal/web"
)

// FigureCard is one figure of the dashboard with the links to the cases it counts.
type FigureCard struct {
	Key    string
	Label  string
	Value  string
	Note   string
	Link   string // the cases counted (a count) or the numerator (a rate)
	DenURL string // the denominator's cases, for a rate
	Num    int64
	Den    int64
	Rate   bool
	// Def is the figure's definition (DOMAIN.md "Figures"), written beside it on the page.
	Def string
}

// figureDefs are the definitions of the figures as the dashboard writes them beside the figures.
var figureDefs = map[string]string{
	"intake":            "期间内登记的诉求件数（含不予受理、并单）。",
	"accepted":          "期间内受理立案的件数。",
	"closed":            "期间内受理、经办理后结案的件数（不含不予受理、并单）。",
	"due":               "受理立案的诉求中，期间内到期的件数：按期办结的，以结案日计；其余以办结时限计，且时限已过才计入。尚未到期的不计，每件只计一次。",
	"response_rate":     "派遣任务中在签收时限内签收的比例（以每件第一次主办派遣为准）。",
	"on_time_rate":      "应结案件中在办结时限内结案的比例；分母即应结案数。",
	"closure_rate":      "期间受理立案的诉求中已办理结案的比例。",
	"resolution_rate":   "已回访件中回访结果为“已解决”的比例。",
	"satisfaction_rate": "已回访件中“满意”与“基本满意”的比例，构成见下。",
	"reopen_rate":       "结案件中曾经重办的比例。",
	"mean_handle_hours": "受理至结案的平均工作小时，挂起期间不计。",
}

// FigureHolds says where a case is counted: in the region or grid that holds it now.
const FigureHolds = "每件诉求只在当前承办的网格（或上报后的社区、街道）计一次；上报、改派后随案件移动。"

type dashboardView struct {
	web.Page
	Filter Filter
	Query  url.Values
	Cards  []FigureCard
	Split  []FigureCard
	Series *Series
	Chart  map[string]any
	FilterChoices
	Regions   []Option
	HasCharts bool
}

var countFigures = []struct{ key, label, note string }{
	{"intake", "受理数", "期间登记的诉求"}, {"accepted", "立案数", "期间受理立案"}, {"closed", "结案数", "经办理后结案"},
	{"due", "应结案数", "期间内到期（已过时限或已办结）"}, {"practical_matters", "办实事", "12345以外渠道、已解决结案"},
}

var rateFigures = []struct{ key, label, note string }{
	{"response_rate", "响应率", "按时签收 ÷ 已派遣"}, {"on_time_rate", "按期办结率", "按期办结 ÷ 应结案"},
	{"closure_rate", "结案率", "结案 ÷ 立案"}, {"resolution_rate", "解决率", "已解决 ÷ 已回访"},
	{"satisfaction_rate", "满意率", "(满意+基本满意) ÷ 已回访"}, {"reopen_rate", "重办率", "重办过 ÷ 结案"},
}

// figureURL is the case list a figure's drill-down shows, with the dashboard's selection.
func figureURL(base url.Values, figure string) string {
	q := url.Values{}
	maps.Copy(q, base)
	q.Set("figure", figure)
	if q.Get("by") == "" {
		q.Set("by", "accepted")
	}
	return "/cases?" + q.Encode()
}

func num(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case float64:
		return int64(n)
	}
	return 0
}

// FigureCards lays the figures out as dashboard cards, each linking to the cases it counts.
func FigureCards(figs Figures, base url.Values) (cards, split []FigureCard) {
	for _, f := range countFigures {
		n := num(figs[f.key])
		cards = append(cards, FigureCard{Key: f.key, Label: f.label, Note: f.note, Value: countText(n), Num: n,
			Link: figureURL(base, f.key), Def: figureDefs[f.key]})
	}
	for _, f := range rateFigures {
		cards = append(cards, FigureCard{Key: f.key, Label: f.label, Note: f.note, Value: pctOf(figs[f.key]), Rate: true,
			Num: num(figs[f.key+"_num"]), Den: num(figs[f.key+"_den"]), Link: figureURL(base, f.key+"_num"),
			DenURL: figureURL(base, f.key+"_den"), Def: figureDefs[f.key]})
	}
	cards = append(cards, FigureCard{Key: "mean_handle_hours", Label: "平均办理时长", Note: "受理至结案，工作小时",
		Value: hoursText(figs["mean_handle_hours"]), Num: num(figs["closed"]), Link: figureURL(base, "mean_handle_hours"),
		Def: figureDefs["mean_handle_hours"]})
	for _, s := range []struct{ key, label string }{{"satisfied", "满意"}, {"basic", "基本满意"}, {"dissatisfied", "不满意"}} {
		n := num(figs["satisfaction_"+s.key])
		split = append(split, FigureCard{Key: s.key, Label: s.label, Value: countText(n), Num: n,
			Link: figureURL(base, "satisfaction_"+s.key)})
	}
	return cards, split
}

func countText(n int64) string { return strconv.FormatInt(n, 10) }

func (h *Handlers) dashboard(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := FilterFromQuery(q)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	if f.By != "closed" {
		f.By = "accepted"
	}
	now := time.Now().In(clock.Shanghai())
	if f.From == "" && f.To == "" {
		f.From, f.To = now.AddDate(0, -11, 0).Format("2006-01")+"-01", now.Format(time.DateOnly)
	}
	f.Figure, f.Queue, f.Q, f.State = "", "", "", ""
	base := url.Values{}
	for k, v := range map[string]string{"from": f.From, "to": f.To, "by": f.By, "channel": f.Channel} {
		if v != "" {
			base.Set(k, v)
		}
	}
	for k, v := range map[string]int64{"region": f.RegionID, "grid": f.GridID, "category": f.CategoryID, "handler": f.HandlerID} {
		if v != 0 {
			base.Set(k, countText(v))
		}
	}
	d, err := h.svc.Dashboard(r.Context(), f)
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	figs, series := d.Figures, d.Series
	v := &dashboardView{Page: web.Page{Title: "诉求统计"}, Filter: f, Query: base, Series: series,
		FilterChoices: d.Choices, Regions: d.Regions, HasCharts: h.kit.HasAsset("vendor/echarts.min.js")}
	v.Cards, v.Split = FigureCards(figs, base)
	v.Chart = map[string]any{"months": series.Months, "categories": series.Categories, "channels": series.Channels,
		"regions": series.Regions, "grids": series.Grids, "rates": map[string]any{"on_time_rate": figs["on_time_rate"],
			"resolution_rate": figs["resolution_rate"], "satisfaction_rate": figs["satisfaction_rate"]}}
	h.views.Render(w, r, http.StatusOK, "dashboard.html", v)
}

// monthLink is the case list behind one cell of the monthly table.
func monthLink(base url.Values, from, to, figure string) string {
	q := url.Values{}
	maps.Copy(q, base)
	q.Set("from", from)
	q.Set("to", to)
	q.Set("figure", figure)
	q.Set("by", "accepted")
	if figure == "closed" {
		q.Set("by", "closed")
	}
	return "/cases?" + q.Encode()
}

// regionDash is the dashboard of a region under the selected one (param "region=<id>").
func regionDash(base url.Values, param string) string {
	q := url.Values{}
	maps.Copy(q, base)
	q.Set("region", strings.TrimPrefix(param, "region="))
	return "/cases/dashboard?" + q.Encode()
}

// bucketLink is the case list behind one row of a by-category, channel, region or grid table: every
// case of the cohort ("all") or the closed ones. A filter the dashboard already has is kept, since
// the bucket can only be narrower — but a region under the selected one replaces it.
func bucketLink(base url.Values, param, kind string) string {
	q := url.Values{}
	maps.Copy(q, base)
	key, val, _ := strings.Cut(param, "=")
	if q.Get(key) == "" || key == "region" {
		q.Set(key, val)
	}
	if kind == "closed" {
		q.Set("figure", "closed")
	}
	return "/cases?" + q.Encode()
}
