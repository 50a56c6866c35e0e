package cases

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

// The figures of DOMAIN.md ("Figures"), all counted in cases, so that each one's drill-down
// (Filter.Figure) lists exactly the cases it counts:
//
//	intake             cases received in the period
//	accepted           cases accepted in the period
//	closed             cases of the cohort closed after being worked on (not rejected or merged)
//	practical_matters  实事: closed cases of the cohort resolved (outcome resolved) that came by
//	                   any channel but the 12345 hotline (DOMAIN.md, the demo's table)
//	response_rate      cohort cases whose first lead task was signed within its sign limit ÷ cohort cases dispatched
//	due                accepted cases (not rejected or merged) that fell due in the period: when
//	                   closed by the deadline, on the day of closing; otherwise on the deadline,
//	                   once it has passed — a case not yet due is never counted, nor counted twice
//	on_time_rate       due cases closed by their deadline ÷ due
//	closure_rate       closed ÷ accepted
//	resolution_rate    cohort cases called back 已解决 (latest callback) ÷ cohort cases called back
//	satisfaction_rate  (满意 + 基本满意) ÷ cohort cases called back, with the split
//	reopen_rate        closed cases reopened at least once ÷ closed
//	mean_handle_hours  mean working hours from accepted to closed (suspension excluded) of closed
//
// The cohort is the cases accepted in the period, or with by=closed the cases closed in it.
var figureNames = []string{"intake", "accepted", "closed", "practical_matters", "response_rate_num", "response_rate_den", "due",
	"on_time_rate_num", "on_time_rate_den", "closure_rate_num", "closure_rate_den", "resolution_rate_num",
	"resolution_rate_den", "satisfaction_rate_num", "satisfaction_rate_den", "satisfaction_satisfied",
	"satisfaction_basic", "satisfaction_dissatisfied", "reopen_rate_num", "reopen_rate_den", "mean_handle_hours"}

const handledOutcomes = "('resolved','partly','explained','not_ours')"

// figureCond returns the SQL condition selecting the cases figure name counts.
func figureCond(a *db.Args, name, by string, lo, hi *time.Time, now time.Time) (string, error) {
	if by != "" && by != "accepted" && by != "closed" {
		return "", errs.Field("by", "统计口径应为 accepted 或 closed")
	}
	// Each condition adds its own placeholders, so build only the ones the figure uses.
	cohort := func() string {
		if by == "closed" {
			return between(a, "c.closed_at", lo, hi)
		}
		return between(a, "c.accepted_at", lo, hi)
	}
	closed := func() string { return cohort() + " AND c.state = 'closed' AND c.outcome IN " + handledOutcomes }
	called := func() string { return cohort() + " AND c.callback_at IS NOT NULL" }
	due := func() string {
		onTime := "c.state = 'closed' AND c.closed_at <= c.handle_deadline"
		return "c.accepted_at IS NOT NULL AND c.outcome NOT IN ('rejected','duplicate') AND ((" + onTime + " AND " +
			between(a, "c.closed_at", lo, hi) + ") OR (NOT (" + onTime + ") AND " + between(a, "c.handle_deadline", lo, hi) +
			" AND c.handle_deadline <= " + a.Add(now) + "))"
	}
	// The lead-task facts are kept on the case (leadFacts, migration 0030): a figure reads the row alone.
	hasLead, firstLeadOnTime := "c.lead_dispatched", "c.lead_on_time"
	switch name {
	case "intake":
		return between(a, "c.received_at", lo, hi), nil
	case "accepted", "closure_rate_den":
		return between(a, "c.accepted_at", lo, hi), nil
	case "closed", "closure_rate_num", "reopen_rate_den", "mean_handle_hours":
		return "(" + closed() + ")", nil
	case "practical_matters":
		return "(" + closed() + " AND c.outcome = 'resolved' AND c.channel <> 'hotline_12345')", nil
	case "response_rate_den":
		return "(" + cohort() + " AND " + hasLead + ")", nil
	case "response_rate_num":
		return "(" + cohort() + " AND " + firstLeadOnTime + ")", nil
	case "due", "on_time_rate_den":
		return "(" + due() + ")", nil
	case "on_time_rate_num":
		return "(" + due() + " AND c.state = 'closed' AND c.outcome IN " + handledOutcomes + " AND c.closed_at <= c.handle_deadline)", nil
	case "resolution_rate_den", "satisfaction_rate_den":
		return "(" + called() + ")", nil
	case "resolution_rate_num":
		return "(" + called() + " AND c.callback_resolved)", nil
	case "satisfaction_rate_num":
		return "(" + called() + " AND c.callback_satisfaction IN ('satisfied','basic'))", nil
	case "satisfaction_satisfied", "satisfaction_basic", "satisfaction_dissatisfied":
		return "(" + called() + " AND c.callback_satisfaction = " + a.Add(strings.TrimPrefix(name, "satisfaction_")) + ")", nil
	case "reopen_rate_num":
		return "(" + closed() + " AND c.reopen_count > 0)", nil
	}
	return "", errs.Field("figure", "未知的统计指标："+name)
}

