package cases

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
	"linli/internal/fixture"
)

// has reports whether user's list under f holds case id.
func (w *world) has(user string, f Filter, id int64) bool {
	w.t.Helper()
	list, _, err := w.svc.List(w.ctx(user), f)
	if err != nil {
		w.t.Fatalf("%s lists %+v: %v", user, f, err)
	}
	return slices.ContainsFunc(list, func(c Case) bool { return c.ID == id })
}

func TestEscalationGoesOneLevelUpIntoThatLevelsToAcceptQueue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		c := w.toProgress(w.intake("路灯损坏", "3号楼前路灯不亮一周"))

		c = w.do("grid01", c.ID, ActEscalate, ActionInput{Note: "需社区协调供电所"})
		if c.State != Received || c.RegionID != w.f.Community.ID {
			t.Fatalf("a grid's escalation lands in the community's to-accept queue: %s at region %d", c.State, c.RegionID)
		}
		if !w.has("admin", Filter{Queue: QueueToAccept}, c.ID) {
			t.Fatal("the community admin does not find the escalated case in 待受理")
		}
		if w.has("street", Filter{Queue: QueueToAccept}, c.ID) && c.RegionID == w.f.Street.ID {
			t.Fatal("the escalation skipped the community")
		}
		if d := w.getAs("admin", c.ID); !slices.Contains(d.Actions, ActAccept) {
			t.Fatalf("the community admin may not accept the escalated case: %v", d.Actions)
		}
		w.do("admin", c.ID, ActAccept, ActionInput{})
		told := w.notices[w.f.Users["street"].UserID]
		c = w.do("admin", c.ID, ActEscalate, ActionInput{Note: "需街道协调"})
		if w.notices[w.f.Users["street"].UserID] != told+1 {
			t.Error("the street admin is not told of the escalated case")
		}
		if c.RegionID != w.f.Street.ID || !w.has("street", Filter{Queue: QueueToAccept}, c.ID) {
			t.Fatalf("the community's escalation lands in the street's 待受理: region %d", c.RegionID)
		}
		w.do("street", c.ID, ActAccept, ActionInput{})
		w.do("street", c.ID, ActDispatch, ActionInput{Lead: &Target{Kind: "grid", GridID: w.f.Grids[1].ID}})

		t.Run("whoever acted finds the case again in 经办 and reads it", func(t *testing.T) {
			for _, user := range []string{"grid01", "admin"} {
				if !w.has(user, Filter{Involved: true}, c.ID) {
					t.Errorf("%s does not find the case in 经办 after it moved on", user)
				}
			}
			if d := w.getAs("grid01", c.ID); len(d.Actions) != 0 {
				t.Errorf("grid01 may still act on a case that moved on: %v", d.Actions)
			}
			if w.has("worker02", Filter{Involved: true}, c.ID) {
				t.Error("worker02 never acted on the case but finds it in 经办")
			}
		})
		t.Run("the grid that holds it now has it in its tasks", func(t *testing.T) {
			if !w.has("grid02", Filter{Queue: QueueMine}, c.ID) {
				t.Fatal("grid02 does not see the re-dispatched case in 我的待办")
			}
		})
		t.Run("the case is counted once, in the grid that holds it", func(t *testing.T) {
			fig := func(user string, grid int64) int64 {
				f, err := w.svc.Figures(w.ctx(user), FigureFilter{GridID: grid, From: "2024-03-01", To: "2024-03-31"})
				if err != nil {
					t.Fatal(err)
				}
				return f["accepted"].(int64)
			}
			if a, b := fig("street", w.f.Grids[0].ID), fig("street", w.f.Grids[1].ID); a != 0 || b != 1 {
				t.Errorf("the street counts grid 01 %d, grid 02 %d; want 0 and 1", a, b)
			}
			if a, b := fig("grid01", 0), fig("grid02", 0); a != 0 || b != 1 {
				t.Errorf("the grids count themselves %d and %d; want 0 and 1", a, b)
			}
		})
		t.Run("the district is the top", func(t *testing.T) {
			top := w.intake("区级事项", "需区里协调")
			w.do("admin", top.ID, ActAccept, ActionInput{})
			for _, step := range []struct {
				user   string
				region int64
			}{{"admin", w.f.Community.ID}, {"admin", w.f.Street.ID}, {"street", w.f.District.ID}} {
				if got := w.do(step.user, top.ID, ActEscalate, ActionInput{Note: "上报"}); got.RegionID != step.region {
					t.Fatalf("%s escalates to region %d, want %d", step.user, got.RegionID, step.region)
				}
				next := map[int64]string{w.f.Community.ID: "admin", w.f.Street.ID: "street", w.f.District.ID: "district"}[step.region]
				w.do(next, top.ID, ActAccept, ActionInput{})
			}
			w.refuse("district", top.ID, ActEscalate, ActionInput{Note: "再上报"}, errs.Conflict)
		})
	})
}

