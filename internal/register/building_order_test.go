package register_test

import (
	"slices"
	"strings"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/register"
)

// House numbers sort as people read them: 仓门巷4号 before 仓门巷10号, 2单元 before 12单元.
func TestNaturalCompareOrdersHouseNumbersByValue(t *testing.T) {
	names := []string{"仓门巷10号", "仓门巷4号", "仓门巷4号2单元", "仓门巷04号", "东门巷1号", "仓门巷100号", "仓门巷", "仓门巷4号12单元"}
	slices.SortFunc(names, register.NaturalCompare)
	// Other characters by their code (东 U+4E1C before 仓 U+4ED3), as the list ordered them before.
	want := []string{"东门巷1号", "仓门巷", "仓门巷4号", "仓门巷4号2单元", "仓门巷4号12单元", "仓门巷04号", "仓门巷10号", "仓门巷100号"}
	if !slices.Equal(names, want) {
		t.Errorf("got  %q\nwant %q", names, want)
	}
}

// The stored sort key orders names as NaturalCompare does (a number written with leading zeros
// ties with its value, and the list then orders by id).
func TestNaturalKeyOrdersAsNaturalCompare(t *testing.T) {
	names := []string{"仓门巷10号", "仓门巷4号", "仓门巷4号2单元", "东门巷1号", "仓门巷100号", "仓门巷", "仓门巷4号12单元",
		"9号楼", "10号楼", "A座", "", "0", "007"}
	byKey := slices.Clone(names)
	slices.SortStableFunc(byKey, func(a, b string) int { return strings.Compare(register.NaturalKey(a), register.NaturalKey(b)) })
	slices.SortStableFunc(names, register.NaturalCompare)
	if !slices.Equal(byKey, names) {
		t.Errorf("by key %q\nwant   %q", byKey, names)
	}
	if k := register.NaturalKey("仓门巷04号"); k != register.NaturalKey("仓门巷4号") || k != "仓门巷0000000004号" {
		t.Errorf("NaturalKey(仓门巷04号) = %q", k)
	}
}

// The buildings list pages through the buildings of the scope in the natural order of their
// names, each page with its own counts, and counts them all.
func TestBuildingsListInNaturalOrderPageByPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		for _, n := range []string{"仓门巷10号", "仓门巷4号", "仓门巷2号"} {
			w.f.AddBuilding(t, w.f.Grids[0], n, 100.4420, 38.9250)
		}
		ctx := w.f.Ctx("admin")
		var got []string
		for off := 0; off < 10; off += 2 {
			bs, total, err := w.svc.Buildings(ctx, register.BuildingFilter{Limit: 2, Offset: off})
			if err != nil || total != 5 {
				t.Fatalf("Buildings = %d, %v", total, err)
			}
			for _, b := range bs {
				got = append(got, b.Name)
			}
		}
		if want := []string{"1号楼", "2号楼", "仓门巷2号", "仓门巷4号", "仓门巷10号"}; !slices.Equal(got, want) {
			t.Errorf("pages %q, want %q", got, want)
		}
		bs, total, err := w.svc.Buildings(ctx, register.BuildingFilter{Q: "门巷1"})
		if err != nil || total != 1 || len(bs) != 1 || bs[0].Name != "仓门巷10号" || bs[0].Households != 0 {
			t.Errorf("search = %+v, %d, %v", bs, total, err)
		}
		bs, _, err = w.svc.Buildings(ctx, register.BuildingFilter{GridID: w.f.Grids[0].ID, Limit: 1})
		if err != nil || len(bs) != 1 || bs[0].Name != "1号楼" || bs[0].Households != 1 {
			t.Errorf("grid page = %+v, %v", bs, err)
		}
	})
}
