package cases

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/search"
	"linli/internal/workday"
)

// Queues a list can show (DOMAIN.md: to accept, to dispatch, my tasks, to verify, to call back,
// overdue, 督办).
const (
	QueueToAccept   = "to_accept"
	QueueToDispatch = "to_dispatch"
	QueueMine       = "mine"
	QueueToVerify   = "to_verify"
	QueueToCallback = "to_callback"
	QueueOverdue    = "overdue"
	QueueSupervised = "supervised"
)

// QueueLabels names the queues in Chinese, in menu order.
var QueueLabels = []struct{ Code, Label string }{{QueueToAccept, "待受理"}, {QueueToDispatch, "待派遣"},
	{QueueMine, "我的待办"}, {QueueToVerify, "待核查"}, {QueueToCallback, "待回访"}, {QueueOverdue, "已超时"},
	{QueueSupervised, "督办件"}}

// Filter selects cases for a list, a queue, a figure's drill-down or an export. Zero fields do not
// filter. The period (From, To: dates in Asia/Shanghai, both inclusive) applies to the date the
// case was received, or — with By "accepted"/"closed" — accepted or closed.
type Filter struct {
	Queue      string
	State      State
	CategoryID int64 // a top-level category includes its children
	Channel    string
	RegionID   int64 // any region: its whole subtree
	GridID     int64
	HandlerID  int64
	From, To   string
	By         string // received (default for lists), accepted, closed
	Overdue    *bool
	Supervised bool
	Q          string
	// Figure restricts to the cases a figure counts, e.g. "on_time_rate_num" (see Figures).
	Figure string
	Limit  int
	Offset int
}

// args collects query arguments and hands out their placeholders.
type args struct{ v []any }

func (a *args) add(v any) string { a.v = append(a.v, v); return "$" + strconv.Itoa(len(a.v)) }

// period returns the UTC bounds of the dates from..to (inclusive) in Asia/Shanghai.
func period(from, to string) (lo, hi *time.Time, err error) {
	loc := workday.Shanghai()
	if from != "" {
		t, perr := time.ParseInLocation(time.DateOnly, from, loc)
		if perr != nil {
			return nil, nil, errs.Field("from", "开始日期格式应为 YYYY-MM-DD")
		}
		t = t.UTC()
		lo = &t
	}
	if to != "" {
		t, perr := time.ParseInLocation(time.DateOnly, to, loc)
		if perr != nil {
			return nil, nil, errs.Field("to", "结束日期格式应为 YYYY-MM-DD")
		}
		t = t.AddDate(0, 0, 1).UTC()
		hi = &t
	}
	if lo != nil && hi != nil && !hi.After(*lo) {
		return nil, nil, errs.Field("to", "结束日期不能早于开始日期")
	}
	return lo, hi, nil
}

// between is the SQL condition col ∈ [lo, hi).
func between(a *args, col string, lo, hi *time.Time) string {
	conds := []string{col + " IS NOT NULL"}
	if lo != nil {
		conds = append(conds, col+" >= "+a.add(*lo))
	}
	if hi != nil {
		conds = append(conds, col+" < "+a.add(*hi))
	}
	return "(" + strings.Join(conds, " AND ") + ")"
}

// scopeCond limits cases to the principal's region subtree; unit and department contacts also
// see the cases dispatched to their organisation.
func scopeCond(a *args, p *auth.Principal) string {
	cond := "c.region_id IN (SELECT id FROM regions WHERE path LIKE " + a.add(p.Scope()) + ")"
	if (p.Role == auth.UnitContact || p.Role == auth.Department) && p.OrgName != "" {
		cond = "(" + cond + " OR EXISTS (SELECT 1 FROM case_assignments sa WHERE sa.case_id = c.id AND sa.status IN ('pending','signed') AND sa.target_kind IN ('unit','department') AND sa.target_name = " + a.add(p.OrgName) + "))"
	}
	return cond
}

// dimensions are the conditions shared by lists and figures: region, grid, category, channel,
// handler.
func dimensions(a *args, f *Filter) []string {
	var w []string
	if f.RegionID != 0 {
		w = append(w, "c.region_id IN (SELECT id FROM regions WHERE path LIKE (SELECT path FROM regions WHERE id = "+a.add(f.RegionID)+") || '%')")
	}
	if f.GridID != 0 {
		w = append(w, "c.grid_id = "+a.add(f.GridID))
	}
	if f.CategoryID != 0 {
		ph := a.add(f.CategoryID)
		w = append(w, "c.category_id IN (SELECT id FROM case_categories WHERE id = "+ph+" OR parent_id = "+ph+")")
	}
	if f.Channel != "" {
		w = append(w, "c.channel = "+a.add(f.Channel))
	}
	if f.HandlerID != 0 {
		w = append(w, "c.handler_id = "+a.add(f.HandlerID))
	}
	return w
}

