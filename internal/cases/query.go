package cases

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/pii"
	"linli/internal/search"
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
	{QueueSupervised, "督办件"}, {QueueToLocate, "待定位"}}

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
	// ResidentID and HouseholdID select the cases a resident reported (or that concern them) and
	// those of a household, for 一人一档.
	ResidentID  int64
	HouseholdID int64
	From, To    string
	By          string // received (default for lists), accepted, closed
	Overdue     *bool
	Supervised  bool
	Q           string
	// Involved selects the cases the principal acted on or held a task on (经办), wherever they are
	// now; it takes the place of the principal's scope.
	Involved bool
	// Phone finds a caller's cases: a full mobile or landline number (looked up through the blind
	// index) or its last four digits.
	Phone string
	// Name finds a caller's cases by any part of the caller's name.
	Name string
	// Sort orders a list by received, deadline or updated; a leading "-" puts the latest first.
	// Empty keeps the queue's own order (supervised first, then newest or nearest deadline).
	Sort string
	// Figure restricts to the cases a figure counts, e.g. "on_time_rate_num" (see Figures).
	Figure string
	Limit  int
	Offset int
	// now is the service clock at which figures tell what is due (time.Now when zero).
	now time.Time
	// phoneIndex is the blind index of a full Phone, set by the service (see callerPhone).
	phoneIndex string
}

// at is the moment a figure's "due" is judged at.
func (f *Filter) at() time.Time {
	if f.now.IsZero() {
		return time.Now().UTC()
	}
	return f.now
}

// MaxListLimit is the largest page a list answers; a larger limit is refused.
const MaxListLimit = 200

// SortKeys are the values of Filter.Sort, each also with a leading "-" for the reverse order.
var SortKeys = []struct{ Code, Label string }{{"-received", "登记时间（新→旧）"}, {"received", "登记时间（旧→新）"},
	{"deadline", "办理时限（近→远）"}, {"-deadline", "办理时限（远→近）"}, {"-updated", "最近更新"}, {"updated", "最早更新"}}

// sortColumns are the columns of the sort keys.
var sortColumns = map[string]string{"received": "c.received_at", "deadline": "COALESCE(c.handle_deadline, c.accept_deadline)",
	"updated": "c.updated_at"}

// sortOrder is the ORDER BY of an explicit sort, "" for none; an unknown key is a field error.
func sortOrder(key string) (string, error) {
	if key == "" {
		return "", nil
	}
	dir := " ASC"
	if strings.HasPrefix(key, "-") {
		key, dir = key[1:], " DESC"
	}
	col, ok := sortColumns[key]
	if !ok {
		return "", errs.Field("sort", "排序方式应为 received、deadline 或 updated（前加 - 为倒序）")
	}
	return " ORDER BY " + col + dir + ", c.id" + dir, nil
}

// callerPhone checks the caller-phone search and sets its blind index for a full number: four
// digits are the last four of a number, anything else must be a whole number.
func callerPhone(f *Filter, index func(string) string) error {
	f.Phone = strings.TrimSpace(f.Phone)
	if f.Phone == "" {
		return nil
	}
	if len(f.Phone) == 4 && strings.Trim(f.Phone, "0123456789") == "" {
		return nil
	}
	n, err := pii.NormalizePhone(f.Phone)
	if err != nil {
		return errs.Field("phone", "来电号码请填写完整号码或后四位")
	}
	f.Phone, f.phoneIndex = n, index(n)
	return nil
}

