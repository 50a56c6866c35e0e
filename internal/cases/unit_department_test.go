package cases

import (
	"sort"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
	"linli/internal/fixture"
)

// orgTasks are cases dispatched to one unit or department, one per state its task can end up in.
type orgTasks struct {
	pending, signed, returned, done, withdrawn int64
}

// orgTasksFor dispatches five cases to target and leaves the target's task pending, signed,
// returned (the case then re-dispatched to grid 01), done (the case closed, reopened and
// re-dispatched to grid 01) and withdrawn (the case escalated to the street, which dispatches it
// to grid 01).
func (w *world) orgTasksFor(user string, target Target) orgTasks {
	w.t.Helper()
	grid := &Target{Kind: "grid", GridID: w.f.Grids[0].ID}
	dispatched := func(title string) int64 {
		c := w.intake(title, title+"，请派单位处理")
		w.do("admin", c.ID, ActAccept, ActionInput{})
		t := target
		w.do("admin", c.ID, ActDispatch, ActionInput{Lead: &t})
		return c.ID
	}
	var o orgTasks
	o.pending = dispatched("待签收")
	o.signed = dispatched("已签收")
	w.do(user, o.signed, ActSign, ActionInput{})

	o.returned = dispatched("已退单")
	w.do(user, o.returned, ActReturn, ActionInput{Note: "不属于本单位职责"})
	w.do("admin", o.returned, ActDispatch, ActionInput{Lead: grid})

	o.done = dispatched("已办结")
	w.do(user, o.done, ActSign, ActionInput{})
	w.do(user, o.done, ActReport, ActionInput{Note: "已处理"})
	w.do("admin", o.done, ActVerify, ActionInput{Outcome: Resolved})
	w.do("admin", o.done, ActReopen, ActionInput{Note: "居民反映问题复发"})
	w.do("admin", o.done, ActDispatch, ActionInput{Lead: grid})

	o.withdrawn = dispatched("已收回")
	w.do(user, o.withdrawn, ActSign, ActionInput{})
	w.do("admin", o.withdrawn, ActEscalate, ActionInput{Note: "需街道协调"})
	w.do("street", o.withdrawn, ActAccept, ActionInput{})
	w.do("street", o.withdrawn, ActDispatch, ActionInput{Lead: grid})

	// The fixture is what the test says it is: one task per status.
	for id, want := range map[int64]string{o.pending: "pending", o.signed: "signed", o.returned: "returned",
		o.done: "done", o.withdrawn: "withdrawn"} {
		found := false
		for _, a := range w.getAs("street", id).Assignments { // the escalated case is the street's now
			found = found || (a.TargetKind == target.Kind && a.TargetName == target.Name && a.Status == want)
		}
		if !found {
			w.t.Fatalf("case %d has no %s task of %s", id, want, target.Name)
		}
	}
	return o
}

// ids lists the cases user sees under filter f, sorted.
func (w *world) ids(user string, f Filter) []int64 {
	w.t.Helper()
	list, total, err := w.svc.List(w.ctx(user), f)
	if err != nil {
		w.t.Fatalf("%s lists %+v: %v", user, f, err)
	}
	if total != len(list) {
		w.t.Fatalf("%s: total %d for %d cases", user, total, len(list))
	}
	out := make([]int64, len(list))
	for i, c := range list {
		out[i] = c.ID
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func sameIDs(got []int64, want ...int64) bool {
	sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

// TestAUnitOrDepartmentListsOnlyTheTasksItStillHolds: once a unit or department has returned its
// task, finished it, or had it withdrawn, the case leaves its "my tasks" queue even while the case
// is still being worked on by someone else; a unit outside the case's region loses sight of it.
func TestAUnitOrDepartmentListsOnlyTheTasksItStillHolds(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.f.OrgContacts(t)
		unit := w.orgTasksFor("unit01", Target{Kind: "unit", Name: fixture.UnitOrg})
		dept := w.orgTasksFor("dept01", Target{Kind: "department", Name: fixture.DepartmentOrg})

		t.Run("the unit's task queue holds its pending and signed tasks", func(t *testing.T) {
			if got := w.ids("unit01", Filter{Queue: QueueMine}); !sameIDs(got, unit.pending, unit.signed) {
				t.Fatalf("unit01's tasks = %v, want pending %d and signed %d", got, unit.pending, unit.signed)
			}
		})
		t.Run("the department's task queue holds its pending and signed tasks", func(t *testing.T) {
			if got := w.ids("dept01", Filter{Queue: QueueMine}); !sameIDs(got, dept.pending, dept.signed) {
				t.Fatalf("dept01's tasks = %v, want pending %d and signed %d", got, dept.pending, dept.signed)
			}
		})
		t.Run("a unit of another community sees 南关's cases only while it holds their task", func(t *testing.T) {
			if got := w.ids("unit01", Filter{}); !sameIDs(got, unit.pending, unit.signed) {
				t.Fatalf("unit01's list = %v, want %d and %d", got, unit.pending, unit.signed)
			}
			if _, err := w.svc.Get(w.ctx("unit01"), dept.pending); !errs.Is(err, errs.NotFound) {
				t.Errorf("unit01 opens the department's case %d: %v, want not found", dept.pending, err)
			}
			// What the unit acted on it reads again (经办), and may do nothing more on.
			for _, id := range []int64{unit.returned, unit.done, unit.withdrawn} {
				d, err := w.svc.Get(w.ctx("unit01"), id)
				if err != nil || len(d.Actions) != 0 {
					t.Errorf("unit01 opens case %d it acted on: %v, actions %v; want read only", id, err, d)
				}
			}
			if got := w.ids("unit01", Filter{Involved: true}); !sameIDs(got, unit.pending, unit.signed, unit.returned, unit.done, unit.withdrawn) {
				t.Errorf("unit01's 经办 list = %v", got)
			}
		})
		t.Run("a returned task can no longer be signed or reported by the unit", func(t *testing.T) {
			if _, err := w.svc.Act(w.ctx("dept01"), dept.returned, ActSign, ActionInput{}); err == nil {
				t.Fatal("dept01 signed the task it returned")
			}
		})
	})
}
