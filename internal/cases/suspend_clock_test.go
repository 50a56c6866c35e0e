package cases

import (
	"testing"
	"time"

	"linli/internal/db"
	"linli/internal/db/dbtest"
)

// TestASuspendedCasesClockStands: a case suspended with 12 working days 5½ hours left still has
// exactly that left weeks later, is not late, is not flagged overdue by the sweep, and gets the
// same time back on resuming — counted over the 2024 Qingming holiday and its make-up Sunday.
func TestASuspendedCasesClockStands(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		c := w.toProgress(w.intake("漏水", "楼上漏水")) // Monday 2024-03-04 09:00: due 03-21 18:00
		if got := local(c.HandleDeadline); got != "2024-03-21 18:00" {
			t.Fatalf("handle deadline %s, want 2024-03-21 18:00", got)
		}
		w.set(at(2024, 3, 5, 10, 0))
		w.do("admin", c.ID, ActSuspend, ActionInput{Note: "等待产权单位答复"})
		// Left on 03-05 at 10:00: 5½ hours that day, then 12 working days of 7 hours (03-06 … 03-21).
		const left = 89*time.Hour + 30*time.Minute
		const text = "已挂起，剩余 12个工作日5小时"

		w.set(at(2024, 4, 2, 10, 0)) // twelve days after the deadline
		check := func(when string, sla SLA, overdue bool) {
			t.Helper()
			if !sla.Paused || sla.Kind != "handle" || sla.Status != "ok" || sla.RemainingSeconds != int64(left/time.Second) || sla.Text != text {
				t.Errorf("%s: SLA %+v, want paused, ok, %d s left, %q", when, sla, int64(left/time.Second), text)
			}
			if overdue {
				t.Errorf("%s: flagged overdue while its clock stands", when)
			}
		}
		got := w.get(c.ID)
		check("the case page", got.SLA, got.Overdue)
		list, _, err := w.svc.List(w.ctx("admin"), Filter{})
		if err != nil || len(list) != 1 {
			t.Fatalf("list: %v %v", list, err)
		}
		check("the list", list[0].SLA, list[0].Overdue)

		n, err := w.svc.SweepOverdue(w.ctx("admin"))
		if err != nil || n != 0 {
			t.Fatalf("the sweep flagged %d cases (%v); the only case is suspended", n, err)
		}
		got = w.get(c.ID)
		check("after the sweep", got.SLA, got.Overdue)
		if ids := w.ids("admin", Filter{Queue: QueueOverdue}); len(ids) != 0 {
			t.Fatalf("the overdue queue lists %v", ids)
		}

		resumed := w.do("admin", c.ID, ActResume, ActionInput{})
		// 5½ hours on 04-02, then 04-03, the make-up Sunday 04-07 and 04-08 … 04-19 (04-04 … 04-06 off).
		if got := local(resumed.HandleDeadline); got != "2024-04-19 18:00" {
			t.Fatalf("deadline after resuming %s, want 2024-04-19 18:00", got)
		}
		if resumed.SLA.Paused || resumed.SLA.Status != "ok" || resumed.SLA.RemainingSeconds != int64(left/time.Second) || resumed.Overdue {
			t.Fatalf("after resuming: %+v overdue=%v", resumed.SLA, resumed.Overdue)
		}
	})
}

// TestACaseSuspendedAfterItsDeadlineStaysLateByTheSameAmount: the overdue time stands too.
func TestACaseSuspendedAfterItsDeadlineStaysLateByTheSameAmount(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		c := w.toProgress(w.intake("漏水", "楼上漏水")) // due 2024-03-21 18:00
		w.set(at(2024, 3, 22, 10, 0))             // 1½ working hours late
		c = w.do("admin", c.ID, ActSuspend, ActionInput{Note: "等待法院判决"})
		if !c.Overdue {
			t.Fatal("suspended 1½ hours after its deadline, the case is not flagged overdue")
		}
		w.set(at(2024, 4, 2, 10, 0))
		got := w.get(c.ID)
		if got.SLA.Status != "late" || got.SLA.RemainingSeconds != -90*60 || got.SLA.Text != "已挂起，已超时 1小时30分钟" || !got.Overdue {
			t.Fatalf("SLA %+v overdue=%v, want late by 1 h 30 min, frozen", got.SLA, got.Overdue)
		}
	})
}

// TestTheSweepFlagsOnlyDeadlinesThatStillStand: the sweep only sets flags; an action that moves a
// deadline past now (an approved extension, resuming, a new state) recomputes the flag itself, and
// the next sweep leaves it so until the new deadline passes.
func TestTheSweepFlagsOnlyDeadlinesThatStillStand(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		c := w.toProgress(w.intake("漏水", "楼上漏水")) // due 2024-03-21 18:00
		sweep := func(want int64) {
			t.Helper()
			if n, err := w.svc.SweepOverdue(w.ctx("admin")); err != nil || n != want {
				t.Fatalf("sweep at %s flagged %d (%v), want %d", local(&w.now), n, err, want)
			}
		}
		w.set(at(2024, 3, 21, 17, 59))
		sweep(0)
		w.set(at(2024, 3, 22, 9, 0))
		sweep(1)
		if !w.get(c.ID).Overdue {
			t.Fatal("not flagged after the sweep")
		}
		until := at(2024, 3, 29, 18, 0)
		w.do("grid01", c.ID, ActExtend, ActionInput{Note: "需更换整段管道", Until: &until})
		if !w.get(c.ID).Overdue {
			t.Fatal("asking for an extension cleared the flag before it was approved")
		}
		c = w.do("admin", c.ID, ActApproveExtension, ActionInput{})
		if c.Overdue || local(c.HandleDeadline) != "2024-03-29 18:00" {
			t.Fatalf("approved extension: overdue=%v deadline %s", c.Overdue, local(c.HandleDeadline))
		}
		sweep(0)
		if ids := w.ids("admin", Filter{Queue: QueueOverdue}); len(ids) != 0 {
			t.Fatalf("the overdue queue lists %v after the extension", ids)
		}
		w.set(at(2024, 3, 29, 18, 1))
		sweep(1)
		if ids := w.ids("admin", Filter{Queue: QueueOverdue}); !sameIDs(ids, c.ID) {
			t.Fatalf("the overdue queue lists %v, want %d", ids, c.ID)
		}
	})
}
