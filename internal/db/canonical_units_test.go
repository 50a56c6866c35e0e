package db_test

import (
	"context"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/fixture"
)

// The data migration of issue 19 rewrites households stored before units and doors had one form:
// bare and Chinese-numeral units become 1单元, bungalow doors 5号, block doors lose leading zeros;
// a household whose new form another household of its building already holds (one door entered
// twice) is left for a person to merge; a second run changes nothing.
func TestOlderHouseholdsTakeTheCanonicalForm(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := fixture.New(t, d)
		block := f.AddBuilding(t, f.Grids[0], "1号楼", 100.442, 38.925)
		lane := f.AddBuilding(t, f.Grids[0], "箭道巷2号平房院", 100.443, 38.925)
		if _, err := d.W.Exec(`UPDATE buildings SET kind = 'bungalow' WHERE id = $1`, lane); err != nil {
			t.Fatal(err)
		}
		want := map[int64]string{}
		add := func(building int64, unit, room, after string) {
			want[f.AddHousehold(t, building, unit, room)] = after
		}
		add(block, "1", "101", "1单元 101")
		add(block, "01", "102", "1单元 102")
		add(block, "一", "103", "1单元 103")
		add(block, "二单元", "104", "2单元 104")
		add(block, "3单元", "301", "3单元 301")
		add(block, "东单元", "101", "东单元 101")
		add(block, "2", "0201", "2单元 201")
		add(block, "", "5", " 5")       // a bare door of a block stays a bare door (shown 5室)
		add(block, "4", "401", "4 401") // entered twice: 4 and 4单元
		add(block, "4单元", "401", "4单元 401")
		add(block, "5", "501", "5 501") // and 5 beside 05
		add(block, "05", "501", "05 501")
		add(lane, "", "1", " 1号")
		add(lane, "", "02", " 2号")
		add(lane, "", "3号", " 3号")
		add(lane, "", "东厢房", " 东厢房")
		add(lane, "", "4", " 4") // and 4 beside 4号
		add(lane, "", "4号", " 4号")
		migration, err := db.MigrationSQL(d, "_canonical_units.sql")
		if err != nil {
			t.Fatal(err)
		}
		for run := 1; run <= 2; run++ {
			if _, err := d.W.ExecContext(context.Background(), migration); err != nil {
				t.Fatalf("run %d: %v", run, err)
			}
			for id, w := range want {
				var got string
				if err := d.R.QueryRow(`SELECT unit || ' ' || room FROM households WHERE id = $1`, id).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != w {
					t.Errorf("run %d: household %d is %q, want %q", run, id, got, w)
				}
			}
		}
	})
}
