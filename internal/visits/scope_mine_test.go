package visits

import (
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
)

// TestWhoSeesWhichVisits: a party member (who may record contacts but not read the grid's ledger)
// sees only what they recorded; staff see their scope, and "mine" narrows it to their own entries.
func TestWhoSeesWhichVisits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		record := func(user string, household int64, met ...int64) int64 {
			t.Helper()
			res, err := w.visit(user, household, met...)
			if err != nil {
				t.Fatalf("%s records a visit: %v", user, err)
			}
			return res.Visit.ID
		}
		contact := record("member01", w.hh1)
		workers := record("worker01", w.hh1, w.alone1)
		leaders := record("grid01", w.hh1c)
		other := record("grid02", w.hh2, w.alone2)

		list := func(user string, f Filter) map[int64]bool {
			t.Helper()
			items, total, err := w.svc.List(w.f.Ctx(user), f)
			if err != nil {
				t.Fatalf("%s lists visits: %v", user, err)
			}
			if total != len(items) {
				t.Fatalf("%s: total %d for %d items", user, total, len(items))
			}
			got := map[int64]bool{}
			for _, v := range items {
				got[v.ID] = true
			}
			return got
		}
		same := func(got map[int64]bool, want ...int64) bool {
			if len(got) != len(want) {
				return false
			}
			for _, id := range want {
				if !got[id] {
					return false
				}
			}
			return true
		}

		t.Run("a party member sees only the contacts they logged", func(t *testing.T) {
			if got := list("member01", Filter{}); !same(got, contact) {
				t.Fatalf("member01 sees %v, want only their contact %d", got, contact)
			}
		})
		t.Run("a grid worker sees the grid's ledger", func(t *testing.T) {
			if got := list("worker01", Filter{}); !same(got, contact, workers, leaders) {
				t.Fatalf("worker01 sees %v, want grid 01's %d %d %d", got, contact, workers, leaders)
			}
		})
		t.Run("mine narrows a grid worker's ledger to their own visits", func(t *testing.T) {
			if got := list("worker01", Filter{Mine: true}); !same(got, workers) {
				t.Fatalf("worker01's own visits = %v, want %d", got, workers)
			}
		})
		t.Run("mine is the party member's own contacts too", func(t *testing.T) {
			if got := list("member01", Filter{Mine: true}); !same(got, contact) {
				t.Fatalf("member01's own = %v, want %d", got, contact)
			}
		})
		t.Run("the community admin sees both grids, and mine is empty for them", func(t *testing.T) {
			if got := list("admin", Filter{}); !same(got, contact, workers, leaders, other) {
				t.Fatalf("admin sees %v", got)
			}
			if got := list("admin", Filter{Mine: true}); len(got) != 0 {
				t.Fatalf("admin's own visits = %v, want none", got)
			}
		})
		t.Run("a party member cannot open a visit they did not record", func(t *testing.T) {
			if _, err := w.svc.Get(w.f.Ctx("member01"), workers); err == nil {
				t.Fatal("member01 opened worker01's visit")
			}
			if _, err := w.svc.Get(w.f.Ctx("member01"), contact); err != nil {
				t.Fatalf("member01 cannot open their own contact: %v", err)
			}
		})
	})
}
