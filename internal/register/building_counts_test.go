package register_test

import (
	"fmt"
	"sync"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/register"
)

// TestBuildingCountsFollowEveryWrite walks every write that changes a building's households or
// residents on the register and checks, after each, that the counts the building keeps are those
// of its rows — and that the building list shows them.
func TestBuildingCountsFollowEveryWrite(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := w.f.Ctx("admin")
		check := func(t *testing.T, building int64, households, residents int) {
			t.Helper()
			var kept, keptRes, rows, rowsRes int
			err := d.R.QueryRow(`SELECT household_count, resident_count,
				(SELECT COUNT(*) FROM households WHERE building_id = $1),
				(SELECT COUNT(*) FROM residents r JOIN households h ON h.id = r.household_id
					WHERE h.building_id = $1 AND r.status = 'active')
				FROM buildings WHERE id = $1`, building).Scan(&kept, &keptRes, &rows, &rowsRes)
			if err != nil {
				t.Fatal(err)
			}
			if kept != rows || keptRes != rowsRes {
				t.Errorf("building %d keeps %d households, %d residents; its rows are %d, %d", building, kept, keptRes, rows, rowsRes)
			}
			if rows != households || rowsRes != residents {
				t.Errorf("building %d has %d households, %d residents; want %d, %d", building, rows, rowsRes, households, residents)
			}
			b, err := w.svc.Building(ctx, building)
			if err != nil {
				t.Fatal(err)
			}
			if b.Households != households || b.Residents != residents {
				t.Errorf("the list shows %d households, %d residents; want %d, %d", b.Households, b.Residents, households, residents)
			}
		}
		check(t, w.b1, 1, 0)

		h3, err := w.svc.CreateHousehold(ctx, register.HouseholdInput{BuildingID: w.b1, Unit: "1", Room: "102"})
		if err != nil {
			t.Fatal(err)
		}
		check(t, w.b1, 2, 0)

		a := w.f.AddResident(t, adult("张伟", w.h1))
		w.f.AddResident(t, register.ResidentInput{HouseholdID: w.h1, Name: "王芳", Relation: "配偶"})
		check(t, w.b1, 2, 2)

		if _, err := w.svc.MoveResident(ctx, a, w.h2, "户主"); err != nil {
			t.Fatal(err)
		}
		check(t, w.b1, 2, 1)
		check(t, w.b2, 1, 1)

		if _, err := w.svc.SetResidentStatus(ctx, a, "moved_out", "迁往外地"); err != nil {
			t.Fatal(err)
		}
		check(t, w.b2, 1, 0)
		if _, err := w.svc.SetResidentStatus(ctx, a, "active", "迁回"); err != nil {
			t.Fatal(err)
		}
		check(t, w.b2, 1, 1)

		// The household h1 (王芳) moves to the other building, with its member.
		if _, err := w.svc.UpdateHousehold(ctx, w.h1, register.HouseholdInput{BuildingID: w.b2, Unit: "2", Room: "203"}); err != nil {
			t.Fatal(err)
		}
		check(t, w.b1, 1, 0)
		check(t, w.b2, 2, 2)

		// Eight desks register residents in one building at once: every one is counted (on
		// PostgreSQL the transactions overlap; each counts after the one before it commits).
		var wg sync.WaitGroup
		failed := make(chan error, 24)
		for desk := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 3 {
					in := register.ResidentInput{HouseholdID: h3.ID, Name: fmt.Sprintf("住户%d-%d", desk, i), Relation: "其他"}
					if _, err := w.svc.CreateResident(ctx, in); err != nil {
						failed <- err
					}
				}
			}()
		}
		wg.Wait()
		close(failed)
		for err := range failed {
			t.Fatal(err)
		}
		check(t, w.b1, 1, 24)
	})
}
