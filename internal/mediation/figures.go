package mediation

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"linli/internal/db"
	"linli/internal/errs"
)

// The figures, each counted in cases so that its drill-down (Filter.Figure) lists exactly the
// cases it counts; the period is [from, to] in Asia/Shanghai dates:
//
//	received            cases registered in the period (受理登记)
//	accepted            cases accepted in the period (both parties willing)
//	agreements          cases closed with an agreement, written or oral, in the period (调解成功)
//	failed              cases closed without agreement in the period (调解不成)
//	refused             cases refused or ended before mediation in the period (不予受理/终止)
//	concluded           agreements + failed: the success rate's denominator
//	prevented_criminal  cases registered in the period judged to have prevented 民转刑
//	prevented_petition  cases registered in the period judged to have prevented 群体性上访
//	open                cases being mediated now (no period)
//	near_limit          open cases within 7 days of their 30-day target or past it (no period)
//	followup_due        agreements awaiting performance follow-up (no period)
var figureNames = []string{"received", "accepted", "agreements", "failed", "refused", "concluded", "prevented_criminal",
	"prevented_petition", "open", "near_limit", "followup_due"}

// figureCond returns the SQL condition (on cases aliased m) selecting what figure name counts.
func figureCond(a *db.Args, name, from, to, today string) (string, error) {
	if from == "" {
		from = "0000-01-01"
	}
	if to == "" {
		to = "9999-12-31"
	}
	in := func(col string) string { return col + ` >= ` + a.Add(from) + ` AND ` + col + ` <= ` + a.Add(to) }
	switch name {
	case "received":
		return in("m.registered_on"), nil
	case "accepted":
		return `m.accepted_on <> '' AND ` + in("m.accepted_on"), nil
	case "agreements":
		return `m.outcome IN ('agreement','oral') AND ` + in("m.closed_on"), nil
	case "failed":
		return `m.outcome = 'failed' AND ` + in("m.closed_on"), nil
	case "refused":
		return `m.outcome = 'refused' AND ` + in("m.closed_on"), nil
	case "concluded":
		return `m.outcome IN ('agreement','oral','failed') AND ` + in("m.closed_on"), nil
	case "prevented_criminal":
		return `m.prevented_criminal AND ` + in("m.registered_on"), nil
	case "prevented_petition":
		return `m.prevented_petition AND ` + in("m.registered_on"), nil
	case "open":
		return `m.state IN ('registered','accepted','mediating')`, nil
	case "near_limit":
		return `m.state IN ('accepted','mediating') AND m.due_on <> '' AND m.due_on <= ` + a.Add(addDays(today, 7)), nil
	case "followup_due":
		return `m.state = 'agreed'`, nil
	}
	return "", errs.Field("figure", "未知的统计指标："+name)
}

// Breakdown is one row of a figure split by source, dispute type, mediator or expert.
type Breakdown struct {
	Key        string `json:"key"`
	Label      string `json:"label"`
	Received   int    `json:"received"`
	Agreements int    `json:"agreements"`
	Amount     int64  `json:"amount"`
	// Link lists the agreements this row counts.
	Link string `json:"link"`
}

// Figures are the mediation statistics of a region and period, computed from the records.
type Figures struct {
	From                    string      `json:"from"`
	To                      string      `json:"to"`
	RegionID                int64       `json:"region_id,omitempty"`
	Received                int         `json:"received"`
	Accepted                int         `json:"accepted"`
	Agreements              int         `json:"agreements"`
	Failed                  int         `json:"failed"`
	Refused                 int         `json:"refused"`
	SuccessRate             float64     `json:"success_rate"`
	SuccessRateNum          int         `json:"success_rate_num"`
	SuccessRateDen          int         `json:"success_rate_den"`
	Amount                  int64       `json:"amount"`
	PreventedCriminal       int         `json:"prevented_criminal"`
	PreventedCriminalPeople int         `json:"prevented_criminal_people"`
	PreventedPetition       int         `json:"prevented_petition"`
	PreventedPetitionPeople int         `json:"prevented_petition_people"`
	Open                    int         `json:"open"`
	NearLimit               int         `json:"near_limit"`
	FollowupDue             int         `json:"followup_due"`
	BySource                []Breakdown `json:"by_source"`
	ByType                  []Breakdown `json:"by_type"`
	ByMediator              []Breakdown `json:"by_mediator"`
	ByExpert                []Breakdown `json:"by_expert"`
}

