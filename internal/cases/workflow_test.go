package cases

import (
	"strings"
	"sync"
	"testing"
	"time"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
	"linli/internal/fixture"
)

func TestTransitionTable(t *testing.T) {
	allowed := map[Action][]State{
		ActAccept: {Received}, ActReject: {Received}, ActMerge: {Received, Accepted}, ActDispatch: {Accepted},
		ActSign: {Dispatched, InProgress}, ActReturn: {Dispatched}, ActEscalate: {Accepted, InProgress}, ActWithdraw: {Dispatched},
		ActSuspend: {InProgress}, ActDenySuspend: {InProgress}, ActResume: {Suspended}, ActReport: {InProgress}, ActVerify: {Reported},
		ActRework: {Reported}, ActCallback: {Closed}, ActReopen: {Closed},
		ActExtend:           deadlineStates,
		ActApproveExtension: deadlineStates, ActDenyExtension: deadlineStates,
		ActNote:      {Received, Accepted, Dispatched, InProgress, Suspended, Reported, Closed},
		ActSupervise: openStates,
	}
	to := map[Action]State{ActAccept: Accepted, ActReject: Closed, ActMerge: Closed, ActDispatch: Dispatched,
		ActReturn: Accepted, ActEscalate: Received, ActWithdraw: Accepted, ActSuspend: Suspended, ActResume: InProgress, ActReport: Reported,
		ActVerify: Closed, ActRework: InProgress, ActReopen: Accepted}
	all := []State{Received, Accepted, Dispatched, InProgress, Suspended, Reported, Closed}
	for _, a := range Actions {
		for _, s := range all {
			want := false
			for _, ok := range allowed[a] {
				want = want || ok == s
			}
			if got := Allowed(a, s); got != want {
				t.Errorf("%s from %s: allowed=%v, want %v", a, s, got, want)
			}
			if want && to[a] != "" && Next(a, s) != to[a] {
				t.Errorf("%s from %s leads to %s, want %s", a, s, Next(a, s), to[a])
			}
		}
	}
}

