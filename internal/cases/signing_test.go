package cases

import (
	"slices"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
)

func TestSignIsOfferedOnlyWhenItWillSucceed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		offers := func(user string, id int64) bool { return slices.Contains(w.getAs(user, id).Actions, ActSign) }
		c := w.intake("楼道灯不亮", "3号楼2单元楼道灯不亮")
		w.do("admin", c.ID, ActAccept, ActionInput{})
		w.do("admin", c.ID, ActDispatch, ActionInput{Lead: &Target{Kind: "grid", GridID: w.f.Grids[0].ID}})

		if !offers("grid01", c.ID) {
			t.Fatal("the grid leader is not offered 签收 on a task dispatched to the grid")
		}
		if offers("worker01", c.ID) {
			t.Fatal("a grid worker is offered 签收 on a grid task, which only the leader signs")
		}
		w.refuse("worker01", c.ID, ActSign, ActionInput{}, errs.Conflict)
		w.do("grid01", c.ID, ActSign, ActionInput{})
		if offers("grid01", c.ID) {
			t.Fatal("the grid leader is still offered 签收 after signing")
		}
		msg := w.refuse("grid01", c.ID, ActSign, ActionInput{}, errs.Conflict)
		if msg != "没有待您签收的任务（派往网格的任务由网格长签收）" {
			t.Fatalf("second sign: %q", msg)
		}
	})
}
