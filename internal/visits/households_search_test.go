package visits

import (
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
)

// The visit form's household picker finds a household written the way the community says it —
// 1号楼1单元101 — whether its unit is stored as 1单元 (the canonical form) or as a bare 1 (before
// migration 0020), and writes 单元 once.
func TestTheHouseholdPickerFindsBothFormsOfAUnit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		b := w.f.AddBuilding(t, w.f.Grids[0], "7号楼", 100.452, 38.932)
		canonical := w.f.AddHousehold(t, b, "3单元", "301")
		bare := w.f.AddHousehold(t, b, "3", "302")
		for q, want := range map[string]int64{"7号楼3单元301": canonical, "7号楼3单元302": bare, "7号楼301": canonical} {
			got, err := w.svc.SearchHouseholds(w.f.Ctx("admin"), q)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].ID != want || got[0].Address != map[int64]string{canonical: "7号楼3单元301", bare: "7号楼3单元302"}[want] {
				t.Errorf("%s finds %+v, want household %d", q, got, want)
			}
		}
	})
}
