package cases

import (
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
)

func TestAddressesMatchTheBuildingTheyName(t *testing.T) {
	bs := []buildingRef{
		{1, normalizeAddress("金桥小区3号楼"), normalizeAddress("县府街12号金桥小区3号楼")},
		{2, normalizeAddress("金桥小区13号楼"), normalizeAddress("县府街12号金桥小区13号楼")},
		{3, normalizeAddress("马神庙巷5号平房院"), normalizeAddress("马神庙巷5号")},
		{4, normalizeAddress("马神庙巷51号平房院"), normalizeAddress("马神庙巷51号")},
		{5, normalizeAddress("粮食局家属院2号楼"), normalizeAddress("南街8号粮食局家属院2号楼")},
	}
	for _, tc := range []struct {
		address string
		want    int64
	}{
		{"甘州区南街街道南关社区金桥小区3号楼2单元501", 1},
		{"金桥小区三号楼", 1},
		{"金桥小区 3 栋 1 单元", 1},
		{"金桥小区３号楼", 1},
		{"金桥小区十三号楼", 2},
		{"县府街12号金桥小区13号楼4单元", 2},
		{"马神庙巷5号", 3},
		{"马神庙巷51号院内", 4},
		{"粮食局家属院2#楼", 5},
		{"南关社区东门菜市场旁", 0},
		{"金桥小区", 0},
		{"", 0},
	} {
		got, ok := matchBuilding(tc.address, bs)
		if got != tc.want || ok != (tc.want != 0) {
			t.Errorf("%q: building %d (%v), want %d", tc.address, got, ok, tc.want)
		}
	}
}

func TestImportedCasesAreLocatedFromTheirAddressOrWaitToBeLocated(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		b := w.f.AddBuilding(t, w.f.Grids[1], "金桥小区3号楼", 0, 0)
		csv := "工单编号,来电时间,诉求内容,地址\n" +
			"GZ1,2024-03-01 09:30,楼上漏水,甘州区南关社区金桥小区三号楼2单元501\n" +
			"GZ2,2024-03-01 10:30,路灯不亮,南关社区东门菜市场旁\n"
		res, err := w.svc.ImportHotline(w.ctx("admin"), HotlineFile{Name: "12345.csv", Data: []byte(csv)})
		if err != nil {
			t.Fatal(err)
		}
		if res.Created != 2 || res.Located != 1 || res.ToLocate != 1 {
			t.Fatalf("import: %+v", res)
		}
		located, _, err := w.svc.List(w.ctx("admin"), Filter{Q: "漏水"})
		if err != nil || len(located) != 1 || located[0].GridID == nil || *located[0].GridID != w.f.Grids[1].ID ||
			located[0].BuildingID == nil || *located[0].BuildingID != b {
			t.Fatalf("the matched case: %+v %v", located, err)
		}
		queue, total, err := w.svc.List(w.ctx("admin"), Filter{Queue: QueueToLocate})
		if err != nil || total != 1 || queue[0].ExternalNo != "GZ2" {
			t.Fatalf("待定位: %d %v", total, err)
		}
		// A grid leader cannot place it; a building of another community is refused.
		if _, err := w.svc.Place(w.ctx("grid01"), queue[0].ID, Placement{GridID: w.f.Grids[0].ID}); err == nil {
			t.Fatal("a grid leader placed a case")
		}
		other := w.f.AddBuilding(t, w.f.OtherGrid, "北关1号楼", 0, 0)
		if _, err := w.svc.Place(w.ctx("street"), queue[0].ID, Placement{BuildingID: other}); errs.FieldsOf(err)["building_id"] == "" {
			t.Fatalf("a building of another community: %v", err)
		}
		c, err := w.svc.Place(w.ctx("admin"), queue[0].ID, Placement{BuildingID: b})
		if err != nil || c.GridID == nil || *c.GridID != w.f.Grids[1].ID || c.RegionID != w.f.Grids[1].ID {
			t.Fatalf("placed: %+v %v", c, err)
		}
		if _, total, _ := w.svc.List(w.ctx("admin"), Filter{Queue: QueueToLocate}); total != 0 {
			t.Fatalf("the placed case is still in 待定位 (%d)", total)
		}
		if _, total, _ := w.svc.List(w.ctx("grid02"), Filter{}); total != 2 {
			t.Fatalf("grid02 sees %d cases, want both of its grid", total)
		}
		dt := w.get(c.ID)
		if last := dt.Events[len(dt.Events)-1]; last.Action != ActLocate || last.ActionLabel != "定位" {
			t.Fatalf("timeline: %+v", last)
		}
	})
}
