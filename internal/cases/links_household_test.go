package cases

import (
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
)

// A case's household reads 2单元301 whether its unit is stored in the canonical form 2单元 or,
// from before migration 0020, as a bare 2; never 2单元单元301.
func TestACasesHouseholdWritesItsUnitOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		b := w.f.RawBuilding(t, w.f.Grids[0], "3号楼", 104.1, 35.1)
		for _, c := range []struct{ unit, room, want string }{
			{"2单元", "301", "2单元301"},
			{"2", "302", "2单元302"},
			{"", "5号", "5号"},
		} {
			h := w.f.RawHousehold(t, b, c.unit, c.room)
			k, err := w.svc.Intake(w.ctx("admin"), Intake{Channel: "phone", CategoryID: w.category("dispute.leak"),
				Title: "楼上漏水", Description: "卫生间顶棚渗水", GridID: w.f.Grids[0].ID, BuildingID: b, HouseholdID: h})
			if err != nil {
				t.Fatal(err)
			}
			if l, err := w.svc.LinksOf(w.ctx("admin"), k); err != nil || l.Household != c.want || l.Building != "3号楼" {
				t.Errorf("household %q %q reads %+v (%v), want %q", c.unit, c.room, l, err, c.want)
			}
		}
	})
}
