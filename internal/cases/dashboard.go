package cases

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/db"
)

// Bucket is one bar of a dashboard chart: cases of the cohort and how many of them closed, with
// the list filter that drills down to them.
type Bucket struct {
	Key      string `json:"key"`
	Label    string `json:"label"`
	Accepted int64  `json:"accepted"`
	Closed   int64  `json:"closed"`
	Param    string `json:"-"` // the query parameter and value selecting the bucket, e.g. "channel=phone"
}

// Month is one month of the trend: cases received, accepted and closed in it.
type Month struct {
	Month    string `json:"month"` // 2024-03
	From, To string `json:"-"`
	Received int64  `json:"received"`
	Accepted int64  `json:"accepted"`
	Closed   int64  `json:"closed"`
}

// Series are the dashboard's charts for one selection.
type Series struct {
	Months     []Month  `json:"months"`
	Categories []Bucket `json:"categories"`
	Channels   []Bucket `json:"channels"`
	// Regions are the regions directly under a selection of a street or above (its communities,
	// streets or districts), RegionsTitle their chart's title; Grids the grids of a selection of a
	// street or below. A district's or city's hundreds or thousands of grids are not one chart.
	Regions      []Bucket `json:"regions,omitempty"`
	RegionsTitle string   `json:"-"`
	Grids        []Bucket `json:"grids,omitempty"`
	ByGrid       bool     `json:"-"`
}

// maxMonths bounds the trend chart.
const maxMonths = 36

// DashboardSeries is the dashboard's charts for one selection (see dashboard).
func (s *Service) DashboardSeries(ctx context.Context, f Filter) (*Series, error) {
	_, series, err := s.dashboard(ctx, f)
	return series, err
}

// dashboard computes a selection's figures (what Figures gives) and its charts: by month
// (received, accepted and closed in each month of the period), and the period's cohort (accepted,
// or closed with By "closed") by top-level category, channel, the regions under a street or above
// and the grids of a street or below, in the principal's scope. When the case tally serves the
// selection (see plan), the ended months come from it and each piece of the period left to the
// cases is read by one statement that serves the figures and every chart but the grids'
// (piece); otherwise each is one aggregate over the cases.
func (s *Service) dashboard(ctx context.Context, f Filter) (Figures, *Series, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := p.Require(auth.CasesRead); err != nil {
		return nil, nil, err
	}
	lo, hi, err := period(f.From, f.To)
	if err != nil {
		return nil, nil, err
	}
	f.now = s.now()
	plan, err := s.plan(ctx, &f, p, true)
	if err != nil {
		return nil, nil, err
	}
	sel, level, err := s.selection(ctx, f, p)
	if err != nil {
		return nil, nil, err
	}
	d := &dashRead{s: s, p: p, f: f, lo: lo, hi: hi, sel: sel, cohort: "accepted_at", out: &Series{
		RegionsTitle: childrenTitle[level], ByGrid: level == "" || level == "street" || level == "community" || level == "grid"}}
	if f.By == "closed" {
		d.cohort = "closed_at"
	}
	if lo != nil && hi != nil {
		d.out.Months, d.bounds = monthsOf(*lo, *hi)
	}
	var sums []int64
	if plan == nil {
		sums, err = d.fromCases(ctx)
	} else {
		sums, err = d.fromTally(ctx, plan)
	}
	if err != nil {
		return nil, nil, err
	}
	if d.out.ByGrid {
		// By the grid that holds the case: one escalated to the community or street counts there.
		if d.out.Grids, err = d.group(ctx, "c.region_id", "CAST(COALESCE(hg.id, 0) AS TEXT)", "COALESCE(g.name, '网格外办理（社区、街道）')",
			fixed("LEFT JOIN grids hg ON hg.id = x.k LEFT JOIN regions g ON g.id = hg.id"), "grid"); err != nil {
			return nil, nil, err
		}
		for i := range d.out.Grids {
			if d.out.Grids[i].Key == "0" {
				d.out.Grids[i].Param = ""
			}
		}
	}
	return figuresFrom(sums), d.out, nil
}

// dashRead is one dashboard being read: its selection, and its charts as they are counted.
type dashRead struct {
	s      *Service
	p      *auth.Principal
	f      Filter
	lo, hi *time.Time // the period (nil: open)
	sel    int64      // the selected region (0: none)
	cohort string     // the charts' cohort: accepted_at, or closed_at with By "closed"
	out    *Series
	bounds [][2]time.Time // of out.Months
}

