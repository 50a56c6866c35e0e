package cases

import (
	"context"
	"fmt"
	"strings"
	"time"

	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/db"
)

// tallyPlan splits a selection's period between the case tally and the cases: the months
// [from, to) (case_tallies.month keys; from "" is from the first) are read from the tally, the
// pieces raw — at most a partial month at the start and the rest from the first month not yet
// ended (or not whole in the period) — from the cases, each with Figures' own aggregate; and the
// pieces less are subtracted: an ended month the period holds most of is read whole from the
// tally, less the days it leaves out (26 days of a month cost a scan of 26 days' cases; the month
// less its other 5, a scan of 5).
type tallyPlan struct {
	region   int64 // the selection's region: the deeper of the scope's and the filter's
	category int64 // a top-level category, or 0
	channel  string
	by       string // "" (accepted) or "closed"
	from, to string
	raw      []piece
}

// piece is a part of a selection's period read from the cases: added to the tally's months, or
// subtracted from them (less).
type piece struct {
	Filter
	less bool
}

// into adds the piece's vals into sum, or takes them from it.
func (pc piece) into(sum, vals []int64) {
	for i := range sum {
		if pc.less {
			sum[i] -= vals[i]
		} else {
			sum[i] += vals[i]
		}
	}
}

// plan reports how the tally serves f for p, or nil when it does not: it serves a principal whose
// scope is a community or above (not a unit's, department's or mediator's), a selection by region
// (a community or above), top-level category, channel and period only, and a period holding at
// least one whole month ended before now. With subtract, a partial ended month at either end is
// read as the whole month less the rest when the rest is shorter (a piece less); a caller whose
// counts cannot be subtracted (a listing by "touched") passes false.
func (s *Service) plan(ctx context.Context, f *Filter, p *auth.Principal, subtract bool) (*tallyPlan, error) {
	if s.noTally || p.Role == auth.UnitContact || p.Role == auth.Department || p.Role == auth.Mediator ||
		p.RegionLevel == "grid" || p.RegionID == 0 {
		return nil, nil
	}
	if f.Queue != "" || f.State != "" || f.GridID != 0 || f.HandlerID != 0 || f.ResidentID != 0 || f.HouseholdID != 0 ||
		f.Overdue != nil || f.Supervised || f.Q != "" || f.Involved || f.Phone != "" || f.Name != "" || f.Figure != "" {
		return nil, nil
	}
	by := f.By
	switch by {
	case "", "received", "accepted":
		by = ""
	case "closed":
	default:
		return nil, nil // Figures answers the field error
	}
	lo, hi, err := period(f.From, f.To)
	if err != nil {
		return nil, nil
	}
	cut := monthOf(f.at()) // the months before it have ended
	var from *time.Time
	if lo != nil {
		m := monthOf(*lo)
		if m.Before(*lo) {
			m = m.AddDate(0, 1, 0)
		}
		from = &m
	}
	to := cut
	if hi != nil && monthOf(*hi).Before(cut) {
		to = monthOf(*hi)
	}
	if from != nil && !from.Before(to) {
		return nil, nil
	}
	if !s.tallyBuilt.Load() {
		var n int
		if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_tallies_built`).Scan(&n); err != nil {
			return nil, fmt.Errorf("case tallies: %w", err)
		}
		if n == 0 {
			return nil, nil
		}
		s.tallyBuilt.Store(true)
	}
	t := &tallyPlan{region: p.RegionID, category: f.CategoryID, channel: f.Channel, by: by, to: monthKey(to)}
	if f.RegionID != 0 && f.RegionID != p.RegionID {
		var path, level string
		if err := s.db.R.QueryRowContext(ctx, `SELECT path, level FROM regions WHERE id = $1`, f.RegionID).Scan(&path, &level); err != nil {
			return nil, nil
		}
		switch {
		case level == "grid":
			return nil, nil
		case strings.HasPrefix(path, p.RegionPath):
			t.region = f.RegionID
		case !strings.HasPrefix(p.RegionPath, path):
			return nil, nil // disjoint: nothing to count, as the cases say at once
		}
	}
	if f.CategoryID != 0 {
		var top bool
		if err := s.db.R.QueryRowContext(ctx, `SELECT parent_id IS NULL FROM case_categories WHERE id = $1`, f.CategoryID).Scan(&top); err != nil || !top {
			return nil, nil
		}
	}
	loc := clock.Shanghai()
	day := func(t time.Time) string { return t.In(loc).Format(time.DateOnly) }
	if from != nil {
		t.from = monthKey(*from)
		if lo.Before(*from) {
			if start := from.AddDate(0, -1, 0); subtract && lo.Sub(start) < from.Sub(*lo) {
				rest := *f
				rest.From, rest.To = day(start), day(lo.AddDate(0, 0, -1))
				t.from, t.raw = monthKey(start), append(t.raw, piece{rest, true})
			} else {
				head := *f
				head.To = day(from.AddDate(0, 0, -1))
				t.raw = append(t.raw, piece{Filter: head})
			}
		}
	}
	if hi == nil || to.Before(*hi) {
		if end := to.AddDate(0, 1, 0); subtract && hi != nil && !end.After(cut) && end.Sub(*hi) < hi.Sub(to) {
			rest := *f
			rest.From, rest.To = day(*hi), day(end.AddDate(0, 0, -1))
			t.to, t.raw = monthKey(end), append(t.raw, piece{rest, true})
		} else {
			tail := *f
			tail.From = day(to)
			t.raw = append(t.raw, piece{Filter: tail})
		}
	}
	return t, nil
}

// where is the tally's condition for the plan's selection, with region (a condition on t.region_id)
// in place of its region when not nil.
func (t *tallyPlan) where(a *db.Args, region func(a *db.Args) string) string {
	w := []string{}
	if region == nil {
		w = append(w, "t.region_id = "+a.Add(t.region))
	} else {
		w = append(w, region(a))
	}
	w = append(w, "t.month < "+a.Add(t.to))
	if t.from != "" {
		w = append(w, "t.month >= "+a.Add(t.from))
	}
	if t.category != 0 {
		w = append(w, "t.category_id = "+a.Add(t.category))
	}
	if t.channel != "" {
		w = append(w, "t.channel = "+a.Add(t.channel))
	}
	return strings.Join(w, " AND ")
}

// tallied sums the tally's counters of figureNames (for the plan's cohort), then extra columns,
// grouped by key (a column of case_tallies t, or "" for one group keyed ""), over the plan's months,
// in the plan's region or, when region is not nil, the regions its condition selects.
func (s *Service) tallied(ctx context.Context, t *tallyPlan, key string, region func(a *db.Args) string, extra ...string) (map[string][]int64, error) {
	a := &db.Args{}
	sums := make([]string, 0, len(figureNames)+len(extra))
	for _, name := range figureNames {
		sums = append(sums, "COALESCE(SUM(t."+figureColumn(name, t.by)+"), 0)")
	}
	for _, col := range extra {
		sums = append(sums, "COALESCE(SUM(t."+col+"), 0)")
	}
	group, k := "", "''"
	if key != "" {
		group, k = " GROUP BY "+key, "CAST("+key+" AS TEXT)"
	}
	rows, err := s.db.R.QueryContext(ctx, "SELECT "+k+", "+strings.Join(sums, ", ")+" FROM case_tallies t WHERE "+
		t.where(a, region)+group, *a...)
	if err != nil {
		return nil, fmt.Errorf("case tallies: %w", err)
	}
	defer rows.Close()
	out := map[string][]int64{}
	for rows.Next() {
		var key string
		vals := make([]int64, len(sums))
		ptrs := []any{&key}
		for i := range vals {
			ptrs = append(ptrs, &vals[i])
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out[key] = vals
	}
	return out, rows.Err()
}

// addInto adds vals into sum, element by element.
func addInto(sum, vals []int64) {
	for i := range sum {
		sum[i] += vals[i]
	}
}
