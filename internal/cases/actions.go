package cases

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/workday"
)

// Target is one dispatch target: a grid (its leader signs), a user, a co-building unit or a
// department (by name; their contacts sign).
type Target struct {
	Kind   string `json:"kind"` // grid, user, unit, department
	GridID int64  `json:"grid_id,omitempty"`
	UserID int64  `json:"user_id,omitempty"`
	Name   string `json:"name,omitempty"`
}

// ActionInput is the body of an action; each action reads the fields it needs.
type ActionInput struct {
	// Version, when set, is the version of the case the user saw; another change since is a conflict.
	Version int `json:"version,omitempty"`
	// Note is the reason (reject, return, escalate, suspend, extend, rework, reopen), the progress
	// note (note) or the result (report).
	Note        string  `json:"note,omitempty"`
	Public      bool    `json:"public,omitempty"`
	Attachments []int64 `json:"attachments,omitempty"`
	// accept: corrections of category, priority and grid.
	CategoryID int64    `json:"category_id,omitempty"`
	Priority   Priority `json:"priority,omitempty"`
	GridID     int64    `json:"grid_id,omitempty"`
	// merge: the open case this one is merged into.
	MergeInto int64 `json:"merge_into,omitempty"`
	// dispatch: one lead and optional assisting targets.
	Lead   *Target  `json:"lead,omitempty"`
	Assist []Target `json:"assist,omitempty"`
	// extend: the new handle deadline asked for.
	Until *time.Time `json:"until,omitempty"`
	// verify: the outcome.
	Outcome Outcome `json:"outcome,omitempty"`
	// callback: resolved?, rating, cause of dissatisfaction (subjective, objective), method.
	Resolved     *bool        `json:"resolved,omitempty"`
	Satisfaction Satisfaction `json:"satisfaction,omitempty"`
	Cause        string       `json:"cause,omitempty"`
	Method       string       `json:"method,omitempty"`
}

// step is one action being applied: the case as loaded, the actor, the event being written.
type step struct {
	s      *Service
	tx     *db.Tx
	c      *Case
	cat    *Category
	cal    *workday.Calendar
	actor  Actor
	in     ActionInput
	now    time.Time
	ev     *Event
	before map[string]any
}