// fromCases reads the figures and charts from the cases alone: the figures' aggregate, the
// months' and one grouped aggregate per chart.
func (d *dashRead) fromCases(ctx context.Context) ([]int64, error) {
	sums, err := d.s.figureSums(ctx, d.f, d.p)
	if err != nil {
		return nil, err
	}
	if len(d.out.Months) > 0 {
		if err := d.s.rawMonths(ctx, d.f, d.p, d.out.Months, d.bounds, *d.lo, *d.hi); err != nil {
			return nil, err
		}
	}
	if d.out.Categories, err = d.group(ctx, "c.category_id", "CAST(COALESCE(cat.parent_id, cat.id) AS TEXT)", "COALESCE(cp.name, cat.name)",
		fixed("JOIN case_categories cat ON cat.id = x.k LEFT JOIN case_categories cp ON cp.id = cat.parent_id"), "category"); err != nil {
		return nil, err
	}
	if d.out.Channels, err = d.group(ctx, "c.channel", "x.k", "ch.name", fixed("JOIN case_channels ch ON ch.code = x.k"), "channel"); err != nil {
		return nil, err
	}
	if d.out.RegionsTitle != "" {
		// By the region under the selection on the case's path (a case of the selection's own
		// region, escalated to it, belongs to none).
		if d.out.Regions, err = d.group(ctx, "c.region_id", "CAST(ch.id AS TEXT)", "ch.name", func(a *db.Args) string {
			return "JOIN regions r ON r.id = x.k JOIN regions ch ON ch.parent_id = " + a.Add(d.sel) + " AND r.path LIKE ch.path || '%'"
		}, "region"); err != nil {
			return nil, err
		}
	}
	return sums, nil
}

// group counts the cohort by a column of cases alone (read from the index cases_figures),
// then names and folds the groups (sub-categories into their top-level category, regions into
// one bar): nothing is joined per case.
func (d *dashRead) group(ctx context.Context, col, key, label string, join func(a *db.Args) string, param string) ([]Bucket, error) {
	a := &db.Args{}
	w := append([]string{scopeCond(a, d.p), between(a, "c."+d.cohort, d.lo, d.hi)}, dimensions(a, &d.f)...)
	inner := "SELECT " + col + " AS k, COUNT(*) AS n, COALESCE(SUM(CASE WHEN c.state = 'closed' AND c.outcome IN " +
		handledOutcomes + " THEN 1 ELSE 0 END), 0) AS closed FROM cases c WHERE " + strings.Join(w, " AND ") + " GROUP BY " + col
	query := "SELECT " + key + ", " + label + ", SUM(x.n), SUM(x.closed) FROM (" + inner + ") x " + join(a) +
		" GROUP BY " + key + ", " + label + " ORDER BY SUM(x.n) DESC, " + key
	rows, err := d.s.db.R.QueryContext(ctx, query, *a...)
	if err != nil {
		return nil, fmt.Errorf("dashboard by %s: %w", param, err)
	}
	defer rows.Close()
	list := []Bucket{}
	for rows.Next() {
		var b Bucket
		if err := rows.Scan(&b.Key, &b.Label, &b.Accepted, &b.Closed); err != nil {
			return nil, err
		}
		b.Param = param + "=" + b.Key
		list = append(list, b)
	}
	return list, rows.Err()
}

