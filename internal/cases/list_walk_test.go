package cases

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/db/dbtest"
)

func TestLargeSearchPagesAreTheSameWhetherReadFromTheFirstCasesInListOrderOrFromEveryMatch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.svc.countCap = 3
		w.svc.walk = 8 // the newest 8 cases are walked before falling back to every match
		// 12 recent cases about heating that stays cold among 12 others, and 5 about a door lock,
		// the oldest of them: the lock's matches all lie beyond the walk.
		for i := range 5 {
			w.set(at(2024, 1, 4, 9, i))
			w.intake(fmt.Sprintf("门锁损坏%d", i), "单元门门锁损坏")
		}
		for i := range 24 {
			w.set(at(2024, 3, 4, 9, i))
			if i%2 == 0 {
				w.intake(fmt.Sprintf("暖气不热%d", i), "家里暖气不热")
			} else {
				w.intake(fmt.Sprintf("漏水%d", i), "楼上卫生间漏水")
			}
		}
		for _, user := range []string{"admin", "district"} {
			for _, c := range []struct {
				f    Filter
				full bool // the walk fills the page on PostgreSQL
			}{
				{Filter{Q: "暖气不热", Limit: 3}, true},
				{Filter{Q: "暖气不热", Limit: 2, Offset: 2}, true},
				{Filter{Q: "暖气不热", Limit: 3, Offset: 3}, false}, // the walk holds 4 matches only
				{Filter{Q: "门锁", Limit: 3}, false},
			} {
				all := c.f
				all.Offset = 0
				every := pageIDs(t, w, d, user, all, true) // the current page statement
				want := every[min(c.f.Offset, len(every)):min(c.f.Offset+c.f.Limit, len(every))]
				items, _, more, err := w.svc.ListPage(w.ctx(user), c.f)
				if err != nil || !more {
					t.Fatalf("%s %+v: more %v, %v", user, c.f, more, err)
				}
				var got []int64
				for _, it := range items {
					got = append(got, it.ID)
				}
				if len(want) != c.f.Limit || !slices.Equal(got, want) {
					t.Errorf("%s %+v: page %v, every match in list order gives %v", user, c.f, got, want)
				}
				if d.Dialect != db.Postgres {
					continue
				}
				f := c.f
				page, a, err := walkPage(&f, auth.FromContext(w.ctx(user)), w.svc.walk)
				if err != nil {
					t.Fatal(err)
				}
				walked, err := w.svc.pageCases(context.Background(), page, *a)
				if err != nil {
					t.Fatal(err)
				}
				if full := len(walked) == f.Limit; full != c.full {
					t.Errorf("%s %+v: the walk of %d cases fills the page: %v, want %v", user, f, w.svc.walk, full, c.full)
				}
			}
		}
	})
}

func TestAWideSearchOfACommonTermCountsItsFirstMatchesNewestFirst(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		n := SearchCountCap + 5
		var ids []int64 // newest first
		for i := range n {
			w.set(at(2024, 3, 4, 9, 0).Add(time.Duration(i) * time.Minute))
			ids = append([]int64{w.intake(fmt.Sprintf("漏水%d", i), "楼上卫生间漏水").ID}, ids...)
		}
		w.intake("门锁", "单元门门锁损坏")
		page := func(user string, f Filter) ([]int64, int, bool) {
			items, total, more, err := w.svc.ListPage(w.ctx(user), f)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, it := range items {
				got = append(got, it.ID)
			}
			return got, total, more
		}
		if _, total, more := page("admin", Filter{Q: "漏水"}); total != n || more {
			t.Errorf("the community counts every match: total %d more %v, want %d", total, more, n)
		}
		for _, c := range []struct{ offset, limit int }{{0, 50}, {50, 50}, {SearchCountCap - 3, 3}, {SearchCountCap, 50}} {
			got, total, more := page("district", Filter{Q: "漏水", Offset: c.offset, Limit: c.limit})
			want := ids[c.offset:min(c.offset+c.limit, n)]
			if total != SearchCountCap || !more || !slices.Equal(got, want) {
				t.Errorf("district, offset %d: total %d more %v, page %v; want %d, more, %v", c.offset, total, more, got, SearchCountCap, want)
			}
		}
		if _, total, more := page("district", Filter{Q: "漏水", RegionID: w.f.Community.ID}); total != n || more {
			t.Errorf("another filter beside the terms counts every match: total %d more %v, want %d", total, more, n)
		}
		if _, total, more := page("district", Filter{Q: "门锁"}); total != 1 || more {
			t.Errorf("a rare term is counted exactly: total %d more %v", total, more)
		}
	})
}
