package cases

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

// Group is the figures of one part of a selection: a region under the selected one, or a
// top-level category.
type Group struct {
	ID      int64   `json:"id"`
	Name    string  `json:"name"`
	Figures Figures `json:"figures"`
}

// FiguresByRegion computes the figures of each region directly under f.RegionID (the principal's
// own region when 0) in one aggregate over the selection: each group is what Figures gives with
// that region as f.RegionID, so a comparison table costs one statement instead of one per region.
func (s *Service) FiguresByRegion(ctx context.Context, f FigureFilter) ([]Group, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := p.Require(auth.CasesRead); err != nil {
		return nil, err
	}
	parent := f.RegionID
	if parent == 0 {
		parent = p.RegionID
	}
	var parentPath string
	if err := s.db.R.QueryRowContext(ctx, `SELECT path FROM regions WHERE id = $1`, parent).Scan(&parentPath); err != nil || !p.Covers(parentPath) {
		return nil, errs.E(errs.NotFound, "区域不存在")
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, name FROM regions WHERE parent_id = $1 ORDER BY code, id`, parent)
	if err != nil {
		return nil, fmt.Errorf("child regions: %w", err)
	}
	var groups []Group
	index := map[int64]int{}
	for rows.Next() {
		var g Group
		if err := rows.Scan(&g.ID, &g.Name); err != nil {
			rows.Close()
			return nil, err
		}
		index[g.ID] = len(groups)
		groups = append(groups, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	totals := make([][]int64, len(groups))
	for i := range totals {
		totals[i] = make([]int64, len(figureNames))
	}
	f.now = s.now()
	pieces := []piece{{Filter: f}}
	plan, err := s.plan(ctx, &f, p, true)
	if err != nil {
		return nil, err
	}
	if plan != nil {
		// The children's own tally rows, unless they are grids (the tally stops at communities).
		var grids int
		if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE parent_id = $1 AND level = 'grid'`, parent).Scan(&grids); err != nil {
			return nil, fmt.Errorf("child regions: %w", err)
		}
		if grids > 0 {
			plan = nil
		}
	}
	if plan != nil {
		sums, err := s.tallied(ctx, plan, "t.region_id", func(a *db.Args) string {
			return "t.region_id IN (SELECT id FROM regions WHERE parent_id = " + a.Add(parent) + ")"
		})
		if err != nil {
			return nil, err
		}
		for key, vals := range sums {
			id, _ := strconv.ParseInt(key, 10, 64)
			if i, ok := index[id]; ok {
				addInto(totals[i], vals)
			}
		}
		pieces = plan.raw
	}
	if len(pieces) == 0 {
		for i := range groups {
			groups[i].Figures = figuresFrom(totals[i])
		}
		return groups, nil
	}
	under, err := s.regionsUnder(ctx, parentPath)
	if err != nil {
		return nil, err
	}
	// Group by the case's own region, then add each up into the child on its path.
	for _, pc := range pieces {
		sums, err := s.groupedSums(ctx, pc.Filter, p, "c.region_id")
		if err != nil {
			return nil, err
		}
		for region, vals := range sums {
			if i, ok := index[under[region]]; ok { // a case of the parent region itself belongs to no child
				pc.into(totals[i], vals)
			}
		}
	}
	for i := range groups {
		groups[i].Figures = figuresFrom(totals[i])
	}
	return groups, nil
}

