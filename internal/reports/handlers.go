// Package reports computes the figures Linli shows — the home page's counts and the dashboards —
// each one a link to the records it counts.
package reports

import (
	"embed"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/web"
)

//go:embed templates
var templates embed.FS

// Handlers serves the home page and the dashboards.
type Handlers struct {
	db    *db.DB
	auth  *auth.Handlers
	kit   *web.Kit
	views *web.Views
	// Now is the clock ages are counted from; tests replace it.
	Now func() time.Time
}

// NewHandlers returns the reports handlers.
func NewHandlers(d *db.DB, a *auth.Handlers, kit *web.Kit) *Handlers {
	return &Handlers{db: d, auth: a, kit: kit, views: kit.Views(templates, nil), Now: time.Now}
}

// Routes registers the home page and dashboards.
func (h *Handlers) Routes(mux *http.ServeMux) {
	mux.Handle("GET /{$}", h.auth.Page("", h.home))
}

// figure is one number on the home page and the list it counts.
type figure struct {
	Label string
	Value int
	Href  string
	Note  string
}

// section is a group of figures; the 一老一小 group is highlighted.
type section struct {
	Title     string
	Note      string
	Highlight bool
	Figures   []figure
}

// cell is a number in the per-grid table with the list it counts (no link when Href is empty).
type cell struct {
	Value int
	Href  string
}

type row struct {
	Name   string
	Href   string
	Leader string
	Cells  []cell
}

type homeView struct {
	web.Page
	Region     Region
	Breadcrumb []Region
	Level      string
	Sections   []section
	ChildLabel string
	Columns    []string
	Rows       []row
	Took       time.Duration
}

type welcomeView struct {
	web.Page
	Name, Role, Region string
	Links              []figure
}

// tagInfo names the focus tags in the order the home page lists them.
var tagInfo = []struct{ code, label string }{
	{"elderly_alone", "独居老人"}, {"empty_nest", "空巢老人"}, {"aged_80", "高龄老人"}, {"disabled_care", "失能/半失能"},
	{"left_behind_child", "留守儿童"}, {"child_in_distress", "困境儿童"}, {"minor", "未成年人"},
	{"disability", "残疾人"}, {"dibao", "低保/特困"}, {"veteran", "退役军人"}, {"focus", "重点关注"}, {"party_member", "党员"},
}

func tagLabel(code string) string {
	for _, t := range tagInfo {
		if t.code == code {
			return t.label
		}
	}
	return code
}

// tableTags are the per-grid table's focus columns.
var tableTags = []string{"elderly_alone", "empty_nest", "aged_80", "disabled_care", "left_behind_child", "child_in_distress",
	"disability", "dibao"}

func (h *Handlers) home(w http.ResponseWriter, r *http.Request) {
	p := auth.FromContext(r.Context())
	if !p.Can(auth.RegisterRead) {
		h.landing(w, r, p)
		return
	}
	start := time.Now()
	ov, err := Figures(r.Context(), h.db, p, h.Now().In(clock.Shanghai()))
	if err != nil {
		h.kit.Error(w, r, err)
		return
	}
	v := &homeView{Page: web.Page{Title: "首页"}, Region: ov.Region, Breadcrumb: ov.Ancestors, Level: ov.Region.Level}
	minorsOK := p.Can(auth.MinorsRead)
	v.Sections = sections(ov.Total, minorsOK)
	v.ChildLabel, v.Columns, v.Rows = table(ov, minorsOK)
	v.Took = time.Since(start).Round(time.Millisecond)
	h.views.Render(w, r, http.StatusOK, "home.html", v)
}

func residentsHref(tag string) string { return "/residents?" + url.Values{"tag": {tag}}.Encode() }

// childTags are the groups made only of children.
var childTags = map[string]bool{"minor": true, "left_behind_child": true, "child_in_distress": true}

// shown returns what a user sees of a tag's count and whether it links to its list. Without the
// minors permission the resident lists leave children out, so the figures do too; the groups made
// only of children keep their count but lose the link.
func shown(c *Counts, tag string, minorsOK bool) (int, bool) {
	switch {
	case minorsOK:
		return c.Tags[tag], true
	case childTags[tag]:
		return c.Tags[tag], false
	}
	return c.Tags[tag] - c.Minors[tag], true
}

// residents returns the residents a user's lists show.
func residents(c *Counts, minorsOK bool) int {
	if minorsOK {
		return c.Residents
	}
	return c.Residents - c.MinorResidents
}

func tagFigures(c *Counts, minorsOK bool, codes ...string) []figure {
	var out []figure
	for _, code := range codes {
		n, linked := shown(c, code, minorsOK)
		f := figure{Label: tagLabel(code), Value: n, Href: residentsHref(code)}
		if !linked {
			f.Href, f.Note = "", "名单需未成年人信息权限"
		}
		out = append(out, f)
	}
	return out
}