func TestWorkflow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.f.OrgContacts(t)

		t.Run("a case goes from intake to a verified close and a callback", func(t *testing.T) {
			c := w.intake("楼上漏水", "3号楼2单元501漏水，渗到401卫生间")
			if c.State != Received || !strings.HasPrefix(c.Number, "SQ001-2024-") || c.ReporterPhone != "138****5678" {
				t.Fatalf("intake: %+v", c)
			}
			if c.AcceptDeadline == nil || !c.AcceptDeadline.Equal(at(2024, 3, 4, 11, 0).UTC()) {
				t.Fatalf("accept deadline = %v, want 2 working hours later", c.AcceptDeadline)
			}
			c = w.do("admin", c.ID, ActAccept, ActionInput{})
			if want := w.cal.AddWorkingDays(w.now, 13).UTC(); c.HandleDeadline == nil || !c.HandleDeadline.Equal(want) {
				t.Fatalf("complaint handle deadline = %v, want %v (13 working days)", c.HandleDeadline, want)
			}
			c = w.do("admin", c.ID, ActDispatch, ActionInput{Lead: &Target{Kind: "grid", GridID: w.f.Grids[0].ID},
				Assist: []Target{{Kind: "department", Name: fixture.DepartmentOrg}}})
			if c.State != Dispatched || c.SignDeadline == nil {
				t.Fatalf("dispatch: %+v", c)
			}
			w.refuse("worker01", c.ID, ActSign, ActionInput{}, errs.Conflict) // the grid's leader signs
			c = w.do("grid01", c.ID, ActSign, ActionInput{})
			if c.State != InProgress || c.HandlerID == nil || *c.HandlerID != w.f.Users["grid01"].UserID {
				t.Fatalf("sign: %+v", c)
			}
			w.do("worker01", c.ID, ActNote, ActionInput{Note: "已联系501住户，约定明天上门查看", Public: true})
			c = w.do("grid01", c.ID, ActReport, ActionInput{Note: "已更换501卫生间防水层，401不再渗水"})
			w.refuse("grid01", c.ID, ActVerify, ActionInput{Outcome: Resolved}, errs.Forbidden)
			c = w.do("admin", c.ID, ActVerify, ActionInput{Outcome: Resolved})
			if c.State != Closed || c.Outcome != Resolved || c.CallbackDue == nil || c.HandleMinutes == nil {
				t.Fatalf("verify: %+v", c)
			}
			c = w.do("admin", c.ID, ActCallback, ActionInput{Resolved: yes(), Satisfaction: Satisfied})
			if c.State != Closed || c.Satisfaction != "satisfied" {
				t.Fatalf("callback: %+v", c)
			}
			w.refuse("admin", c.ID, ActCallback, ActionInput{Resolved: yes(), Satisfaction: Satisfied}, errs.Conflict)
			d := w.get(c.ID)
			var actions []string
			for _, e := range d.Events {
				actions = append(actions, string(e.Action))
			}
			if got := strings.Join(actions, ","); got != "intake,accept,dispatch,sign,note,report,verify,callback" {
				t.Fatalf("timeline = %s", got)
			}
		})

		t.Run("the verifier of a report must not be the one who reported it", func(t *testing.T) {
			c := w.intake("路灯不亮", "小区东门路灯不亮")
			w.do("admin", c.ID, ActAccept, ActionInput{})
			w.do("admin", c.ID, ActDispatch, ActionInput{Lead: &Target{Kind: "user", UserID: w.f.Users["admin"].UserID}})
			w.do("admin", c.ID, ActSign, ActionInput{})
			w.do("admin", c.ID, ActReport, ActionInput{Note: "已修复"})
			msg := w.refuse("admin", c.ID, ActVerify, ActionInput{Outcome: Resolved}, errs.Forbidden)
			if !strings.Contains(msg, "不能核查自己反馈") {
				t.Fatalf("message = %q", msg)
			}
			w.do("street", c.ID, ActVerify, ActionInput{Outcome: Resolved})
		})

		t.Run("illegal actions answer in Chinese and change nothing", func(t *testing.T) {
			c := w.intake("噪音扰民", "夜间装修噪音")
			msg := w.refuse("admin", c.ID, ActSign, ActionInput{}, errs.Conflict)
			if !strings.Contains(msg, "待受理") {
				t.Fatalf("message = %q", msg)
			}
			w.refuse("grid01", c.ID, ActAccept, ActionInput{}, errs.Forbidden)
			w.refuse("admin", c.ID, ActReject, ActionInput{}, errs.Invalid) // a reason is required
			w.refuse("other", c.ID, ActAccept, ActionInput{}, errs.NotFound)
			w.refuse("worker02", c.ID, ActNote, ActionInput{Note: "看看"}, errs.NotFound)
			w.refuse("admin", c.ID, ActDispatch, ActionInput{}, errs.Conflict)
			w.do("admin", c.ID, ActAccept, ActionInput{})
			w.refuse("admin", c.ID, ActDispatch, ActionInput{}, errs.Invalid)
			w.refuse("admin", c.ID, ActDispatch, ActionInput{Lead: &Target{Kind: "grid", GridID: w.f.OtherGrid.ID}}, errs.Invalid)
			w.refuse("admin", c.ID, ActAccept, ActionInput{Version: 1}, errs.Conflict)
			w.do("admin", c.ID, ActDispatch, ActionInput{Lead: &Target{Kind: "grid", GridID: w.f.Grids[0].ID}})
			w.refuse("grid02", c.ID, ActSign, ActionInput{}, errs.NotFound)
			w.refuse("grid01", c.ID, ActReport, ActionInput{Note: "x"}, errs.Conflict)
		})

		t.Run("return, reject, merge, escalate, rework and reopen", func(t *testing.T) {
			c := w.intake("垃圾未清运", "2号楼门口垃圾三天未清运")
			w.do("admin", c.ID, ActAccept, ActionInput{})
			w.do("admin", c.ID, ActDispatch, ActionInput{Lead: &Target{Kind: "grid", GridID: w.f.Grids[0].ID}})
			w.refuse("grid01", c.ID, ActReturn, ActionInput{}, errs.Invalid)
			if c = w.do("grid01", c.ID, ActReturn, ActionInput{Note: "不属于本网格"}); c.State != Accepted || c.HandlerID != nil {
				t.Fatalf("return: %+v", c)
			}
			w.do("admin", c.ID, ActDispatch, ActionInput{Lead: &Target{Kind: "grid", GridID: w.f.Grids[0].ID}})
			w.do("grid01", c.ID, ActSign, ActionInput{})
			w.do("grid01", c.ID, ActReport, ActionInput{Note: "已清运"})
			if c = w.do("admin", c.ID, ActRework, ActionInput{Note: "现场仍有垃圾"}); c.State != InProgress {
				t.Fatalf("rework: %+v", c)
			}
			if c = w.do("grid01", c.ID, ActEscalate, ActionInput{Note: "需社区协调环卫"}); c.State != Received || c.RegionID != w.f.Community.ID {
				t.Fatalf("escalate goes one level up, to the community's to-accept queue: %+v", c)
			}
			w.do("admin", c.ID, ActAccept, ActionInput{})
			if c = w.do("admin", c.ID, ActEscalate, ActionInput{Note: "需街道协调环卫"}); c.State != Received || c.RegionID != w.f.Street.ID {
				t.Fatalf("escalate from the community goes to the street: %+v", c)
			}
			if _, err := w.svc.Act(w.ctx("admin"), c.ID, ActNote, ActionInput{Note: "x"}); !errs.Is(err, errs.Forbidden) {
				t.Fatalf("the community reads an escalated case it acted on but acts no more: %v", err) // now the street's
			}
			w.do("street", c.ID, ActAccept, ActionInput{})
			w.do("street", c.ID, ActDispatch, ActionInput{Lead: &Target{Kind: "department", Name: fixture.DepartmentOrg}})

			w.refuse("admin", w.intake("垃圾", "门口垃圾").ID, ActMerge, ActionInput{MergeInto: c.ID}, errs.Invalid)
			m := w.intake("垃圾清运不及时", "3号楼垃圾桶满了")
			w.do("admin", m.ID, ActAccept, ActionInput{})
			dup := w.intake("垃圾", "3号楼门口有垃圾")
			if dup = w.do("admin", dup.ID, ActMerge, ActionInput{MergeInto: m.ID}); dup.State != Closed || dup.Outcome != Duplicate {
				t.Fatalf("merge: %+v", dup)
			}
			if got := w.getAs("admin", m.ID).Merged; len(got) != 1 || got[0].ID != dup.ID {
				t.Fatalf("merged list = %+v", got)
			}
			rej := w.intake("咨询", "问一下天气")
			if rej = w.do("admin", rej.ID, ActReject, ActionInput{Note: "非政务事项"}); rej.Outcome != Rejected {
				t.Fatalf("reject: %+v", rej)
			}
			w.refuse("grid01", rej.ID, ActReopen, ActionInput{Note: "应予受理"}, errs.Forbidden) // who rejects takes it back
			if rej = w.do("admin", rej.ID, ActReopen, ActionInput{Note: "经核实属社区事项，应予受理"}); rej.State != Received ||
				rej.Outcome != "" || rej.ClosedAt != nil || rej.AcceptDeadline == nil || !rej.AcceptDeadline.After(w.now) {
				t.Fatalf("a rejected case reopens into the to-accept queue with a new accept deadline: %+v", rej)
			}

			r := w.toProgress(w.intake("楼道灯", "楼道灯坏了"))
			w.do("grid01", r.ID, ActReport, ActionInput{Note: "已更换"})
			w.do("admin", r.ID, ActVerify, ActionInput{Outcome: Resolved})
			if r = w.do("admin", r.ID, ActReopen, ActionInput{Note: "居民反映又坏了"}); r.State != Accepted || r.ReopenCount != 1 || r.ClosedAt != nil {
				t.Fatalf("reopen: %+v", r)
			}
		})

		t.Run("a dissatisfied callback with a subjective cause reopens the case", func(t *testing.T) {
			c := w.toProgress(w.intake("漏水", "厨房漏水"))
			w.do("grid01", c.ID, ActReport, ActionInput{Note: "已处理"})
			w.do("admin", c.ID, ActVerify, ActionInput{Outcome: Partly})
			w.refuse("admin", c.ID, ActCallback, ActionInput{Resolved: no(), Satisfaction: Dissatisfied}, errs.Invalid)
			c = w.do("admin", c.ID, ActCallback, ActionInput{Resolved: no(), Satisfaction: Dissatisfied, Cause: "subjective"})
			if c.State != Accepted || c.ReopenCount != 1 {
				t.Fatalf("callback 不满意: %+v", c)
			}
			o := w.toProgress(w.intake("漏水2", "厨房又漏水"))
			w.do("grid01", o.ID, ActReport, ActionInput{Note: "已处理"})
			w.do("admin", o.ID, ActVerify, ActionInput{Outcome: Explained})
			if o = w.do("admin", o.ID, ActCallback, ActionInput{Resolved: no(), Satisfaction: Dissatisfied, Cause: "objective"}); o.State != Closed {
				t.Fatalf("objective cause must not reopen: %+v", o)
			}
		})

		t.Run("the resident follows and rates through the tracking code", func(t *testing.T) {
			c := w.toProgress(w.intake("漏水3", "卫生间漏水"))
			w.do("grid01", c.ID, ActNote, ActionInput{Note: "内部：住户态度强硬"})
			w.do("grid01", c.ID, ActReport, ActionInput{Note: "已修好"})
			w.do("admin", c.ID, ActVerify, ActionInput{Outcome: Resolved})
			pc, err := w.svc.Track(w.ctx("admin"), c.TrackingCode)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range pc.Events {
				if strings.Contains(e.Note, "内部") {
					t.Fatalf("public view shows an internal note: %+v", pc.Events)
				}
			}
			if !pc.CanRate {
				t.Fatal("closed case should be rateable")
			}
			if _, err := w.svc.Rate(w.ctx("admin"), c.TrackingCode, Rating{Resolved: yes(), Satisfaction: Basic}); err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.Rate(w.ctx("admin"), c.TrackingCode, Rating{Resolved: yes(), Satisfaction: Basic}); !errs.Is(err, errs.Conflict) {
				t.Fatalf("second rating: %v", err)
			}
			if _, err := w.svc.Track(w.ctx("admin"), "not-a-real-code-at-all"); !errs.Is(err, errs.NotFound) {
				t.Fatalf("bad code: %v", err)
			}
		})
	})
}

