package visits

import (
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
)

func TestCoverageWhoCounts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		g1 := w.f.Grids[0].ID
		child := w.f.AddResident(t, registerInput(w.hh1c, "刘小宇", subYears(w.today, 9)))
		w.exec(`INSERT INTO resident_tags (resident_id, tag, region_id, since) VALUES ($1, 'left_behind_child', $2, $3)`,
			child, g1, w.daysAgo(60))
		gone := w.f.AddResident(t, registerInput(w.hh1c, "陈德明", "1960-07-08"))
		w.exec(`INSERT INTO resident_tags (resident_id, tag, region_id, since) VALUES ($1, 'dibao', $2, $3)`,
			gone, g1, w.daysAgo(60))
		w.exec(`UPDATE residents SET status = 'moved_out' WHERE id = $1`, gone)
		for _, tc := range []struct {
			user    string
			overdue int
			why     string
		}{
			{"admin", 2, "the community admin counts the overdue 独居老人 and the overdue 留守儿童"},
			{"worker01", 1, "a grid worker, who may not see minors, counts only the overdue 独居老人"},
		} {
			t.Run(tc.user, func(t *testing.T) {
				rep, err := w.svc.Coverage(w.f.Ctx(tc.user))
				if err != nil {
					t.Fatal(err)
				}
				var c Coverage
				for _, g := range rep.Grids {
					if g.RegionID == g1 {
						c = g
					}
				}
				if c.Overdue != tc.overdue || c.OK != 0 || c.New != 0 {
					t.Errorf("grid 01 = %+v: %s; the resident who moved out counts for nobody", c, tc.why)
				}
				_, n, err := w.svc.CarePlan(w.f.Ctx(tc.user), CareFilter{GridID: g1, State: "overdue"})
				if err != nil || n != c.Overdue {
					t.Errorf("the overdue list has %d residents, the figure says %d (%v)", n, c.Overdue, err)
				}
			})
		}
	})
}