// FigureFilter selects the region (a community, street or district in scope; 0 is the whole
// scope) and the period.
type FigureFilter struct {
	RegionID int64
	From, To string
}

// Link is the list of cases a figure counts, for drill-down links.
func (f FigureFilter) Link(figure string, extra ...string) string {
	q := url.Values{}
	q.Set("figure", figure)
	if f.From != "" {
		q.Set("from", f.From)
	}
	if f.To != "" {
		q.Set("to", f.To)
	}
	if f.RegionID != 0 {
		q.Set("region", strconv.FormatInt(f.RegionID, 10))
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return "/mediation/cases?" + q.Encode()
}

// Figures computes the statistics for the principal's scope (or a region in it) and period.
func (s *Service) Figures(ctx context.Context, ff FigureFilter) (*Figures, error) {
	v, _, err := s.figureViewer(ctx, ff)
	if err != nil {
		return nil, err
	}
	today := s.Today()
	out := &Figures{From: ff.From, To: ff.To, RegionID: ff.RegionID}
	if err := s.totals(ctx, v, ff, today, out); err != nil {
		return nil, err
	}
	out.SuccessRateNum = out.Agreements
	if out.SuccessRateDen > 0 {
		out.SuccessRate = float64(out.SuccessRateNum) / float64(out.SuccessRateDen)
	}
	if err := s.breakdowns(ctx, v, ff, today, out); err != nil {
		return nil, err
	}
	return out, nil
}

// figureViewer checks that the principal may read the figures of ff and returns them with the
// path of ff's region (the principal's own when 0).
func (s *Service) figureViewer(ctx context.Context, ff FigureFilter) (*viewer, string, error) {
	v, err := s.viewer(ctx, s.db.R)
	if err != nil {
		return nil, "", err
	}
	if v.redacted {
		return nil, "", errs.E(errs.Forbidden, "您的角色无权查看调解统计")
	}
	for k, d := range map[string]string{"from": ff.From, "to": ff.To} {
		if d != "" && !validDate(d) {
			return nil, "", errs.Field(k, "日期格式应为YYYY-MM-DD")
		}
	}
	if ff.From != "" && ff.To != "" && ff.From > ff.To {
		return nil, "", errs.Field("to", "结束日期不能早于开始日期")
	}
	if ff.RegionID == 0 {
		return v, v.p.RegionPath, nil
	}
	var path string
	if err := s.db.R.QueryRowContext(ctx, `SELECT path FROM regions WHERE id = $1`, ff.RegionID).Scan(&path); err != nil || !v.p.Covers(path) {
		return nil, "", errs.E(errs.NotFound, "区域不存在")
	}
	return v, path, nil
}

// CountByRegion counts, in one grouped statement, the cases a period figure (received,
// agreements …) counts in each region directly under ff.RegionID (the principal's region when 0):
// the count of a region is the figure Figures gives with that region as ff.RegionID, and the size
// of the list ff.Link(figure) opens for it. A region with none is absent. The work briefing's table
// of a district's streets reads it instead of the whole figures of each street.
func (s *Service) CountByRegion(ctx context.Context, ff FigureFilter, figure string) (map[int64]int, error) {
	if !periodFigures[figure] {
		return nil, errs.Field("figure", "未知的期间统计指标："+figure)
	}
	v, parent, err := s.figureViewer(ctx, ff)
	if err != nil {
		return nil, err
	}
	a := &db.Args{}
	where, err := Filter{RegionID: ff.RegionID, Figure: figure, From: ff.From, To: ff.To}.where(v, a, s.Today())
	if err != nil {
		return nil, err
	}
	out, err := db.CountsUnder(ctx, s.db.R, parent, `SELECT r.path, COUNT(*) FROM mediation_cases m JOIN regions r ON r.id = m.community_id WHERE `+
		where+` GROUP BY r.path`, *a...)
	if err != nil {
		return nil, fmt.Errorf("mediation figures by region: %w", err)
	}
	return out, nil
}

// sumIf is the SQL sum of val over the cases that figure name counts: every figure is its
// drill-down's condition (figureCond), so that a figure and its list never disagree.
func sumIf(a *db.Args, name, val string, ff FigureFilter, today string) string {
	cond, _ := figureCond(a, name, ff.From, ff.To, today)
	return `COALESCE(SUM(CASE WHEN ` + cond + ` THEN ` + val + ` ELSE 0 END), 0)`
}

// periodFigures are the figures of the period, counted over the cases registered, accepted or
// closed in it; the others (open, near_limit, followup_due) count the cases in such a state now.
var periodFigures = map[string]bool{"received": true, "accepted": true, "agreements": true, "failed": true, "refused": true,
	"concluded": true, "prevented_criminal": true, "prevented_petition": true}

// totals counts every figure and splits received and agreements by source and dispute type: one
// grouped pass over the cases of the period (found through the date indexes), whose groups add
// up to the totals, and one over the cases open or awaiting follow-up now (the state index).
func (s *Service) totals(ctx context.Context, v *viewer, ff FigureFilter, today string, out *Figures) error {
	counts := map[string]*int{"received": &out.Received, "accepted": &out.Accepted, "agreements": &out.Agreements,
		"failed": &out.Failed, "refused": &out.Refused, "concluded": &out.SuccessRateDen,
		"prevented_criminal": &out.PreventedCriminal, "prevented_petition": &out.PreventedPetition, "open": &out.Open,
		"near_limit": &out.NearLimit, "followup_due": &out.FollowupDue}
	// The period's groups by source and type.
	a := &db.Args{}
	var sel, names []string
	for _, name := range figureNames {
		if periodFigures[name] {
			sel, names = append(sel, sumIf(a, name, "1", ff, today)), append(names, name)
		}
	}
	sel = append(sel, sumIf(a, "agreements", "m.amount", ff, today), sumIf(a, "prevented_criminal", "m.prevented_people", ff, today),
		sumIf(a, "prevented_petition", "m.prevented_people", ff, today))
	var only []string
	for _, name := range []string{"received", "accepted", "concluded", "refused"} {
		c, _ := figureCond(a, name, ff.From, ff.To, today)
		only = append(only, "("+c+")")
	}
	where, err := Filter{RegionID: ff.RegionID}.where(v, a, today)
	if err != nil {
		return err
	}
	bySource, byType := map[string]*Breakdown{}, map[string]*Breakdown{}
	split := func(m map[string]*Breakdown, key string, received, agreements int, amount int64) {
		b := m[key]
		if b == nil {
			b = &Breakdown{Key: key}
			m[key] = b
		}
		b.Received, b.Agreements, b.Amount = b.Received+received, b.Agreements+agreements, b.Amount+amount
	}
	q := `SELECT m.source, m.type_code, ` + strings.Join(sel, ", ") + ` FROM mediation_cases m WHERE ` + where +
		` AND (` + strings.Join(only, " OR ") + `) GROUP BY m.source, m.type_code`
	err = each(ctx, s.db.R, q, *a, func(scan func(...any) error) error {
		var source, typ string
		n := make([]int, len(names))
		var amount int64
		var pc, pp int
		dst := []any{&source, &typ}
		for i := range n {
			dst = append(dst, &n[i])
		}
		if err := scan(append(dst, &amount, &pc, &pp)...); err != nil {
			return err
		}
		var received, agreements int
		for i, name := range names {
			*counts[name] += n[i]
			switch name {
			case "received":
				received = n[i]
			case "agreements":
				agreements = n[i]
			}
		}
		out.Amount += amount
		out.PreventedCriminalPeople += pc
		out.PreventedPetitionPeople += pp
		split(bySource, source, received, agreements, amount)
		split(byType, typ, received, agreements, amount)
		return nil
	})
	if err != nil {
		return fmt.Errorf("mediation figures: %w", err)
	}
	typeNames := map[string]string{}
	err = each(ctx, s.db.R, `SELECT code, name FROM mediation_types`, nil, func(scan func(...any) error) error {
		var code, name string
		if err := scan(&code, &name); err != nil {
			return err
		}
		typeNames[code] = name
		return nil
	})
	if err != nil {
		return fmt.Errorf("mediation types: %w", err)
	}
	out.BySource = breakdownList(ff, "source", bySource, func(k string) string { return Source(k).Label() })
	out.ByType = breakdownList(ff, "type", byType, func(k string) string { return typeNames[k] })

	// Now: the cases open or awaiting follow-up.
	a = &db.Args{}
	sel, names = nil, nil
	for _, name := range figureNames {
		if !periodFigures[name] {
			sel, names = append(sel, sumIf(a, name, "1", ff, today)), append(names, name)
		}
	}
	where, err = Filter{RegionID: ff.RegionID}.where(v, a, today)
	if err != nil {
		return err
	}
	dst := []any{}
	for _, name := range names {
		dst = append(dst, counts[name])
	}
	if err := s.db.R.QueryRowContext(ctx, `SELECT `+strings.Join(sel, ", ")+` FROM mediation_cases m WHERE `+where+
		` AND m.state IN ('registered','accepted','mediating','agreed')`, *a...).Scan(dst...); err != nil {
		return fmt.Errorf("mediation figures: %w", err)
	}
	return nil
}

// breakdownList orders a split's rows (most received first) with their labels and drill-down links,
// leaving out rows that count nothing.
func breakdownList(ff FigureFilter, param string, m map[string]*Breakdown, label func(string) string) []Breakdown {
	out := []Breakdown{}
	for _, b := range m {
		if b.Received == 0 && b.Agreements == 0 {
			continue
		}
		b.Label, b.Link = label(b.Key), ff.Link("agreements", param, b.Key)
		out = append(out, *b)
	}
	slices.SortStableFunc(out, func(x, y Breakdown) int {
		if x.Received != y.Received {
			return y.Received - x.Received
		}
		return strings.Compare(x.Key, y.Key)
	})
	return out
}

// breakdowns splits received and agreements by mediator and by expert in one statement: the
// cases of the period are selected once (through the date indexes) and joined two ways.
func (s *Service) breakdowns(ctx context.Context, v *viewer, ff FigureFilter, today string, out *Figures) error {
	a := &db.Args{}
	recv, _ := figureCond(a, "received", ff.From, ff.To, today)
	agr, _ := figureCond(a, "agreements", ff.From, ff.To, today)
	where, err := Filter{RegionID: ff.RegionID}.where(v, a, today)
	if err != nil {
		return err
	}
	sums := `COALESCE(SUM(c.r), 0), COALESCE(SUM(c.g), 0), COALESCE(SUM(c.amt), 0)`
	q := `WITH c AS MATERIALIZED (SELECT m.id,
			CASE WHEN ` + recv + ` THEN 1 ELSE 0 END AS r, CASE WHEN ` + agr + ` THEN 1 ELSE 0 END AS g,
			CASE WHEN ` + agr + ` THEN m.amount ELSE 0 END AS amt
		FROM mediation_cases m WHERE ` + where + ` AND ((` + recv + `) OR (` + agr + `)))
	SELECT 'mediator', CAST(mm.user_id AS TEXT), MIN(u.name), ` + sums + `
		FROM c JOIN mediation_mediators mm ON mm.mediation_id = c.id JOIN users u ON u.id = mm.user_id GROUP BY mm.user_id
	UNION ALL SELECT 'expert', CAST(pe.expert_id AS TEXT), MIN(e.name), ` + sums + `
		FROM c JOIN mediation_participants pe ON pe.mediation_id = c.id JOIN mediation_experts e ON e.id = pe.expert_id
		GROUP BY pe.expert_id`
	rows := map[string]map[string]*Breakdown{"mediator": {}, "expert": {}}
	labels := map[string]string{}
	err = each(ctx, s.db.R, q, *a, func(scan func(...any) error) error {
		var param string
		var b Breakdown
		if err := scan(&param, &b.Key, &b.Label, &b.Received, &b.Agreements, &b.Amount); err != nil {
			return err
		}
		rows[param][b.Key], labels[param+"/"+b.Key] = &b, b.Label
		return nil
	})
	if err != nil {
		return fmt.Errorf("mediation breakdowns: %w", err)
	}
	out.ByMediator = breakdownList(ff, "mediator", rows["mediator"], func(k string) string { return labels["mediator/"+k] })
	out.ByExpert = breakdownList(ff, "expert", rows["expert"], func(k string) string { return labels["expert/"+k] })
	return nil
}

// each runs a query and calls fn with each row's scanner.
func each(ctx context.Context, q db.Querier, query string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}
