package cases

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"linli/internal/auth"
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
	// Group by the case's own region, then add each up into the child on its path.
	sums, err := s.groupedSums(ctx, f, p, "c.region_id", "")
	if err != nil {
		return nil, err
	}
	paths := map[int64]string{}
	prow, err := s.db.R.QueryContext(ctx, `SELECT id, path FROM regions WHERE path LIKE $1`, parentPath+"%")
	if err != nil {
		return nil, fmt.Errorf("region paths: %w", err)
	}
	for prow.Next() {
		var id int64
		var path string
		if err := prow.Scan(&id, &path); err != nil {
			prow.Close()
			return nil, err
		}
		paths[id] = path
	}
	prow.Close()
	totals := make([][]int64, len(groups))
	for i := range totals {
		totals[i] = make([]int64, len(figureNames))
	}
	for region, vals := range sums {
		rest := strings.TrimPrefix(paths[region.id], parentPath)
		child, _ := strconv.ParseInt(strings.SplitN(rest, "/", 2)[0], 10, 64)
		i, ok := index[child]
		if !ok {
			continue // a case of the parent region itself belongs to no child
		}
		for k, v := range vals {
			totals[i][k] += v
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
	sums, err := s.groupedSums(ctx, f, p, "COALESCE(cat.parent_id, cat.id)", "COALESCE(cp.name, cat.name)")
	if err != nil {
		return nil, err
	}
	out := make([]Group, 0, len(sums))
	for k, vals := range sums {
		out = append(out, Group{ID: k.id, Name: k.name, Figures: figuresFrom(vals)})
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

type groupKey struct {
	id   int64
	name string
}

// groupedSums runs Figures' aggregate grouped by the key expression (and a name expression, or "").
func (s *Service) groupedSums(ctx context.Context, f FigureFilter, p *auth.Principal, key, name string) (map[groupKey][]int64, error) {
	query, a, err := figuresQuery(&f, p, s.db.Dialect)
	if err != nil {
		return nil, err
	}
	sel := key + " AS gkey"
	if name != "" {
		sel += ", " + name + " AS gname"
		query = strings.Replace(query, " FROM cases c WHERE ", " FROM cases c JOIN case_categories cat ON cat.id = c.category_id"+
			" LEFT JOIN case_categories cp ON cp.id = cat.parent_id WHERE ", 1)
	}
	query = "SELECT " + sel + ", " + strings.TrimPrefix(query, "SELECT ") + " GROUP BY " + key
	if name != "" {
		query += ", " + name
	}
	rows, err := s.db.R.QueryContext(ctx, query, *a...)
	if err != nil {
		return nil, fmt.Errorf("grouped figures: %w", err)
	}
	defer rows.Close()
	out := map[groupKey][]int64{}
	for rows.Next() {
		var k groupKey
		vals := make([]int64, len(figureNames))
		ptrs := []any{&k.id}
		if name != "" {
			ptrs = append(ptrs, &k.name)
		}
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
