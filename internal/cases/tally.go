package cases

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"linli/internal/clock"
	"linli/internal/db"
)

// The case tally (migration 0030, docs/cases.md "Figures"): every counter a figure sums is additive
// over disjoint periods, so the figures of a long period are the sums of its calendar months. The
// table case_tallies keeps, for every community-or-above region, calendar month (Asia/Shanghai),
// top-level category and channel, the counters of the cases in the region's subtree — each computed
// by figureCond itself over the month, as if every deadline of the month had passed (tallyNow).
// Once a month has ended that is the truth, so Figures reads the ended months of a period from the
// tally and only the rest (a partial month at each end, the current month) from the cases.
//
// The tally is kept in the transaction that writes a case: insertCase adds what the new case counts,
// saveCase subtracts what the case counted before its UPDATE and adds what it counts after
// (tallyBefore, tallyChange.apply) — each as figureCond computes it on the case's row, for the
// months of its dates. A figure reads nothing but the case row (the lead-task facts are columns of
// cases, set by saveCase's UPDATE: leadFacts), so the row before the UPDATE is what it counted.

// tallyNow is the "now" of the tally's counters: later than any deadline.
var tallyNow = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// tallyColumns are case_tallies' counters: figureNames by the accepted cohort; those that depend
// on the cohort again by the closed cohort (suffix _bc); then the cases with any date of the
// figures in the month (a grouped figure lists a group the selection touches), closed in it, and
// closed in it with a handled outcome (the dashboard's trend).
var tallyColumns, tallyByClosed = func() ([]string, map[string]bool) {
	cols := slices.Clone(figureNames)
	byClosed := map[string]bool{}
	lo, hi := time.Unix(0, 0), time.Unix(1, 0)
	for _, name := range figureNames {
		accepted, _ := figureCond(&db.Args{}, name, "", &lo, &hi, lo)
		closed, _ := figureCond(&db.Args{}, name, "closed", &lo, &hi, lo)
		if accepted != closed {
			byClosed[name] = true
			cols = append(cols, name+"_bc")
		}
	}
	return append(cols, "touched", "closed_any", "closed_handled"), byClosed
}()

// figureColumn is the tally column holding figure name's counter for cohort by.
func figureColumn(name, by string) string {
	if by == "closed" && tallyByClosed[name] {
		return name + "_bc"
	}
	return name
}

// leadFacts sets the case's two lead-task facts (has a lead task; its first lead task was signed
// within its limit) from case_assignments, in saveCase's UPDATE and BuildTallies.
const leadFacts = `lead_dispatched = EXISTS (SELECT 1 FROM case_assignments fa WHERE fa.case_id = cases.id AND fa.role = 'lead'),
	lead_on_time = COALESCE((SELECT fa.signed_at IS NOT NULL AND fa.signed_at <= fa.sign_deadline FROM case_assignments fa
		WHERE fa.case_id = cases.id AND fa.role = 'lead' ORDER BY fa.id LIMIT 1), FALSE)`

// sumExpr is the aggregate of figure name over the cases meeting cond.
func sumExpr(name, cond string) string {
	if name == "mean_handle_hours" || name == "mean_handle_hours_bc" {
		return "COALESCE(SUM(CASE WHEN " + cond + " THEN COALESCE(c.handle_minutes, 0) ELSE 0 END), 0)"
	}
	return "COALESCE(SUM(CASE WHEN " + cond + " THEN 1 ELSE 0 END), 0)"
}

// touchedCond is the condition that a case has a date of the figures in [lo, hi): the cases
// Figures' aggregate reads.
func touchedCond(a *db.Args, lo, hi *time.Time) string {
	conds := make([]string, len(figureDates))
	for i, col := range figureDates {
		conds[i] = between(a, "c."+col, lo, hi)
	}
	return "(" + strings.Join(conds, " OR ") + ")"
}

// tallySums are the aggregates of tallyColumns over the month [lo, hi), in order.
func tallySums(a *db.Args, lo, hi time.Time) []string {
	out := make([]string, 0, len(tallyColumns))
	for _, col := range tallyColumns {
		var cond string
		switch col {
		case "touched":
			cond = touchedCond(a, &lo, &hi)
		case "closed_any":
			cond = between(a, "c.closed_at", &lo, &hi)
		case "closed_handled":
			cond = between(a, "c.closed_at", &lo, &hi) + " AND c.outcome IN " + handledOutcomes
		default:
			name, by := col, ""
			if n, ok := strings.CutSuffix(col, "_bc"); ok {
				name, by = n, "closed"
			}
			cond, _ = figureCond(a, name, by, &lo, &hi, tallyNow) // the names are figureNames
		}
		out = append(out, sumExpr(col, cond))
	}
	return out
}