func TestDepartmentsAndUnitsSignHandleAndReportAndTheDispatcherWithdraws(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.f.OrgContacts(t)
		c := w.intake("井盖缺失", "3号楼北侧井盖缺失")
		w.do("admin", c.ID, ActAccept, ActionInput{})
		dept := &Target{Kind: "department", Name: fixture.DepartmentOrg}
		w.do("admin", c.ID, ActDispatch, ActionInput{Lead: dept})
		if !w.has("dept01", Filter{Queue: QueueMine}, c.ID) {
			t.Fatal("the department's contact does not see its task")
		}
		// 撤回 and 改派: the unsigned task is taken back and the case goes to the unit instead.
		if c = w.do("admin", c.ID, ActWithdraw, ActionInput{}); c.State != Accepted {
			t.Fatalf("withdraw: %s", c.State)
		}
		if w.has("dept01", Filter{Queue: QueueMine}, c.ID) || w.has("dept01", Filter{}, c.ID) {
			t.Fatal("a withdrawn task stays in the department's list")
		}
		w.do("admin", c.ID, ActDispatch, ActionInput{Lead: &Target{Kind: "unit", Name: fixture.UnitOrg}})
		w.do("unit01", c.ID, ActSign, ActionInput{})
		w.refuse("admin", c.ID, ActWithdraw, ActionInput{}, errs.Conflict) // signed: no longer withdrawn
		w.do("unit01", c.ID, ActReport, ActionInput{Note: "已补装井盖"})
		if c = w.do("admin", c.ID, ActVerify, ActionInput{Outcome: Resolved}); c.State != Closed {
			t.Fatalf("verify: %s", c.State)
		}
		if w.has("unit01", Filter{Queue: QueueMine}, c.ID) || !w.has("unit01", Filter{Involved: true}, c.ID) {
			t.Fatal("a finished task stays in the unit's tasks, or leaves its 经办 list")
		}

		t.Run("a returned task drops out of the department's list", func(t *testing.T) {
			r := w.intake("占道经营", "小区门口占道经营")
			w.do("admin", r.ID, ActAccept, ActionInput{})
			w.do("admin", r.ID, ActDispatch, ActionInput{Lead: dept})
			w.do("dept01", r.ID, ActReturn, ActionInput{Note: "属市场监管职责"})
			if w.has("dept01", Filter{}, r.ID) || w.has("dept01", Filter{Queue: QueueMine}, r.ID) {
				t.Fatal("the returned task is still listed")
			}
		})
		t.Run("a department contact sees only its organisation's tasks", func(t *testing.T) {
			other := w.intake("楼道堆物", "楼道堆放杂物")
			if w.has("dept01", Filter{}, other.ID) {
				t.Fatal("the district department lists a case never dispatched to it")
			}
			if _, err := w.svc.Get(w.ctx("dept01"), other.ID); !errs.Is(err, errs.NotFound) {
				t.Fatalf("dept01 opens a case not dispatched to it: %v", err)
			}
		})
	})
}