// period returns the UTC bounds of the dates from..to (inclusive) in Asia/Shanghai.
func period(from, to string) (lo, hi *time.Time, err error) {
	loc := clock.Shanghai()
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
func between(a *db.Args, col string, lo, hi *time.Time) string {
	conds := []string{col + " IS NOT NULL"}
	if lo != nil {
		conds = append(conds, col+" >= "+a.Add(*lo))
	}
	if hi != nil {
		conds = append(conds, col+" < "+a.Add(*hi))
	}
	return "(" + strings.Join(conds, " AND ") + ")"
}

// scopeCond limits cases to the principal's scope as roleSees draws it: their region subtree; a
// mediator's disputes and referred cases there; a unit or department contact's active tasks only.
func scopeCond(a *db.Args, p *auth.Principal) string {
	if p.Role == auth.UnitContact || p.Role == auth.Department {
		return "c.id IN (SELECT sa.case_id FROM case_assignments sa WHERE " + orgTask(a, p, "sa") + " AND sa.status IN ('pending','signed'))"
	}
	region := "c.region_id IN (SELECT id FROM regions WHERE path LIKE " + a.Add(p.Scope()) + ")"
	if p.Role == auth.Mediator {
		return "(" + region + " AND " + mediatorCond + ")"
	}
	return region
}

// orgTask is the condition that task t is dispatched to the principal's organisation (a unit or
// department contact; never true for anyone else).
func orgTask(a *db.Args, p *auth.Principal, t string) string {
	kind := map[auth.Role]string{auth.UnitContact: "unit", auth.Department: "department"}[p.Role]
	if kind == "" || p.OrgName == "" {
		return "1 = 0"
	}
	return t + ".target_kind = " + a.Add(kind) + " AND " + t + ".target_name = " + a.Add(p.OrgName)
}

// involvedCond selects the cases the principal ever acted on or held a task on (经办): whatever
// happened to them since, they are found here again.
func involvedCond(a *db.Args, p *auth.Principal) string {
	me := a.Add(p.UserID)
	return "c.id IN (SELECT ie.case_id FROM case_events ie WHERE ie.user_id = " + me +
		" UNION SELECT ia.case_id FROM case_assignments ia WHERE ia.target_user_id = " + me +
		" UNION SELECT ia.case_id FROM case_assignments ia WHERE " + orgTask(a, p, "ia") + ")"
}

// dimensions are the conditions shared by lists and figures: region, grid, category, channel,
// handler.
func dimensions(a *db.Args, f *Filter) []string {
	var w []string
	if f.RegionID != 0 {
		w = append(w, "c.region_id IN (SELECT id FROM regions WHERE path LIKE (SELECT path FROM regions WHERE id = "+a.Add(f.RegionID)+") || '%')")
	}
	if f.GridID != 0 {
		// The grid that holds the case (its region): an escalated or re-dispatched case is counted
		// once, where it is now, as the grid's own lists and figures count it.
		w = append(w, "c.region_id = "+a.Add(f.GridID))
	}
	if f.CategoryID != 0 {
		ph := a.Add(f.CategoryID)
		w = append(w, "c.category_id IN (SELECT id FROM case_categories WHERE id = "+ph+" OR parent_id = "+ph+")")
	}
	if f.Channel != "" {
		w = append(w, "c.channel = "+a.Add(f.Channel))
	}
	if f.HandlerID != 0 {
		w = append(w, "c.handler_id = "+a.Add(f.HandlerID))
	}
	if f.ResidentID != 0 {
		w = append(w, "c.resident_id = "+a.Add(f.ResidentID))
	}
	if f.HouseholdID != 0 {
		w = append(w, "c.household_id = "+a.Add(f.HouseholdID))
	}
	return w
}

func queueCond(a *db.Args, queue string, p *auth.Principal) (string, error) {
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
		// As the index cases_to_callback (migration 0016) reads it: handled cases not called back since
		// closing, and merged duplicates whose main case has closed.
		return "c.state = 'closed' AND (c.outcome IN ('resolved','partly','explained','not_ours') AND (c.callback_at IS NULL OR c.callback_at < c.closed_at)" +
			" OR c.outcome = 'duplicate' AND c.callback_at IS NULL AND c.callback_deadline IS NOT NULL)", nil
	case QueueOverdue:
		return "c.overdue", nil
	case QueueSupervised:
		return "c.supervised AND c.state <> 'closed'", nil
	case QueueToLocate:
		return "c.grid_id IS NULL AND c.state <> 'closed'", nil
	case QueueMine:
		held := []string{"(ma.target_kind = 'user' AND ma.target_user_id = " + a.Add(p.UserID) + ")"}
		if p.Role == auth.GridLeader || p.Role == auth.GridWorker {
			held = append(held, "(ma.target_kind = 'grid' AND ma.target_grid_id = "+a.Add(p.RegionID)+")")
		}
		if p.Role == auth.UnitContact || p.Role == auth.Department {
			held = append(held, "("+orgTask(a, p, "ma")+")")
		}
		// The cases are found from the holder's assignments (the indexes on target and status), not
		// by testing every open case: SQLite ran the EXISTS form once per open case of the whole city
		// (1M city: 5.4 s for a grid worker's count, 0.26 s this way; PostgreSQL plans both alike).
		return "c.state IN ('dispatched','in_progress','suspended','reported') AND c.id IN (SELECT ma.case_id FROM case_assignments ma WHERE ma.status IN ('pending','signed') AND (" + strings.Join(held, " OR ") + "))", nil
	}
	return "", errs.Field("queue", "未知的待办类别")
}