func (w *world) getAs(user string, id int64) *Detail {
	w.t.Helper()
	d, err := w.svc.Get(w.ctx(user), id)
	if err != nil {
		w.t.Fatalf("get %d as %s: %v", id, user, err)
	}
	return d
}

func TestSuspendResumeMovesTheDeadline(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		c := w.toProgress(w.intake("漏水", "楼上漏水"))
		due := *c.HandleDeadline
		w.set(at(2024, 3, 5, 10, 0)) // Tuesday
		c = w.do("grid01", c.ID, ActSuspend, ActionInput{Note: "等待住户回京"})
		if c.State != InProgress || c.SuspendAsked == nil {
			t.Fatalf("a grid leader's suspend is a request: %+v", c)
		}
		c = w.do("admin", c.ID, ActSuspend, ActionInput{})
		if c.State != Suspended || c.SuspendedAt == nil {
			t.Fatalf("approved suspend: %+v", c)
		}
		suspended := w.now
		w.set(at(2024, 3, 7, 10, 0)) // Thursday: two working days later
		c = w.do("grid01", c.ID, ActResume, ActionInput{})
		left := w.cal.WorkingBetween(suspended, due)
		want := w.cal.AddWorkingHours(w.now, left).UTC()
		if c.State != InProgress || !c.HandleDeadline.Equal(want) || !c.HandleDeadline.After(due) {
			t.Fatalf("deadline after resume = %v, want %v (was %v)", c.HandleDeadline, want, due)
		}
		if c.SuspendedMin != 14*60 {
			t.Fatalf("suspended minutes = %d, want two working days (840)", c.SuspendedMin)
		}
		w.refuse("grid01", c.ID, ActExtend, ActionInput{Note: "需采购材料"}, errs.Invalid)
		until := c.HandleDeadline.Add(72 * time.Hour)
		c = w.do("grid01", c.ID, ActExtend, ActionInput{Note: "需采购材料", Until: &until})
		w.refuse("grid01", c.ID, ActApproveExtension, ActionInput{}, errs.Forbidden)
		c = w.do("admin", c.ID, ActApproveExtension, ActionInput{})
		if !c.HandleDeadline.Equal(until.UTC().Truncate(time.Second)) || c.ExtensionUntil != nil {
			t.Fatalf("extension: %+v", c)
		}
		w.refuse("admin", c.ID, ActDenyExtension, ActionInput{}, errs.Conflict)
	})
}

