package cases_test

import (
	"context"
	"strings"
	"testing"

	"linli/internal/apptest"
	"linli/internal/cases"
)

// TestAddressMatchingOnTheDemo measures how the 12345 import's address matching does on the
// Nanguan demo: the address of every demo case (a building's address with unit and room, or a
// street "near an estate" with no building), and for every building the ways a caller names
// it (community + name, Chinese numerals, 栋, 单元 and room).
func TestAddressMatchingOnTheDemo(t *testing.T) {
	env := apptest.NewDemo(t)
	ctx := context.Background()
	d := env.DB()
	var community int64
	if err := d.R.QueryRow(`SELECT id FROM regions WHERE level = 'community' ORDER BY id LIMIT 1`).Scan(&community); err != nil {
		t.Fatal(err)
	}
	type sample struct {
		address string
		want    int64 // 0: names no building
	}
	var samples, abbreviated []sample
	rows, err := d.R.Query(`SELECT address, COALESCE(building_id, 0) FROM cases WHERE address <> '' AND community_id = $1`, community)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s sample
		if err := rows.Scan(&s.address, &s.want); err != nil {
			t.Fatal(err)
		}
		samples = append(samples, s)
	}
	rows.Close()
	cases0 := len(samples)
	brows, err := d.R.Query(`SELECT id, name FROM buildings WHERE community_id = $1`, community)
	if err != nil {
		t.Fatal(err)
	}
	spell := strings.NewReplacer("1号", "一号", "2号", "二号", "3号", "三号", "4号", "四号", "5号", "五号", "6号", "六号",
		"7号", "七号", "8号", "八号", "9号", "九号")
	for brows.Next() {
		var id int64
		var name string
		if err := brows.Scan(&id, &name); err != nil {
			t.Fatal(err)
		}
		samples = append(samples,
			sample{"甘州区南街街道南关社区" + name + "2单元301室", id},
			sample{"南关社区" + strings.Replace(name, "号楼", "栋", 1), id},
			sample{"南关社区" + spell.Replace(name) + "门口", id})
		// How callers shorten a name: the estate without 小区/家属院, or the block alone.
		short := strings.NewReplacer("小区", "", "家属院", "").Replace(name)
		abbreviated = append(abbreviated, sample{"南关社区" + short + "1单元", id})
		if i := strings.IndexAny(name, "0123456789"); i > 0 {
			abbreviated = append(abbreviated, sample{"南关社区" + name[i:] + "楼下", id})
		}
	}
	cut := len(samples)
	samples = append(samples, abbreviated...)
	brows.Close()
	addrs := make([]string, len(samples))
	for i, s := range samples {
		addrs[i] = s.address
	}
	got, err := cases.MatchAddress(ctx, d.R, community, addrs)
	if err != nil {
		t.Fatal(err)
	}
	var right, wrong, missed, none, falseHit [3]int // demo cases, caller variants, shortened names
	for i, s := range samples {
		k := 0
		if i >= cut {
			k = 2
		} else if i >= cases0 {
			k = 1
		}
		switch {
		case s.want == 0 && got[i] == 0:
			none[k]++
		case s.want == 0:
			falseHit[k]++
		case got[i] == s.want:
			right[k]++
		case got[i] == 0:
			missed[k]++
		default:
			wrong[k]++
			if wrong[k] <= 5 {
				t.Logf("wrong: %q → building %d, want %d", s.address, got[i], s.want)
			}
		}
	}
	for k, label := range []string{"demo case addresses", "caller variants of every building", "shortened names (left to the 待定位 queue when ambiguous)"} {
		named := right[k] + wrong[k] + missed[k]
		t.Logf("%s: %d naming a building: %d matched (%.1f %%), %d missed, %d wrong; %d naming none: %d left unmatched, %d matched wrongly",
			label, named, right[k], 100*float64(right[k])/float64(max(named, 1)), missed[k], wrong[k], none[k]+falseHit[k], none[k], falseHit[k])
		if wrong[k] > 0 || falseHit[k] > 0 {
			t.Errorf("%s: %d wrong and %d false matches: a case would go to another building's grid", label, wrong[k], falseHit[k])
		}
		if k < 2 && named > 0 && right[k]*100 < named*90 {
			t.Errorf("%s: only %d of %d matched", label, right[k], named)
		}
	}
}