// smallScope reports whether a list is limited to one community or grid, a few thousand cases
// over the years.
func smallScope(f *Filter, p *auth.Principal) bool {
	return f.GridID != 0 || p.RegionLevel == "community" || p.RegionLevel == "grid"
}

// where builds the WHERE clause of a list for p: w, and for a search the full-text condition both
// as the bare MATCH on case_fts and as a condition on c, fts (the list's WHERE is w AND fts).
func where(a *db.Args, f *Filter, p *auth.Principal, d db.Dialect) (w string, match, fts string, err error) {
	// The 经办 list and my tasks are their own scope: a case moved on, or dispatched from outside
	// the principal's region, is theirs to find.
	var conds []string
	switch {
	case f.Involved:
		conds = append(conds, involvedCond(a, p))
	case f.Queue != QueueMine:
		conds = append(conds, scopeCond(a, p))
	}
	conds = append(conds, dimensions(a, f)...)
	q, err := queueCond(a, f.Queue, p)
	if err != nil {
		return "", "", "", err
	}
	if q != "" {
		conds = append(conds, q)
	}
	if f.State != "" {
		if f.State.Label() == "" {
			return "", "", "", errs.Field("state", "未知的案件状态")
		}
		conds = append(conds, "c.state = "+a.Add(f.State))
	}
	if f.Overdue != nil {
		if *f.Overdue {
			conds = append(conds, "c.overdue")
		} else {
			conds = append(conds, "NOT c.overdue")
		}
	}
	if f.Supervised {
		conds = append(conds, "c.supervised")
	}
	switch {
	case f.phoneIndex != "":
		conds = append(conds, "c.reporter_phone_index = "+a.Add(f.phoneIndex))
	case f.Phone != "":
		if len(f.Phone) != 4 || strings.Trim(f.Phone, "0123456789") != "" {
			return "", "", "", errs.Field("phone", "来电号码请填写完整号码或后四位")
		}
		conds = append(conds, "c.reporter_phone_masked LIKE "+a.Add("%"+f.Phone))
	}
	if name := strings.TrimSpace(f.Name); name != "" {
		conds = append(conds, "c.reporter_name LIKE "+a.Add("%"+db.EscapeLike(name)+"%")+` ESCAPE '\'`)
	}
	lo, hi, err := period(f.From, f.To)
	if err != nil {
		return "", "", "", err
	}
	if f.Figure != "" {
		cond, err := figureCond(a, f.Figure, f.By, lo, hi, f.at())
		if err != nil {
			return "", "", "", err
		}
		conds = append(conds, cond)
	} else if lo != nil || hi != nil {
		col := map[string]string{"": "c.received_at", "received": "c.received_at", "accepted": "c.accepted_at", "closed": "c.closed_at"}[f.By]
		if col == "" {
			return "", "", "", errs.Field("by", "统计口径应为 received、accepted 或 closed")
		}
		conds = append(conds, between(a, col, lo, hi))
	}
	if terms, prefix := search.Terms(f.Q); len(terms) > 0 {
		match := d.MatchFTS("case_fts", a.Add(d.FTSQuery(terms, prefix)))
		id := "c.id"
		if d == db.SQLite && smallScope(f, p) {
			// A community's or grid's few thousand cases are read through their region's index and
			// tested against the matches; looking up every match of the city by id costs far more.
			id = "+c.id"
		}
		return strings.Join(conds, " AND "), match, id + " IN (SELECT case_fts.rowid FROM case_fts WHERE " + match + ")", nil
	}
	return strings.Join(conds, " AND "), "", "", nil
}

// ListCountCap is how far lists count: a list with more cases than this says "超过 N 条" (see
// ListPage) instead of counting every one of a district's half a million cases. It is every
// list's cap (db.CountCap), so a community's few thousand cases are collected and sorted, never
// found by walking the city's list index.
const ListCountCap = db.CountCap

// QueueListCap is how far a queue's list counts (超过 2000 条): a queue is worked from its top, and
// counting a district's 100,000 overdue cases to ListCountCap cost PostgreSQL 87 ms a page (issue
// 3's aim is 50 ms). Its tab counts to QueueCountCap.
const QueueListCap = 2000

