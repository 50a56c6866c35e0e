package briefing

import (
	"context"
	"math"
	"net/url"
	"strconv"
	"strings"

	"linli/internal/activities"
	"linli/internal/auth"
	"linli/internal/cases"
	"linli/internal/cobuild"
	"linli/internal/deliberation"
	"linli/internal/errs"
	"linli/internal/mediation"
	"linli/internal/party"
	"linli/internal/reports"
)

// Sources are the capabilities whose figures a briefing quotes. Each figure is read through the
// capability's own Figures method — the one its figures API serves — so a briefing and the
// capability's pages never disagree; nothing is counted here.
type Sources struct {
	Cases      *cases.Service
	Party      *party.Service
	Cobuild    *cobuild.Service
	Mediation  *mediation.Service
	Activities *activities.Service
	// Deliberation is the residents' deliberation hall (nil leaves its figures out).
	Deliberation *deliberation.Service
	// Register counts the register of a region (grids, grid leaders, households, residents).
	Register func(ctx context.Context, p *auth.Principal, regionID int64) (*reports.RegionTotals, error)
}

// Params are what a figure counts over: a region subtree and a period of days (both ends
// included), and for some figures one more filter (Filter: a category, a series, a dispute type).
type Params struct {
	RegionID int64
	From, To string
	Filter   string
}

// Def is a defined figure: what a briefing may quote.
type Def struct {
	Key        string `json:"key"`
	Label      string `json:"label"`
	Unit       string `json:"unit"`
	Definition string `json:"definition"`
	// Period says the figure counts the period's records; without it the figure is the state on
	// the day the briefing is read (open work, the register).
	Period bool `json:"period"`
	// Rate figures are shares, shown as percentages.
	Rate bool `json:"rate"`
	// Filter names the extra parameter the figure takes ("" for none).
	Filter string `json:"filter,omitempty"`
	read   func(r *resolver, ctx context.Context, p Params) (float64, bool, string, error)
	// cases and channel mark the figures of the case loop, which the resolver reads by category in
	// one statement when a text quotes several categories.
	cases   bool
	channel string
}

// Value is a figure resolved for its parameters, with the list of the records it counts.
type Value struct {
	Key   string  `json:"key"`
	Ref   string  `json:"ref"` // the reference as written in the text, e.g. "cases.hotline_handled category=12"
	Label string  `json:"label"`
	Unit  string  `json:"unit"`
	Value float64 `json:"value"`
	// Null is true when a rate has no denominator in the period.
	Null bool   `json:"null"`
	Text string `json:"text"` // the value as printed: "153", "91.2%", "—"
	Href string `json:"href"`
}

