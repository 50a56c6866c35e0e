package demo

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"time"

	"linli/internal/cases"
	"linli/internal/workday"
)

// staffRef is who takes an action: a demo account, or nobody (id 0) with a name — the resident.
type staffRef struct {
	id   int64
	name string
}

func (s staffRef) ptr() *int64 {
	if s.id == 0 {
		return nil
	}
	id := s.id
	return &id
}

var resident = staffRef{name: "居民"}

// demoCase is one case as the demo writes it: the row, the plain reporter phone (sealed when
// written), its timeline, tasks and callbacks.
type demoCase struct {
	c      cases.Case
	phone  string
	cat    *cases.Category
	grid   int
	events []cases.Event
	tasks  []demoTask
	calls  []cases.Callback
	// mergedInto is the case a duplicate was merged into; the notes naming each other's numbers
	// are written once numbers exist.
	mergedInto *demoCase
}

// demoTask is a dispatched task with who dispatched it.
type demoTask struct {
	cases.Assignment
	by int64
}

// fate is how a case's life goes, drawn before it is played out.
type fate struct {
	reject     bool
	outcome    cases.Outcome
	lateSign   bool
	late       bool // reported after the handle deadline
	returned   bool // returned by the grid and re-dispatched to a worker
	assist     bool
	suspend    bool
	extend     int // 0 none, 1 approved, 2 denied
	supervise  bool
	rework     bool
	notes      int
	lateAccept bool
	sat        cases.Satisfaction
	resolved   bool
	cause      string // subjective reopens the case
	lateCall   bool
	noCall     bool
	reopen     bool // reopened by the community after a callback
	stall      string
	acceptAt   time.Time // when set, the case is accepted then (open cases near their deadlines)
}

// caseSim plays cases out on the working-day calendar exactly as the service would record them.
type caseSim struct {
	cal        *workday.Calendar
	rng        *rand.Rand
	now        time.Time
	admin      staffRef
	leaders    []staffRef
	workers    []staffRef
	gridIDs    []int64
	gridNames  []string
	place      string // the community's name without 社区, for the units named after it (南关物业服务中心)
	byPriority map[cases.Priority]map[string]workday.Limit
}

func (s *caseSim) pick(list []string) string { return list[s.rng.IntN(len(list))] }

// work returns t moved on by lo–hi minutes of working time (and a few seconds).
func (s *caseSim) work(t time.Time, lo, hi int) time.Time {
	m := lo + s.rng.IntN(hi-lo+1)
	d := time.Duration(m)*time.Minute + time.Duration(s.rng.IntN(50))*time.Second
	return s.cal.AddWorkingHours(t, d).UTC().Truncate(time.Second)
}

// natural returns t moved on by lo–hi minutes of clock time.
func (s *caseSim) natural(t time.Time, lo, hi int) time.Time {
	m := lo + s.rng.IntN(hi-lo+1)
	return t.Add(time.Duration(m)*time.Minute + time.Duration(s.rng.IntN(50))*time.Second).UTC().Truncate(time.Second)
}

// within returns the moment share f of the span from a to due has passed, counted the way the
// limit is.
func (s *caseSim) within(a, due time.Time, f float64, working bool) time.Time {
	if working {
		span := s.cal.WorkingBetween(a, due)
		return s.cal.AddWorkingHours(a, time.Duration(float64(span)*f)).UTC().Truncate(time.Second)
	}
	return a.Add(time.Duration(float64(due.Sub(a)) * f)).UTC().Truncate(time.Second)
}

func (s *caseSim) deadline(t time.Time, l workday.Limit) time.Time {
	return s.cal.Deadline(t, l).UTC().Truncate(time.Second)
}

func (s *caseSim) limits(d *demoCase) cases.Limits {
	return d.cat.LimitsFor(d.c.Priority, s.byPriority)
}