// The orders of lists, and the indexes (migration 0008) that read them in order: supervised
// first, then the newest; queues of open work by their deadline.
const (
	orderNewest   = " ORDER BY c.supervised DESC, c.received_at DESC, c.id DESC"
	orderDeadline = " ORDER BY c.supervised DESC, COALESCE(c.handle_deadline, c.accept_deadline) ASC, c.id"
)

// listOrder is the ORDER BY of a list and the index that reads it in that order ("" for none).
func listOrder(f *Filter) (order, index string) {
	if o, err := sortOrder(f.Sort); err == nil && o != "" {
		return o, ""
	}
	switch f.Queue {
	case QueueMine, QueueToAccept:
		return orderDeadline, ""
	case QueueOverdue:
		if f.Overdue == nil {
			return orderDeadline, "cases_overdue_order"
		}
		return orderDeadline, ""
	case QueueToCallback:
		return orderNewest, "cases_to_callback"
	}
	return orderNewest, "cases_list_order"
}

// orderColumns are the columns every order of a list reads (listOrder, sortOrder), which a
// selection collected before it is sorted keeps.
const orderColumns = "c.id, c.supervised, c.received_at, c.handle_deadline, c.accept_deadline, c.updated_at"

// idsPage is the page query of a selection already collected as ids (at most the count cap).
func idsPage(f *Filter, d db.Dialect, ids []int64) (string, []any) {
	order, _ := listOrder(f)
	var a db.Args
	in := d.InIDs("c.id", ids, &a)
	limit := " LIMIT " + a.Add(f.Limit) + " OFFSET " + a.Add(f.Offset)
	inner := "SELECT c.id FROM cases c WHERE " + in + order + limit
	if d == db.Postgres {
		// Collected first and sorted: given the LIMIT alone, PostgreSQL would walk the whole city's
		// list index looking for a community's few thousand.
		inner = "WITH m AS MATERIALIZED (SELECT " + orderColumns + " FROM cases c WHERE " + in +
			") SELECT c.id FROM m c" + order + limit
	}
	return "SELECT " + caseColumns + strings.Replace(caseFrom, " FROM cases c", " FROM ("+inner+") p JOIN cases c ON c.id = p.id", 1) + order,
		a
}

// listQueries builds the count and the page query of a list; the count takes the first n
// arguments, the page all of them. countCap > 0 makes the count select the ids of up to
// countCap+1 cases instead of counting them all. ordered
// reads the page from the index in list order and stops after it — the plan for a selection of
// thousands of cases, where sorting them all would cost seconds; a smaller selection is found
// through its region's index and sorted.
func listQueries(f *Filter, p *auth.Principal, d db.Dialect, countCap int, ordered bool) (count, page string, a *db.Args, n int, err error) {
	a = &db.Args{}
	w, match, fts, err := where(a, f, p, d)
	if err != nil {
		return "", "", nil, 0, err
	}
	n = len(*a)
	all := w
	if fts != "" {
		all += " AND " + fts
	}
	count = "SELECT COUNT(*) FROM cases c WHERE " + all
	if countCap > 0 {
		from := "cases c"
		cond := all
		switch {
		case match != "" && d == db.SQLite && !smallScope(f, p):
			// Stream the matches and stop at the cap, rather than collect them all first.
			from, cond = "case_fts JOIN cases c ON c.id = case_fts.rowid", match+" AND "+w
		case f.Queue == QueueToCallback && d == db.SQLite && !smallScope(f, p):
			from = "cases c INDEXED BY cases_to_callback"
		}
		// The ids, not just their number: a selection within the cap is then paged from them.
		count = "SELECT c.id FROM " + from + " WHERE " + cond + " LIMIT " + strconv.Itoa(countCap+1)
	}
	order, index := listOrder(f)
	inner := "cases c"
	if ordered && index != "" && d == db.SQLite {
		// PostgreSQL's planner weighs the LIMIT itself; SQLite's prefers the region index.
		inner += " INDEXED BY " + index
	}
	// The page's ids first, on the narrow path (often the index alone), then the joins for them only.
	if !ordered && d == db.Postgres {
		// A selection known to be small is collected first and sorted: given the LIMIT alone,
		// PostgreSQL would walk the whole city's list index looking for a community's few.
		inner = "WITH m AS MATERIALIZED (SELECT " + orderColumns + " FROM " +
			inner + " WHERE " + all + ") SELECT c.id FROM m c" + order + " LIMIT " + a.Add(f.Limit) + " OFFSET " + a.Add(f.Offset)
	} else {
		inner = "SELECT c.id FROM " + inner + " WHERE " + all + order + " LIMIT " + a.Add(f.Limit) + " OFFSET " + a.Add(f.Offset)
	}
	page = "SELECT " + caseColumns + strings.Replace(caseFrom, " FROM cases c", " FROM ("+inner+") p JOIN cases c ON c.id = p.id", 1) + order
	return count, page, a, n, nil
}

