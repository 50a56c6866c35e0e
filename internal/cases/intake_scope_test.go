package cases

import (
	"strings"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
)

// M4: a grid worker's intake names only what lies in the worker's own grid. A resident, a
// building or a household of the neighbouring grid — same community — is not found, no case is
// written, and the refusal does not name them.
func TestIntakeRefusesIdsOutsideTheWritersScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ownB := w.f.RawBuilding(t, w.f.Grids[0], "3号楼", 104.1, 35.1)
		ownH := w.f.RawHousehold(t, ownB, "2", "301")
		own := w.f.RawResident(t, ownH, "张大爷", "M", "户主", "")
		nextB := w.f.RawBuilding(t, w.f.Grids[1], "邻网格7号楼", 104.2, 35.2)
		nextH := w.f.RawHousehold(t, nextB, "1", "101")
		next := w.f.RawResident(t, nextH, "赵秘密", "F", "户主", "")
		base := func() Intake {
			return Intake{Channel: "phone", CategoryID: w.category("dispute.leak"), Title: "楼上漏水",
				Description: "卫生间顶棚渗水", Address: "南关社区3号楼2单元", GridID: w.f.Grids[0].ID}
		}
		count := func() int {
			var n int
			if err := d.R.QueryRow(`SELECT COUNT(*) FROM cases`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := count()
		for name, in := range map[string]Intake{
			"resident of the next grid":  func() Intake { i := base(); i.ResidentID = next; return i }(),
			"building of the next grid":  func() Intake { i := base(); i.BuildingID = nextB; return i }(),
			"household of the next grid": func() Intake { i := base(); i.HouseholdID = nextH; return i }(),
		} {
			_, err := w.svc.Intake(w.ctx("worker01"), in)
			if err == nil || (!errs.Is(err, errs.Invalid) && !errs.Is(err, errs.NotFound)) {
				t.Errorf("%s: accepted or wrong refusal: %v", name, err)
			}
			if err != nil && (strings.Contains(err.Error(), "赵秘密") || strings.Contains(err.Error(), "邻网格")) {
				t.Errorf("%s: the refusal names the object: %v", name, err)
			}
		}
		if n := count(); n != before {
			t.Errorf("%d cases written by refused intakes", n-before)
		}
		in := base()
		in.ResidentID, in.BuildingID = own, ownB
		if _, err := w.svc.Intake(w.ctx("worker01"), in); err != nil {
			t.Fatalf("the worker's own resident and building were refused: %v", err)
		}
	})
}