func TestConcurrentActionsOneWins(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		c := w.intake("漏水", "楼上漏水")
		var wg sync.WaitGroup
		results := make([]error, 2)
		for i := range results {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				_, results[i] = w.svc.Act(w.ctx("admin"), c.ID, ActAccept, ActionInput{Version: c.Version})
			}(i)
		}
		wg.Wait()
		ok, conflicts := 0, 0
		for _, err := range results {
			switch {
			case err == nil:
				ok++
			case errs.Is(err, errs.Conflict):
				conflicts++
				if errs.MessageOf(err) != "案件已被他人处理，请刷新后重试" {
					t.Fatalf("conflict message = %q", errs.MessageOf(err))
				}
			default:
				t.Fatalf("unexpected: %v", err)
			}
		}
		if ok != 1 || conflicts != 1 {
			t.Fatalf("ok=%d conflicts=%d", ok, conflicts)
		}
		dd := w.get(c.ID)
		accepts := 0
		for _, e := range dd.Events {
			if e.Action == ActAccept {
				accepts++
			}
		}
		if accepts != 1 || dd.Version != 2 {
			t.Fatalf("timeline has %d accepts, version %d", accepts, dd.Version)
		}
	})
}

func TestOverdueSweepAndReminders(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		c := w.intake("漏水", "楼上漏水")
		if len(w.jobs) != 2 || w.jobs[0].Kind != "accept" || w.jobs[0].Stage != "warn" || w.jobs[1].Stage != "due" {
			t.Fatalf("reminders = %+v", w.jobs)
		}
		w.set(at(2024, 3, 4, 12, 0)) // past the 2 working hours
		n, err := w.svc.SweepOverdue(w.ctx("admin"))
		if err != nil || n != 1 {
			t.Fatalf("sweep flagged %d, %v", n, err)
		}
		if n, _ := w.svc.SweepOverdue(w.ctx("admin")); n != 0 {
			t.Fatalf("second sweep flagged %d again", n)
		}
		list, total, err := w.svc.List(w.ctx("admin"), Filter{Queue: QueueOverdue})
		if err != nil || total != 1 || list[0].ID != c.ID || list[0].SLA.Status != "late" {
			t.Fatalf("overdue list = %d %+v %v", total, list, err)
		}
		if err := w.svc.RunReminder(w.ctx("admin"), []byte(`{"case_id":`+itoa(c.ID)+`,"kind":"accept","deadline":"`+
			c.AcceptDeadline.Format(time.RFC3339)+`","stage":"due"}`)); err != nil {
			t.Fatal(err)
		}
		if w.notices[w.f.Users["admin"].UserID] == 0 {
			t.Fatal("the community admin got no reminder")
		}
		c = w.do("admin", c.ID, ActAccept, ActionInput{})
		if c.Overdue {
			t.Fatal("accepting clears the overdue flag: the handle clock starts")
		}
	})
}