func sections(c *Counts, minorsOK bool) []section {
	occupied := c.Households - c.HouseholdsOf["vacant"]
	people := figure{Label: "居民", Value: residents(c, minorsOK), Href: "/residents"}
	if !minorsOK {
		people.Note = "不含未成年人"
	}
	return []section{
		{Title: "基本情况", Figures: []figure{
			{Label: "网格", Value: c.Grids, Href: "/grids"},
			{Label: "楼院", Value: c.Buildings, Href: "/buildings"},
			{Label: "住户", Value: c.Households, Href: "/households", Note: fmt.Sprintf("实住%d户", occupied)},
			people,
			{Label: "专职网格长", Value: c.GridLeaders, Href: "/roster?duty=grid_leader"},
			{Label: "网格员", Value: c.GridWorkers, Href: "/roster?duty=worker_full,worker_part", Note: "专职、兼职"},
		}},
		{Title: "一老一小", Note: "重点关爱对象", Highlight: true,
			Figures: tagFigures(c, minorsOK, "elderly_alone", "empty_nest", "aged_80", "disabled_care", "left_behind_child", "child_in_distress", "minor")},
		{Title: "其他重点人群", Figures: tagFigures(c, minorsOK, "disability", "dibao", "veteran", "focus", "party_member")},
		{Title: "党建引领", Figures: []figure{
			{Label: "网格党支部", Value: c.Branches, Href: "/party/orgs?kind=branch"},
			{Label: "党员", Value: c.Members, Href: "/party/members"},
			{Label: "在职党员报到", Value: c.InService, Href: "/party/members?kind=in_service"},
			{Label: "党员联系户", Value: c.Liaisons, Href: "/party/liaison"},
			{Label: "联系覆盖户数", Value: c.Covered, Href: "/party/covered"},
		}},
	}
}

// table returns the per-region table: a community's (or grid's) grids, a street's communities, a
// district's streets.
func table(ov *Overview, minorsOK bool) (label string, cols []string, rows []row) {
	cols = []string{"住户", "居民"}
	for _, t := range tableTags {
		cols = append(cols, tagLabel(t))
	}
	cols = append(cols, "党员联系户")
	label = map[string]string{"city": "区县", "district": "街道", "street": "社区"}[ov.Region.Level]
	if label == "" {
		label = "网格"
	}
	for _, ch := range ov.Children {
		c := ch.Counts
		isGrid := ch.Region.Level == "grid"
		link := func(href string) string {
			if isGrid {
				return href
			}
			return ""
		}
		grid := fmt.Sprint(ch.Region.ID)
		rw := row{Name: ch.Region.Name, Href: "/grids", Leader: strings.Join(c.LeaderNames, "、")}
		if isGrid {
			rw.Href = "/grids/" + grid
		}
		rw.Cells = append(rw.Cells,
			cell{c.Households, link("/households?" + url.Values{"grid": {grid}}.Encode())},
			cell{residents(c, minorsOK), link("/residents?" + url.Values{"grid": {grid}}.Encode())})
		for _, t := range tableTags {
			n, linked := shown(c, t, minorsOK)
			cl := cell{Value: n}
			if linked {
				cl.Href = link("/residents?" + url.Values{"grid": {grid}, "tag": {t}}.Encode())
			}
			rw.Cells = append(rw.Cells, cl)
		}
		rw.Cells = append(rw.Cells, cell{c.Liaisons, link("/party/liaison?" + url.Values{"region": {grid}}.Encode())})
		rows = append(rows, rw)
	}
	return label, cols, rows
}

// landing sends users who do not work with the register where their work is: the security admin
// to accounts, the auditor to the audit log, everyone else to a short welcome page.
func (h *Handlers) landing(w http.ResponseWriter, r *http.Request, p *auth.Principal) {
	switch {
	case p.Can(auth.AccountsManage):
		http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
		return
	case p.Can(auth.AuditRead):
		http.Redirect(w, r, "/audit", http.StatusSeeOther)
		return
	}
	v := &welcomeView{Page: web.Page{Title: "首页"}, Name: p.Name, Role: p.Role.Label(), Region: p.RegionName}
	if p.Can(auth.PartyRead) {
		v.Links = append(v.Links, figure{Label: "党组织", Href: "/party", Note: "党组织体系、党员联系户"})
	}
	if p.Can(auth.CasesRead) {
		v.Links = append(v.Links, figure{Label: "诉求办理", Href: "/cases", Note: "查看和办理分派给您的诉求"})
	}
	v.Links = append(v.Links, figure{Label: "修改密码", Href: "/account/password", Note: "定期修改密码，保护账号安全"})
	h.views.Render(w, r, http.StatusOK, "welcome.html", v)
}
