// Package bench measures Linli's hot paths on a synthetic city against the limit of the same work
// done bare, in the same run: see docs/performance.md and `make bench`.
package bench

import (
	"context"
	"fmt"
	"strings"

	"linli/internal/auth"
	"linli/internal/cases"
	"linli/internal/db"
)

// The resident list's statement, as internal/register generates it for a search; register does
// not export its statements yet, so keep this in step with resident_query.go.
const (
	residentColumns = `r.id, r.region_id, r.household_id, h.building_id, r.name, r.gender, r.birth_date, r.id_masked,
	r.phone_masked, r.relation, r.residence_type, r.ethnicity, r.status, r.note, r.updated_at, COALESCE(b.name, ''),
	COALESCE(h.unit, ''), COALESCE(h.room, ''), COALESCE(gr.name, ''),
	CASE WHEN EXISTS (SELECT 1 FROM party_members pm WHERE pm.resident_id = r.id AND pm.active) THEN 1 ELSE 0 END`
	residentFrom = ` FROM residents r LEFT JOIN households h ON h.id = r.household_id
	LEFT JOIN buildings b ON b.id = h.building_id LEFT JOIN regions gr ON gr.id = b.grid_id`
)

// scopeOf is a district administrator whose scope is the path pattern scope ("/1/4/%").
func scopeOf(scope string) *auth.Principal {
	return &auth.Principal{Role: auth.DistrictAdmin, RegionPath: strings.TrimSuffix(scope, "%"), RegionLevel: "district"}
}

// caseList runs the statements GET /api/v1/cases?limit=50 runs for a district-wide scope (a path
// pattern), and a search when q is not empty — the shape of cases.ListPage, with the statements
// cases itself builds: the ids of up to cases.ListCountCap+1 cases, then a selection within the cap
// paged from those ids, a larger one read in list order (a PostgreSQL search first from the
// scope's first cases in list order, kept when they fill the page) and joined for its 50 cases.
func caseList(ctx context.Context, d *db.DB, scope, q string) error {
	_, err := casePage(ctx, d, scope, q, cases.ListCountCap)
	return err
}

// casePage is caseList with the count cap given; it returns the ids of the page's cases in order.
func casePage(ctx context.Context, d *db.DB, scope, q string, countCap int) ([]int64, error) {
	f, p := cases.Filter{Q: q, Limit: 50}, scopeOf(scope)
	count, countArgs, _, _, err := cases.ListSQL(f, p, d.Dialect, countCap, false)
	if err != nil {
		return nil, err
	}
	ids, err := db.QueryIDs(ctx, d.R, count, countArgs...)
	if err != nil {
		return nil, err
	}
	if len(ids) <= countCap {
		page, args := cases.IDsPageSQL(f, d.Dialect, ids)
		return pageIDs(ctx, d, page, args)
	}
	if q != "" && d.Dialect == db.Postgres {
		walk, args, err := cases.WalkSQL(f, p)
		if err != nil {
			return nil, err
		}
		if out, err := pageIDs(ctx, d, walk, args); err != nil || len(out) == f.Limit {
			return out, err
		}
	}
	_, _, page, args, err := cases.ListSQL(f, p, d.Dialect, countCap, true)
	if err != nil {
		return nil, err
	}
	return pageIDs(ctx, d, page, args)
}

// pageIDs runs a page statement of the case list and returns its cases' ids in order.
func pageIDs(ctx context.Context, d *db.DB, page string, args []any) ([]int64, error) {
	rows, err := d.R.QueryContext(ctx, page, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []int64
	vals := make([]any, len(cols))
	for i := range vals {
		vals[i] = new(any)
	}
	for rows.Next() {
		var id int64
		vals[0] = &id
		if err := rows.Scan(vals...); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// figuresSQL is the statement GET /api/v1/cases/figures?region=…&from=…&to=… runs for a
// district-wide scope, a region and a whole year, with its arguments.
func figuresSQL(d db.Dialect, scope string, region int64, year int) (string, []any, error) {
	return cases.FiguresSQL(cases.Filter{RegionID: region, From: fmt.Sprintf("%d-01-01", year), To: fmt.Sprintf("%d-12-31", year)},
		scopeOf(scope), d)
}
