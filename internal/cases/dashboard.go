package cases

import (
	"context"
	"fmt"
	"strings"
	"time"

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
	Grids      []Bucket `json:"grids"`
}

// maxMonths bounds the trend chart.
const maxMonths = 36

// DashboardSeries counts the selection by month (received, accepted and closed in each month of
// the period), and the period's cohort (accepted, or closed with By "closed") by top-level
// category, channel and grid — one aggregate query each, in the principal's scope.
func (s *Service) DashboardSeries(ctx context.Context, f Filter) (*Series, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	lo, hi, err := period(f.From, f.To)
	if err != nil {
		return nil, err
	}
	out := &Series{}
	if lo != nil && hi != nil {
		if out.Months, err = s.monthly(ctx, f, *lo, *hi); err != nil {
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
	group := func(col, key, label, join, param string) ([]Bucket, error) {
		a := &db.Args{}
		w := append([]string{scopeCond(a, p), between(a, "c."+cohortCol, lo, hi)}, dimensions(a, &f)...)
		inner := "SELECT " + col + " AS k, COUNT(*) AS n, COALESCE(SUM(CASE WHEN c.state = 'closed' AND c.outcome IN " +
			handledOutcomes + " THEN 1 ELSE 0 END), 0) AS closed FROM cases c WHERE " + strings.Join(w, " AND ") + " GROUP BY " + col
		query := "SELECT " + key + ", " + label + ", SUM(x.n), SUM(x.closed) FROM (" + inner + ") x " + join +
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
	if out.Categories, err = group("c.category_id", "CAST(COALESCE(cat.parent_id, cat.id) AS TEXT)", "COALESCE(cp.name, cat.name)",
		"JOIN case_categories cat ON cat.id = x.k LEFT JOIN case_categories cp ON cp.id = cat.parent_id", "category"); err != nil {
		return nil, err
	}
	if out.Channels, err = group("c.channel", "x.k", "ch.name", "JOIN case_channels ch ON ch.code = x.k", "channel"); err != nil {
		return nil, err
	}
	// By the grid that holds the case: one escalated to the community or street counts there.
	if out.Grids, err = group("c.region_id", "CAST(COALESCE(hg.id, 0) AS TEXT)", "COALESCE(g.name, '网格外办理（社区、街道）')",
		"LEFT JOIN grids hg ON hg.id = x.k LEFT JOIN regions g ON g.id = hg.id", "grid"); err != nil {
		return nil, err
	}
	for i := range out.Grids {
		if out.Grids[i].Key == "0" {
			out.Grids[i].Param = ""
		}
	}
	return out, nil
}

// monthly counts received, accepted and closed cases per calendar month of [lo, hi) in one query.
func (s *Service) monthly(ctx context.Context, f Filter, lo, hi time.Time) ([]Month, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
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
	w = append(w, "("+strings.Join([]string{between(a, "c.received_at", &lo, &hi), between(a, "c.accepted_at", &lo, &hi),
		between(a, "c.closed_at", &lo, &hi)}, " OR ")+")")
	vals := make([]int64, len(sums))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	query := "SELECT " + strings.Join(sums, ", ") + " FROM cases c WHERE " + strings.Join(w, " AND ")
	if err := s.db.R.QueryRowContext(ctx, query, *a...).Scan(ptrs...); err != nil {
		return nil, fmt.Errorf("dashboard months: %w", err)
	}
	for i := range months {
		months[i].Received, months[i].Accepted, months[i].Closed = vals[3*i], vals[3*i+1], vals[3*i+2]
	}
	return months, nil
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
