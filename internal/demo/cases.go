package demo

import (
	"context"
	"crypto/rand"
	"fmt"
	"hash/fnv"
	mrand "math/rand/v2"
	"sort"
	"strings"
	"time"

	"linli/internal/cases"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/jobs"
	"linli/internal/pii"
	"linli/internal/search"
	"linli/internal/workday"
)

// The demo's residents' requests (诉求/案件): the fixed record of 2024 — for 2024-01-01 to
// 2024-10-15 exactly the news report's 153 hotline cases handled and 68 practical matters — and a
// year of cases up to today, the only part of the demo that moves with the clock, with open cases
// near and past their deadlines. Every case is played out on the working-day calendar with the
// categories' limits as the service would have recorded it: the row, its timeline (case_events),
// tasks, callbacks, the full-text row and the reminder jobs of its running deadline.

// planSeed derives the cases' random source from the plan, itself drawn from the demo's seed,
// so the same seed gives the same cases.
func planSeed(p *plan) uint64 {
	h := fnv.New64a()
	for _, g := range p.grids {
		fmt.Fprintf(h, "%v|", g.cell)
	}
	fmt.Fprintf(h, "%d|%d|%d", len(p.buildings), len(p.households), len(p.residents))
	return h.Sum64()
}

// planCases draws every case: the 2024 record (independent of now) and the rolling year to now.
func (w *writer) planCases(cats []cases.Category, byPriority map[cases.Priority]map[string]workday.Limit, now time.Time) []*demoCase {
	seed := planSeed(w.p)
	sim := &caseSim{cal: workday.SeedCalendar(), now: now, byPriority: byPriority,
		rng: mrand.New(mrand.NewPCG(seed, 0x2024_0101_1015))}
	name := map[string]string{}
	for _, a := range w.accounts {
		name[a.username] = a.name
	}
	ref := func(u string) staffRef { return staffRef{w.userIDs[u], name[u]} }
	sim.admin, sim.place = ref(w.s.admin()), strings.TrimSuffix(w.s.name, "社区")
	for i := range w.p.grids {
		sim.leaders = append(sim.leaders, ref(fmt.Sprintf(w.s.leaderName, i+1)))
		sim.workers = append(sim.workers, ref(fmt.Sprintf(w.s.workerName, i+1)))
		sim.gridIDs = append(sim.gridIDs, w.gridIDs[i])
		sim.gridNames = append(sim.gridNames, w.s.gridName(i+1))
	}
	p := newCasePlanner(sim, w, cats)
	var all []*demoCase
	if w.s.record {
		all = p.record()
		all = append(all, p.merges(all, 8)...)
	}
	if now.After(recordEnd) {
		local := now.In(clock.Shanghai())
		sim.rng = mrand.New(mrand.NewPCG(seed, uint64(local.Year()*10000+int(local.Month())*100+local.Day())))
		year := p.rolling()
		all = append(all, year...)
		all = append(all, p.merges(year, w.s.merge)...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].c.ReceivedAt.Before(all[j].c.ReceivedAt) })
	serial := map[int]int{}
	for _, d := range all {
		y := d.c.ReceivedAt.In(clock.Shanghai()).Year()
		serial[y]++
		d.c.Number = fmt.Sprintf("%s-%d-%06d", w.s.prefix, y, serial[y])
		d.c.TrackingCode = strings.ToLower(rand.Text())
		d.c.ComputeSLA(sim.cal, now)
		d.c.Overdue = d.c.SLA.Status == "late" || swept(&d.c, now)
	}
	return all
}

// swept reports whether the overdue sweep flags the case at now (cases.Service.SweepOverdue).
func swept(c *cases.Case, now time.Time) bool {
	before := func(t *time.Time) bool { return t != nil && t.Before(now) }
	switch c.State {
	case cases.Received:
		return before(c.AcceptDeadline)
	case cases.Dispatched:
		return before(c.SignDeadline) || before(c.HandleDeadline)
	case cases.Accepted, cases.InProgress, cases.Reported:
		return before(c.HandleDeadline)
	case cases.Closed:
		return c.CallbackAt == nil && before(c.CallbackDue)
	}
	return false
}

