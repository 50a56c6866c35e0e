package reports

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"linli/internal/auth"
	"linli/internal/cases"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/register"
)

// Service owns the rules of the home page: who sees figures and who is sent to their own work,
// and what a user without the minors permission may see of the figures.
type Service struct {
	db *db.DB
	// Now is the clock ages are counted from; tests replace it.
	Now func() time.Time
	// Cases, when set, gives the home page its work queues and the comparison its case figures.
	Cases *cases.Service
}

// NewService returns the reports service on d.
func NewService(d *db.DB) *Service { return &Service{db: d, Now: time.Now} }

// Home is what the home page shows a principal: exactly one of a landing elsewhere, a welcome
// page, or the figures of their region.
type Home struct {
	Landing string // where the principal's work is, when the home page has nothing for them
	Welcome *Welcome
	Figures *Dashboard
}

// Welcome is the home page of a user who does not work with the register: links to their work.
type Welcome struct {
	Name, Role, Region string
	Links              []Figure
}

// Dashboard is the home page's figures of the principal's region and the table of the regions
// under it, already cut to what the principal may see.
type Dashboard struct {
	Region     Region
	Breadcrumb []Region
	Level      string
	// Work is the case queues waiting, shown above everything else (nil without cases).
	Work *Section
	// Compare is set for a leader above a community: the table of the regions they lead comes
	// first, with their case figures of Period.
	Compare  bool
	Period   string
	From, To string
	// ExportURL downloads the comparison over the same period (.xlsx).
	ExportURL  string
	Sections   []Section
	ChildLabel string
	Columns    []string
	Rows       []Row
}

// Figure is one number on the home page and the list it counts (no link when Href is empty).
type Figure struct {
	Label string
	Value int
	Href  string
	Note  string
}

// Section is a group of figures; the 一老一小 group is highlighted.
type Section struct {
	Title     string
	Note      string
	Highlight bool
	Figures   []Figure
}

// Cell is a number in the per-region table with the list it counts (no link when Href is empty);
// Text, when set, is how the number is shown (a rate, "999+").
type Cell struct {
	Value int
	Href  string
	Text  string
	// Percent is a rate's value in percent (93.5 for 93.5%), nil for a count; the export writes it
	// as a number where the page shows Text.
	Percent *float64
}

// Row is one region of the per-region table.
type Row struct {
	Name   string
	Href   string
	Leader string
	Cells  []Cell
}

// Home decides what the principal's home page shows. Users who do not read the register land on
// their own work, and so do grid workers and leaders (the today page); the others get their work
// queues and their region's figures, without children's figures unless they hold the minors
// permission. A leader above a community gets the comparison of the regions they lead first.
func (s *Service) Home(ctx context.Context, p *auth.Principal, period Period) (*Home, error) {
	if p == nil {
		return nil, errs.E(errs.Unauthorized, "请先登录")
	}
	if !p.Can(auth.RegisterRead) {
		return landing(p), nil
	}
	if LandsOnToday(p) {
		return &Home{Landing: "/today"}, nil
	}
	return s.Overview(ctx, p, period)
}

// Period is the dates (YYYY-MM-DD, both inclusive) the comparison counts cases over; empty
// means this month so far.
type Period struct{ From, To string }

// resolve fills an empty period with this month so far and checks the dates.
func (pd Period) resolve(now time.Time) (Period, error) {
	if pd.From == "" && pd.To == "" {
		return Period{now.Format("2006-01") + "-01", now.Format(time.DateOnly)}, nil
	}
	fields := errs.Fields{}
	from, ferr := time.Parse(time.DateOnly, pd.From)
	if ferr != nil {
		fields.Add("from", "开始日期格式应为 YYYY-MM-DD")
	}
	to, terr := time.Parse(time.DateOnly, pd.To)
	if terr != nil {
		fields.Add("to", "结束日期格式应为 YYYY-MM-DD")
	}
	if ferr == nil && terr == nil && to.Before(from) {
		fields.Add("to", "结束日期不能早于开始日期")
	}
	return pd, fields.Err()
}