func TestDispatchTargetsAreTheDispatchersScopeAndErrorsNameNobody(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.f.OrgContacts(t)
		outsider := w.f.AddUser(t, "grid09", "grid_leader", w.f.OtherGrid)
		c := w.intake("噪音", "夜间施工噪音")
		w.do("admin", c.ID, ActAccept, ActionInput{})

		ch, err := w.svc.DispatchChoices(w.ctx("admin"))
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(ch.Users, func(o Option) bool { return o.ID == outsider.UserID }) {
			t.Fatal("the picker offers a grid leader of another community")
		}
		if !slices.Contains(ch.Departments, fixture.DepartmentOrg) || !slices.Contains(ch.Units, fixture.UnitOrg) {
			t.Fatalf("the picker does not offer the district department and the street's unit: %+v", ch)
		}
		unknown := w.refuse("admin", c.ID, ActDispatch, ActionInput{Lead: &Target{Kind: "user", UserID: 999999}}, errs.Invalid)
		out := w.refuse("admin", c.ID, ActDispatch, ActionInput{Lead: &Target{Kind: "user", UserID: outsider.UserID}}, errs.Invalid)
		if out != unknown || strings.Contains(out, "grid09") || strings.Contains(out, "网格长") {
			t.Fatalf("an out-of-scope user is told apart from an unknown one: %q vs %q", out, unknown)
		}
		w.refuse("admin", c.ID, ActDispatch, ActionInput{Lead: &Target{Kind: "grid", GridID: w.f.OtherGrid.ID}}, errs.Invalid)
		w.refuse("admin", c.ID, ActDispatch, ActionInput{Lead: &Target{Kind: "department", Name: "某不存在的局"}}, errs.Invalid)
		if _, err := w.svc.Get(w.ctx("grid09"), c.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("the outsider reads the case: %v", err)
		}
	})
}

func TestNotesAreInternalUnlessPublicAndThePublicOnesAreMasked(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		const phone = "13912345678"
		c := w.intake("漏水", "楼上漏水")
		note := func(kind string) string { return kind + "：请联系" + phone + "（测试grid01）" }
		for _, public := range []bool{false, true} {
			c = w.intake("漏水", "楼上漏水")
			w.do("admin", c.ID, ActAccept, ActionInput{Note: note("受理"), Public: public})
			w.do("admin", c.ID, ActDispatch, ActionInput{Lead: &Target{Kind: "grid", GridID: w.f.Grids[0].ID}, Note: note("派遣"), Public: public})
			w.do("grid01", c.ID, ActSign, ActionInput{Note: note("签收"), Public: public})
			w.do("grid01", c.ID, ActNote, ActionInput{Note: note("办理记录"), Public: public})
			w.do("grid01", c.ID, ActExtend, ActionInput{Note: note("延期"), Until: timePtr(w.now.AddDate(0, 1, 0)), Public: public})
			w.do("admin", c.ID, ActDenyExtension, ActionInput{Note: note("驳回延期"), Public: public})
			w.do("grid01", c.ID, ActReport, ActionInput{Note: note("反馈"), Public: public})
			w.do("admin", c.ID, ActRework, ActionInput{Note: note("返工"), Public: public})
			w.do("grid01", c.ID, ActReport, ActionInput{Note: note("再反馈"), Public: public})
			w.do("admin", c.ID, ActVerify, ActionInput{Outcome: Resolved, Note: note("核查"), Public: public})
			w.do("admin", c.ID, ActCallback, ActionInput{Resolved: yes(), Satisfaction: Satisfied, Note: note("回访"), Public: public})
			pc, err := w.svc.Track(context.Background(), c.TrackingCode)
			if err != nil {
				t.Fatal(err)
			}
			var all strings.Builder
			for _, e := range pc.Events {
				all.WriteString(e.Action + "|" + e.By + "|" + e.Note + "\n")
			}
			text := all.String()
			if strings.Contains(text, phone) || strings.Contains(text, "测试grid01") || strings.Contains(text, "测试admin") {
				t.Fatalf("public=%v: the tracking page shows a phone number or a staff name:\n%s", public, text)
			}
			if !strings.Contains(text, "网格长") || !strings.Contains(text, "核查结案") {
				t.Fatalf("public=%v: the tracking page does not show the steps by role:\n%s", public, text)
			}
			if got := strings.Contains(text, "139****5678"); got != public {
				t.Fatalf("public=%v: masked notes shown = %v:\n%s", public, got, text)
			}
			if !public && (strings.Contains(text, "延期") || strings.Contains(text, "办理记录")) {
				t.Fatalf("internal steps reach the tracking page:\n%s", text)
			}
		}
	})
}

func timePtr(t time.Time) *time.Time { return &t }