// Figures are the DOMAIN.md figures for one selection, as the API returns them: every rate with
// its numerator (_num) and denominator (_den); a rate is null when its denominator is zero.
type Figures map[string]any

// FigureFilter selects the cases figures are computed over; only the dimensions, period and By
// of Filter are used.
type FigureFilter = Filter

// Figures computes the figures over the principal's scope with a handful of SQL aggregates (one
// over cases, nothing per case).
func (s *Service) Figures(ctx context.Context, f FigureFilter) (Figures, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := p.Require(auth.CasesRead); err != nil {
		return nil, err
	}
	f.now = s.now()
	plan, err := s.plan(ctx, &f, p, true)
	if err != nil || plan == nil {
		if err != nil {
			return nil, err
		}
		vals, err := s.figureSums(ctx, f, p)
		if err != nil {
			return nil, err
		}
		return figuresFrom(vals), nil
	}
	sums, err := s.tallied(ctx, plan, "", nil)
	if err != nil {
		return nil, err
	}
	total := sums[""]
	for _, pc := range plan.raw {
		vals, err := s.figureSums(ctx, pc.Filter, p)
		if err != nil {
			return nil, err
		}
		pc.into(total, vals)
	}
	return figuresFrom(total), nil
}

// figureSums runs Figures' aggregate over the cases: the sums of figureNames, in order.
func (s *Service) figureSums(ctx context.Context, f FigureFilter, p *auth.Principal) ([]int64, error) {
	query, a, err := figuresQuery(&f, p, s.db.Dialect)
	if err != nil {
		return nil, err
	}
	vals := make([]int64, len(figureNames))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := s.db.R.QueryRowContext(ctx, query, *a...).Scan(ptrs...); err != nil && err != sql.ErrNoRows {
		return nil, fmt.Errorf("figures: %w", err)
	}
	return vals, nil
}

// figuresFrom turns the sums of figureNames (in that order) into the figures the API returns.
func figuresFrom(vals []int64) Figures {
	n := map[string]int64{}
	for i, name := range figureNames {
		n[name] = vals[i]
	}
	out := Figures{"intake": n["intake"], "accepted": n["accepted"], "closed": n["closed"], "due": n["due"],
		"practical_matters":      n["practical_matters"],
		"satisfaction_satisfied": n["satisfaction_satisfied"], "satisfaction_basic": n["satisfaction_basic"],
		"satisfaction_dissatisfied": n["satisfaction_dissatisfied"]}
	for _, r := range []string{"response_rate", "on_time_rate", "closure_rate", "resolution_rate", "satisfaction_rate", "reopen_rate"} {
		num, den := n[r+"_num"], n[r+"_den"]
		out[r+"_num"], out[r+"_den"], out[r] = num, den, rate(float64(num), den)
	}
	hours := float64(n["mean_handle_hours"]) / 60
	out["mean_handle_hours_num"] = math.Round(hours*100) / 100
	out["mean_handle_hours_den"] = n["closed"]
	out["mean_handle_hours"] = rate(hours, n["closed"])
	return out
}

