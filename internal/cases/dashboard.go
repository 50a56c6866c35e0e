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

// DashboardSeries counts the selection by month (received, accepted and closed in each month of
// the period), and the period's cohort (accepted, or closed with By "closed") by top-level
// category, channel, the regions under a street or above and the grids of a street or below — one
// aggregate query each, in the principal's scope. The months, categories, channels and regions of
// the ended months come from the case tally when it serves the selection (see plan), the rest from
// the cases.
func (s *Service) DashboardSeries(ctx context.Context, f Filter) (*Series, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	lo, hi, err := period(f.From, f.To)
	if err != nil {
		return nil, err
	}
	f.now = s.now()
	plan, err := s.plan(ctx, &f, p, true)
	if err != nil {
		return nil, err
	}
	out := &Series{}
	if lo != nil && hi != nil {
		if out.Months, err = s.monthly(ctx, f, p, plan, *lo, *hi); err != nil {
			return nil, err
		}
	}
	cohortCol := "accepted_at"
	if f.By == "closed" {
		cohortCol = "closed_at"
	}
	// Each chart counts the cohort by a column of cases alone (read from the index cases_figures),
	// then names and folds the groups (sub-categories into their top-level category, regions
	// above the grids into one bar): nothing is joined per case.
	group := func(col, key, label string, join func(a *db.Args) string, param string, f Filter) ([]Bucket, error) {
		lo, hi, err := period(f.From, f.To)
		if err != nil {
			return nil, err
		}
		a := &db.Args{}
		w := append([]string{scopeCond(a, p), between(a, "c."+cohortCol, lo, hi)}, dimensions(a, &f)...)
		inner := "SELECT " + col + " AS k, COUNT(*) AS n, COALESCE(SUM(CASE WHEN c.state = 'closed' AND c.outcome IN " +
			handledOutcomes + " THEN 1 ELSE 0 END), 0) AS closed FROM cases c WHERE " + strings.Join(w, " AND ") + " GROUP BY " + col
		query := "SELECT " + key + ", " + label + ", SUM(x.n), SUM(x.closed) FROM (" + inner + ") x " + join(a) +
			" GROUP BY " + key + ", " + label + " ORDER BY SUM(x.n) DESC, " + key
		rows, err := s.db.R.QueryContext(ctx, query, *a...)
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
	// With the tally: its ended months grouped by col, named by names (code → label), plus the raw
	// pieces, merged bar by bar.
	tallied := func(col string, region func(a *db.Args) string, names, param string, raw func(f Filter) ([]Bucket, error)) ([]Bucket, error) {
		if plan == nil {
			return raw(f)
		}
		sums, err := s.tallied(ctx, plan, col, region, "closed_any")
		if err != nil {
			return nil, err
		}
		labels := map[string]string{}
		rows, err := s.db.R.QueryContext(ctx, names)
		if err != nil {
			return nil, fmt.Errorf("dashboard by %s: %w", param, err)
		}
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				rows.Close()
				return nil, err
			}
			labels[k] = v
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		bars := map[string]*Bucket{}
		cohort, closed := slices.Index(figureNames, "accepted"), slices.Index(figureNames, "closed")
		if plan.by == "closed" {
			cohort = len(figureNames) // closed_any
		}
		for k, vals := range sums {
			if label, ok := labels[k]; ok && vals[cohort] > 0 {
				bars[k] = &Bucket{Key: k, Label: label, Accepted: vals[cohort], Closed: vals[closed], Param: param + "=" + k}
			}
		}
		for _, pc := range plan.raw {
			list, err := raw(pc.Filter)
			if err != nil {
				return nil, err
			}
			for _, b := range list {
				if pc.less {
					b.Accepted, b.Closed = -b.Accepted, -b.Closed
				}
				if have := bars[b.Key]; have != nil {
					have.Accepted += b.Accepted
					have.Closed += b.Closed
				} else {
					bars[b.Key] = &b
				}
			}
		}
		list := make([]Bucket, 0, len(bars))
		for _, b := range bars {
			if b.Accepted > 0 { // a bar of the days a piece less took away is gone
				list = append(list, *b)
			}
		}
		slices.SortFunc(list, func(a, b Bucket) int { return cmp.Or(cmp.Compare(b.Accepted, a.Accepted), cmp.Compare(a.Key, b.Key)) })
		return list, nil
	}
	if out.Categories, err = tallied("t.category_id", nil, `SELECT CAST(id AS TEXT), name FROM case_categories WHERE parent_id IS NULL`, "category",
		func(f Filter) ([]Bucket, error) {
			return group("c.category_id", "CAST(COALESCE(cat.parent_id, cat.id) AS TEXT)", "COALESCE(cp.name, cat.name)",
				fixed("JOIN case_categories cat ON cat.id = x.k LEFT JOIN case_categories cp ON cp.id = cat.parent_id"), "category", f)
		}); err != nil {
		return nil, err
	}
	if out.Channels, err = tallied("t.channel", nil, `SELECT code, name FROM case_channels`, "channel", func(f Filter) ([]Bucket, error) {
		return group("c.channel", "x.k", "ch.name", fixed("JOIN case_channels ch ON ch.code = x.k"), "channel", f)
	}); err != nil {
		return nil, err
	}
	sel, level, err := s.selection(ctx, f, p)
	if err != nil {
		return nil, err
	}
	if title, ok := childrenTitle[level]; ok {
		// By the region under the selection on the case's path (a case of the selection's own
		// region, escalated to it, belongs to none).
		out.RegionsTitle = title
		children := func(a *db.Args) string {
			return "t.region_id IN (SELECT id FROM regions WHERE parent_id = " + a.Add(sel) + ")"
		}
		names := `SELECT CAST(id AS TEXT), name FROM regions WHERE parent_id = ` + strconv.FormatInt(sel, 10)
		if out.Regions, err = tallied("t.region_id", children, names, "region", func(f Filter) ([]Bucket, error) {
			return group("c.region_id", "CAST(ch.id AS TEXT)", "ch.name", func(a *db.Args) string {
				return "JOIN regions r ON r.id = x.k JOIN regions ch ON ch.parent_id = " + a.Add(sel) + " AND r.path LIKE ch.path || '%'"
			}, "region", f)
		}); err != nil {
			return nil, err
		}
	}
	if out.ByGrid = level == "" || level == "street" || level == "community" || level == "grid"; out.ByGrid {
		// By the grid that holds the case: one escalated to the community or street counts there.
		if out.Grids, err = group("c.region_id", "CAST(COALESCE(hg.id, 0) AS TEXT)", "COALESCE(g.name, '网格外办理（社区、街道）')",
			fixed("LEFT JOIN grids hg ON hg.id = x.k LEFT JOIN regions g ON g.id = hg.id"), "grid", f); err != nil {
			return nil, err
		}
		for i := range out.Grids {
			if out.Grids[i].Key == "0" {
				out.Grids[i].Param = ""
			}
		}
	}
	return out, nil
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

// monthly counts received, accepted and closed cases per calendar month of [lo, hi): the months
// the tally plan holds from it, the others in one query over the cases per raw piece.
func (s *Service) monthly(ctx context.Context, f Filter, p *auth.Principal, plan *tallyPlan, lo, hi time.Time) ([]Month, error) {
	loc := clock.Shanghai()
	start := lo.In(loc)
	start = time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, loc)
	var months []Month
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
	if len(months) == 0 {
		return []Month{}, nil
	}
	if plan == nil {
		return months, s.rawMonths(ctx, f, p, months, bounds, lo, hi)
	}
	sums, err := s.tallied(ctx, plan, "t.month", nil, "closed_handled")
	if err != nil {
		return nil, err
	}
	received, accepted := slices.Index(figureNames, "intake"), slices.Index(figureNames, "accepted")
	for i := range months {
		if vals, ok := sums[months[i].Month]; ok && months[i].Month >= plan.from && months[i].Month < plan.to {
			months[i].Received, months[i].Accepted, months[i].Closed = vals[received], vals[accepted], vals[len(figureNames)]
		}
	}
	for _, pc := range plan.raw {
		plo, phi, err := period(pc.From, pc.To)
		if err != nil {
			return nil, err
		}
		if pc.less {
			// The days of a month the period leaves out: the month was read whole from the tally.
			i := slices.IndexFunc(months, func(m Month) bool { return m.Month == monthKey(*plo) })
			if i < 0 {
				continue // past the chart's last month
			}
			ms := []Month{{}}
			if err := s.rawMonths(ctx, f, p, ms, [][2]time.Time{{*plo, *phi}}, *plo, *phi); err != nil {
				return nil, err
			}
			months[i].Received -= ms[0].Received
			months[i].Accepted -= ms[0].Accepted
			months[i].Closed -= ms[0].Closed
			continue
		}
		// The months of the piece (phi is set: the period is bounded).
		var in []int
		for i, b := range bounds {
			if !b[0].Before(*plo) && !b[1].After(*phi) {
				in = append(in, i)
			}
		}
		if len(in) == 0 {
			continue
		}
		ms, bs := make([]Month, len(in)), make([][2]time.Time, len(in))
		for j, i := range in {
			bs[j] = bounds[i]
		}
		if err := s.rawMonths(ctx, f, p, ms, bs, *plo, *phi); err != nil {
			return nil, err
		}
		for j, i := range in {
			months[i].Received, months[i].Accepted, months[i].Closed = ms[j].Received, ms[j].Accepted, ms[j].Closed
		}
	}
	return months, nil
}

// rawMonths fills in the counts of months (with their bounds) from the cases of [lo, hi), in one query.
func (s *Service) rawMonths(ctx context.Context, f Filter, p *auth.Principal, months []Month, bounds [][2]time.Time, lo, hi time.Time) error {
	a := &db.Args{}
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
	if d.Figures, err = s.Figures(ctx, f); err != nil {
		return nil, err
	}
	if d.Series, err = s.DashboardSeries(ctx, f); err != nil {
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