func detailOf(v map[string]any) string {
	if v == nil {
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// event appends a timeline row and moves the case to state to ("" keeps the state).
func (d *demoCase) event(t time.Time, who staffRef, a cases.Action, to cases.State, note string, public bool, detail map[string]any) {
	if to == "" {
		to = d.c.State
	}
	d.events = append(d.events, cases.Event{At: t, UserID: who.ptr(), ActorName: who.name, Action: a, FromState: d.c.State,
		ToState: to, Note: note, Public: public, Attachments: []int64{}, Detail: detailOf(detail)})
	d.c.State = to
	d.c.UpdatedAt = t
	d.c.Version++
}

// play runs the case's life from intake until it ends or reaches s.now, whichever comes first.
func (s *caseSim) play(d *demoCase, f fate) {
	c := &d.c
	c.Version = 0
	intaker := resident
	if c.CreatedBy != nil {
		intaker = s.staffByID(*c.CreatedBy)
	}
	d.event(c.CreatedAt, intaker, cases.ActIntake, cases.Received, "诉求已登记", true, map[string]any{"channel": c.Channel})
	if f.stall == "accept" {
		return
	}
	t := f.acceptAt
	if t.IsZero() {
		if f.lateAccept {
			t = s.work(c.CreatedAt, 130, 420)
		} else {
			t = s.work(c.CreatedAt, 3, 100)
		}
	}
	if t.After(s.now) {
		return
	}
	accepted := t // t moves on; the case keeps this moment
	if f.reject {
		c.Outcome, c.ClosedAt, c.ClosedBy = cases.Rejected, &accepted, s.admin.ptr()
		d.event(t, s.admin, cases.ActReject, cases.Closed, s.pick(rejectReasons), true, map[string]any{"outcome": cases.Rejected})
		return
	}
	c.AcceptedAt = &accepted
	s.startHandleClock(d, t, s.admin, cases.ActAccept, "", false)
	for cycle := 0; ; cycle++ {
		if cycle > 0 {
			f = fate{outcome: f.outcome, sat: cases.Satisfied, resolved: true, notes: 1}
			if s.rng.IntN(3) == 0 {
				f.sat = cases.Basic
			}
		}
		if !s.handle(d, &f, t) {
			return
		}
		t = c.UpdatedAt
		if !s.callback(d, &f) {
			return
		}
		if c.State != cases.Closed { // dissatisfied for a subjective cause: reopened
			t = c.UpdatedAt
			continue
		}
		if f.reopen && cycle == 0 {
			r := s.work(c.UpdatedAt, 600, 3000)
			if r.After(s.now) {
				return
			}
			s.reopen(d, r, s.admin, cases.ActReopen, s.pick(reopenNotes), nil)
			t = r
			continue
		}
		return
	}
}

func (s *caseSim) staffByID(id int64) staffRef {
	if id == s.admin.id {
		return s.admin
	}
	for i := range s.leaders {
		if s.leaders[i].id == id {
			return s.leaders[i]
		}
		if s.workers[i].id == id {
			return s.workers[i]
		}
	}
	return staffRef{id: id}
}

// startHandleClock sets the handle deadline from t: the hotline's own for a 12345 case not yet
// reopened, the category's limit otherwise.
func (s *caseSim) startHandleClock(d *demoCase, t time.Time, who staffRef, a cases.Action, note string, public bool) time.Time {
	c := &d.c
	due := s.deadline(t, s.limits(d).Handle)
	if c.ExternalDue != nil && c.ReopenCount == 0 {
		due = *c.ExternalDue
	}
	c.HandleDeadline = &due
	d.event(t, who, a, cases.Accepted, note, public, map[string]any{"handle_deadline": due})
	return due
}

// handleWorking reports whether the handle limit runs on working time.
func (s *caseSim) handleWorking(d *demoCase) bool {
	return !(d.c.Priority == cases.Critical && d.c.ExternalDue == nil)
}

// dispatch sends the case to its grid (or, after a return, to the grid's worker), with an
// assisting unit or department when the category has one.
func (s *caseSim) dispatch(d *demoCase, t time.Time, toWorker, assist bool) {
	c := &d.c
	lim := s.limits(d)
	signDue := s.deadline(t, lim.Sign)
	lead := demoTask{by: s.admin.id}
	lead.Role, lead.Status, lead.DispatchedAt, lead.SignDeadline = "lead", "pending", t, signDue
	if toWorker {
		w := s.workers[d.grid]
		lead.TargetKind, lead.TargetUserID, lead.TargetName = "user", w.ptr(), w.name
	} else {
		g := s.gridIDs[d.grid]
		lead.TargetKind, lead.TargetGridID, lead.TargetName = "grid", &g, s.gridNames[d.grid]
	}
	names := []string{"主办：" + lead.TargetName}
	d.tasks = append(d.tasks, lead)
	if at, ok := assistTargets[d.cat.Code]; ok && assist {
		a := demoTask{by: s.admin.id}
		a.Role, a.Status, a.DispatchedAt, a.SignDeadline = "assist", "pending", t, signDue
		a.TargetKind, a.TargetName = at.kind, strings.Replace(at.name, "南关", s.place, 1)
		d.tasks = append(d.tasks, a)
		names = append(names, "协办："+a.TargetName)
	}
	c.DispatchedAt, c.SignDeadline, c.HandlerID = &t, &signDue, nil
	if toWorker {
		c.HandlerID = lead.TargetUserID
	}
	note := "派遣至 " + names[0]
	if len(names) > 1 {
		note += "；" + names[1]
	}
	d.event(t, s.admin, cases.ActDispatch, cases.Dispatched, note, true, map[string]any{"targets": names, "sign_deadline": signDue})
}

// lead returns the active lead task.
func (d *demoCase) lead() *demoTask {
	for i := len(d.tasks) - 1; i >= 0; i-- {
		if d.tasks[i].Role == "lead" && (d.tasks[i].Status == "pending" || d.tasks[i].Status == "signed") {
			return &d.tasks[i]
		}
	}
	return nil
}

// signAt draws when the lead task is signed for: within its limit, or late.
func (s *caseSim) signAt(d *demoCase, t time.Time, late bool) time.Time {
	due := *d.c.SignDeadline
	if late {
		return s.work(due, 20, 240)
	}
	if s.limits(d).Sign.Working() {
		return s.within(t, due, 0.05+0.6*s.rng.Float64(), true)
	}
	return s.within(t, due, 0.1+0.7*s.rng.Float64(), false)
}

// handle runs one round from dispatch to a verified close; it reports false when the case stays
// open at s.now.
func (s *caseSim) handle(d *demoCase, f *fate, t time.Time) bool {
	c := &d.c
	if f.stall == "dispatch" {
		return false
	}
	t = s.work(t, 2, 60)
	if t.After(s.now) {
		return false
	}
	s.dispatch(d, t, false, f.assist)
	if f.returned {
		r := s.work(t, 10, 200)
		if r.After(s.now) {
			return false
		}
		for i := range d.tasks {
			if d.tasks[i].Status == "pending" || d.tasks[i].Status == "signed" {
				d.tasks[i].Status, d.tasks[i].ReturnedAt, d.tasks[i].ReturnReason = "returned", &r, ""
			}
		}
		reason := s.pick(returnReasons)
		for i := range d.tasks {
			if d.tasks[i].ReturnedAt != nil && d.tasks[i].ReturnedAt.Equal(r) {
				d.tasks[i].ReturnReason = reason
			}
		}
		c.HandlerID, c.SignDeadline, c.DispatchedAt = nil, nil, nil
		d.event(r, s.leaders[d.grid], cases.ActReturn, cases.Accepted, reason, false, nil)
		t = s.work(r, 5, 120)
		if t.After(s.now) {
			return false
		}
		s.dispatch(d, t, true, f.assist)
	}
	if f.stall == "sign" {
		return false
	}
	signed := s.signAt(d, t, f.lateSign)
	if signed.After(s.now) {
		return false
	}
	task := d.lead()
	signer := s.leaders[d.grid]
	if task.TargetKind == "user" {
		signer = s.workers[d.grid]
	}
	task.Status, task.SignedAt, task.SignedBy = "signed", &signed, signer.ptr()
	c.HandlerID = signer.ptr()
	d.event(signed, signer, cases.ActSign, cases.InProgress, "", true,
		map[string]any{"role": "lead", "on_time": !signed.After(task.SignDeadline)})
	t = signed
	working := s.handleWorking(d)
	hotline := c.ExternalDue != nil
	if f.suspend && !hotline && working {
		req := s.work(t, 60, 600)
		ok := s.step(req, func() {
			c.SuspendAsked, c.SuspendReason = signer.ptr(), s.pick(suspendReasons)
			d.event(req, signer, cases.ActSuspend, "", c.SuspendReason, false, map[string]any{"request": true})
		})
		if !ok {
			return false
		}
		at := s.work(req, 30, 240)
		if !s.step(at, func() {
			c.SuspendedAt, c.SuspendAsked = &at, nil
			d.event(at, s.admin, cases.ActSuspend, cases.Suspended, "", false, map[string]any{"approved": true})
		}) {
			return false
		}
		res := s.work(at, 2*420, 6*420)
		if !s.step(res, func() {
			c.SuspendedMin += int64(s.cal.WorkingBetween(at, res) / time.Minute)
			due := s.cal.Resume(*c.HandleDeadline, at, res, true).UTC().Truncate(time.Second)
			c.HandleDeadline, c.SuspendedAt = &due, nil
			d.event(res, signer, cases.ActResume, cases.InProgress, "挂起事由已消除，恢复办理。", false, map[string]any{"handle_deadline": due})
		}) {
			return false
		}
		t = res
	}
	for i := 0; i < f.notes; i++ {
		n := s.within(t, *c.HandleDeadline, 0.1+0.25*s.rng.Float64(), working)
		if !n.After(t) {
			n = s.work(t, 10, 120)
		}
		if !s.step(n, func() {
			d.event(n, signer, cases.ActNote, "", s.pick(progressNotes), s.rng.IntN(3) == 0, nil)
		}) {
			return false
		}
		t = n
	}
	if f.extend > 0 && c.ExtensionUntil == nil {
		req := s.within(t, *c.HandleDeadline, 0.4+0.3*s.rng.Float64(), working)
		if !req.After(t) {
			req = s.work(t, 10, 60)
		}
		until := s.cal.AddWorkingDays(*c.HandleDeadline, 5).UTC().Truncate(time.Second)
		if !s.step(req, func() {
			c.ExtensionUntil, c.ExtensionNote, c.ExtensionBy = &until, s.pick(extendReasons), signer.ptr()
			d.event(req, signer, cases.ActExtend, "", c.ExtensionNote, false, map[string]any{"until": until})
		}) {
			return false
		}
		ans := s.work(req, 30, 300)
		if !s.step(ans, func() {
			if f.extend == 1 {
				c.HandleDeadline = &until
				d.event(ans, s.admin, cases.ActApproveExtension, "", "同意延期。", false, map[string]any{"handle_deadline": until})
			} else {
				d.event(ans, s.admin, cases.ActDenyExtension, "", "理由不充分，请按原时限办结。", false, map[string]any{"until": until})
			}
			c.ExtensionUntil, c.ExtensionNote, c.ExtensionBy = nil, "", nil
		}) {
			return false
		}
		t = ans
	}
	due := *c.HandleDeadline
	if f.supervise && !c.Supervised {
		sv := s.within(t, due, 0.85, working)
		note := superviseNotes[0]
		if f.late {
			sv, note = s.work(due, 10, 300), superviseNotes[1]
		}
		if !sv.After(t) {
			sv = s.work(t, 10, 60)
		}
		if !s.step(sv, func() {
			c.Supervised, c.SupervisedAt = true, &sv
			d.event(sv, s.admin, cases.ActSupervise, "", note, false, nil)
		}) {
			return false
		}
		t = sv
	}
	if f.stall == "report" {
		return false
	}
	var rep time.Time
	if f.late {
		rep = s.work(due, 30, 1200)
	} else {
		rep = s.within(t, due, 0.2+0.7*s.rng.Float64(), working)
	}
	if !rep.After(t) {
		rep = s.work(t, 10, 90)
	}
	reporter := signer
	if task.TargetKind == "grid" && s.rng.IntN(5) < 2 {
		reporter = s.workers[d.grid]
	}
	if !s.report(d, rep, reporter, f.outcome) {
		return false
	}
	t = rep
	if f.rework {
		rw := s.work(t, 30, 300)
		if !s.step(rw, func() {
			c.ReportedAt = nil
			d.event(rw, s.admin, cases.ActRework, cases.InProgress, s.pick(reworkNotes), false, nil)
		}) {
			return false
		}
		rep = s.work(rw, 240, 1260)
		if !s.report(d, rep, reporter, f.outcome) {
			return false
		}
		t = rep
	}
	v := s.work(t, 20, 500)
	if f.stall == "verify" || v.After(s.now) {
		return false
	}
	s.verify(d, v, f.outcome)
	return true
}

// step runs do at t unless t lies after s.now.
func (s *caseSim) step(t time.Time, do func()) bool {
	if t.After(s.now) {
		return false
	}
	do()
	return true
}
