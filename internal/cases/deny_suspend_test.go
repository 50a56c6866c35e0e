package cases

import (
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
)

func TestASupervisorDeniesASuspendRequestWithAReason(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		c := w.toProgress(w.intake("漏水", "楼上漏水"))
		c = w.do("grid01", c.ID, ActSuspend, ActionInput{Note: "等待住户回京"})
		if c.SuspendAsked == nil {
			t.Fatal("the grid leader's suspend is not a pending request")
		}
		w.refuse("grid01", c.ID, ActDenySuspend, ActionInput{Note: "不行"}, errs.Forbidden)
		w.refuse("admin", c.ID, ActDenySuspend, ActionInput{}, errs.Invalid) // a reason is required
		asker := w.f.Users["grid01"].UserID
		noticesBefore := w.notices[asker]

		c = w.do("admin", c.ID, ActDenySuspend, ActionInput{Note: "住户已委托亲属，可先行维修"})
		if c.State != InProgress || c.SuspendAsked != nil || c.SuspendReason != "" || c.SuspendedAt != nil {
			t.Fatalf("after the denial: state %s, asked %v, reason %q", c.State, c.SuspendAsked, c.SuspendReason)
		}
		events := w.get(c.ID).Events
		last := events[len(events)-1]
		if last.Action != ActDenySuspend || last.Note != "住户已委托亲属，可先行维修" || last.Public {
			t.Fatalf("timeline ends with %s %q public=%v", last.Action, last.Note, last.Public)
		}
		var audited int
		if err := d.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'case.deny_suspend' AND object_id = $1`, itoa(c.ID)).Scan(&audited); err != nil || audited != 1 {
			t.Fatalf("audit rows: %d %v", audited, err)
		}
		if w.notices[asker] != noticesBefore+1 {
			t.Fatal("the grid leader was not told the request was denied")
		}
		if detail := w.getAs("grid01", c.ID); detail.SuspendAsked != nil {
			t.Fatal("the request still shows as pending")
		}
		msg := w.refuse("admin", c.ID, ActDenySuspend, ActionInput{Note: "再驳回"}, errs.Conflict)
		if msg != "该案件没有待审批的挂起申请" {
			t.Fatalf("second denial: %q", msg)
		}
		w.do("grid01", c.ID, ActSuspend, ActionInput{Note: "住户仍联系不上"}) // may ask again
	})
}