// format prints a value the way a briefing does.
func (d *Def) format(v float64, null bool) string {
	switch {
	case null:
		return "—"
	case d.Rate:
		return strconv.FormatFloat(math.Round(v*1000)/10, 'f', -1, 64) + "%"
	case v != math.Trunc(v):
		return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

func href(path string, kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" && kv[i+1] != "0" {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// registerDef, partyDef … build the figures of one source from a getter of its figures struct.
func registerDef(key, label, unit, def string, get func(*reports.RegionTotals) int, link func(p Params) string) *Def {
	return &Def{Key: key, Label: label, Unit: unit, Definition: def,
		read: func(r *resolver, ctx context.Context, p Params) (float64, bool, string, error) {
			c, err := r.register(ctx, p)
			if err != nil {
				return 0, false, "", err
			}
			return float64(get(c)), false, link(p), nil
		}}
}

func partyDef(key, label, unit, def string, get func(party.Figures) (int, string)) *Def {
	return &Def{Key: key, Label: label, Unit: unit, Definition: def,
		read: func(r *resolver, ctx context.Context, p Params) (float64, bool, string, error) {
			f, err := r.party(ctx, p)
			if err != nil {
				return 0, false, "", err
			}
			n, link := get(f)
			return float64(n), false, link, nil
		}}
}

func cobuildDef(key, label, unit, def string, period bool, get func(*cobuild.Figures) int) *Def {
	json := strings.TrimPrefix(key, "cobuild.")
	return &Def{Key: key, Label: label, Unit: unit, Definition: def, Period: period,
		read: func(r *resolver, ctx context.Context, p Params) (float64, bool, string, error) {
			if n, ok := r.memo[pkey(key, p)].(int); ok { // read with the region above (comparison)
				f := cobuild.Figures{Filter: cobuild.FigureFilter{RegionID: p.RegionID, From: p.From, To: p.To}}
				return float64(n), false, f.Href(json), nil
			}
			f, err := r.cobuild(ctx, p)
			if err != nil {
				return 0, false, "", err
			}
			return float64(get(f)), false, f.Href(json), nil
		}}
}

func mediationDef(key, label, unit, def string, period, rate bool, figure string, get func(*mediation.Figures) (float64, bool)) *Def {
	return &Def{Key: key, Label: label, Unit: unit, Definition: def, Period: period, Rate: rate,
		read: func(r *resolver, ctx context.Context, p Params) (float64, bool, string, error) {
			ff := mediation.FigureFilter{RegionID: p.RegionID}
			if period {
				ff.From, ff.To = p.From, p.To
			}
			if n, ok := r.memo[pkey(key, p)].(int); ok { // read with the region above (comparison)
				return float64(n), false, ff.Link(figure), nil
			}
			f, err := r.mediation(ctx, p)
			if err != nil {
				return 0, false, "", err
			}
			v, null := get(f)
			return v, null, ff.Link(figure), nil
		}}
}

// casesDef is a figure of the case loop: the cases API's figure named figure, over the cases
// closed in the period (by=closed) of one channel ("" for all), optionally one category.
func casesDef(key, label, unit, def string, rate bool, channel, figure string) *Def {
	d := &Def{Key: key, Label: label, Unit: unit, Definition: def, Period: true, Rate: rate, Filter: "category", channel: channel, cases: true}
	d.read = func(r *resolver, ctx context.Context, p Params) (float64, bool, string, error) {
		f := cases.Filter{Channel: channel, By: "closed", RegionID: p.RegionID, From: p.From, To: p.To}
		if p.Filter != "" {
			n, err := strconv.ParseInt(p.Filter, 10, 64)
			if err != nil || n <= 0 {
				return 0, false, "", errs.Field("figures", "指标 "+key+" 的分类参数应为分类编号")
			}
			f.CategoryID = n
		}
		fig, err := r.cases(ctx, f)
		if err != nil {
			return 0, false, "", err
		}
		link := href("/cases", "channel", channel, "category", p.Filter, "region", id(p.RegionID), "from", p.From,
			"to", p.To, "by", "closed", "figure", figure)
		v, ok := number(fig[figure])
		if rate {
			link = href("/cases", "channel", channel, "category", p.Filter, "region", id(p.RegionID), "from", p.From,
				"to", p.To, "by", "closed", "figure", figure+"_num")
		}
		return v, !ok, link, nil
	}
	return d
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	case int:
		return float64(n), true
	}
	return 0, false
}

func activitiesDef(key, label, unit, def string, filter string, get func(*activities.Figures, string) (float64, string)) *Def {
	return &Def{Key: key, Label: label, Unit: unit, Definition: def, Period: true, Filter: filter,
		read: func(r *resolver, ctx context.Context, p Params) (float64, bool, string, error) {
			f, err := r.activities(ctx, p)
			if err != nil {
				return 0, false, "", err
			}
			v, link := get(f, p.Filter)
			return v, false, link, nil
		}}
}

func deliberationDef(key, label, unit, def, link string, get func(*deliberation.Figures) int) *Def {
	return &Def{Key: key, Label: label, Unit: unit, Definition: def, Period: true,
		read: func(r *resolver, ctx context.Context, p Params) (float64, bool, string, error) {
			f, err := r.deliberation(ctx, p)
			if err != nil {
				return 0, false, "", err
			}
			return float64(get(f)), false, f.Links[link], nil
		}}
}

// defs are the figures a briefing may quote, in the order of the appendix.
var defs = []*Def{
	registerDef("register.grids", "网格", "个", "区域内划分的网格数（当前）", func(c *reports.RegionTotals) int { return c.Grids },
		func(p Params) string { return href("/grids", "region", id(p.RegionID)) }),
	registerDef("register.grid_leaders", "专职网格员", "名", "花名册中职责为网格长（专职网格员）的人数（当前）",
		func(c *reports.RegionTotals) int { return c.GridLeaders },
		func(p Params) string { return href("/roster", "region", id(p.RegionID), "duty", "grid_leader") }),
	registerDef("register.households", "住户", "户", "登记在册的住户数（当前）", func(c *reports.RegionTotals) int { return c.Households },
		func(p Params) string { return href("/households", "region", id(p.RegionID)) }),
	registerDef("register.residents", "居民", "人", "登记在册的居民数（当前）", func(c *reports.RegionTotals) int { return c.Residents },
		func(p Params) string { return href("/residents", "region", id(p.RegionID)) }),
	partyDef("party.branches", "网格党支部", "个", "建在网格上的党支部数（当前）",
		func(f party.Figures) (int, string) { return f.Branches, f.BranchesHref() }),
	partyDef("party.members", "党员", "名", "在册党员数，含在职党员（当前）",
		func(f party.Figures) (int, string) { return f.Members, f.MembersHref() }),
	partyDef("party.in_service_members", "在职党员", "名", "到社区报到的在职党员数（当前）",
		func(f party.Figures) (int, string) { return f.InService, f.InServiceHref() }),
	partyDef("party.liaison_households", "党员联系户", "户", "确定的党员联系户数（当前）",
		func(f party.Figures) (int, string) { return f.Liaisons, f.LiaisonsHref() }),
	partyDef("party.covered_households", "联系群众", "户", "党员联系户联系的住户数（当前）",
		func(f party.Figures) (int, string) { return f.Covered, f.CoveredHref() }),
	cobuildDef("cobuild.needs", "需求清单", "项", "期间梳理登记的需求", true, func(f *cobuild.Figures) int { return f.Needs }),
	cobuildDef("cobuild.needs_met", "需求办结", "项", "期间办结的需求", true, func(f *cobuild.Figures) int { return f.NeedsMet }),
	cobuildDef("cobuild.resources", "资源清单", "项", "期间成员单位提供的资源", true, func(f *cobuild.Figures) int { return f.Resources }),
	cobuildDef("cobuild.projects", "项目清单", "个", "期间立项的共建项目", true, func(f *cobuild.Figures) int { return f.Projects }),
	cobuildDef("cobuild.meetings", "党建联席会议", "次", "期间召开的党建联席会议", true, func(f *cobuild.Figures) int { return f.Meetings }),
	cobuildDef("cobuild.activities", "共建活动", "场", "期间成员单位参与开展的共建活动", true, func(f *cobuild.Figures) int { return f.Activities }),
	cobuildDef("cobuild.decisions_late", "逾期未落实的会议决定", "项", "期间联席会议决定中逾期未办结或逾期办结的", true,
		func(f *cobuild.Figures) int { return f.DecisionsLate }),
	mediationDef("mediation.received", "受理矛盾纠纷", "件", "期间登记受理的调解案件", true, false, "received",
		func(f *mediation.Figures) (float64, bool) { return float64(f.Received), false }),
	mediationDef("mediation.agreements", "调解成功", "件", "期间以书面或口头协议结案的调解案件（含红色智囊团参与化解的疑难问题）", true, false, "agreements",
		func(f *mediation.Figures) (float64, bool) { return float64(f.Agreements), false }),
	mediationDef("mediation.success_rate", "调解成功率", "", "调解成功 ÷（调解成功 + 调解不成），期间结案", true, true, "concluded",
		func(f *mediation.Figures) (float64, bool) { return f.SuccessRate, f.SuccessRateDen == 0 }),
	mediationDef("mediation.near_limit", "临近或超过期限的调解", "件", "正在调解、距30日期限不足7日或已超期的案件（当前）", false, false, "near_limit",
		func(f *mediation.Figures) (float64, bool) { return float64(f.NearLimit), false }),
	casesDef("cases.hotline_handled", "办理12345热线诉求", "件", "期间办结的12345热线诉求（不含驳回、合并）", false, "hotline_12345", "closed"),
	casesDef("cases.practical_matters", "为群众办实事", "件", "期间办结且已解决的、12345热线以外渠道的诉求", false, "", "practical_matters"),
	casesDef("cases.closed", "办结诉求", "件", "期间办结的各渠道诉求（不含驳回、合并）", false, "", "closed"),
	casesDef("cases.satisfaction_rate", "群众满意率", "", "期间办结并回访的诉求中（满意 + 基本满意）÷ 已回访", true, "", "satisfaction_rate"),
	casesDef("cases.hotline_satisfaction_rate", "12345热线满意率", "", "期间办结并回访的12345热线诉求中（满意 + 基本满意）÷ 已回访", true, "hotline_12345", "satisfaction_rate"),
	casesDef("cases.on_time_rate", "按期办结率", "", "期间办结的诉求中按期办结 ÷ 办结时限已到的诉求", true, "", "on_time_rate"),
	casesDef("cases.resolution_rate", "解决率", "", "期间办结并回访的诉求中已解决 ÷ 已回访", true, "", "resolution_rate"),
	deliberationDef("deliberation.topics", "居民议事议题", "个", "期间提出的居民议事议题", "topics",
		func(f *deliberation.Figures) int { return f.Topics }),
	deliberationDef("deliberation.meetings", "议事会议", "次", "期间召开（未取消）的居民议事会议", "meetings",
		func(f *deliberation.Figures) int { return f.Meetings }),
	deliberationDef("deliberation.decisions", "议事决定", "项", "期间议事会议表决通过形成的决定", "decisions",
		func(f *deliberation.Figures) int { return f.Decisions }),
	deliberationDef("deliberation.decisions_done", "落实的议事决定", "项", "期间执行完毕的议事决定", "decisions_done",
		func(f *deliberation.Figures) int { return f.DecisionsDone }),
	{Key: "activities.held", Label: "开展活动", Unit: "场", Definition: "期间举办的活动（含上级区域面向本区域居民的活动）", Period: true,
		read: func(r *resolver, ctx context.Context, p Params) (float64, bool, string, error) {
			if c, ok := r.memo[heldKey(p)].(activities.RegionFigures); ok { // read with the region above (comparison)
				return float64(c.Held), false, c.Link, nil
			}
			f, err := r.activities(ctx, p)
			if err != nil {
				return 0, false, "", err
			}
			return float64(f.Held), false, f.HeldLink, nil
		}},
	activitiesDef("activities.featured_series", "特色活动品牌", "个", "期间开展过活动的特色活动系列", "",
		func(f *activities.Figures, _ string) (float64, string) {
			return float64(f.FeaturedSeries), f.FeaturedLink
		}),
	activitiesDef("activities.participants", "参与群众", "人次", "期间活动签到的人次", "",
		func(f *activities.Figures, _ string) (float64, string) {
			return float64(f.ParticipantsTotal), f.HeldLink
		}),
	activitiesDef("activities.volunteer_hours", "志愿服务时长", "小时", "期间审核通过的志愿服务时长", "",
		func(f *activities.Figures, _ string) (float64, string) { return f.VolunteerHours, f.VolunteerLink }),
	activitiesDef("activities.series_held", "系列活动", "场", "期间举办的某一特色活动系列的活动", "series",
		func(f *activities.Figures, series string) (float64, string) {
			for _, c := range f.BySeries {
				if c.Key == series {
					return float64(c.Count), c.Link
				}
			}
			return 0, f.HeldLink
		}),
}

var defByKey = func() map[string]*Def {
	m := map[string]*Def{}
	for _, d := range defs {
		m[d.Key] = d
	}
	return m
}()

// Defs lists the figures a briefing may quote.
func Defs() []*Def { return defs }

// resolver reads each source's figures once per set of parameters while a briefing is built.
type resolver struct {
	src  Sources
	p    *auth.Principal
	memo map[string]any
}

func newResolver(src Sources, p *auth.Principal) *resolver {
	return &resolver{src: src, p: p, memo: map[string]any{}}
}

func memo[T any](r *resolver, key string, f func() (T, error)) (T, error) {
	if v, ok := r.memo[key]; ok {
		return v.(T), nil
	}
	v, err := f()
	if err == nil {
		r.memo[key] = v
	}
	return v, err
}

func pkey(src string, p Params) string {
	return src + "|" + id(p.RegionID) + "|" + p.From + "|" + p.To
}

func (r *resolver) register(ctx context.Context, p Params) (*reports.RegionTotals, error) {
	return memo(r, pkey("register", Params{RegionID: p.RegionID}), func() (*reports.RegionTotals, error) {
		return r.src.Register(ctx, r.p, p.RegionID)
	})
}

func (r *resolver) party(ctx context.Context, p Params) (party.Figures, error) {
	return memo(r, pkey("party", Params{RegionID: p.RegionID}), func() (party.Figures, error) {
		return r.src.Party.Figures(ctx, r.p, p.RegionID)
	})
}

func (r *resolver) cobuild(ctx context.Context, p Params) (*cobuild.Figures, error) {
	return memo(r, pkey("cobuild", p), func() (*cobuild.Figures, error) {
		return r.src.Cobuild.Figures(ctx, r.p, cobuild.FigureFilter{RegionID: p.RegionID, From: p.From, To: p.To})
	})
}

func (r *resolver) mediation(ctx context.Context, p Params) (*mediation.Figures, error) {
	return memo(r, pkey("mediation", p), func() (*mediation.Figures, error) {
		return r.src.Mediation.Figures(ctx, mediation.FigureFilter{RegionID: p.RegionID, From: p.From, To: p.To})
	})
}

func (r *resolver) activities(ctx context.Context, p Params) (*activities.Figures, error) {
	return memo(r, pkey("activities", p), func() (*activities.Figures, error) {
		return r.src.Activities.Figures(ctx, activities.FigureFilter{RegionID: p.RegionID, From: p.From, To: p.To})
	})
}

func casesKey(f cases.Filter) string {
	return "cases|" + f.Channel + "|" + id(f.CategoryID) + "|" + id(f.RegionID) + "|" + f.From + "|" + f.To
}

func (r *resolver) deliberation(ctx context.Context, p Params) (*deliberation.Figures, error) {
	return memo(r, pkey("deliberation", p), func() (*deliberation.Figures, error) {
		if r.src.Deliberation == nil {
			return nil, errs.E(errs.NotFound, "议事厅未启用")
		}
		return r.src.Deliberation.Figures(ctx, deliberation.Period{RegionID: p.RegionID, From: p.From, To: p.To})
	})
}

// regionKey keeps a region's name for the labels of references to it (the comparison's rows).
func regionKey(regionID int64) string { return "region name " + id(regionID) }

func heldKey(p Params) string { return pkey("activities.held", p) }

// activitiesByRegion reads the activities figures of a region and keeps the activities held in each
// region under it (the figures' Children, counted as each region's own figures count them).
func (r *resolver) activitiesByRegion(ctx context.Context, p Params) error {
	f, err := r.activities(ctx, p)
	if err != nil {
		return err
	}
	for _, c := range f.Children {
		one := p
		one.RegionID = c.RegionID
		r.memo[heldKey(one)] = c
	}
	return nil
}

// byRegion reads the comparison's co-building projects and mediation agreements of every region
// under p.RegionID in one statement each, and keeps each region's count as its figure, so that
// those columns do not read the whole co-building and mediation figures of every region and
// period.
func (r *resolver) byRegion(ctx context.Context, p Params, regions []int64) error {
	projects, err := r.src.Cobuild.ProjectsByRegion(ctx, r.p, cobuild.FigureFilter{RegionID: p.RegionID, From: p.From, To: p.To})
	if err != nil {
		return err
	}
	agreements, err := r.src.Mediation.CountByRegion(ctx, mediation.FigureFilter{RegionID: p.RegionID, From: p.From, To: p.To}, "agreements")
	if err != nil {
		return err
	}
	for _, id := range regions {
		one := p
		one.RegionID = id
		r.memo[pkey("cobuild.projects", one)] = projects[id]
		r.memo[pkey("mediation.agreements", one)] = agreements[id]
	}
	return nil
}

func (r *resolver) cases(ctx context.Context, f cases.Filter) (cases.Figures, error) {
	return memo(r, casesKey(f), func() (cases.Figures, error) { return r.src.Cases.Figures(ctx, f) })
}

// casesByRegion reads the case figures of every region under f.RegionID in one statement and keeps
// each as if read alone, so that the comparison's references resolve without a query each.
func (r *resolver) casesByRegion(ctx context.Context, f cases.Filter) error {
	groups, err := r.src.Cases.FiguresByRegion(ctx, f)
	for _, g := range groups {
		one := f
		one.RegionID = g.ID
		r.memo[casesKey(one)] = g.Figures
	}
	return err
}

// casesByCategory is casesByRegion for the top-level categories of a region; it returns them, most
// cases first.
func (r *resolver) casesByCategory(ctx context.Context, f cases.Filter) ([]cases.Group, error) {
	return memo(r, "by category "+casesKey(f), func() ([]cases.Group, error) {
		groups, err := r.src.Cases.FiguresByCategory(ctx, f)
		for _, g := range groups {
			one := f
			one.CategoryID = g.ID
			r.memo[casesKey(one)] = g.Figures
			r.memo["category="+id(g.ID)] = g.Name
		}
		return groups, err
	})
}

// resolve computes one reference. A reference is a figure key with optional parameters that
// override the briefing's own: "cases.hotline_handled category=12 from=2023-01-01 to=2023-10-15".
func (r *resolver) resolve(ctx context.Context, ref string, base Params) (Value, error) {
	d, p, err := parseRef(ref, base)
	if err != nil {
		return Value{}, err
	}
	v, null, link, err := d.read(r, ctx, p)
	if err != nil {
		return Value{}, err
	}
	return Value{Key: d.Key, Ref: ref, Label: r.label(ctx, d, p, base), Unit: d.Unit, Value: v, Null: null, Text: d.format(v, null),
		Href: link}, nil
}

// label names a reference in words: the figure, and what its parameters change — the category or
// series, another region, another period — so that no page shows a reference's code.
func (r *resolver) label(ctx context.Context, d *Def, p, base Params) string {
	out := d.Label
	if p.Filter != "" {
		name, _ := r.memo[d.Filter+"="+p.Filter].(string)
		if name == "" && d.Filter == "series" {
			if f, err := r.activities(ctx, p); err == nil {
				for _, c := range f.BySeries {
					if c.Key == p.Filter {
						name = c.Label
					}
				}
			}
		}
		if name == "" {
			name = "第" + p.Filter + "类"
		}
		out += "·" + name
	}
	if name, ok := r.memo[regionKey(p.RegionID)].(string); ok && p.RegionID != base.RegionID {
		out += "·" + name
	}
	if d.Period && (p.From != base.From || p.To != base.To) {
		out += "（" + p.From + "至" + p.To + "）"
	}
	return out
}

// parseRef splits a reference into its figure and parameters.
func parseRef(ref string, base Params) (*Def, Params, error) {
	fields := strings.Fields(ref)
	if len(fields) == 0 {
		return nil, base, errs.Field("figures", "空的指标引用")
	}
	d, ok := defByKey[fields[0]]
	if !ok {
		return nil, base, errs.Field("figures", "未定义的指标："+fields[0])
	}
	p := base
	p.Filter = ""
	for _, f := range fields[1:] {
		k, v, ok := strings.Cut(f, "=")
		switch {
		case !ok || v == "":
			return nil, base, errs.Field("figures", "指标参数应写作 名称=值："+f)
		case k == "from" && validDate(v):
			p.From = v
		case k == "to" && validDate(v):
			p.To = v
		case k == "region":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return nil, base, errs.Field("figures", "区域参数应为区域编号："+f)
			}
			p.RegionID = n
		case d.Filter != "" && k == d.Filter:
			p.Filter = v
		default:
			return nil, base, errs.Field("figures", "指标 "+d.Key+" 不接受参数："+f)
		}
	}
	if p.From > p.To {
		return nil, base, errs.Field("figures", "指标引用的开始日期晚于结束日期："+ref)
	}
	return d, p, nil
}