// Overview is the figures of the principal's region (the home page of the community and the
// leaders above it, 网格概况 of a grid's workers).
func (s *Service) Overview(ctx context.Context, p *auth.Principal, period Period) (*Home, error) {
	if p == nil {
		return nil, errs.E(errs.Unauthorized, "请先登录")
	}
	now := s.Now().In(clock.Shanghai())
	ov, err := Figures(ctx, s.db, p, now)
	if err != nil {
		return nil, err
	}
	minorsOK := p.Can(auth.MinorsRead)
	d := &Dashboard{Region: ov.Region, Breadcrumb: ov.Ancestors, Level: ov.Region.Level, Sections: sections(ov.Total, minorsOK)}
	withCases := s.Cases != nil && p.Can(auth.CasesRead)
	if withCases && !gridRoles[p.Role] {
		if d.Work, err = s.work(ctx); err != nil {
			return nil, err
		}
	}
	if AboveCommunity(p) {
		pd, err := period.resolve(now)
		if err != nil {
			return nil, err
		}
		from, to := pd.From, pd.To
		d.Compare, d.Period, d.From, d.To = true, from+" 至 "+to, from, to
		d.ExportURL = "/compare.xlsx?" + url.Values{"from": {from}, "to": {to}}.Encode()
		d.ChildLabel, d.Columns, d.Rows = compareTable(ov, minorsOK)
		if withCases {
			d.Columns = append(d.Columns, caseColumns...)
			// One statement for every row's case figures, not one per row.
			groups, err := s.Cases.FiguresByRegion(ctx, cases.FigureFilter{RegionID: ov.Region.ID, From: from, To: to})
			if err != nil {
				return nil, err
			}
			byRegion := map[int64]cases.Figures{}
			for _, g := range groups {
				byRegion[g.ID] = g.Figures
			}
			for i, ch := range ov.Children {
				cells, err := s.caseCells(ctx, ch.Region.ID, byRegion[ch.Region.ID], from, to)
				if err != nil {
					return nil, err
				}
				d.Rows[i].Cells = append(d.Rows[i].Cells, cells...)
			}
		}
		return &Home{Figures: d}, nil
	}
	d.ChildLabel, d.Columns, d.Rows = table(ov, minorsOK)
	return &Home{Figures: d}, nil
}

// landing sends users who do not work with the register where their work is: the security admin
// to accounts, the auditor to the audit log, everyone else to a short welcome page.
func landing(p *auth.Principal) *Home {
	switch {
	case p.Can(auth.VisitsWrite):
		return &Home{Landing: "/today"}
	case p.Can(auth.AccountsManage):
		return &Home{Landing: "/admin/users"}
	case p.Can(auth.AuditRead):
		return &Home{Landing: "/audit"}
	}
	w := &Welcome{Name: p.Name, Role: p.Role.Label(), Region: p.RegionName}
	if p.Can(auth.PartyRead) {
		w.Links = append(w.Links, Figure{Label: "党组织", Href: "/party", Note: "党组织体系、党员联系户"})
	}
	if p.Can(auth.CasesRead) {
		w.Links = append(w.Links, Figure{Label: "诉求办理", Href: "/cases", Note: "查看和办理分派给您的诉求"})
	}
	w.Links = append(w.Links, Figure{Label: "修改密码", Href: "/account/password", Note: "定期修改密码，保护账号安全"})
	return &Home{Welcome: w}
}

// tableTags are the per-region table's focus columns.
var tableTags = []register.Tag{register.TagElderlyAlone, register.TagEmptyNest, register.TagAged80, register.TagDisabledCare,
	register.TagLeftBehindChild, register.TagChildInDistress, register.TagDisability, register.TagDibao}

func residentsHref(tag register.Tag) string {
	return "/residents?" + url.Values{"tag": {string(tag)}}.Encode()
}