func queueCond(a *args, queue string, p *auth.Principal) (string, error) {
	switch queue {
	case "":
		return "", nil
	case QueueToAccept:
		return "c.state = 'received'", nil
	case QueueToDispatch:
		return "c.state = 'accepted'", nil
	case QueueToVerify:
		return "c.state = 'reported'", nil
	case QueueToCallback:
		return "c.state = 'closed' AND c.outcome IN ('resolved','partly','explained','not_ours') AND (c.callback_at IS NULL OR c.callback_at < c.closed_at)", nil
	case QueueOverdue:
		return "c.overdue", nil
	case QueueSupervised:
		return "c.supervised AND c.state <> 'closed'", nil
	case QueueMine:
		held := []string{"(ma.target_kind = 'user' AND ma.target_user_id = " + a.add(p.UserID) + ")"}
		if p.Role == auth.GridLeader || p.Role == auth.GridWorker {
			held = append(held, "(ma.target_kind = 'grid' AND ma.target_grid_id = "+a.add(p.RegionID)+")")
		}
		if (p.Role == auth.UnitContact || p.Role == auth.Department) && p.OrgName != "" {
			held = append(held, "(ma.target_kind IN ('unit','department') AND ma.target_name = "+a.add(p.OrgName)+")")
		}
		return "c.state IN ('dispatched','in_progress','suspended','reported') AND EXISTS (SELECT 1 FROM case_assignments ma WHERE ma.case_id = c.id AND ma.status IN ('pending','signed') AND (" + strings.Join(held, " OR ") + "))", nil
	}
	return "", errs.Field("queue", "未知的待办类别")
}

// where builds the WHERE clause of a list for p.
func where(a *args, f *Filter, p *auth.Principal, d db.Dialect) (string, error) {
	w := append([]string{scopeCond(a, p)}, dimensions(a, f)...)
	q, err := queueCond(a, f.Queue, p)
	if err != nil {
		return "", err
	}
	if q != "" {
		w = append(w, q)
	}
	if f.State != "" {
		if f.State.Label() == "" {
			return "", errs.Field("state", "未知的案件状态")
		}
		w = append(w, "c.state = "+a.add(f.State))
	}
	if f.Overdue != nil {
		if *f.Overdue {
			w = append(w, "c.overdue")
		} else {
			w = append(w, "NOT c.overdue")
		}
	}
	if f.Supervised {
		w = append(w, "c.supervised")
	}
	lo, hi, err := period(f.From, f.To)
	if err != nil {
		return "", err
	}
	if f.Figure != "" {
		cond, err := figureCond(a, f.Figure, f.By, lo, hi)
		if err != nil {
			return "", err
		}
		w = append(w, cond)
	} else if lo != nil || hi != nil {
		col := map[string]string{"": "c.received_at", "received": "c.received_at", "accepted": "c.accepted_at", "closed": "c.closed_at"}[f.By]
		if col == "" {
			return "", errs.Field("by", "统计口径应为 received、accepted 或 closed")
		}
		w = append(w, between(a, col, lo, hi))
	}
	if terms, prefix := search.Terms(f.Q); len(terms) > 0 {
		w = append(w, "c.id IN (SELECT case_fts.rowid FROM case_fts WHERE "+d.MatchFTS("case_fts", a.add(d.FTSQuery(terms, prefix)))+")")
	}
	return strings.Join(w, " AND "), nil
}

// List returns a page of the cases the filter selects within the principal's scope, supervised
// ones first, then the newest, with the total; each case carries its SLA status.
func (s *Service) List(ctx context.Context, f Filter) ([]Case, int, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, 0, err
	}
	if err := p.Require(auth.CasesRead); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	a := &args{}
	w, err := where(a, &f, p, s.db.Dialect)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.db.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM cases c WHERE "+w, a.v...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count cases: %w", err)
	}
	order := " ORDER BY c.supervised DESC, c.received_at DESC, c.id DESC"
	if f.Queue == QueueMine || f.Queue == QueueOverdue || f.Queue == QueueToAccept {
		order = " ORDER BY c.supervised DESC, COALESCE(c.handle_deadline, c.accept_deadline) ASC, c.id"
	}
	query := "SELECT " + caseColumns + caseFrom + " WHERE " + w + order +
		" LIMIT " + a.add(f.Limit) + " OFFSET " + a.add(f.Offset)
	rows, err := s.db.R.QueryContext(ctx, query, a.v...)
	if err != nil {
		return nil, 0, fmt.Errorf("list cases: %w", err)
	}
	defer rows.Close()
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, 0, err
	}
	now := s.now()
	out := []Case{}
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, 0, err
		}
		c.ComputeSLA(cal, now)
		out = append(out, *c)
	}
	return out, total, rows.Err()
}
