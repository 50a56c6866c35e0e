package cases

import (
	"strings"
	"testing"
	"time"

	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/errs"
	"linli/internal/workday"
)

// The rules of model.go and limits.go — who may take an action, what a case must hold for it, and
// which clock runs — each at its edges and without a database, so that the mutation tester can
// run them quickly (docs/development.md, "Mutation testing").

func actor(role auth.Role, userID int64) *auth.Principal {
	return &auth.Principal{UserID: userID, Role: role, RegionPath: "/1/"}
}

func TestCheckSaysWhoMayAct(t *testing.T) {
	admin, worker, member := actor(auth.CommunityAdmin, 1), actor(auth.GridWorker, 2), actor(auth.PartyMember, 3)
	inProgress, dispatched := &Case{State: InProgress}, &Case{State: Dispatched}
	reporter := int64(2)
	reported := &Case{State: Reported, ReportedBy: &reporter}
	for _, c := range []struct {
		name string
		a    Action
		c    *Case
		who  Actor
		want errs.Code // "" for allowed
		text string
	}{
		{"an unknown action", Action("fly"), inProgress, Actor{Principal: admin}, errs.Invalid, "未知的操作"},
		{"nobody signed in", ActAccept, &Case{State: Received}, Actor{}, errs.Unauthorized, "请先登录"},
		{"the wrong state", ActAccept, inProgress, Actor{Principal: admin}, errs.Conflict, "当前状态"},
		{"a dispatcher accepts", ActAccept, &Case{State: Received}, Actor{Principal: admin}, "", ""},
		{"a grid worker may not accept", ActAccept, &Case{State: Received}, Actor{Principal: worker}, errs.Forbidden, "网格员"},
		{"a worker who holds no task", ActReport, inProgress, Actor{Principal: worker}, errs.Forbidden, "不是该案件的承办人"},
		{"a co-handler reports", ActReport, inProgress, Actor{Principal: worker, Assignee: true}, errs.Forbidden, "协办单位"},
		{"the lead handler reports", ActReport, inProgress, Actor{Principal: worker, Assignee: true, LeadAssignee: true}, "", ""},
		{"a co-handler returns", ActReturn, dispatched, Actor{Principal: worker, Assignee: true}, errs.Forbidden, "协办单位"},
		{"a co-handler escalates", ActEscalate, inProgress, Actor{Principal: worker, Assignee: true}, errs.Forbidden, "协办单位"},
		{"a co-handler suspends", ActSuspend, inProgress, Actor{Principal: worker, Assignee: true}, "", ""},
		{"an assignee with nothing to sign", ActSign, dispatched, Actor{Principal: worker, Assignee: true, LeadAssignee: true}, errs.Conflict, "没有待您签收"},
		{"an assignee signs", ActSign, dispatched, Actor{Principal: worker, Assignee: true, Signable: true}, "", ""},
		{"an assignee without the right to handle", ActSign, dispatched, Actor{Principal: member, Assignee: true, Signable: true}, errs.Forbidden, "党员"},
		{"a dispatcher suspends without a task", ActSuspend, inProgress, Actor{Principal: admin}, "", ""},
		{"a dispatcher signs without a task", ActSign, dispatched, Actor{Principal: admin}, errs.Forbidden, "不是该案件的承办人"},
		{"the reporter verifies", ActVerify, reported, Actor{Principal: actor(auth.CommunityAdmin, 2)}, errs.Forbidden, "办结反馈人"},
		{"someone else verifies", ActVerify, reported, Actor{Principal: admin}, "", ""},
		{"the reporter adds a note", ActNote, reported, Actor{Principal: worker}, "", ""},
		{"the reporter, an admin, sends it back", ActRework, reported, Actor{Principal: actor(auth.CommunityAdmin, 2)}, "", ""},
		{"a report of nobody known", ActVerify, &Case{State: Reported}, Actor{Principal: admin}, "", ""},
	} {
		err := Check(c.a, c.c, c.who)
		if c.want == "" && err != nil || c.want != "" && (!errs.Is(err, c.want) || !strings.Contains(errs.MessageOf(err), c.text)) {
			t.Errorf("%s: %v, want %s %q", c.name, err, c.want, c.text)
		}
	}
}