// List returns a page of the cases the filter selects within the principal's scope, supervised
// ones first, then the newest, with the exact total; each case carries its SLA status.
func (s *Service) List(ctx context.Context, f Filter) ([]Case, int, error) {
	items, total, _, err := s.list(ctx, f, 0)
	return items, total, err
}

// ListPage is List for pages and the API: the total is counted up to ListCountCap (a queue's up to
// QueueListCap), and more reports that the selection holds more cases than that (total is then
// the cap).
func (s *Service) ListPage(ctx context.Context, f Filter) (items []Case, total int, more bool, err error) {
	if f.Queue != "" {
		return s.list(ctx, f, min(s.countCap, s.queueCap))
	}
	return s.list(ctx, f, s.countCap)
}

func (s *Service) list(ctx context.Context, f Filter, countCap int) ([]Case, int, bool, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, 0, false, err
	}
	if err := p.Require(auth.CasesRead); err != nil {
		return nil, 0, false, err
	}
	f.now = s.now()
	if f.Limit > MaxListLimit {
		return nil, 0, false, errs.Field("limit", fmt.Sprintf("每页条数（limit）不能超过%d", MaxListLimit))
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	if _, err := sortOrder(f.Sort); err != nil {
		return nil, 0, false, err
	}
	if err := callerPhone(&f, s.sealer.Index); err != nil {
		return nil, 0, false, err
	}
	count, _, a, n, err := listQueries(&f, p, s.db.Dialect, countCap, false)
	if err != nil {
		return nil, 0, false, err
	}
	var total int
	var ids []int64
	// A common term's search counts its first matches in list order, which also hold its first
	// pages, instead of thousands of matches (SearchCountCap).
	walkedCap := min(countCap, SearchCountCap)
	if countCap > 0 {
		if ids, err = s.searchWalk(ctx, &f, p, walkedCap+1); err != nil {
			return nil, 0, false, err
		}
	}
	common := len(ids) > walkedCap
	switch {
	case common:
		countCap, total = walkedCap, len(ids)
	case countCap > 0:
		if ids, err = db.QueryIDs(ctx, s.db.R, count, (*a)[:n]...); err != nil {
			return nil, 0, false, fmt.Errorf("count cases: %w", err)
		}
		total = len(ids)
	default:
		if err := s.db.R.QueryRowContext(ctx, count, (*a)[:n]...).Scan(&total); err != nil {
			return nil, 0, false, fmt.Errorf("count cases: %w", err)
		}
	}
	more := countCap > 0 && total > countCap
	if more {
		total = countCap
	}
	if f.Offset >= total && !more {
		return []Case{}, total, false, nil
	}
	var page string
	var pageArgs []any
	ordered := more || total > s.countCap
	if countCap > 0 && (!more || common && f.Offset+f.Limit <= len(ids)) {
		page, pageArgs = idsPage(&f, s.db.Dialect, ids)
	} else {
		if ordered && f.Q != "" && s.db.Dialect == db.Postgres && f.Offset+f.Limit <= s.walk {
			walk, a, err := walkPage(&f, p, s.walk)
			if err != nil {
				return nil, 0, false, err
			}
			if walk != "" {
				out, err := s.pageCases(ctx, walk, *a)
				if err != nil || len(out) == f.Limit {
					return out, total, more, err
				}
			}
		}
		_, page, a, _, err = listQueries(&f, p, s.db.Dialect, countCap, ordered)
		if err != nil {
			return nil, 0, false, err
		}
		pageArgs = *a
	}
	out, err := s.pageCases(ctx, page, pageArgs)
	return out, total, more, err
}

