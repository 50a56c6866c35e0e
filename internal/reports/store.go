package reports

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"linli/internal/db"
	"linli/internal/register"
)

// inScope restricts a query's region_id column to the principal's subtree ($1 is the scope).
const inScope = ` IN (SELECT id FROM regions WHERE path LIKE $1)`

// countByRegion computes every figure per region id, in one grouped query per table, so a
// district's page costs the same number of queries as a grid's.
func countByRegion(ctx context.Context, d *db.DB, scope string, today time.Time) (map[int64]*Counts, error) {
	out := map[int64]*Counts{}
	at := func(id int64) *Counts {
		c, ok := out[id]
		if !ok {
			c = newCounts()
			out[id] = c
		}
		return c
	}
	aged, adult := register.Aged80Cutoff(today), register.MinorCutoff(today)
	queries := []struct {
		sql  string
		args []any
		scan func(rows *sql.Rows) error
	}{
		{`SELECT region_id, COUNT(*) FROM buildings WHERE region_id` + inScope + ` GROUP BY region_id`, nil,
			func(rows *sql.Rows) error {
				var id int64
				var n int
				err := rows.Scan(&id, &n)
				at(id).Buildings += n
				return err
			}},
		{`SELECT region_id, kind, COUNT(*) FROM households WHERE region_id` + inScope + ` GROUP BY region_id, kind`, nil,
			func(rows *sql.Rows) error {
				var id int64
				var kind string
				var n int
				err := rows.Scan(&id, &kind, &n)
				at(id).Households += n
				at(id).HouseholdsOf[kind] += n
				return err
			}},
		{`SELECT region_id, COUNT(*),
			SUM(CASE WHEN birth_date <> '' AND birth_date <= $2 THEN 1 ELSE 0 END),
			SUM(CASE WHEN birth_date > $3 THEN 1 ELSE 0 END)
			FROM residents WHERE status = 'active' AND region_id` + inScope + ` GROUP BY region_id`, []any{aged, adult},
			func(rows *sql.Rows) error {
				var id int64
				var n, old, minor int
				err := rows.Scan(&id, &n, &old, &minor)
				c := at(id)
				c.Residents += n
				c.MinorResidents += minor
				c.Tags[register.TagAged80] += old
				c.Tags[register.TagMinor] += minor
				c.Minors[register.TagMinor] += minor
				return err
			}},
		{`SELECT r.region_id, t.tag, COUNT(*), SUM(CASE WHEN r.birth_date > $2 THEN 1 ELSE 0 END)
			FROM resident_tags t JOIN residents r ON r.id = t.resident_id
			WHERE r.status = 'active' AND t.tag NOT IN (` + derivedTags() + `) AND r.region_id` + inScope + `
			GROUP BY r.region_id, t.tag`, []any{adult},
			func(rows *sql.Rows) error {
				var id int64
				var tag register.Tag
				var n, minors int
				err := rows.Scan(&id, &tag, &n, &minors)
				at(id).Tags[tag] += n
				at(id).Minors[tag] += minors
				return err
			}},
		{`SELECT r.region_id, COUNT(*) FROM party_members m JOIN residents r ON r.id = m.resident_id
			WHERE m.active = TRUE AND r.status = 'active' AND r.region_id` + inScope + ` GROUP BY r.region_id`, nil,
			func(rows *sql.Rows) error {
				var id int64
				var n int
				err := rows.Scan(&id, &n)
				at(id).Tags[register.TagPartyMember] += n
				return err
			}},
		{`SELECT region_id, COUNT(*) FROM party_orgs WHERE kind = 'branch' AND region_id` + inScope + ` GROUP BY region_id`, nil,
			func(rows *sql.Rows) error {
				var id int64
				var n int
				err := rows.Scan(&id, &n)
				at(id).Branches += n
				return err
			}},
		{`SELECT region_id, kind, COUNT(*) FROM party_members WHERE active = TRUE AND region_id` + inScope + ` GROUP BY region_id, kind`, nil,
			func(rows *sql.Rows) error {
				var id int64
				var kind string
				var n int
				err := rows.Scan(&id, &kind, &n)
				at(id).Members += n
				if kind == "in_service" {
					at(id).InService += n
				}
				return err
			}},
		{`SELECT region_id, COUNT(*) FROM liaison_households WHERE region_id` + inScope + ` GROUP BY region_id`, nil,
			func(rows *sql.Rows) error {
				var id int64
				var n int
				err := rows.Scan(&id, &n)
				at(id).Liaisons += n
				return err
			}},
		{`SELECT region_id, COUNT(*) FROM liaison_covers WHERE region_id` + inScope + ` GROUP BY region_id`, nil,
			func(rows *sql.Rows) error {
				var id int64
				var n int
				err := rows.Scan(&id, &n)
				at(id).Covered += n
				return err
			}},
		{`SELECT region_id, duty, name FROM grid_roster WHERE duty IN ('grid_leader', 'worker_full', 'worker_part')
			AND region_id` + inScope + ` ORDER BY id`, nil,
			func(rows *sql.Rows) error {
				var id int64
				var duty, name string
				err := rows.Scan(&id, &duty, &name)
				if duty == "grid_leader" {
					at(id).GridLeaders++
					at(id).LeaderNames = append(at(id).LeaderNames, name)
				} else {
					at(id).GridWorkers++
				}
				return err
			}},
	}
	for _, q := range queries {
		if err := each(ctx, d, q.sql, append([]any{scope}, q.args...), q.scan); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// derivedTags lists, for SQL, the tags the register computes rather than stores: their counts come
// from birth dates and the party roll, not from resident_tags.
func derivedTags() string {
	var out []string
	for _, t := range register.Tags {
		if t.Derived() {
			out = append(out, "'"+string(t)+"'")
		}
	}
	return strings.Join(out, ", ")
}

func each(ctx context.Context, d *db.DB, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := d.R.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("figures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("figures: %w", err)
		}
	}
	return rows.Err()
}
