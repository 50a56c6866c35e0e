package cases

import (
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
)

// The grid or community an intake names directly is read with its catalog (readIntakeRef) and
// judged by locate as when it was read alone: each fault names its field, and the catalog's faults
// come first.
func TestIntakeJudgesThePlaceReadWithItsCatalog(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		leak := w.category("dispute.leak")
		for _, c := range []struct {
			name         string
			in           Intake
			field, fault string
		}{
			{"a grid that does not exist", Intake{CategoryID: leak, GridID: 99999999}, "grid_id", "网格不存在"},
			{"a community given as the grid", Intake{CategoryID: leak, GridID: w.f.Community.ID}, "grid_id", "网格不存在"},
			{"a community that does not exist", Intake{CategoryID: leak, CommunityID: 99999999}, "community_id", "所属社区不存在"},
			{"a grid given as the community", Intake{CategoryID: leak, CommunityID: w.f.Grids[0].ID}, "community_id", "所属社区不存在"},
			{"another community's grid", Intake{CategoryID: leak, GridID: w.f.OtherGrid.ID}, "community_id", "所选位置不在您的管辖范围内"},
			{"an unknown category with an unknown grid", Intake{CategoryID: 99999999, GridID: 99999999}, "category_id", "诉求类别不存在"},
		} {
			t.Run(c.name, func(t *testing.T) {
				c.in.Channel, c.in.Description, c.in.Address = "phone", "漏水", "3号楼"
				_, err := w.svc.Intake(w.ctx("grid01"), c.in)
				if got := errs.FieldsOf(err)[c.field]; got != c.fault {
					t.Fatalf("%s: %v, want %s: %s", c.name, err, c.field, c.fault)
				}
			})
		}
	})
}