func TestAMergedDuplicatesReporterFollowsTheMainCase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		main := w.toProgress(w.intake("垃圾清运", "3号楼垃圾桶满了"))
		dup := w.intake("垃圾", "3号楼门口有垃圾")
		w.do("admin", dup.ID, ActMerge, ActionInput{MergeInto: main.ID})
		w.do("grid01", main.ID, ActReport, ActionInput{Note: "已清运", Public: true})
		pc, err := w.svc.Track(context.Background(), dup.TrackingCode)
		if err != nil {
			t.Fatal(err)
		}
		if pc.Main == nil || pc.Main.State != Reported || pc.CanRate {
			t.Fatalf("the duplicate's page does not follow the main case's progress: %+v", pc.Main)
		}
		if w.has("admin", Filter{Queue: QueueToCallback}, dup.ID) {
			t.Fatal("the duplicate waits for a callback before its main case closed")
		}
		w.do("admin", main.ID, ActVerify, ActionInput{Outcome: Resolved, Note: "已清运完毕", Public: true})
		pc, _ = w.svc.Track(context.Background(), dup.TrackingCode)
		if pc.Main.State != Closed || pc.Main.Outcome != Resolved || !pc.CanRate {
			t.Fatalf("the duplicate's page does not show the main case's result: %+v", pc.Main)
		}
		if !w.has("admin", Filter{Queue: QueueToCallback}, dup.ID) {
			t.Fatal("the duplicate's reporter is not in the callback queue once the main case closed")
		}
		if _, err := w.svc.Rate(context.Background(), dup.TrackingCode, Rating{Resolved: yes(), Satisfaction: Basic}); err != nil {
			t.Fatalf("the duplicate's reporter cannot rate: %v", err)
		}
		if w.has("admin", Filter{Queue: QueueToCallback}, dup.ID) {
			t.Fatal("a rated duplicate stays in the callback queue")
		}
	})
}