// fromTally reads the figures and charts of the plan's months from the tally, and each of its raw
// pieces from the cases in one grouped statement (piece), added or taken away bar by bar.
func (d *dashRead) fromTally(ctx context.Context, plan *tallyPlan) ([]int64, error) {
	s, out := d.s, d.out
	nf := len(figureNames)
	intake, accepted, closed := slices.Index(figureNames, "intake"), slices.Index(figureNames, "accepted"), slices.Index(figureNames, "closed")
	cohort := accepted
	if plan.by == "closed" {
		cohort = nf // closed_any, after figureNames in the tally's sums and a piece's
	}
	// The months: the figures' sums and the trend.
	byMonth, err := s.tallied(ctx, plan, "t.month", nil, "closed_handled")
	if err != nil {
		return nil, err
	}
	sums := make([]int64, nf)
	for k, vals := range byMonth {
		addInto(sums, vals)
		if i := slices.IndexFunc(out.Months, func(m Month) bool { return m.Month == k }); i >= 0 {
			out.Months[i].Received, out.Months[i].Accepted, out.Months[i].Closed = vals[intake], vals[accepted], vals[nf]
		}
	}
	// The charts: the tally's rows by key, each named.
	categories := &bars{param: "category"}
	channels := &bars{param: "channel"}
	charts := []tallyChart{
		{categories, "t.category_id", nil, `SELECT CAST(id AS TEXT), name FROM case_categories WHERE parent_id IS NULL`},
		{channels, "t.channel", nil, `SELECT code, name FROM case_channels`},
	}
	var regions *bars
	var children []child
	if out.RegionsTitle != "" {
		// The regions under the selection, named from their own rows.
		if children, err = s.children(ctx, d.sel); err != nil {
			return nil, err
		}
		regions = &bars{param: "region", labels: map[string]string{}}
		for _, ch := range children {
			regions.labels[strconv.FormatInt(ch.id, 10)] = ch.name
		}
		charts = append(charts, tallyChart{regions, "t.region_id", func(a *db.Args) string {
			return "t.region_id IN (SELECT id FROM regions WHERE parent_id = " + a.Add(d.sel) + ")"
		}, ""})
	}
	for _, c := range charts {
		if c.names != "" {
			if c.bars.labels, err = s.names(ctx, c.names); err != nil {
				return nil, fmt.Errorf("dashboard by %s: %w", c.bars.param, err)
			}
		}
		rows, err := s.tallied(ctx, plan, c.col, c.region, "closed_any")
		if err != nil {
			return nil, err
		}
		for k, vals := range rows {
			c.bars.add(k, vals[cohort], vals[closed])
		}
	}
	if len(plan.raw) > 0 {
		// The pieces: one statement each, grouped by category, channel and region, each group
		// added into its top-level category and the region under the selection that holds it.
		tops, err := s.topCategories(ctx)
		if err != nil {
			return nil, err
		}
		for _, pc := range plan.raw {
			plo, phi, err := period(pc.From, pc.To)
			if err != nil {
				return nil, err
			}
			// The months of the piece: the one a piece less takes days from, or those it holds.
			var idx []int
			var bounds [][2]time.Time
			for i, b := range d.bounds {
				if pc.less && out.Months[i].Month == monthKey(*plo) {
					idx, bounds = append(idx, i), append(bounds, [2]time.Time{*plo, *phi})
				} else if !pc.less && !b[0].Before(*plo) && !b[1].After(*phi) {
					idx, bounds = append(idx, i), append(bounds, b)
				}
			}
			groups, err := d.piece(ctx, pc.Filter, bounds, children)
			if err != nil {
				return nil, err
			}
			sign := int64(1)
			if pc.less {
				sign = -1
			}
			for _, g := range groups {
				pc.into(sums, g.vals)
				categories.add(tops[g.category], sign*g.vals[cohort], sign*g.vals[closed])
				channels.add(g.channel, sign*g.vals[cohort], sign*g.vals[closed])
				if regions != nil {
					regions.add(strconv.FormatInt(g.region, 10), sign*g.vals[cohort], sign*g.vals[closed])
				}
				for j, i := range idx {
					m, v := &out.Months[i], g.vals[nf+1+3*j:]
					m.Received, m.Accepted, m.Closed = m.Received+sign*v[0], m.Accepted+sign*v[1], m.Closed+sign*v[2]
				}
			}
		}
	}
	out.Categories, out.Channels = categories.list(), channels.list()
	if regions != nil {
		out.Regions = regions.list()
	}
	return sums, nil
}

// tallyChart is a chart read from the tally: its rows grouped by col (of case_tallies t), in the
// plan's region or those region selects, named by names (key → label; "" when its bars have
// their labels already).
type tallyChart struct {
	bars   *bars
	col    string
	region func(a *db.Args) string
	names  string
}

// pieceGroup is one group of a piece's cases (see piece).
type pieceGroup struct {
	category int64
	channel  string
	region   int64 // the child region holding the group's cases, 0 for none
	vals     []int64
}

