package cases

import (
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/fixture"
)

// TestEveryOpenCaseIsInTheQueueOfWhoMustActOnIt walks every state and every kind of assignment
// (grid, person, co-building unit, department; escalated, returned, withdrawn, re-dispatched) and
// asserts that the account who must act next finds the case in one of its queues.
func TestEveryOpenCaseIsInTheQueueOfWhoMustActOnIt(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.f.OrgContacts(t)
		targets := map[string]struct {
			target Target
			signer string
		}{
			"grid":       {Target{Kind: "grid", GridID: w.f.Grids[0].ID}, "grid01"},
			"user":       {Target{Kind: "user", UserID: w.f.Users["worker01"].UserID}, "worker01"},
			"unit":       {Target{Kind: "unit", Name: fixture.UnitOrg}, "unit01"},
			"department": {Target{Kind: "department", Name: fixture.DepartmentOrg}, "dept01"},
		}
		accepted := func() int64 {
			c := w.intake("队列", "队列检查")
			w.do("admin", c.ID, ActAccept, ActionInput{})
			return c.ID
		}
		type want struct {
			user  string
			queue string
		}
		check := func(name string, id int64, state State, who want) {
			t.Helper()
			if got := w.get(id).State; got != state {
				t.Fatalf("%s: the case is %s, want %s", name, got, state)
			}
			if !w.has(who.user, Filter{Queue: who.queue}, id) {
				t.Errorf("%s (%s): %s does not find the case in %s", name, state, who.user, who.queue)
			}
		}

		check("new", w.intake("新", "新诉求").ID, Received, want{"admin", QueueToAccept})
		check("accepted", accepted(), Accepted, want{"admin", QueueToDispatch})
		for kind, tg := range targets {
			id := accepted()
			lead := tg.target
			w.do("admin", id, ActDispatch, ActionInput{Lead: &lead})
			check("dispatched to "+kind, id, Dispatched, want{tg.signer, QueueMine})
			w.do(tg.signer, id, ActSign, ActionInput{})
			check("signed by "+kind, id, InProgress, want{tg.signer, QueueMine})
			w.do(tg.signer, id, ActSuspend, ActionInput{Note: "等待配件"})
			w.do("admin", id, ActSuspend, ActionInput{})
			check("suspended with "+kind, id, Suspended, want{tg.signer, QueueMine})
			w.do(tg.signer, id, ActResume, ActionInput{})
			w.do(tg.signer, id, ActReport, ActionInput{Note: "已办"})
			check("reported by "+kind, id, Reported, want{"admin", QueueToVerify})
			w.do("admin", id, ActVerify, ActionInput{Outcome: Resolved})
			check("closed after "+kind, id, Closed, want{"admin", QueueToCallback})

			ret := accepted()
			w.do("admin", ret, ActDispatch, ActionInput{Lead: &lead})
			w.do(tg.signer, ret, ActReturn, ActionInput{Note: "非本单位职责"})
			check("returned by "+kind, ret, Accepted, want{"admin", QueueToDispatch})
			w.do("admin", ret, ActDispatch, ActionInput{Lead: &lead})
			w.do("admin", ret, ActWithdraw, ActionInput{})
			check("withdrawn from "+kind, ret, Accepted, want{"admin", QueueToDispatch})
			w.do("admin", ret, ActDispatch, ActionInput{Lead: &lead, Assist: []Target{{Kind: "grid", GridID: w.f.Grids[1].ID}}})
			check("re-dispatched to "+kind, ret, Dispatched, want{tg.signer, QueueMine})
			check("assisting grid with "+kind, ret, Dispatched, want{"grid02", QueueMine})
			w.do(tg.signer, ret, ActSign, ActionInput{})
			w.do(tg.signer, ret, ActEscalate, ActionInput{Note: "需上级协调"})
			check("escalated by "+kind, ret, Received, want{"admin", QueueToAccept})
			if got := w.get(ret).RegionID; got != w.f.Community.ID {
				t.Errorf("escalated by %s: the case is at region %d, want the community %d", kind, got, w.f.Community.ID)
			}
			if !w.has(tg.signer, Filter{Involved: true}, ret) {
				t.Errorf("escalated by %s: %s does not find it in 经办", kind, tg.signer)
			}
		}
		reworked := w.toProgress(w.intake("返工", "返工检查"))
		w.do("grid01", reworked.ID, ActReport, ActionInput{Note: "已办"})
		w.do("admin", reworked.ID, ActRework, ActionInput{Note: "未办好"})
		check("reworked", reworked.ID, InProgress, want{"grid01", QueueMine})
		reopened := w.toProgress(w.intake("重办", "重办检查"))
		w.do("grid01", reopened.ID, ActReport, ActionInput{Note: "已办"})
		w.do("admin", reopened.ID, ActVerify, ActionInput{Outcome: Resolved})
		w.do("admin", reopened.ID, ActReopen, ActionInput{Note: "复发"})
		check("reopened", reopened.ID, Accepted, want{"admin", QueueToDispatch})
		rejected := w.intake("驳回", "驳回检查")
		w.do("admin", rejected.ID, ActReject, ActionInput{Note: "非政务事项"})
		w.do("admin", rejected.ID, ActReopen, ActionInput{Note: "应予受理"})
		check("rejection taken back", rejected.ID, Received, want{"admin", QueueToAccept})
	})
}