func TestACriticalCaseMustBeAcceptedWithin30MinutesRoundTheClock(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.set(at(2024, 3, 9, 22, 10)) // a Saturday night
		c, err := w.svc.Intake(w.ctx("admin"), Intake{Channel: "phone", CategoryID: w.category("dispute.leak"), Priority: Critical,
			Title: "燃气泄漏", Description: "楼道有燃气味", Address: "3号楼", GridID: w.f.Grids[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		if want := at(2024, 3, 9, 22, 40).UTC(); c.AcceptDeadline == nil || !c.AcceptDeadline.Equal(want) {
			t.Fatalf("特急 accept deadline = %v, want %v", c.AcceptDeadline, want)
		}
		w.set(at(2024, 3, 9, 22, 50))
		if got := w.getAs("admin", c.ID); got.SLA.Status != "late" {
			t.Fatalf("20 minutes past the 特急 accept limit the case is not late: %+v", got.SLA)
		}
	})
}

func TestTheSmallerRulesOfTheDesk(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		t.Run("deny_extension needs a reason like deny_suspend", func(t *testing.T) {
			c := w.toProgress(w.intake("漏水", "厨房漏水"))
			w.do("grid01", c.ID, ActExtend, ActionInput{Note: "需等待配件", Until: timePtr(w.now.AddDate(0, 1, 0))})
			w.refuse("admin", c.ID, ActDenyExtension, ActionInput{}, errs.Invalid)
			w.do("admin", c.ID, ActDenyExtension, ActionInput{Note: "配件可当日购得"})
		})
		t.Run("a grid worker may not return a task he cannot sign", func(t *testing.T) {
			c := w.intake("楼道灯", "楼道灯坏了")
			w.do("admin", c.ID, ActAccept, ActionInput{})
			w.do("admin", c.ID, ActDispatch, ActionInput{Lead: &Target{Kind: "grid", GridID: w.f.Grids[0].ID}})
			w.refuse("worker01", c.ID, ActReturn, ActionInput{Note: "不归我管"}, errs.Forbidden)
			w.do("grid01", c.ID, ActReturn, ActionInput{Note: "不属于本网格"})
		})
		t.Run("a mediator sees disputes and referred cases, not all, and notes no other", func(t *testing.T) {
			other, err := w.svc.Intake(w.ctx("admin"), Intake{Channel: "phone", CategoryID: w.category("env.garbage"),
				Title: "垃圾", Description: "门口垃圾", Address: "3号楼", GridID: w.f.Grids[0].ID})
			if err != nil {
				t.Fatal(err)
			}
			dispute := w.intake("漏水纠纷", "楼上漏水，邻里争执")
			if w.has("mediator01", Filter{}, other.ID) || !w.has("mediator01", Filter{}, dispute.ID) {
				t.Fatal("the mediator's list is not the disputes of the community")
			}
			w.refuse("mediator01", other.ID, ActNote, ActionInput{Note: "看看"}, errs.NotFound)
		})
		t.Run("a reopened case gets a new deadline", func(t *testing.T) {
			c := w.toProgress(w.intake("漏水", "卫生间漏水"))
			w.do("grid01", c.ID, ActReport, ActionInput{Note: "已修"})
			old := *w.do("admin", c.ID, ActVerify, ActionInput{Outcome: Resolved}).HandleDeadline
			w.set(w.now.AddDate(0, 1, 0))
			r := w.do("admin", c.ID, ActReopen, ActionInput{Note: "又漏了"})
			if r.HandleDeadline == nil || !r.HandleDeadline.After(old) || !r.HandleDeadline.After(w.now) || r.Overdue {
				t.Fatalf("reopened deadline %v (old %v, now %v, overdue %v)", r.HandleDeadline, old, w.now, r.Overdue)
			}
			if got := w.getAs("admin", c.ID); got.SLA.Status != "ok" {
				t.Fatalf("a reopened case starts late: %+v", got.SLA)
			}
		})
		t.Run("the intake answer's overdue and sla are those of GET", func(t *testing.T) {
			old := w.now.Add(-72 * time.Hour)
			c, err := w.svc.Intake(w.ctx("admin"), Intake{Channel: "phone", CategoryID: w.category("dispute.leak"), Title: "补录",
				Description: "三天前的来电", Address: "3号楼", GridID: w.f.Grids[0].ID, ReceivedAt: &old})
			if err != nil {
				t.Fatal(err)
			}
			got := w.getAs("admin", c.ID)
			a, _ := json.Marshal(c.SLA)
			b, _ := json.Marshal(got.SLA)
			if !c.Overdue || c.Overdue != got.Overdue || string(a) != string(b) {
				t.Fatalf("intake says overdue=%v sla=%+v; GET says overdue=%v sla=%+v", c.Overdue, c.SLA, got.Overdue, got.SLA)
			}
		})
	})
}

func TestACaseIsDueInAPeriodOnlyOnceItsDeadlinePassedOrItClosed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		open := w.intake("漏水", "厨房漏水") // accepted 4 March: due 21 March (13 working days)
		w.do("admin", open.ID, ActAccept, ActionInput{})
		early := w.toProgress(w.intake("漏水", "卫生间漏水"))
		w.do("grid01", early.ID, ActReport, ActionInput{Note: "已修"})
		w.do("admin", early.ID, ActVerify, ActionInput{Outcome: Resolved})
		march := func() Figures {
			f, err := w.svc.Figures(w.ctx("admin"), FigureFilter{From: "2024-03-01", To: "2024-03-31"})
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
		f := march()
		if f["due"] != int64(1) || f["on_time_rate_num"] != int64(1) || f["on_time_rate_den"] != int64(1) {
			t.Fatalf("on 4 March only the case closed counts as due: %v due, %v/%v on time", f["due"], f["on_time_rate_num"], f["on_time_rate_den"])
		}
		w.set(at(2024, 3, 25, 9, 0)) // the open case's deadline has passed
		f = march()
		if f["due"] != int64(2) || f["on_time_rate_num"] != int64(1) || f["on_time_rate"] != 0.5 {
			t.Fatalf("after its deadline the open case is due and late: %v due, %v on time (%v)", f["due"], f["on_time_rate_num"], f["on_time_rate"])
		}
		list, total, err := w.svc.List(w.ctx("admin"), Filter{Figure: "due", From: "2024-03-01", To: "2024-03-31"})
		if err != nil || total != 2 || len(list) != 2 {
			t.Fatalf("the drill-down of due lists %d cases (%v), want 2", total, err)
		}
	})
}
