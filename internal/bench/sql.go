// Package bench measures Linli's hot paths on a synthetic city against the limit of the same work
// done bare, in the same run: see docs/performance.md and `make bench`.
package bench

import (
	"context"
	_ "embed"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"linli/internal/db"
)

// The statements the measured endpoints run, copied from internal/cases (store.go, query.go,
// figures.go) as they generate them for the measured filters. Keep them in step when those change.
const (
	caseColumns = `c.id, c.number, c.community_id, c.region_id, r.name, r.path, c.grid_id, COALESCE(g.name, ''),
	c.channel, ch.name, c.category_id, COALESCE(cp.name || ' › ', '') || cat.name, c.priority, c.title,
	c.description, c.address, c.building_id, c.household_id, c.resident_id, c.lon, c.lat, c.reporter_name,
	c.reporter_phone_masked, c.anonymous, COALESCE(c.external_no, ''), c.external_deadline, c.state, c.outcome,
	c.received_at, c.accept_deadline, c.accepted_at, c.dispatched_at, c.sign_deadline, c.handle_deadline,
	c.reported_at, c.reported_by, c.closed_at, c.closed_by, c.handle_minutes, c.callback_deadline, c.callback_at,
	c.callback_resolved, c.callback_satisfaction, c.handler_id, COALESCE(hu.name, ''), c.suspended_at,
	c.suspended_minutes, c.suspend_reason, c.suspend_requested_by, c.extension_until, c.extension_reason,
	c.extension_requested_by, c.reopen_count, c.supervised, c.supervised_at, c.overdue, c.tracking_code,
	c.merged_into, c.created_by, c.version, c.created_at, c.updated_at`
	caseFrom = ` FROM cases c
	JOIN regions r ON r.id = c.region_id
	LEFT JOIN regions g ON g.id = c.grid_id
	JOIN case_channels ch ON ch.code = c.channel
	JOIN case_categories cat ON cat.id = c.category_id
	LEFT JOIN case_categories cp ON cp.id = cat.parent_id
	LEFT JOIN users hu ON hu.id = c.handler_id`
	caseScope = `c.region_id IN (SELECT id FROM regions WHERE path LIKE $1)`
	caseOrder = ` ORDER BY c.supervised DESC, c.received_at DESC, c.id DESC`
	caseFTS   = `c.id IN (SELECT case_fts.rowid FROM case_fts WHERE `

	// listCountCap is cases.ListCountCap: a list collects the ids of up to this many cases + 1.
	listCountCap = 2000
	// listWalk is cases.listWalk: a larger PostgreSQL search first reads this many cases in list order.
	listWalk = 5000

	residentColumns = `r.id, r.region_id, r.household_id, h.building_id, r.name, r.gender, r.birth_date, r.id_masked,
	r.phone_masked, r.relation, r.residence_type, r.ethnicity, r.status, r.note, r.updated_at, COALESCE(b.name, ''),
	COALESCE(h.unit, ''), COALESCE(h.room, ''), COALESCE(gr.name, ''),
	CASE WHEN EXISTS (SELECT 1 FROM party_members pm WHERE pm.resident_id = r.id AND pm.active) THEN 1 ELSE 0 END`
	residentFrom = ` FROM residents r LEFT JOIN households h ON h.id = r.household_id
	LEFT JOIN buildings b ON b.id = h.building_id LEFT JOIN regions gr ON gr.id = b.grid_id`
)

// caseList runs the statements GET /api/v1/cases?limit=50 runs for a district-wide scope (a path
// pattern), and a search when fts (the dialect's query for the terms) is not empty — the shape of
// cases.ListPage: the ids of up to listCountCap+1 cases (a search on SQLite streamed from the
// full-text matches), then a selection within the cap paged from those ids (json_each on SQLite,
// ANY on PostgreSQL), a larger one read in list order (from cases_list_order on SQLite; a PostgreSQL
// search first from the scope's first listWalk cases, kept when they fill the page) and joined for
// its 50 cases only.
func caseList(ctx context.Context, d *db.DB, scope, fts string) error {
	_, err := casePage(ctx, d, scope, fts, listCountCap)
	return err
}