// childTags are the groups made only of children.
var childTags = map[register.Tag]bool{register.TagMinor: true, register.TagLeftBehindChild: true, register.TagChildInDistress: true}

// shown is the minors rule for a tag's count: what a user sees of it and whether it links to its
// list. Without the minors permission the resident lists leave children out, so the figures do
// too; the groups made only of children keep their count but lose the link.
func shown(c *Counts, tag register.Tag, minorsOK bool) (int, bool) {
	switch {
	case minorsOK:
		return c.Tags[tag], true
	case childTags[tag]:
		return c.Tags[tag], false
	}
	return c.Tags[tag] - c.Minors[tag], true
}

// residents is the minors rule for the number of residents: those a user's lists show.
func residents(c *Counts, minorsOK bool) int {
	if minorsOK {
		return c.Residents
	}
	return c.Residents - c.MinorResidents
}

func tagFigures(c *Counts, minorsOK bool, tags ...register.Tag) []Figure {
	var out []Figure
	for _, tag := range tags {
		n, linked := shown(c, tag, minorsOK)
		f := Figure{Label: tag.Label(), Value: n, Href: residentsHref(tag)}
		if !linked {
			f.Href, f.Note = "", "名单需未成年人信息权限"
		}
		out = append(out, f)
	}
	return out
}

func sections(c *Counts, minorsOK bool) []Section {
	occupied := c.Households - c.HouseholdsOf["vacant"]
	people := Figure{Label: "居民", Value: residents(c, minorsOK), Href: "/residents"}
	if !minorsOK {
		people.Note = "不含未成年人"
	}
	return []Section{
		{Title: "基本情况", Figures: []Figure{
			{Label: "网格", Value: c.Grids, Href: "/grids"},
			{Label: "楼院", Value: c.Buildings, Href: "/buildings"},
			{Label: "住户", Value: c.Households, Href: "/households", Note: fmt.Sprintf("实住%d户", occupied)},
			people,
			{Label: "专职网格长", Value: c.GridLeaders, Href: "/roster?duty=grid_leader"},
			{Label: "网格员", Value: c.GridWorkers, Href: "/roster?duty=worker_full,worker_part", Note: "专职、兼职"},
		}},
		{Title: "一老一小", Note: "重点关爱对象", Highlight: true,
			Figures: tagFigures(c, minorsOK, register.TagElderlyAlone, register.TagEmptyNest, register.TagAged80,
				register.TagDisabledCare, register.TagLeftBehindChild, register.TagChildInDistress, register.TagMinor)},
		{Title: "其他重点人群", Figures: tagFigures(c, minorsOK, register.TagDisability, register.TagDibao, register.TagVeteran,
			register.TagFocus, register.TagPartyMember)},
		{Title: "党建引领", Figures: []Figure{
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
func table(ov *Overview, minorsOK bool) (label string, cols []string, rows []Row) {
	cols = []string{"住户", "居民"}
	for _, t := range tableTags {
		cols = append(cols, t.Label())
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
		rw := Row{Name: ch.Region.Name, Href: "/grids", Leader: strings.Join(c.LeaderNames, "、")}
		if isGrid {
			rw.Href = "/grids/" + grid
		}
		rw.Cells = append(rw.Cells,
			Cell{Value: c.Households, Href: link("/households?" + url.Values{"grid": {grid}}.Encode())},
			Cell{Value: residents(c, minorsOK), Href: link("/residents?" + url.Values{"grid": {grid}}.Encode())})
		for _, t := range tableTags {
			n, linked := shown(c, t, minorsOK)
			cl := Cell{Value: n}
			if linked {
				cl.Href = link("/residents?" + url.Values{"grid": {grid}, "tag": {string(t)}}.Encode())
			}
			rw.Cells = append(rw.Cells, cl)
		}
		rw.Cells = append(rw.Cells, Cell{Value: c.Liaisons, Href: link("/party/liaison?" + url.Values{"region": {grid}}.Encode())})
		rows = append(rows, rw)
	}
	return label, cols, rows
}
