package reports

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"linli/internal/auth"
	"linli/internal/cases"
	"linli/internal/register"
)

// gridRoles are the roles whose work is in one grid: they land on the today page, and find their
// grid's figures under 网格概况.
var gridRoles = map[auth.Role]bool{auth.GridLeader: true, auth.GridWorker: true, auth.BuildingLeader: true}

// LandsOnToday reports whether the principal's home is the today page (their grid's work).
func LandsOnToday(p *auth.Principal) bool { return gridRoles[p.Role] && p.Can(auth.VisitsWrite) }

// AboveCommunity reports whether the principal leads several communities (a street, a district or
// a city): their home compares the regions they lead.
func AboveCommunity(p *auth.Principal) bool {
	switch p.RegionLevel {
	case "street", "district", "city":
		return true
	}
	return false
}

// workQueues are the queues the home page shows first, in the order a desk works them.
var workQueues = []string{cases.QueueToAccept, cases.QueueOverdue, cases.QueueToVerify, cases.QueueToCallback,
	cases.QueueSupervised, cases.QueueToDispatch}

// work is the home page's first section: the case queues with the number of cases waiting in each,
// each a link to the queue.
func (s *Service) work(ctx context.Context) (*Section, error) {
	counts, err := s.Cases.QueueCounts(ctx, 0)
	if err != nil {
		return nil, err
	}
	byCode := map[string]cases.QueueCount{}
	for _, q := range counts {
		byCode[q.Code] = q
	}
	sec := &Section{Title: "待办工作", Note: "点击进入对应待办", Highlight: true}
	for _, code := range workQueues {
		q, ok := byCode[code]
		if !ok {
			continue
		}
		f := Figure{Label: q.Label, Value: q.Count, Href: "/cases?" + url.Values{"queue": {code}}.Encode()}
		if q.More {
			f.Note = fmt.Sprintf("超过 %d 件", cases.QueueCountCap)
		}
		sec.Figures = append(sec.Figures, f)
	}
	return sec, nil
}

// caseCells are the case figures of one region in the comparison table (fig: its figures from
// cases.FiguresByRegion): this period's intake, the overdue cases, the on-time and satisfaction
// rates — each linking to the cases it counts.
func (s *Service) caseCells(ctx context.Context, regionID int64, fig cases.Figures, from, to string) ([]Cell, error) {
	region := fmt.Sprint(regionID)
	href := func(figure string) string {
		return "/cases?" + url.Values{"region": {region}, "figure": {figure}, "from": {from}, "to": {to}}.Encode()
	}
	q, err := s.Cases.QueueSize(ctx, cases.QueueOverdue, regionID)
	if err != nil {
		return nil, err
	}
	overdue := Cell{Value: q.Count, Text: q.Text(), Href: "/cases?" + url.Values{"region": {region}, "queue": {cases.QueueOverdue}}.Encode()}
	return []Cell{
		{Value: int(asInt(fig["intake"])), Href: href("intake")},
		overdue,
		rateCell(fig, "on_time_rate", href("on_time_rate_num")),
		rateCell(fig, "satisfaction_rate", href("satisfaction_rate_num")),
	}, nil
}

// caseColumns name caseCells' columns.
var caseColumns = []string{"受理", "已超时", "按期办结率", "满意率"}

func asInt(v any) int64 {
	n, _ := v.(int64)
	return n
}

// rateCell shows a rate as a percentage with its numerator's list, or "—" when nothing was counted.
func rateCell(fig cases.Figures, name, href string) Cell {
	r, ok := fig[name].(float64)
	if !ok {
		return Cell{Text: "—"}
	}
	shown := fmt.Sprintf("%.1f", r*100)
	pct, _ := strconv.ParseFloat(shown, 64) // the export's number is the one shown
	return Cell{Value: int(asInt(fig[name+"_num"])), Text: shown + "%", Href: href, Percent: &pct}
}

// compareTags are the comparison table's focus columns.
var compareTags = []register.Tag{register.TagElderlyAlone, register.TagAged80, register.TagDisabledCare, register.TagDibao}

// compareTable is the table a leader above a community compares the regions they lead by: the
// register's figures and the party organisation's, one row per community (or street); the party
// figures link to their lists of that region.
func compareTable(ov *Overview, minorsOK bool) (label string, cols []string, rows []Row) {
	label = map[string]string{"city": "区县", "district": "街道", "street": "社区"}[ov.Region.Level]
	cols = []string{"网格", "住户", "居民"}
	for _, t := range compareTags {
		cols = append(cols, t.Label())
	}
	cols = append(cols, "网格党支部", "党员", "党员联系户")
	for _, ch := range ov.Children {
		c := ch.Counts
		region := url.Values{"region": {fmt.Sprint(ch.Region.ID)}}
		rw := Row{Name: ch.Region.Name}
		rw.Cells = append(rw.Cells, Cell{Value: c.Grids}, Cell{Value: c.Households}, Cell{Value: residents(c, minorsOK)})
		for _, t := range compareTags {
			n, _ := shown(c, t, minorsOK)
			rw.Cells = append(rw.Cells, Cell{Value: n})
		}
		rw.Cells = append(rw.Cells,
			Cell{Value: c.Branches, Href: "/party/orgs?kind=branch&" + region.Encode()},
			Cell{Value: c.Members, Href: "/party/members?" + region.Encode()},
			Cell{Value: c.Liaisons, Href: "/party/liaison?" + region.Encode()})
		rows = append(rows, rw)
	}
	return label, cols, rows
}
