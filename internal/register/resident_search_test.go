package register_test

import (
	"strings"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/register"
)

func TestResidentSearchPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		for _, n := range []string{"王秀英", "李秀英", "张伟", "赵秀英", "孙秀英", "周秀英"} {
			h := w.h1
			if n == "孙秀英" || n == "周秀英" {
				h = w.h2
			}
			w.f.AddResident(t, register.ResidentInput{HouseholdID: h, Name: n})
		}
		moved := w.f.AddResident(t, register.ResidentInput{HouseholdID: w.h1, Name: "吴秀英"})
		if _, err := w.svc.SetResidentStatus(w.f.Ctx("admin"), moved, "moved_out", "迁往外地"); err != nil {
			t.Fatal(err)
		}
		page := func(t *testing.T, user string, limit, offset int) (string, int) {
			t.Helper()
			list, total, err := w.svc.Residents(w.f.Ctx(user), register.ResidentFilter{Q: "秀英", Limit: limit, Offset: offset})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, r := range list {
				names = append(names, r.Name)
			}
			return strings.Join(names, ","), total
		}
		for _, c := range []struct {
			name string
			cap  int
		}{{"a search pages its matches in registration order, with the total of all of them", 5000},
			{"and so does one with more matches than it pages itself", 2}} {
			t.Run(c.name, func(t *testing.T) {
				old := register.SetSearchCap(c.cap)
				defer register.SetSearchCap(old)
				for _, p := range []struct {
					user          string
					limit, offset int
					want          string
					total         int
				}{
					{"admin", 2, 0, "王秀英,李秀英", 5},
					{"admin", 2, 2, "赵秀英,孙秀英", 5},
					{"admin", 2, 4, "周秀英", 5},
					{"admin", 2, 9, "", 5},
					{"worker01", 50, 0, "王秀英,李秀英,赵秀英", 3},
				} {
					if got, total := page(t, p.user, p.limit, p.offset); got != p.want || total != p.total {
						t.Errorf("%s, limit %d offset %d: %q of %d, want %q of %d", p.user, p.limit, p.offset, got, total, p.want, p.total)
					}
				}
			})
		}
	})
}
