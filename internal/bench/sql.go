// Package bench measures Linli's hot paths on a synthetic city against the limit of the same work
// done bare, in the same run: see docs/performance.md and `make bench`.
package bench

import (
	_ "embed"
	"strings"
	"time"
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

	residentColumns = `r.id, r.region_id, r.household_id, h.building_id, r.name, r.gender, r.birth_date, r.id_masked,
	r.phone_masked, r.relation, r.residence_type, r.ethnicity, r.status, r.note, r.updated_at, COALESCE(b.name, ''),
	COALESCE(h.unit, ''), COALESCE(h.room, ''), COALESCE(gr.name, ''),
	CASE WHEN EXISTS (SELECT 1 FROM party_members pm WHERE pm.resident_id = r.id AND pm.active) THEN 1 ELSE 0 END`
	residentFrom = ` FROM residents r LEFT JOIN households h ON h.id = r.household_id
	LEFT JOIN buildings b ON b.id = h.building_id LEFT JOIN regions gr ON gr.id = b.grid_id`
)

//go:embed figures.sql
var figuresSQL string

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