// cases plans and writes the demo's cases in the demo's transaction.
func (w *writer) cases(ctx context.Context, tx *db.Tx) error {
	cats, byPriority, err := cases.Catalog(ctx, tx)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Second)
	all := w.planCases(cats, byPriority, now)
	if _, err := tx.ExecContext(ctx, `INSERT INTO case_prefixes (community_id, prefix) VALUES ($1, $2)`,
		w.community.ID, w.s.prefix); err != nil {
		return fmt.Errorf("case prefix: %w", err)
	}
	if err := w.caseRows(ctx, tx, all); err != nil {
		return err
	}
	ids, err := idsByKey(ctx, tx, `SELECT id, number FROM cases WHERE community_id = $1`, w.community.ID)
	if err != nil {
		return err
	}
	for _, d := range all {
		d.c.ID = ids[d.c.Number]
	}
	for _, d := range all {
		if t := d.mergedInto; t != nil {
			for i := range t.events {
				e := &t.events[i]
				if e.Action == cases.ActNote && e.Note == "" && e.At.Equal(*d.c.ClosedAt) {
					e.Note, e.Detail = "案件"+d.c.Number+"已并入本案", detailOf(map[string]any{"merged": d.c.ID})
					break
				}
			}
			d.events[len(d.events)-1].Note = "与案件" + t.c.Number + "反映的是同一问题，已并单办理"
			if _, err := tx.ExecContext(ctx, `UPDATE cases SET merged_into = $1 WHERE id = $2`, t.c.ID, d.c.ID); err != nil {
				return fmt.Errorf("merge: %w", err)
			}
		}
	}
	if err := w.caseChildren(ctx, tx, all); err != nil {
		return err
	}
	if err := w.caseJobs(ctx, tx, all, byPriority, now); err != nil {
		return err
	}
	years := map[int]int{}
	open, y2024 := 0, 0
	for _, d := range all {
		y := d.c.ReceivedAt.In(clock.Shanghai()).Year()
		years[y]++
		if d.c.State.Open() {
			open++
		}
		if y == 2024 {
			y2024++
		}
	}
	for y, n := range years {
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_counters (community_id, year, last) VALUES ($1, $2, $3)`,
			w.community.ID, y, n); err != nil {
			return fmt.Errorf("case counter: %w", err)
		}
	}
	w.casesNote = fmt.Sprintf("诉求%d件（2024年%d件，近一年%d件，办理中%d件）", len(all), y2024, len(all)-y2024, open)
	return nil
}

// caseRows writes the case rows with multi-row INSERTs.
func (w *writer) caseRows(ctx context.Context, tx *db.Tx, all []*demoCase) error {
	cols := []string{"number", "community_id", "region_id", "grid_id", "channel", "category_id", "priority", "title",
		"description", "address", "building_id", "household_id", "resident_id", "lon", "lat", "reporter_name",
		"reporter_phone_enc", "reporter_phone_index", "reporter_phone_masked", "anonymous", "external_no",
		"external_deadline", "state", "outcome", "received_at", "accept_deadline", "accepted_at", "dispatched_at",
		"sign_deadline", "handle_deadline", "reported_at", "reported_by", "closed_at", "closed_by", "handle_minutes",
		"callback_deadline", "callback_at", "callback_resolved", "callback_satisfaction", "handler_id", "suspended_at",
		"suspended_minutes", "suspend_reason", "suspend_requested_by", "extension_until", "extension_reason",
		"extension_requested_by", "reopen_count", "supervised", "supervised_at", "overdue", "tracking_code",
		"created_by", "version", "created_at", "updated_at"}
	rows := make([][]any, len(all))
	for i, d := range all {
		c := &d.c
		var enc, index any
		masked := ""
		if d.phone != "" && !c.Anonymous {
			enc, index, masked = w.sealer.Seal(d.phone), w.sealer.Index(d.phone), pii.MaskPhone(d.phone)
		}
		var ext any
		if c.ExternalNo != "" {
			ext = c.ExternalNo
		}
		rows[i] = []any{c.Number, c.CommunityID, c.RegionID, c.GridID, c.Channel, c.CategoryID, c.Priority, c.Title,
			c.Description, c.Address, c.BuildingID, c.HouseholdID, c.ResidentID, c.Lon, c.Lat, c.ReporterName,
			enc, index, masked, c.Anonymous, ext, c.ExternalDue, c.State, c.Outcome, c.ReceivedAt, c.AcceptDeadline,
			c.AcceptedAt, c.DispatchedAt, c.SignDeadline, c.HandleDeadline, c.ReportedAt, c.ReportedBy, c.ClosedAt,
			c.ClosedBy, c.HandleMinutes, c.CallbackDue, c.CallbackAt, c.CallbackOK, c.Satisfaction, c.HandlerID,
			c.SuspendedAt, c.SuspendedMin, c.SuspendReason, c.SuspendAsked, c.ExtensionUntil, c.ExtensionNote,
			c.ExtensionBy, c.ReopenCount, c.Supervised, c.SupervisedAt, c.Overdue, c.TrackingCode, c.CreatedBy,
			c.Version, c.CreatedAt, c.UpdatedAt}
	}
	return db.InsertRows(ctx, tx, "cases", cols, nil, rows)
}

// caseChildren writes the tasks, the timelines (in time order, so ids follow time), the
// callbacks and the full-text rows.
func (w *writer) caseChildren(ctx context.Context, tx *db.Tx, all []*demoCase) error {
	var tasks, events, calls, fts [][]any
	for _, d := range all {
		c := &d.c
		for _, t := range d.tasks {
			tasks = append(tasks, []any{c.ID, c.RegionID, t.Role, t.TargetKind, t.TargetGridID, t.TargetUserID, t.TargetName,
				t.Status, t.by, t.DispatchedAt, t.SignDeadline, t.SignedAt, t.SignedBy, t.ReturnedAt, t.ReturnReason})
		}
		text := []string{c.Title, c.Description, c.Address, c.Number, c.ExternalNo}
		for _, e := range d.events {
			events = append(events, []any{c.ID, c.RegionID, e.At, e.UserID, e.ActorName, e.Action, e.FromState, e.ToState,
				e.Note, e.Public, "[]", e.Detail})
			if e.Note != "" {
				text = append(text, e.Note)
			}
		}
		for _, cb := range d.calls {
			calls = append(calls, []any{c.ID, c.RegionID, cb.At, cb.ByUserID, cb.ByResident, cb.Method, cb.Resolved,
				cb.Satisfaction, cb.Cause, cb.Note})
		}
		fts = append(fts, []any{c.ID, search.Tokens(strings.Join(text, " "))})
	}
	if err := db.InsertRows(ctx, tx, "case_assignments", []string{"case_id", "region_id", "role", "target_kind",
		"target_grid_id", "target_user_id", "target_name", "status", "dispatched_by", "dispatched_at", "sign_deadline",
		"signed_at", "signed_by", "returned_at", "return_reason"}, nil, tasks); err != nil {
		return err
	}
	if err := db.InsertRows(ctx, tx, "case_events", []string{"case_id", "region_id", "at", "user_id", "actor_name", "action",
		"from_state", "to_state", "note", "public", "attachments", "detail"}, nil, events); err != nil {
		return err
	}
	if err := db.InsertRows(ctx, tx, "case_callbacks", []string{"case_id", "region_id", "at", "by_user_id", "by_resident",
		"method", "resolved", "satisfaction", "cause", "note"}, nil, calls); err != nil {
		return err
	}
	return db.InsertRows(ctx, tx, "case_fts", []string{"rowid", "tokens"}, func(col int, ph string) string {
		if col == 1 {
			return tx.Dialect.FTSValue(ph)
		}
		return ph
	}, fts)
}

// caseJobs enqueues the reminders of every running deadline still ahead, as the service does
// when a clock starts: at 80 % of the limit and at the deadline.
func (w *writer) caseJobs(ctx context.Context, tx *db.Tx, all []*demoCase, byPriority map[cases.Priority]map[string]workday.Limit, now time.Time) error {
	cal := workday.SeedCalendar()
	for _, d := range all {
		c := &d.c
		if c.SLA.Deadline == nil || c.SLA.Paused {
			continue
		}
		lim := d.cat.LimitsFor(c.Priority, byPriority)
		var start time.Time
		working := true
		switch c.SLA.Kind {
		case "accept":
			start, working = c.ReceivedAt, lim.Accept.Working()
		case "sign":
			start, working = *c.DispatchedAt, lim.Sign.Working()
		case "handle":
			start, working = *c.AcceptedAt, c.ExternalDue != nil || lim.Handle.Working()
		case "callback":
			start = *c.ClosedAt
		}
		due := *c.SLA.Deadline
		for _, r := range []struct {
			stage string
			at    time.Time
		}{{"warn", cases.WarnAt(cal, start, due, working)}, {"due", due}} {
			if !r.at.After(now) {
				continue
			}
			_, err := jobs.Enqueue(ctx, tx, cases.JobReminder, cases.Reminder{CaseID: c.ID, Kind: c.SLA.Kind, Deadline: due,
				Stage: r.stage}, r.at, jobs.Unique(fmt.Sprintf("%d:%s:%s", c.ID, c.SLA.Kind, r.stage)), jobs.Replace())
			if err != nil {
				return err
			}
		}
	}
	return nil
}