// pageCases runs a page statement and returns its cases with their SLA status.
func (s *Service) pageCases(ctx context.Context, page string, args []any) ([]Case, error) {
	rows, err := s.db.R.QueryContext(ctx, page, args...)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	defer rows.Close()
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	p := auth.FromContext(ctx)
	out := []Case{}
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, err
		}
		hideMinor(p, c, now)
		c.ComputeSLA(cal, now)
		out = append(out, *c)
	}
	return out, rows.Err()
}

// listWalk is how many cases of a large search's selection are read in list order before it falls
// back to every match: on a 2.5-million-case city about 30 ms in a district on PostgreSQL, under
// 10 ms city-wide.
const listWalk = 5000

// SearchCountCap is how far a search beyond a community counts when its term is common: the first
// matches in list order are read from the list-order index, and a search with more than this many
// says "超过 N 条" (a district's 漏水 matches thousands of cases; counting 2,000 of them cost ten
// times the page).
const SearchCountCap = 100

// walked is the statement of the ids of the cases of a search's selection that match, in list
// order, tested one by one among the first walk cases of the selection read in list order (from
// its index), without its LIMIT: PostgreSQL estimates a few matches for terms that match tens of
// thousands of cases and would collect and sort them all; this stops once it has enough. It is
// empty when f has no search terms.
func walked(f *Filter, p *auth.Principal, d db.Dialect, walk int) (inner string, a *db.Args, err error) {
	a = &db.Args{}
	w, match, fts, err := where(a, f, p, d)
	if err != nil || match == "" {
		return "", a, err
	}
	order, index := listOrder(f)
	from := "cases c"
	test := fts
	if d == db.SQLite {
		if index != "" {
			from += " INDEXED BY " + index
		}
	} else {
		// OFFSET 0 and IS TRUE keep the test a per-row subplan: PostgreSQL would otherwise make it
		// a join over every match.
		test = "(EXISTS (SELECT 1 FROM case_fts f WHERE f.rowid = c.id AND " + strings.Replace(match, "case_fts.", "f.", 1) + " OFFSET 0)) IS TRUE"
		// Likewise the selection's conditions: their IN (…) become hashed sets read once, not a
		// join probing the regions for every case walked (a third of the walk's time).
		w = "(" + w + ") IS TRUE"
	}
	first := "SELECT c.id, c.supervised, c.received_at, c.handle_deadline, c.accept_deadline, c.updated_at FROM " + from +
		" WHERE " + w + order + " LIMIT " + strconv.Itoa(walk)
	return "SELECT c.id FROM (" + first + ") c WHERE " + test + order, a, nil
}

// searchWalk returns, for a search of a district's or the city's cases by its terms alone (no
// other filter, the list's own order), the ids of its first n matches in list order found among
// the first walk cases of the scope; nil for any other list. Fewer than n ids say the term is rare:
// the list's own statements are then fast. Another filter may select few of the cases the index
// holds, and the walk would read far more of the index than it finds.
func (s *Service) searchWalk(ctx context.Context, f *Filter, p *auth.Principal, n int) ([]int64, error) {
	terms := *f
	terms.Q, terms.Limit, terms.Offset, terms.now = "", 0, 0, time.Time{}
	if f.Q == "" || terms != (Filter{}) || smallScope(f, p) {
		return nil, nil
	}
	inner, a, err := walked(f, p, s.db.Dialect, s.walk)
	if err != nil || inner == "" {
		return nil, err
	}
	ids, err := db.QueryIDs(ctx, s.db.R, inner+" LIMIT "+a.Add(n), *a...)
	if err != nil {
		return nil, fmt.Errorf("search cases: %w", err)
	}
	return ids, nil
}

// walkPage is the page statement of a PostgreSQL search read from the first walk cases of the
// selection in list order, each tested against the match (see walked). Its page is the list's
// page only when it is full (the matches within the first walk cases are the first of all); when
// it is not, the terms are rare and the list's own page statement is fast. page is empty when f
// has no search terms.
func walkPage(f *Filter, p *auth.Principal, walk int) (page string, a *db.Args, err error) {
	inner, a, err := walked(f, p, db.Postgres, walk)
	if err != nil || inner == "" {
		return "", a, err
	}
	order, _ := listOrder(f)
	inner += " LIMIT " + a.Add(f.Limit) + " OFFSET " + a.Add(f.Offset)
	page = "SELECT " + caseColumns + strings.Replace(caseFrom, " FROM cases c", " FROM ("+inner+") p JOIN cases c ON c.id = p.id", 1) + order
	return page, a, nil
}