func TestCheckStateNeedsWhatTheActionActsOn(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	before, after, asker := now.Add(-time.Hour), now.Add(time.Hour), int64(7)
	for _, c := range []struct {
		name string
		a    Action
		c    Case
		ok   bool
	}{
		{"approve no extension", ActApproveExtension, Case{State: InProgress}, false},
		{"approve an extension", ActApproveExtension, Case{State: InProgress, ExtensionUntil: &after}, true},
		{"deny no extension", ActDenyExtension, Case{State: Accepted}, false},
		{"deny an extension", ActDenyExtension, Case{State: Accepted, ExtensionUntil: &after}, true},
		{"deny no suspension", ActDenySuspend, Case{State: InProgress}, false},
		{"deny a suspension", ActDenySuspend, Case{State: InProgress, SuspendAsked: &asker}, true},
		{"extend twice", ActExtend, Case{State: InProgress, ExtensionUntil: &after}, false},
		{"extend", ActExtend, Case{State: InProgress}, true},
		{"call back a rejected case", ActCallback, Case{State: Closed, Outcome: Rejected, ClosedAt: &now}, false},
		{"reopen a merged case", ActReopen, Case{State: Closed, Outcome: Duplicate, ClosedAt: &now}, false},
		{"reopen a resolved case", ActReopen, Case{State: Closed, Outcome: Resolved, ClosedAt: &now, CallbackAt: &after}, true},
		{"call back a resolved case", ActCallback, Case{State: Closed, Outcome: Resolved, ClosedAt: &now}, true},
		{"call back again", ActCallback, Case{State: Closed, Outcome: Partly, ClosedAt: &now, CallbackAt: &after}, false},
		{"call back at the closing moment", ActCallback, Case{State: Closed, Outcome: Explained, ClosedAt: &now, CallbackAt: &now}, false},
		{"call back after a reopened case closed again", ActCallback, Case{State: Closed, Outcome: NotOurs, ClosedAt: &now, CallbackAt: &before}, true},
		{"a callback without a closing time", ActCallback, Case{State: Closed, Outcome: Resolved, CallbackAt: &before}, true},
		{"supervise twice", ActSupervise, Case{State: InProgress, Supervised: true}, false},
		{"supervise", ActSupervise, Case{State: Reported}, true},
		{"note a closed case", ActNote, Case{State: Closed, Outcome: Rejected}, true},
	} {
		if err := CheckState(c.a, &c.c); (err == nil) != c.ok || err != nil && !errs.Is(err, errs.Conflict) {
			t.Errorf("%s: %v, want ok %v", c.name, err, c.ok)
		}
	}
	for o, handled := range map[Outcome]bool{Resolved: true, Partly: true, Explained: true, NotOurs: true, Rejected: false,
		Duplicate: false, "": false} {
		if o.Handled() != handled {
			t.Errorf("%q handled = %v", o, !handled)
		}
	}
	for _, c := range []struct {
		a        Action
		from, to State
	}{{ActAccept, Received, Accepted}, {ActSign, Dispatched, InProgress}, {ActSign, InProgress, InProgress},
		{ActNote, Reported, Reported}, {ActSupervise, Suspended, Suspended}, {ActReopen, Closed, Accepted}} {
		if got := Next(c.a, c.from); got != c.to {
			t.Errorf("%s from %s leads to %s, want %s", c.a, c.from, got, c.to)
		}
	}
	if Allowed(Action("fly"), Received) || Allowed(ActAccept, Accepted) || !Allowed(ActMerge, Accepted) {
		t.Error("Allowed is wrong")
	}
	if Closed.Open() || State("").Open() || !Suspended.Open() {
		t.Error("Open is wrong")
	}
}