// Act takes action a on case id for the signed-in principal, in one transaction: it checks the
// state machine, role, scope and assignment, applies the action, writes the timeline row, the
// audit row and the reminder jobs, and saves the case only if nobody changed it meanwhile.
// Anything illegal answers a Chinese message and changes nothing.
func (s *Service) Act(ctx context.Context, id int64, a Action, in ActionInput) (*Case, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if _, ok := rules[a]; !ok {
		return nil, errs.E(errs.NotFound, "未知的操作：%s", a)
	}
	cal, err := s.Calendar(ctx) // before the transaction: loading may write
	if err != nil {
		return nil, err
	}
	var out *Case
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		out, err = s.act(ctx, tx, p, cal, id, a, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	out.ComputeSLA(cal, s.now())
	hideMinor(p, out, s.now())
	return out, nil
}

// ActInTx takes action a on case id inside the caller's transaction tx, with the same checks,
// timeline row and audit entry as Act, so that another capability's write and the case's change
// commit together (a mediation referral notes the case it came from). cal is s.Calendar, loaded
// before the transaction opened (loading may write). The answer's SLA is not computed.
func (s *Service) ActInTx(ctx context.Context, tx *db.Tx, cal *workday.Calendar, id int64, a Action, in ActionInput) (*Case, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if _, ok := rules[a]; !ok {
		return nil, errs.E(errs.NotFound, "未知的操作：%s", a)
	}
	return s.act(ctx, tx, p, cal, id, a, in)
}

// act applies action a to case id in tx for p.
func (s *Service) act(ctx context.Context, tx *db.Tx, p *auth.Principal, cal *workday.Calendar, id int64, a Action, in ActionInput) (*Case, error) {
	c, actor, err := visible(ctx, tx, p, id)
	if err != nil {
		return nil, err
	}
	if in.Version != 0 && in.Version != c.Version {
		return nil, errConflict()
	}
	if err := Check(a, c, actor); err != nil {
		return nil, err
	}
	st := &step{s: s, tx: tx, c: c, cal: cal, actor: actor, in: in, now: s.now(), before: auditView(c)}
	if st.cat, err = categoryByID(ctx, tx, c.CategoryID); err != nil {
		return nil, err
	}
	st.in.Note = strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(st.in.Note) > 2000 {
		return nil, errs.Field("note", "说明不能超过2000字")
	}
	st.ev = &Event{At: st.now, UserID: &p.UserID, ActorName: p.Name, Action: a, FromState: c.State,
		ToState: Next(a, c.State), Note: st.in.Note, Attachments: in.Attachments}
	if err := st.apply(ctx, a); err != nil {
		return nil, err
	}
	c.State = st.ev.ToState
	c.Overdue = overdueAt(c, st.now)
	if err := saveCase(ctx, tx, c, c.Version, st.now); err != nil {
		return nil, err
	}
	eventID, err := record(ctx, tx, c, st.ev, st.before)
	if err != nil {
		return nil, err
	}
	if err := linkAttachments(ctx, tx, c.ID, eventID, in.Attachments); err != nil {
		return nil, err
	}
	if st.ev.Note != "" {
		if err := reindex(ctx, tx, tx.Dialect, c); err != nil {
			return nil, err
		}
	}
	return loadCase(ctx, tx, c.ID)
}

// overdueAt reports whether the deadline running in the case's state has passed at now (for a
// suspended case: at the moment it was suspended).
func overdueAt(c *Case, now time.Time) bool {
	_, _, due := c.running()
	if due == nil {
		return false
	}
	if c.State == Suspended && c.SuspendedAt != nil {
		now = *c.SuspendedAt
	}
	return now.After(*due)
}

func (st *step) need(field, msg string) error {
	if st.in.Note == "" {
		return errs.Field(field, msg)
	}
	return nil
}

func (st *step) apply(ctx context.Context, a Action) error {
	switch a {
	case ActAccept:
		return st.accept(ctx)
	case ActReject:
		if err := st.need("note", "请填写不予受理的理由"); err != nil {
			return err
		}
		st.close(Rejected)
		st.ev.Public = st.in.Public
	case ActMerge:
		return st.merge(ctx)
	case ActDispatch:
		return st.dispatch(ctx)
	case ActSign:
		return st.sign(ctx)
	case ActReturn:
		if err := st.need("note", "请填写退单理由"); err != nil {
			return err
		}
		return st.release(ctx, "returned")
	case ActEscalate:
		return st.escalate(ctx)
	case ActWithdraw:
		return st.withdraw(ctx)
	case ActSuspend:
		return st.suspend()
	case ActDenySuspend:
		return st.denySuspend(ctx)
	case ActResume:
		return st.resume()
	case ActExtend:
		return st.extend(ctx)
	case ActApproveExtension:
		return st.approveExtension(ctx)
	case ActDenyExtension:
		if err := st.need("note", "请填写驳回理由"); err != nil {
			return err
		}
		st.ev.Detail = detailJSON(map[string]any{"until": st.c.ExtensionUntil})
		st.c.ExtensionUntil, st.c.ExtensionNote, st.c.ExtensionBy = nil, "", nil
	case ActNote:
		if st.in.Note == "" && len(st.in.Attachments) == 0 {
			return errs.Field("note", "请填写办理记录")
		}
		st.ev.Public = st.in.Public
	case ActReport:
		if err := st.need("note", "请填写办理结果"); err != nil {
			return err
		}
		st.c.ReportedAt, st.c.ReportedBy = &st.now, &st.actor.Principal.UserID
		st.ev.Public = st.in.Public
	case ActVerify:
		return st.verify(ctx)
	case ActRework:
		if err := st.need("note", "请填写返工原因"); err != nil {
			return err
		}
		st.c.ReportedAt = nil
	case ActCallback:
		return st.callback(ctx, false)
	case ActReopen:
		if err := st.need("note", "请填写重办原因"); err != nil {
			return err
		}
		return st.reopen(ctx)
	case ActSupervise:
		st.c.Supervised, st.c.SupervisedAt = true, &st.now
		return st.notifyHolders(ctx, "case.supervised", "案件"+st.c.Number+"已被督办", "请优先办理并按时反馈。")
	}
	return nil
}

// close ends the case with outcome o now.
func (st *step) close(o Outcome) {
	st.c.Outcome, st.c.ClosedAt, st.c.ClosedBy = o, &st.now, &st.actor.Principal.UserID
	st.ev.Detail = detailJSON(map[string]any{"outcome": o})
}

func (st *step) accept(ctx context.Context) error {
	c := st.c
	if st.in.CategoryID != 0 && st.in.CategoryID != c.CategoryID {
		cat, err := leafCategory(ctx, st.tx, st.in.CategoryID)
		if err != nil {
			return err
		}
		c.CategoryID, st.cat = cat.ID, cat
	}
	if st.in.Priority != "" {
		if !st.in.Priority.Valid() {
			return errs.Field("priority", "紧急程度应为一般、紧急或特急")
		}
		c.Priority = st.in.Priority
	}
	if st.in.GridID != 0 {
		if err := st.moveToGrid(ctx, st.in.GridID); err != nil {
			return err
		}
	}
	if c.AcceptedAt != nil && c.HandleDeadline != nil {
		// An escalated case accepted at the next level: its handle deadline runs on.
		st.ev.Detail = detailJSON(map[string]any{"handle_deadline": *c.HandleDeadline, "escalated": true})
		return nil
	}
	c.AcceptedAt = &st.now
	return st.startHandleClock(ctx)
}

// startHandleClock sets the handle deadline from now (the hotline's own for a 12345 case) and
// schedules its reminders.
func (st *step) startHandleClock(ctx context.Context) error {
	c := st.c
	lim, err := st.limits(ctx)
	if err != nil {
		return err
	}
	due := deadline(st.cal, st.now, lim.Handle)
	working := lim.Handle.Working()
	if c.ExternalDue != nil && c.ReopenCount == 0 { // a reopened hotline case runs on the community's own limit
		due, working = *c.ExternalDue, true
	}
	c.HandleDeadline = &due
	st.ev.Detail = detailJSON(map[string]any{"handle_deadline": due})
	return st.s.schedule(ctx, st.tx, st.cal, c, "handle", st.now, due, working)
}

func (st *step) limits(ctx context.Context) (Limits, error) {
	byPriority, err := priorityLimits(ctx, st.tx)
	if err != nil {
		return Limits{}, err
	}
	return st.cat.LimitsFor(st.c.Priority, byPriority), nil
}

// moveToGrid corrects the case's grid; the grid must be in the same community.
func (st *step) moveToGrid(ctx context.Context, gridID int64) error {
	var community int64
	if err := st.tx.QueryRowContext(ctx, `SELECT community_id FROM grids WHERE id = $1`, gridID).Scan(&community); err != nil {
		return errs.Field("grid_id", "网格不存在")
	}
	if community != st.c.CommunityID {
		return errs.Field("grid_id", "所选网格不属于本案件所在社区")
	}
	if st.c.RegionID == st.c.CommunityID || (st.c.GridID != nil && st.c.RegionID == *st.c.GridID) {
		st.c.RegionID = gridID
	}
	st.c.GridID = &gridID
	return nil
}

func (st *step) merge(ctx context.Context) error {
	c := st.c
	if st.in.MergeInto == 0 || st.in.MergeInto == c.ID {
		return errs.Field("merge_into", "请选择要并入的另一件案件")
	}
	target, held, err := visible(ctx, st.tx, st.actor.Principal, st.in.MergeInto)
	if err != nil || held.ReadOnly {
		return errs.Field("merge_into", "要并入的案件不存在或不在您的管辖范围内")
	}
	if !target.State.Open() || target.State == Received {
		return errs.Field("merge_into", "只能并入已立案且尚未结案的案件")
	}
	c.MergedInto = &target.ID
	st.close(Duplicate)
	st.ev.Public = st.in.Public
	if st.ev.Note == "" {
		st.ev.Note = "与案件" + target.Number + "反映的是同一问题，已并单办理"
	}
	_, err = insertEvent(ctx, st.tx, target, &Event{At: st.now, UserID: &st.actor.Principal.UserID,
		ActorName: st.actor.Principal.Name, Action: ActNote, FromState: target.State, ToState: target.State,
		Note: "案件" + c.Number + "已并入本案", Detail: detailJSON(map[string]any{"merged": c.ID})})
	return err
}

// escalate hands the case one level up the chain (grid → community → street → district) into
// that level's to-accept queue: the tasks are withdrawn, the accept clock starts again, and the
// handle deadline runs on (the resident's clock does not restart).
func (st *step) escalate(ctx context.Context) error {
	if err := st.need("note", "请填写上报原因"); err != nil {
		return err
	}
	var parent *int64
	if err := st.tx.QueryRowContext(ctx, `SELECT parent_id FROM regions WHERE id = $1`, st.c.RegionID).Scan(&parent); err != nil || parent == nil {
		return errs.E(errs.Conflict, "已是最高一级，无法继续上报")
	}
	var name string
	if err := st.tx.QueryRowContext(ctx, `SELECT name FROM regions WHERE id = $1`, *parent).Scan(&name); err != nil {
		return fmt.Errorf("escalate to region %d: %w", *parent, err)
	}
	if err := st.release(ctx, "withdrawn"); err != nil {
		return err
	}
	st.c.RegionID = *parent
	lim, err := st.limits(ctx)
	if err != nil {
		return err
	}
	acc := deadline(st.cal, st.now, lim.Accept)
	st.c.AcceptDeadline = &acc
	st.ev.Detail = detailJSON(map[string]any{"region_id": *parent, "region_name": name, "accept_deadline": acc})
	if err := st.s.schedule(ctx, st.tx, st.cal, st.c, "accept", st.now, acc, lim.Accept.Working()); err != nil {
		return err
	}
	if st.s.opts.Notify == nil {
		return nil
	}
	users, err := st.s.recipients(ctx, st.tx, st.c, "accept")
	if err != nil {
		return err
	}
	n := Notice{Kind: "case.escalated", Title: "上报案件待受理：" + st.c.Number, Body: "“" + st.c.Title + "”已上报至" + name + "，请及时受理。",
		Link: fmt.Sprintf("/cases/%d", st.c.ID), RegionID: st.c.RegionID}
	for _, u := range users {
		if err := st.s.opts.Notify(ctx, st.tx, u, n); err != nil {
			return fmt.Errorf("notify %d: %w", u, err)
		}
	}
	return nil
}

// withdraw takes back the tasks of a dispatch nobody has signed yet (撤回); the case waits in the
// dispatcher's to-dispatch queue to be dispatched again (改派).
func (st *step) withdraw(ctx context.Context) error {
	var signed int
	if err := st.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_assignments WHERE case_id = $1 AND status = 'signed'`,
		st.c.ID).Scan(&signed); err != nil {
		return err
	}
	if signed > 0 {
		return errs.E(errs.Conflict, "任务已被签收，不能撤回；请由承办方退单或上报")
	}
	if st.in.Note == "" {
		st.ev.Note = "撤回派遣，待改派"
	}
	return st.release(ctx, "withdrawn")
}

// release ends the active tasks (returned or withdrawn) and clears the handler; the case goes back
// to its dispatcher.
func (st *step) release(ctx context.Context, status string) error {
	_, err := st.tx.ExecContext(ctx, `UPDATE case_assignments SET status = $1, returned_at = $2, return_reason = $3
		WHERE case_id = $4 AND status IN ('pending','signed')`, status, st.now, st.in.Note, st.c.ID)
	st.c.HandlerID, st.c.SignDeadline, st.c.DispatchedAt = nil, nil, nil
	return err
}

func (st *step) suspend() error {
	c, p := st.c, st.actor.Principal
	reason := st.in.Note
	if reason == "" {
		reason = c.SuspendReason
	}
	if reason == "" {
		return errs.Field("note", "请填写挂起原因")
	}
	if !p.Can(auth.CasesSupervise) {
		if c.SuspendAsked != nil {
			return errs.E(errs.Conflict, "已提交挂起申请，请等待审批")
		}
		c.SuspendAsked, c.SuspendReason = &p.UserID, reason
		st.ev.ToState = c.State
		st.ev.Detail = detailJSON(map[string]any{"request": true})
		return nil
	}
	c.SuspendedAt, c.SuspendReason, c.SuspendAsked = &st.now, reason, nil
	st.ev.Detail = detailJSON(map[string]any{"approved": true})
	return nil
}

// denySuspend refuses a handler's request to suspend: the case goes on running against its
// deadline, the request is cleared with the reason on the timeline, and the requester is told.
func (st *step) denySuspend(ctx context.Context) error {
	c := st.c
	if err := st.need("note", "请填写驳回理由"); err != nil {
		return err
	}
	asker := *c.SuspendAsked
	st.ev.Detail = detailJSON(map[string]any{"requested_by": asker, "request_reason": c.SuspendReason})
	c.SuspendAsked, c.SuspendReason = nil, ""
	if st.s.opts.Notify == nil {
		return nil
	}
	return st.s.opts.Notify(ctx, st.tx, asker, Notice{Kind: "case.suspend_denied", Title: "案件" + c.Number + "的挂起申请被驳回",
		Body: "驳回理由：" + clip(st.in.Note, 500) + "。请继续办理。", Link: fmt.Sprintf("/cases/%d", c.ID), RegionID: c.RegionID})
}

// clip cuts s to at most n characters.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func (st *step) resume() error {
	c := st.c
	if c.SuspendedAt != nil && c.HandleDeadline != nil {
		spent := st.cal.WorkingBetween(*c.SuspendedAt, st.now)
		if spent > 0 {
			c.SuspendedMin += int64(spent / time.Minute)
		}
		if c.ExternalDue == nil {
			working := !(c.Priority == Critical)
			due := st.cal.Resume(*c.HandleDeadline, *c.SuspendedAt, st.now, working).UTC().Truncate(time.Second)
			c.HandleDeadline = &due
			st.ev.Detail = detailJSON(map[string]any{"handle_deadline": due})
		}
	}
	c.SuspendedAt, c.SuspendAsked = nil, nil
	return nil
}

func (st *step) extend(ctx context.Context) error {
	c, p := st.c, st.actor.Principal
	if err := st.need("note", "请填写延期理由"); err != nil {
		return err
	}
	if st.in.Until == nil {
		return errs.Field("until", "请选择延期后的办结时限")
	}
	until := st.in.Until.UTC().Truncate(time.Second)
	if !until.After(st.now) || (c.HandleDeadline != nil && !until.After(*c.HandleDeadline)) {
		return errs.Field("until", "延期后的时限应晚于当前办结时限")
	}
	if msg := st.s.extensionFault(st.cal, c, st.now, until); msg != "" {
		return errs.Field("until", msg)
	}
	c.ExtensionUntil, c.ExtensionNote, c.ExtensionBy = &until, st.in.Note, &p.UserID
	st.ev.Detail = detailJSON(map[string]any{"until": until})
	if p.Can(auth.CasesSupervise) {
		return st.approveExtension(ctx)
	}
	return nil
}

func (st *step) approveExtension(ctx context.Context) error {
	c := st.c
	until := *c.ExtensionUntil
	start := st.now
	c.HandleDeadline = &until
	c.ExtensionUntil, c.ExtensionNote, c.ExtensionBy = nil, "", nil
	st.ev.Detail = detailJSON(map[string]any{"handle_deadline": until})
	return st.s.schedule(ctx, st.tx, st.cal, c, "handle", start, until, true)
}

func (st *step) verify(ctx context.Context) error {
	c := st.c
	if !st.in.Outcome.Handled() {
		return errs.Field("outcome", "请选择办理结果：已解决、部分解决、已解释说明或非本辖区/非职责")
	}
	st.close(st.in.Outcome)
	if c.AcceptedAt != nil {
		m := int64(st.cal.WorkingBetween(*c.AcceptedAt, st.now)/time.Minute) - c.SuspendedMin
		m = max(m, 0)
		c.HandleMinutes = &m
	}
	lim, err := st.limits(ctx)
	if err != nil {
		return err
	}
	cb := deadline(st.cal, st.now, lim.Callback)
	c.CallbackDue = &cb
	st.ev.Public = st.in.Public
	if _, err := st.tx.ExecContext(ctx, `UPDATE case_assignments SET status = 'done' WHERE case_id = $1
		AND status IN ('pending','signed')`, c.ID); err != nil {
		return err
	}
	// The reporters of the cases merged into this one are called back too (they follow it).
	if _, err := st.tx.ExecContext(ctx, `UPDATE cases SET callback_deadline = $1, version = version + 1, updated_at = $2
		WHERE merged_into = $3 AND outcome = 'duplicate' AND callback_at IS NULL`, cb, st.now, c.ID); err != nil {
		return fmt.Errorf("call back merged cases: %w", err)
	}
	return st.s.schedule(ctx, st.tx, st.cal, c, "callback", st.now, cb, lim.Callback.Working())
}

func (st *step) reopen(ctx context.Context) error {
	c := st.c
	if c.Outcome == Rejected {
		// A rejection found wrong: the case waits to be accepted again, on a new accept clock.
		c.Outcome, c.ClosedAt, c.ClosedBy = "", nil, nil
		st.ev.ToState = Received
		lim, err := st.limits(ctx)
		if err != nil {
			return err
		}
		acc := deadline(st.cal, st.now, lim.Accept)
		c.AcceptDeadline = &acc
		st.ev.Detail = detailJSON(map[string]any{"accept_deadline": acc})
		return st.s.schedule(ctx, st.tx, st.cal, c, "accept", st.now, acc, lim.Accept.Working())
	}
	c.ReopenCount++
	c.Outcome, c.ClosedAt, c.ClosedBy, c.CallbackDue, c.HandleMinutes = "", nil, nil, nil, nil
	c.ReportedAt, c.HandlerID, c.SignDeadline, c.DispatchedAt = nil, nil, nil, nil
	st.ev.ToState = Accepted
	return st.startHandleClock(ctx)
}