// FiguresByCategory computes the figures of each top-level category in the selection, most cases
// first, in one aggregate; each group is what Figures gives with that category as f.CategoryID.
func (s *Service) FiguresByCategory(ctx context.Context, f FigureFilter) ([]Group, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := p.Require(auth.CasesRead); err != nil {
		return nil, err
	}
	f.now = s.now()
	pieces := []piece{{Filter: f}}
	// Whole months only: "touched" (a case with a date in the period) cannot be subtracted.
	plan, err := s.plan(ctx, &f, p, false)
	if err != nil {
		return nil, err
	}
	var tallied map[string][]int64
	if plan != nil {
		// Top-level categories already; a group is listed when a case of it has a date in the period.
		if tallied, err = s.tallied(ctx, plan, "t.category_id", nil, "touched"); err != nil {
			return nil, err
		}
		pieces = plan.raw
	}
	type top struct {
		id   int64
		name string
	}
	tops := map[int64]top{}
	crow, err := s.db.R.QueryContext(ctx, `SELECT cat.id, COALESCE(cp.id, cat.id), COALESCE(cp.name, cat.name)
		FROM case_categories cat LEFT JOIN case_categories cp ON cp.id = cat.parent_id`)
	if err != nil {
		return nil, fmt.Errorf("categories: %w", err)
	}
	for crow.Next() {
		var id int64
		var t top
		if err := crow.Scan(&id, &t.id, &t.name); err != nil {
			crow.Close()
			return nil, err
		}
		tops[id] = t
	}
	crow.Close()
	if err := crow.Err(); err != nil {
		return nil, err
	}
	totals := map[top][]int64{}
	add := func(t top, vals []int64) {
		if totals[t] == nil {
			totals[t] = make([]int64, len(figureNames))
		}
		addInto(totals[t], vals[:len(figureNames)])
	}
	for k, vals := range tallied {
		if id, _ := strconv.ParseInt(k, 10, 64); vals[len(figureNames)] > 0 {
			add(tops[id], vals)
		}
	}
	// Group by the case's own category (no join per case), then add each into its top-level one.
	for _, pc := range pieces {
		sums, err := s.groupedSums(ctx, pc.Filter, p, "c.category_id")
		if err != nil {
			return nil, err
		}
		for k, vals := range sums {
			add(tops[k], vals)
		}
	}
	out := make([]Group, 0, len(totals))
	for t, vals := range totals {
		out = append(out, Group{ID: t.id, Name: t.name, Figures: figuresFrom(vals)})
	}
	closed := func(g Group) int64 { n, _ := g.Figures["closed"].(int64); return n }
	slices.SortFunc(out, func(a, b Group) int {
		if c := cmp.Compare(closed(b), closed(a)); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}

// groupedSums runs Figures' aggregate grouped by a column of cases (read from the index
// cases_figures, nothing joined per case), keyed by its value.
func (s *Service) groupedSums(ctx context.Context, f FigureFilter, p *auth.Principal, key string) (map[int64][]int64, error) {
	query, a, err := figuresQuery(&f, p, s.db.Dialect)
	if err != nil {
		return nil, err
	}
	query = "SELECT " + key + " AS gkey, " + strings.TrimPrefix(query, "SELECT ") + " GROUP BY " + key
	rows, err := s.db.R.QueryContext(ctx, query, *a...)
	if err != nil {
		return nil, fmt.Errorf("grouped figures: %w", err)
	}
	defer rows.Close()
	out := map[int64][]int64{}
	for rows.Next() {
		var k int64
		vals := make([]int64, len(figureNames))
		ptrs := []any{&k}
		for i := range vals {
			ptrs = append(ptrs, &vals[i])
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out[k] = vals
	}
	return out, rows.Err()
}

// regionsUnder maps every region below the one at path to the region directly under it that
// holds it.
func (s *Service) regionsUnder(ctx context.Context, path string) (map[int64]int64, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, path FROM regions WHERE path LIKE $1`, path+"%")
	if err != nil {
		return nil, fmt.Errorf("region paths: %w", err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var id int64
		var p string
		if err := rows.Scan(&id, &p); err != nil {
			return nil, err
		}
		rest := strings.TrimPrefix(p, path)
		if child, _ := strconv.ParseInt(strings.SplitN(rest, "/", 2)[0], 10, 64); child != 0 {
			out[id] = child
		}
	}
	return out, rows.Err()
}