// Which clock runs in which state, and how it reads: remaining time, the share used, paused while
// suspended, natural time for urgent signing, the suspended time given back to the handle clock.
func TestTheClockThatRuns(t *testing.T) {
	sh := clock.Shanghai()
	mon9 := time.Date(2026, 11, 30, 9, 0, 0, 0, sh) // a Monday
	at := func(d time.Duration) *time.Time { v := mon9.Add(d); return &v }
	done := at(48 * time.Hour)
	for _, c := range []struct {
		name  string
		c     Case
		kind  string
		class string
	}{
		{"received", Case{State: Received, ReceivedAt: mon9, AcceptDeadline: at(4 * time.Hour)}, "accept", "sla-ok"},
		{"dispatched", Case{State: Dispatched, DispatchedAt: &mon9, SignDeadline: at(time.Hour)}, "sign", "sla-late"},
		{"dispatched, no time", Case{State: Dispatched, SignDeadline: at(time.Hour)}, "", ""},
		{"in progress", Case{State: InProgress, AcceptedAt: &mon9, HandleDeadline: done}, "handle", "sla-ok"},
		{"accepted, no time", Case{State: Accepted, HandleDeadline: done}, "", ""},
		{"reported", Case{State: Reported, AcceptedAt: &mon9, HandleDeadline: at(2*time.Hour + 20*time.Minute)}, "handle", "sla-amber"},
		{"closed, to call back", Case{State: Closed, Outcome: Resolved, ClosedAt: &mon9, CallbackDue: done}, "callback", "sla-ok"},
		{"closed, called back", Case{State: Closed, Outcome: Resolved, ClosedAt: &mon9, CallbackAt: at(time.Hour), CallbackDue: done}, "", ""},
		{"rejected", Case{State: Closed, Outcome: Rejected, ClosedAt: &mon9, CallbackDue: done}, "", ""},
		{"closed, no time", Case{State: Closed, Outcome: Resolved, CallbackDue: done}, "", ""},
		{"no deadline", Case{State: Received, ReceivedAt: mon9}, "accept", ""},
	} {
		c.c.Priority = Normal
		c.c.ComputeSLA(nil, mon9.Add(2*time.Hour))
		if c.c.SLA.Kind != c.kind || c.c.SLA.Class() != c.class || c.c.SLA.Label != slaLabels[c.kind] {
			t.Errorf("%s: %+v, want %s %q", c.name, c.c.SLA, c.kind, c.class)
		}
	}

	// Natural time (no calendar): 4 hours from 9:00, read at 11:00.
	k := Case{State: Received, Priority: Normal, ReceivedAt: mon9, AcceptDeadline: at(4 * time.Hour)}
	k.ComputeSLA(nil, mon9.Add(2*time.Hour))
	if k.SLA.RemainingSeconds != 7200 || k.SLA.Used != 0.5 || k.SLA.Paused || k.SLA.Text != "剩余 2小时" {
		t.Errorf("natural time: %+v", k.SLA)
	}

	// Suspended at 10:00: read at 11:00 the clock still says what it said at 10:00.
	s := Case{State: Suspended, Priority: Normal, AcceptedAt: &mon9, HandleDeadline: at(4 * time.Hour), SuspendedAt: at(time.Hour)}
	s.ComputeSLA(nil, mon9.Add(2*time.Hour))
	if s.SLA.RemainingSeconds != 3*3600 || !s.SLA.Paused || s.SLA.Text != "已挂起，剩余 3小时" {
		t.Errorf("suspended: %+v", s.SLA)
	}
	s.State = InProgress // resumed: only a suspended case's clock stands, whatever moment is left behind
	s.ComputeSLA(nil, mon9.Add(2*time.Hour))
	if s.SLA.RemainingSeconds != 2*3600 || s.SLA.Paused {
		t.Errorf("resumed: %+v", s.SLA)
	}
	s.State = Suspended
	s.SuspendedAt = nil // suspended, the moment unknown: the clock reads now
	s.ComputeSLA(nil, mon9.Add(2*time.Hour))
	if s.SLA.RemainingSeconds != 2*3600 || s.SLA.Paused {
		t.Errorf("suspended without a moment: %+v", s.SLA)
	}

	// Working time: Friday 17:00 to the Monday 10:00 deadline is 2½ working hours; read on the
	// Saturday, 1 working hour is left (Friday 17:00–18:00 used), natural time says 40 hours.
	cal := workday.New(nil, workday.DefaultHours())
	fri5 := time.Date(2026, 11, 27, 17, 0, 0, 0, sh)
	sat := time.Date(2026, 11, 28, 18, 0, 0, 0, sh)
	monDue := time.Date(2026, 11, 30, 10, 0, 0, 0, sh)
	w := Case{State: InProgress, Priority: Normal, AcceptedAt: &fri5, HandleDeadline: &monDue}
	w.ComputeSLA(cal, sat)
	if w.SLA.RemainingSeconds != int64(90*time.Minute/time.Second) {
		t.Errorf("working time: %+v", w.SLA)
	}
	// 特急 handling runs around the clock, unless the limit came from outside (a hotline's).
	w.Priority = Critical
	w.ComputeSLA(cal, sat)
	if w.SLA.RemainingSeconds != int64(40*time.Hour/time.Second) {
		t.Errorf("critical, natural time: %+v", w.SLA)
	}
	w.ExternalDue = &monDue
	w.ComputeSLA(cal, sat)
	if w.SLA.RemainingSeconds != int64(90*time.Minute/time.Second) {
		t.Errorf("critical with an outside limit, working time: %+v", w.SLA)
	}
	// Accepting a 特急 case runs around the clock too (issue 9: its 30-minute accept limit).
	r := Case{State: Received, Priority: Critical, ReceivedAt: fri5, AcceptDeadline: &monDue}
	r.ComputeSLA(cal, sat)
	if r.SLA.RemainingSeconds != int64(40*time.Hour/time.Second) {
		t.Errorf("critical accepting, natural time: %+v", r.SLA)
	}
	// Time once spent suspended is given back to the handle clock only, not to the callback's.
	cb := Case{State: Closed, Priority: Normal, Outcome: Resolved, ClosedAt: &fri5, CallbackDue: &monDue, SuspendedMin: 60}
	cb.ComputeSLA(cal, sat)
	if cb.SLA.Kind != "callback" || cb.SLA.Used != 0.4 {
		t.Errorf("callback after a suspension: %+v", cb.SLA)
	}
	// 紧急 signing runs around the clock; 一般 signing in working time.
	d := Case{State: Dispatched, Priority: Urgent, DispatchedAt: &fri5, SignDeadline: &monDue}
	d.ComputeSLA(cal, sat)
	if d.SLA.RemainingSeconds != int64(40*time.Hour/time.Second) {
		t.Errorf("urgent signing: %+v", d.SLA)
	}
	d.Priority = Normal
	d.ComputeSLA(cal, sat)
	if d.SLA.RemainingSeconds != int64(90*time.Minute/time.Second) {
		t.Errorf("normal signing: %+v", d.SLA)
	}
	// An hour spent suspended moves the handle clock's start, so less of the limit is used.
	w.Priority, w.ExternalDue = Normal, nil
	w.ComputeSLA(cal, sat)
	used := w.SLA.Used
	w.SuspendedMin = 60
	w.ComputeSLA(cal, sat)
	if used != 0.4 || w.SLA.Used != 0 {
		t.Errorf("used %v without suspension, %v after an hour suspended; want 0.4 and 0", used, w.SLA.Used)
	}
	w.ComputeSLA(nil, sat) // natural time has no working hours to give back
	if w.SLA.Used != float64(25)/float64(65) {
		t.Errorf("natural time ignores the suspended minutes: used %v", w.SLA.Used)
	}
}

func TestWarningAtEightyPercent(t *testing.T) {
	sh := clock.Shanghai()
	cal := workday.New(nil, workday.DefaultHours())
	fri5 := time.Date(2026, 11, 27, 17, 0, 0, 0, sh)
	monDue := time.Date(2026, 11, 30, 12, 0, 0, 0, sh) // 1 + 3½ working hours
	if got, want := warnAt(cal, fri5, monDue, true), time.Date(2026, 11, 30, 11, 6, 0, 0, sh).UTC(); !got.Equal(want) {
		t.Errorf("working: %s, want %s", got, want)
	}
	if got, want := warnAt(cal, fri5, fri5.Add(10*time.Hour), false), fri5.Add(8*time.Hour).UTC(); !got.Equal(want) {
		t.Errorf("natural: %s, want %s", got, want)
	}
}
