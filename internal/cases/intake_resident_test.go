package cases

import (
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
)

func TestIntakeRefusesAResidentOfAnotherCommunity(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		own := w.f.RawResident(t, w.f.RawHousehold(t, w.f.RawBuilding(t, w.f.Grids[0], "3号楼", 104.1, 35.1), "2", "301"),
			"张大爷", "M", "户主", "")
		other := w.f.RawResident(t, w.f.RawHousehold(t, w.f.RawBuilding(t, w.f.OtherGrid, "北关1号楼", 104.2, 35.2), "1", "101"),
			"李阿姨", "F", "户主", "")
		in := Intake{Channel: "phone", CategoryID: w.category("dispute.leak"), Title: "楼上漏水",
			Description: "卫生间顶棚渗水", Address: "南关社区3号楼2单元", GridID: w.f.Grids[0].ID, ResidentID: other}
		_, err := w.svc.Intake(w.ctx("admin"), in)
		if !errs.Is(err, errs.Invalid) || errs.MessageOf(err) == "" {
			t.Fatalf("a case of 南关社区 took a resident of 北关社区: %v", err)
		}
		in.ResidentID = own
		c, err := w.svc.Intake(w.ctx("admin"), in)
		if err != nil {
			t.Fatal(err)
		}
		if l, err := w.svc.LinksOf(w.ctx("admin"), c); err != nil || l.Resident != "张大爷" {
			t.Fatalf("links of the case: %+v %v", l, err)
		}
	})
}