// monthOf is the first instant of the calendar month (Asia/Shanghai) holding t.
func monthOf(t time.Time) time.Time {
	t = t.In(clock.Shanghai())
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, clock.Shanghai())
}

// monthKey is case_tallies.month of the month starting at m.
func monthKey(m time.Time) string { return m.In(clock.Shanghai()).Format("2006-01") }

// tallyKey is one row of case_tallies.
type tallyKey struct {
	region   int64
	month    string
	category int64
	channel  string
}

// tallyRegions are the regions whose tally a case held in the region with path and level counts
// in: every region on its path but a grid.
func tallyRegions(path, level string) []int64 {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if level == "grid" {
		parts = parts[:len(parts)-1]
	}
	out := make([]int64, 0, len(parts))
	for _, p := range parts {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// caseTally is what case id counts in case_tallies now: the counters of each month of its dates,
// under each region of its path. A case that does not exist counts nothing.
func caseTally(ctx context.Context, q db.Querier, id int64) (map[tallyKey][]int64, error) {
	var dates [4]sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT received_at, accepted_at, closed_at, handle_deadline FROM cases WHERE id = $1`, id).
		Scan(&dates[0], &dates[1], &dates[2], &dates[3])
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("case %d tally dates: %w", id, err)
	}
	var months []time.Time
	for _, d := range dates {
		if d.Valid {
			if m := monthOf(d.Time); !slices.ContainsFunc(months, m.Equal) {
				months = append(months, m)
			}
		}
	}
	return tallyOfMonths(ctx, q, id, months)
}

// tallyOfMonths is what case id counts in case_tallies in the given months, the months of its dates.
func tallyOfMonths(ctx context.Context, q db.Querier, id int64, months []time.Time) (map[tallyKey][]int64, error) {
	a := &db.Args{}
	sums := []string{}
	for _, m := range months {
		sums = append(sums, tallySums(a, m.UTC(), m.AddDate(0, 1, 0).UTC())...)
	}
	var path, level, channel string
	var category int64
	vals := make([]int64, len(sums))
	ptrs := []any{&path, &level, &category, &channel}
	for i := range vals {
		ptrs = append(ptrs, &vals[i])
	}
	err := q.QueryRowContext(ctx, `SELECT r.path, r.level, COALESCE(cat.parent_id, cat.id), c.channel, `+strings.Join(sums, ", ")+`
		FROM cases c JOIN regions r ON r.id = c.region_id JOIN case_categories cat ON cat.id = c.category_id
		WHERE c.id = `+a.Add(id)+` GROUP BY r.path, r.level, COALESCE(cat.parent_id, cat.id), c.channel`, *a...).Scan(ptrs...)
	if err != nil {
		return nil, fmt.Errorf("case %d tally: %w", id, err)
	}
	out := map[tallyKey][]int64{}
	for i, m := range months {
		row := vals[i*len(tallyColumns) : (i+1)*len(tallyColumns)]
		if !slices.ContainsFunc(row, func(v int64) bool { return v != 0 }) {
			continue
		}
		for _, r := range tallyRegions(path, level) {
			out[tallyKey{r, monthKey(m), category, channel}] = row
		}
	}
	return out, nil
}

// receivedTally is what a case just received counts in case_tallies, known without reading its
// row: intake and touched in the month of its received_at, under each region of its path. Every
// other counter needs a date the case has not got yet (accepted, closed, called back) or a
// handling deadline. TestReceivedTally checks it against what tallyOfMonths reads from the row.
func receivedTally(c *Case, topCategory int64) map[tallyKey][]int64 {
	row := make([]int64, len(tallyColumns))
	row[slices.Index(tallyColumns, "intake")] = 1
	row[slices.Index(tallyColumns, "touched")] = 1
	level := "community"
	if c.GridID != nil {
		level = "grid"
	}
	month, out := monthKey(monthOf(c.ReceivedAt)), map[tallyKey][]int64{}
	for _, r := range tallyRegions(c.regionPath, level) {
		out[tallyKey{r, month, topCategory, c.Channel}] = row
	}
	return out
}

// tallyChange is a case write in progress: what the case counted before it.
type tallyChange struct {
	id     int64
	before map[tallyKey][]int64
}

// tallyBefore reads what case id counts before a write changes its row (or before it exists).
func tallyBefore(ctx context.Context, q db.Querier, id int64) (*tallyChange, error) {
	before, err := caseTally(ctx, q, id)
	if err != nil {
		return nil, err
	}
	return &tallyChange{id: id, before: before}, nil
}

// apply adds to case_tallies the difference between what the case counts now and before.
func (t *tallyChange) apply(ctx context.Context, q db.Querier) error {
	after, err := caseTally(ctx, q, t.id)
	if err != nil {
		return err
	}
	return t.add(ctx, q, after)
}

// add adds to case_tallies the difference between after, what the case counts now, and before.
func (t *tallyChange) add(ctx context.Context, q db.Querier, after map[tallyKey][]int64) error {
	delta := map[tallyKey][]int64{}
	add := func(m map[tallyKey][]int64, sign int64) {
		for k, vals := range m {
			d := delta[k]
			if d == nil {
				d = make([]int64, len(tallyColumns))
				delta[k] = d
			}
			for i, v := range vals {
				d[i] += sign * v
			}
		}
	}
	add(t.before, -1)
	add(after, 1)
	return addTallies(ctx, q, delta)
}

// addTallies adds each row of delta (all but zero ones) into case_tallies, in key order (two
// writers lock the rows they share in the same order).
func addTallies(ctx context.Context, q db.Querier, delta map[tallyKey][]int64) error {
	keys := make([]tallyKey, 0, len(delta))
	for k, vals := range delta {
		if slices.ContainsFunc(vals, func(v int64) bool { return v != 0 }) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	slices.SortFunc(keys, func(x, y tallyKey) int {
		return cmp.Or(cmp.Compare(x.region, y.region), cmp.Compare(x.month, y.month), cmp.Compare(x.category, y.category),
			cmp.Compare(x.channel, y.channel))
	})
	args := make([]any, 0, len(keys)*(4+len(tallyColumns)))
	for _, k := range keys {
		args = append(args, k.region, k.month, k.category, k.channel)
		for _, v := range delta[k] {
			args = append(args, v)
		}
	}
	_, err := q.ExecContext(ctx, tallyUpsert(len(keys)), args...)
	if err != nil {
		return fmt.Errorf("case tally: %w", err)
	}
	return nil
}

// tallyUpserts are the statements addTallies runs, by number of rows: a case adds to a few rows
// (a month under each region of its path), so a handful of texts, built once.
var tallyUpserts sync.Map

// tallyUpsert is the statement adding n rows of counters into case_tallies.
func tallyUpsert(n int) string {
	if q, ok := tallyUpserts.Load(n); ok {
		return q.(string)
	}
	// $n placeholders on both databases, as in every other statement of this package.
	values := db.Values(db.Postgres, n, func(ph func() string) string {
		cols := make([]string, 4+len(tallyColumns))
		for i := range cols {
			cols[i] = ph()
		}
		return "(" + strings.Join(cols, ", ") + ")"
	})
	set := make([]string, len(tallyColumns))
	for i, col := range tallyColumns {
		set[i] = col + " = case_tallies." + col + " + excluded." + col
	}
	query := "INSERT INTO case_tallies (region_id, month, category_id, channel, " + strings.Join(tallyColumns, ", ") + ") VALUES " +
		values + " ON CONFLICT (region_id, month, category_id, channel) DO UPDATE SET " + strings.Join(set, ", ")
	q, _ := tallyUpserts.LoadOrStore(n, query)
	return q.(string)
}

// BuildTallies computes case_tallies afresh from every case, in tx, and marks it built: what
// `linli gen` and the demo run after writing their cases in bulk, and EnsureTallies on a database
// that has cases but no tally yet. It first sets the lead-task facts of the cases written without
// them. On PostgreSQL it locks the tally, so a case write waits for it (SQLite has one writer).
func BuildTallies(ctx context.Context, tx *db.Tx) error {
	if tx.Dialect == db.Postgres {
		if _, err := tx.ExecContext(ctx, `LOCK TABLE case_tallies IN EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("lock case tallies: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET `+leadFacts+`
		WHERE NOT lead_dispatched AND id IN (SELECT case_id FROM case_assignments WHERE role = 'lead')`); err != nil {
		return fmt.Errorf("case lead facts: %w", err)
	}
	for _, q := range []string{`DELETE FROM case_tallies`, `DELETE FROM case_tallies_built`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("case tallies: %w", err)
		}
	}
	regions := map[int64][2]string{}
	rows, err := tx.QueryContext(ctx, `SELECT id, path, level FROM regions`)
	if err != nil {
		return fmt.Errorf("case tallies: %w", err)
	}
	for rows.Next() {
		var id int64
		var path, level string
		if err := rows.Scan(&id, &path, &level); err != nil {
			rows.Close()
			return err
		}
		regions[id] = [2]string{path, level}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// The first and last of the dates a figure counts by (read as columns, which both drivers scan as times).
	var first, last sql.NullTime
	for _, col := range []string{"received_at", "accepted_at", "closed_at", "handle_deadline"} {
		for _, dir := range []string{"ASC", "DESC"} {
			var t time.Time
			err := tx.QueryRowContext(ctx, `SELECT `+col+` FROM cases WHERE `+col+` IS NOT NULL ORDER BY `+col+` `+dir+` LIMIT 1`).Scan(&t)
			if err == sql.ErrNoRows {
				continue
			}
			if err != nil {
				return fmt.Errorf("case tallies: %w", err)
			}
			if !first.Valid || t.Before(first.Time) {
				first = sql.NullTime{Time: t, Valid: true}
			}
			if !last.Valid || t.After(last.Time) {
				last = sql.NullTime{Time: t, Valid: true}
			}
		}
	}
	if first.Valid {
		for m := monthOf(first.Time); !m.After(last.Time); m = m.AddDate(0, 1, 0) {
			if err := buildMonth(ctx, tx, regions, m); err != nil {
				return err
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO case_tallies_built (built_at) VALUES ($1)`, time.Now().UTC()); err != nil {
		return fmt.Errorf("case tallies: %w", err)
	}
	return nil
}

// buildMonth writes the tally rows of the month starting at m: one aggregate over the cases with a
// date in it, grouped by the case's region, category and channel, added up into every region on
// the path.
func buildMonth(ctx context.Context, tx *db.Tx, regions map[int64][2]string, m time.Time) error {
	lo, hi := m.UTC(), m.AddDate(0, 1, 0).UTC()
	a := &db.Args{}
	sums := plainDates(tx.Dialect, tallySums(a, lo, hi))
	rows, err := tx.QueryContext(ctx, `SELECT c.region_id, COALESCE(cat.parent_id, cat.id), c.channel, `+strings.Join(sums, ", ")+`
		FROM cases c JOIN case_categories cat ON cat.id = c.category_id WHERE `+touchedCond(a, &lo, &hi)+`
		GROUP BY c.region_id, COALESCE(cat.parent_id, cat.id), c.channel`, *a...)
	if err != nil {
		return fmt.Errorf("case tallies %s: %w", monthKey(m), err)
	}
	month := monthKey(m)
	totals := map[tallyKey][]int64{}
	for rows.Next() {
		var region, category int64
		var channel string
		vals := make([]int64, len(tallyColumns))
		ptrs := []any{&region, &category, &channel}
		for i := range vals {
			ptrs = append(ptrs, &vals[i])
		}
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return err
		}
		r := regions[region]
		for _, id := range tallyRegions(r[0], r[1]) {
			k := tallyKey{id, month, category, channel}
			t := totals[k]
			if t == nil {
				t = make([]int64, len(tallyColumns))
				totals[k] = t
			}
			for i, v := range vals {
				t[i] += v
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// In key order: on PostgreSQL the rows of a region's month then lie together in the heap
	// (the dashboard of a city reads its districts' rows: in map order, a page per row).
	keys := slices.SortedFunc(maps.Keys(totals), func(a, b tallyKey) int {
		return cmp.Or(cmp.Compare(a.region, b.region), cmp.Compare(a.category, b.category), cmp.Compare(a.channel, b.channel))
	})
	out := make([][]any, 0, len(totals))
	for _, k := range keys {
		row := []any{k.region, k.month, k.category, k.channel}
		for _, v := range totals[k] {
			row = append(row, v)
		}
		out = append(out, row)
	}
	return db.InsertRows(ctx, tx, "case_tallies", append([]string{"region_id", "month", "category_id", "channel"}, tallyColumns...), nil, out)
}

// EnsureTallies builds the case tally of a database that has none yet (one upgraded from before
// migration 0030): linli runs it when it starts, after migrating. It reports whether it built.
func EnsureTallies(ctx context.Context, d *db.DB) (bool, error) {
	// Every start reads the marker; only a database without it takes the write lock to build.
	var n int
	if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_tallies_built`).Scan(&n); err != nil {
		return false, fmt.Errorf("case tallies: %w", err)
	}
	if n > 0 {
		return false, nil
	}
	built := false
	err := d.InTx(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_tallies_built`).Scan(&n); err != nil {
			return fmt.Errorf("case tallies: %w", err)
		}
		if n > 0 {
			return nil
		}
		built = true
		return BuildTallies(ctx, tx)
	})
	if err != nil || !built || d.Dialect != db.Postgres {
		return built, err
	}
	// Migration 0030's backfill UPDATE left a dead version of every case row: until autovacuum
	// has run, the figures' index-only scans would visit the table (district-year 82 → 612 ms).
	if _, err := d.W.ExecContext(ctx, `VACUUM (ANALYZE) cases, case_tallies`); err != nil {
		return built, fmt.Errorf("vacuum cases: %w", err)
	}
	return built, nil
}
