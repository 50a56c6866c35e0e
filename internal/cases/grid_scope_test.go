package cases

import (
	"fmt"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
)

func TestAGridKeepsTheCasesItHandledAfterTheyClose(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		grid := w.f.Grids[0].ID
		c, err := w.svc.Intake(w.ctx("admin"), Intake{Channel: "visit", CategoryID: w.category("dispute.leak"),
			Description: "社区东侧围墙倒塌一段", Address: "南关社区东侧围墙", CommunityID: w.f.Community.ID})
		if err != nil {
			t.Fatal(err)
		}
		if c.GridID != nil {
			t.Fatalf("the case already has a grid: %d", *c.GridID)
		}
		w.do("admin", c.ID, ActAccept, ActionInput{})
		c = w.do("admin", c.ID, ActDispatch, ActionInput{Lead: &Target{Kind: "grid", GridID: grid}})
		if c.GridID == nil || *c.GridID != grid || c.RegionID != grid {
			t.Fatalf("dispatched to grid 01, the case is in grid %v, region %d", c.GridID, c.RegionID)
		}
		w.do("grid01", c.ID, ActSign, ActionInput{})
		w.do("grid01", c.ID, ActReport, ActionInput{Note: "已联系物业砌好围墙"})
		w.do("admin", c.ID, ActVerify, ActionInput{Outcome: Resolved})

		if d := w.getAs("grid01", c.ID); d.State != Closed {
			t.Fatalf("grid 01 sees the closed case as %s", d.State)
		}
		items, _, _, err := w.svc.ListPage(w.ctx("grid01"), Filter{State: Closed})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 || items[0].ID != c.ID {
			t.Fatalf("grid 01's list of closed cases: %d items", len(items))
		}
		figs, err := w.svc.Figures(w.ctx("grid01"), FigureFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(figs["closed"]) != "1" {
			t.Fatalf("grid 01's closed figure = %v, want 1", figs["closed"])
		}
		if d := w.getAs("admin", c.ID); d.State != Closed {
			t.Fatalf("the community admin sees the case as %s", d.State)
		}
	})
}