// piece reads a part of the period from the cases in one statement, grouped by category, channel
// and the region of children that holds the case (0 for none; children may be nil): each group's
// sums of figureNames, its cases closed in the part (the charts' cohort by closed), and its cases
// received, accepted and closed (handled) in each of bounds.
func (d *dashRead) piece(ctx context.Context, f Filter, bounds [][2]time.Time, children []child) ([]pieceGroup, error) {
	sums, where, a, err := figuresParts(&f, d.p, d.s.db.Dialect)
	if err != nil {
		return nil, err
	}
	lo, hi, err := period(f.From, f.To)
	if err != nil {
		return nil, err
	}
	sums = append(sums, plainDates(d.s.db.Dialect, append([]string{sumExpr("closed_any", between(a, "c.closed_at", lo, hi))},
		monthSums(a, bounds)...))...)
	region := "0"
	if len(children) > 0 {
		// Each region's subtree is read once (an IN list), not joined per case.
		var when []string
		for _, ch := range children {
			when = append(when, "WHEN c.region_id IN (SELECT id FROM regions WHERE path LIKE "+a.Add(ch.path+"%")+") THEN "+
				strconv.FormatInt(ch.id, 10))
		}
		region = "CASE " + strings.Join(when, " ") + " ELSE 0 END"
	}
	rows, err := d.s.db.R.QueryContext(ctx, "SELECT c.category_id, c.channel, "+region+" AS child, "+strings.Join(sums, ", ")+
		" FROM cases c WHERE "+where+" GROUP BY c.category_id, c.channel, child", *a...)
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	defer rows.Close()
	var out []pieceGroup
	for rows.Next() {
		g := pieceGroup{vals: make([]int64, len(sums))}
		ptrs := []any{&g.category, &g.channel, &g.region}
		for i := range g.vals {
			ptrs = append(ptrs, &g.vals[i])
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// child is a region directly under a dashboard's selection.
type child struct {
	id         int64
	path, name string
}

// children are the regions directly under region id.
func (s *Service) children(ctx context.Context, id int64) ([]child, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, path, name FROM regions WHERE parent_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("child regions: %w", err)
	}
	defer rows.Close()
	var out []child
	for rows.Next() {
		var c child
		if err := rows.Scan(&c.id, &c.path, &c.name); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// bars is a chart being counted: its bars by key, and the label of every key it may have.
type bars struct {
	param  string
	labels map[string]string
	by     map[string]*Bucket
}

// add counts accepted and closed into key's bar; a key with no label has none.
func (b *bars) add(key string, accepted, closed int64) {
	label, ok := b.labels[key]
	if !ok || accepted == 0 && closed == 0 {
		return
	}
	if b.by == nil {
		b.by = map[string]*Bucket{}
	}
	bar := b.by[key]
	if bar == nil {
		bar = &Bucket{Key: key, Label: label, Param: b.param + "=" + key}
		b.by[key] = bar
	}
	bar.Accepted += accepted
	bar.Closed += closed
}

// list is the chart's bars with cases, most first (a bar the days a piece less took away is gone).
func (b *bars) list() []Bucket {
	list := make([]Bucket, 0, len(b.by))
	for _, bar := range b.by {
		if bar.Accepted > 0 {
			list = append(list, *bar)
		}
	}
	slices.SortFunc(list, func(a, b Bucket) int { return cmp.Or(cmp.Compare(b.Accepted, a.Accepted), cmp.Compare(a.Key, b.Key)) })
	return list
}

// names reads a code → label map.
func (s *Service) names(ctx context.Context, query string) (map[string]string, error) {
	rows, err := s.db.R.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

// topCategories maps every category to its top-level one's key (its id as text).
func (s *Service) topCategories(ctx context.Context) (map[int64]string, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, COALESCE(parent_id, id) FROM case_categories`)
	if err != nil {
		return nil, fmt.Errorf("categories: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id, top int64
		if err := rows.Scan(&id, &top); err != nil {
			return nil, err
		}
		out[id] = strconv.FormatInt(top, 10)
	}
	return out, rows.Err()
}

// childrenTitle names the chart of the regions under a selection of each level that has one.
var childrenTitle = map[string]string{"city": "按区", "district": "按街道", "street": "按社区"}

// fixed is a join that takes no arguments.
func fixed(join string) func(*db.Args) string { return func(*db.Args) string { return join } }

// selection is the region a dashboard selection counts in — the filter's when it lies inside the
// principal's scope, else the principal's own — and its level; 0 and "" for a principal with no
// region (a unit's or department's contact).
func (s *Service) selection(ctx context.Context, f Filter, p *auth.Principal) (int64, string, error) {
	id := p.RegionID
	if f.GridID != 0 {
		return f.GridID, "grid", nil
	}
	if f.RegionID != 0 {
		id = f.RegionID
	}
	if id == 0 || p.Role == auth.UnitContact || p.Role == auth.Department {
		return 0, "", nil
	}
	var path, level string
	if err := s.db.R.QueryRowContext(ctx, `SELECT path, level FROM regions WHERE id = $1`, id).Scan(&path, &level); err != nil {
		return 0, "", fmt.Errorf("dashboard region: %w", err)
	}
	if !p.Covers(path) {
		// A filter above the scope (CheckFilterScope refuses one outside it) counts the scope.
		return s.selection(ctx, Filter{}, p)
	}
	return id, level, nil
}

// monthsOf are the calendar months of [lo, hi) (at most maxMonths), each with its bounds within
// the period.
func monthsOf(lo, hi time.Time) ([]Month, [][2]time.Time) {
	loc := clock.Shanghai()
	start := lo.In(loc)
	start = time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, loc)
	months := []Month{}
	var bounds [][2]time.Time
	for m := start; m.Before(hi) && len(months) < maxMonths; m = m.AddDate(0, 1, 0) {
		a, b := m, m.AddDate(0, 1, 0)
		if a.Before(lo) {
			a = lo
		}
		if b.After(hi) {
			b = hi
		}
		months = append(months, Month{Month: m.Format("2006-01"), From: a.In(loc).Format(time.DateOnly),
			To: b.Add(-time.Second).In(loc).Format(time.DateOnly)})
		bounds = append(bounds, [2]time.Time{a.UTC(), b.UTC()})
	}
	return months, bounds
}

// monthSums are the aggregates of cases received, accepted and closed (handled) in each of bounds.
func monthSums(a *db.Args, bounds [][2]time.Time) []string {
	var sums []string
	for _, b := range bounds {
		for _, col := range []string{"c.received_at", "c.accepted_at", "c.closed_at"} {
			cond := col + " >= " + a.Add(b[0]) + " AND " + col + " < " + a.Add(b[1])
			if col == "c.closed_at" {
				cond += " AND c.outcome IN " + handledOutcomes
			}
			sums = append(sums, "COALESCE(SUM(CASE WHEN "+cond+" THEN 1 ELSE 0 END), 0)")
		}
	}
	return sums
}

// rawMonths fills in the counts of months (with their bounds) from the cases of [lo, hi), in one query.
func (s *Service) rawMonths(ctx context.Context, f Filter, p *auth.Principal, months []Month, bounds [][2]time.Time, lo, hi time.Time) error {
	a := &db.Args{}
	sums := plainDates(s.db.Dialect, monthSums(a, bounds))
	w := append([]string{scopeCond(a, p)}, dimensions(a, &f)...)
	w = append(w, datesCond(a, p, s.db.Dialect, figureDates[:3], &lo, &hi))
	vals := make([]int64, len(sums))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	query := "SELECT " + strings.Join(sums, ", ") + " FROM cases c WHERE " + strings.Join(w, " AND ")
	if err := s.db.R.QueryRowContext(ctx, query, *a...).Scan(ptrs...); err != nil {
		return fmt.Errorf("dashboard months: %w", err)
	}
	for i := range months {
		months[i].Received, months[i].Accepted, months[i].Closed = vals[3*i], vals[3*i+1], vals[3*i+2]
	}
	return nil
}

// Dashboard is everything the cases dashboard shows for one selection.
type Dashboard struct {
	Figures Figures
	Series  *Series
	Choices FilterChoices
	Regions []Option
}

// Dashboard computes the figures and charts of a selection in the principal's scope, with the
// choices of its filter form; a region or grid outside the scope is NotFound.
func (s *Service) Dashboard(ctx context.Context, f Filter) (*Dashboard, error) {
	if err := s.CheckFilterScope(ctx, f); err != nil {
		return nil, err
	}
	d := &Dashboard{}
	var err error
	if d.Figures, d.Series, err = s.dashboard(ctx, f); err != nil {
		return nil, err
	}
	if d.Choices, err = s.FilterChoices(ctx); err != nil {
		return nil, err
	}
	if d.Regions, err = s.ScopeRegions(ctx); err != nil {
		return nil, err
	}
	return d, nil
}