// casePage is caseList with the count cap given; it returns the ids of the page's cases in order.
func casePage(ctx context.Context, d *db.DB, scope, fts string, countCap int) ([]int64, error) {
	where, args := caseScope, []any{scope}
	var match string
	if fts != "" {
		match = d.Dialect.MatchFTS("case_fts", "$2")
		where += " AND " + caseFTS + match + ")"
		args = append(args, fts)
	}
	collect := "SELECT c.id FROM cases c WHERE " + where
	if match != "" && d.Dialect == db.SQLite {
		collect = "SELECT c.id FROM case_fts JOIN cases c ON c.id = case_fts.rowid WHERE " + match + " AND " + caseScope
	}
	rows, err := d.R.QueryContext(ctx, collect+" LIMIT "+strconv.Itoa(countCap+1), args...)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var inner string
	if len(ids) <= countCap {
		in, arg := "c.id = ANY($1::bigint[])", any(ids)
		if d.Dialect == db.SQLite {
			b, _ := json.Marshal(ids)
			in, arg = "c.id IN (SELECT value FROM json_each($1))", string(b)
		}
		inner, args = "SELECT c.id FROM cases c WHERE "+in+caseOrder+" LIMIT $2 OFFSET $3", []any{arg, 50, 0}
	} else {
		from := "cases c"
		if d.Dialect == db.SQLite {
			from += " INDEXED BY cases_list_order"
		}
		n := len(args)
		if match != "" && d.Dialect == db.Postgres {
			// cases.walkPage: the first listWalk cases of the scope in list order, each tested against
			// the match; its page stands when it is full.
			walked := "SELECT c.id, c.supervised, c.received_at, c.handle_deadline, c.accept_deadline FROM cases c WHERE " +
				caseScope + caseOrder + " LIMIT " + strconv.Itoa(listWalk)
			walk := "SELECT c.id FROM (" + walked + ") c WHERE (EXISTS (SELECT 1 FROM case_fts f WHERE f.rowid = c.id AND " +
				strings.Replace(match, "case_fts.", "f.", 1) + " OFFSET 0)) IS TRUE" + caseOrder + " LIMIT $3 OFFSET $4"
			if out, err := pageIDs(ctx, d, walk, append(args[:n:n], 50, 0)); err != nil || len(out) == 50 {
				return out, err
			}
		}
		inner = "SELECT c.id FROM " + from + " WHERE " + where + caseOrder + " LIMIT $" + strconv.Itoa(n+1) + " OFFSET $" + strconv.Itoa(n+2)
		args = append(args, 50, 0)
	}
	return pageIDs(ctx, d, inner, args)
}

// pageIDs joins the page statement inner's cases as the list does and returns their ids in order.
func pageIDs(ctx context.Context, d *db.DB, inner string, args []any) ([]int64, error) {
	page := "SELECT " + caseColumns + strings.Replace(caseFrom, " FROM cases c", " FROM ("+inner+") p JOIN cases c ON c.id = p.id", 1) + caseOrder
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

//go:embed figures.sql
var figuresSQL string

// figuresStatement is the figures statement on dialect d: on SQLite the period's dates are kept
// from their indexes ("+c.received_at"), so that the scope's region index drives the query.
func figuresStatement(d db.Dialect) string {
	q := strings.SplitN(figuresSQL, "\n", 3)[2]
	if d != db.SQLite {
		return q
	}
	sums, where, _ := strings.Cut(q, " FROM cases c WHERE ")
	for _, col := range []string{"received_at", "accepted_at", "closed_at", "handle_deadline"} {
		where = strings.ReplaceAll(where, "(c."+col+" ", "(+c."+col+" ")
		where = strings.ReplaceAll(where, " c."+col+" ", " +c."+col+" ")
	}
	return sums + " FROM cases c WHERE " + where
}

// figuresArgs binds the figures statement for a scope, a region and the period [lo, hi).
func figuresArgs(scope string, region int64, lo, hi time.Time) []any {
	lines := strings.SplitN(figuresSQL, "\n", 3)
	kinds := strings.Fields(strings.TrimPrefix(lines[1], "-- for a scope, a region and a period; bench.go binds "))
	out := make([]any, len(kinds))
	for i, k := range kinds {
		switch k {
		case "scope":
			out[i] = scope
		case "region":
			out[i] = region
		case "lo":
			out[i] = lo
		case "hi":
			out[i] = hi
		default:
			out[i] = k
		}
	}
	return out
}