// figuresQuery builds the one aggregate over cases that Figures runs.
func figuresQuery(f *FigureFilter, p *auth.Principal, d db.Dialect) (string, *db.Args, error) {
	sums, where, a, err := figuresParts(f, p, d)
	if err != nil {
		return "", nil, err
	}
	return "SELECT " + strings.Join(sums, ",\n") + " FROM cases c WHERE " + where, a, nil
}

// figuresParts are figuresQuery's aggregates (of figureNames, in order) and condition, with their
// arguments.
func figuresParts(f *FigureFilter, p *auth.Principal, d db.Dialect) (sums []string, where string, a *db.Args, err error) {
	if f.By == "received" {
		f.By = ""
	}
	lo, hi, err := period(f.From, f.To)
	if err != nil {
		return nil, "", nil, err
	}
	a = &db.Args{}
	w := append([]string{scopeCond(a, p)}, dimensions(a, f)...)
	if lo != nil || hi != nil {
		w = append(w, datesCond(a, p, d, figureDates, lo, hi))
	}
	sums = make([]string, 0, len(figureNames))
	for _, name := range figureNames {
		cond, err := figureCond(a, name, f.By, lo, hi, f.at())
		if err != nil {
			return nil, "", nil, err
		}
		sums = append(sums, sumExpr(name, cond))
	}
	return plainDates(d, sums), strings.Join(w, " AND "), a, nil
}

// plainDates writes the case dates in aggregates sums as each database compares them fastest. On
// SQLite a TIMESTAMP column has NUMERIC affinity, so every comparison with one first tries to read
// both sides as numbers (sqlite3AtoF: a sixth of a city dashboard's CPU); "+c.received_at" has no
// affinity and compares the stored text as it is — the same order, the dates being stored as
// text. Only in aggregates: "+" also keeps a condition from the indexes.
func plainDates(d db.Dialect, sums []string) []string {
	if d == db.SQLite {
		for i, sum := range sums {
			sums[i] = caseDate.ReplaceAllString(sum, "+$0")
		}
	}
	return sums
}

// caseDate matches a date column of the cases c.
var caseDate = regexp.MustCompile(`\bc\.(received_at|accepted_at|closed_at|handle_deadline|callback_at)\b`)

// figureDates are the dates a figure counts a case by.
var figureDates = []string{"received_at", "accepted_at", "closed_at", "handle_deadline"}

// datesCond is the condition that a case (c) in p's scope has one of the dates cols in [lo, hi),
// written as each database reads it fastest. On SQLite the dates are kept from the indexes ("+")
// over a long period: their OR would read the period's cases across the whole city through the
// date indexes, where the scope's region index reads only the region's own (a community's year:
// ~1 s → see BenchmarkCasesAtScale); a short one (at most a month: a piece the case tally
// leaves) finds its few cases through the region-and-date indexes, one per date (1M city, a
// district's month: 85 ms of CPU, 106 through the region index, 253 with the plain OR).
// PostgreSQL plans the plain OR well.
func datesCond(a *db.Args, p *auth.Principal, d db.Dialect, cols []string, lo, hi *time.Time) string {
	short := lo != nil && hi != nil && hi.Sub(*lo) <= 31*24*time.Hour
	plus := ""
	switch {
	case d != db.SQLite:
	case short && p.Role != auth.UnitContact && p.Role != auth.Department:
		scope := a.Add(p.Scope())
		union := make([]string, len(cols))
		for i, col := range cols {
			union[i] = "SELECT x.id FROM cases x WHERE x.region_id IN (SELECT id FROM regions WHERE path LIKE " + scope + ") AND " +
				between(a, "x."+col, lo, hi)
		}
		return "c.id IN (" + strings.Join(union, " UNION ALL ") + ")"
	default:
		plus = "+"
	}
	conds := make([]string, len(cols))
	for i, col := range cols {
		conds[i] = between(a, plus+"c."+col, lo, hi)
	}
	return "(" + strings.Join(conds, " OR ") + ")"
}

func rate(num float64, den int64) any {
	if den == 0 {
		return nil
	}
	return math.Round(num/float64(den)*10000) / 10000
}
