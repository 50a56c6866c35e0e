package cases

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/db/dbtest"
)

// pageIDs runs the page statement of f as user, read in index order or sorted, and returns the
// case ids in list order.
func pageIDs(t *testing.T, w *world, d *db.DB, user string, f Filter, ordered bool) []int64 {
	t.Helper()
	f.Limit = 200
	_, page, a, _, err := listQueries(&f, auth.FromContext(w.ctx(user)), d.Dialect, w.svc.countCap, ordered)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := d.R.QueryContext(context.Background(), page, *a...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	return ids
}

func TestLargeListsSayTheyHoldMoreThanTheyCountAndReadTheSamePageInIndexOrder(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.svc.countCap = 5
		var ids []int64
		for i := range 12 {
			w.set(at(2024, 3, 4, 9, i))
			ids = append(ids, w.intake(fmt.Sprintf("漏水%d", i), "楼上卫生间漏水").ID)
		}
		// Some overdue (with and without a handle deadline), one supervised, some closed awaiting
		// their call-back, some called back already.
		exec := func(q string, args ...any) {
			if _, err := d.W.ExecContext(context.Background(), q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		for _, id := range ids[:7] {
			exec(`UPDATE cases SET overdue = TRUE WHERE id = $1`, id)
		}
		exec(`UPDATE cases SET handle_deadline = $1 WHERE id = $2`, at(2024, 3, 1, 9, 0).UTC(), ids[2])
		exec(`UPDATE cases SET supervised = TRUE WHERE id = $1`, ids[5])
		for i, id := range ids[3:11] {
			exec(`UPDATE cases SET state = 'closed', outcome = 'resolved', closed_at = received_at WHERE id = $1`, id)
			if i%3 == 0 {
				exec(`UPDATE cases SET callback_at = closed_at WHERE id = $1`, id)
			}
		}

		items, total, more, err := w.svc.ListPage(w.ctx("admin"), Filter{})
		if err != nil || total != 5 || !more || len(items) != 12 {
			t.Fatalf("all 12 cases with a cap of 5: total %d more %v, %d items, %v", total, more, len(items), err)
		}
		if _, total, more, _ := w.svc.ListPage(w.ctx("admin"), Filter{Queue: QueueToAccept}); total != 4 || more {
			t.Errorf("4 cases to accept: total %d more %v", total, more)
		}
		// A queue counts to its own, lower cap, and still lists every case of its page.
		w.svc.queueCap = 3
		if items, total, more, _ := w.svc.ListPage(w.ctx("admin"), Filter{Queue: QueueToAccept}); total != 3 || !more || len(items) != 4 {
			t.Errorf("4 cases to accept with a queue cap of 3: total %d more %v, %d items", total, more, len(items))
		}
		if _, total, more, _ := w.svc.ListPage(w.ctx("admin"), Filter{State: "received"}); total != 4 || more {
			t.Errorf("the same 4 cases by state, not a queue: total %d more %v", total, more)
		}
		w.svc.queueCap = QueueListCap
		for _, user := range []string{"admin", "district"} { // a community's plans and a district's
			if _, total, more, err := w.svc.ListPage(w.ctx(user), Filter{Q: "漏水"}); total != 5 || !more || err != nil {
				t.Errorf("%s: 12 cases match 漏水: total %d more %v %v", user, total, more, err)
			}
			if _, total, more, err := w.svc.ListPage(w.ctx(user), Filter{Queue: QueueToCallback}); total != 5 || more || err != nil {
				t.Errorf("%s: 5 cases await their call-back: total %d more %v %v", user, total, more, err)
			}
			// A selection within the cap is paged from its collected ids, in the same order.
			for _, f := range []Filter{{Queue: QueueToCallback}, {Queue: QueueToAccept}, {Queue: QueueOverdue, Supervised: false, Limit: 3, Offset: 2}} {
				exact, _, err1 := w.svc.List(w.ctx(user), f)
				paged, _, _, err2 := w.svc.ListPage(w.ctx(user), f)
				if err1 != nil || err2 != nil || len(exact) == 0 || len(exact) != len(paged) {
					t.Fatalf("%s %+v: %d and %d cases, %v %v", user, f, len(exact), len(paged), err1, err2)
				}
				for i := range exact {
					if exact[i].ID != paged[i].ID {
						t.Errorf("%s %+v: List %d, ListPage %d at %d", user, f, exact[i].ID, paged[i].ID, i)
					}
				}
			}
		}
		if _, total, _ := w.svc.List(w.ctx("admin"), Filter{}); total != 12 {
			t.Errorf("List counts every case: %d", total)
		}
		for _, f := range []Filter{{}, {Queue: QueueOverdue}, {Queue: QueueToCallback}, {Q: "漏水"}, {Queue: QueueOverdue, Q: "漏水"}} {
			for _, user := range []string{"admin", "district"} {
				sorted, ordered := pageIDs(t, w, d, user, f, false), pageIDs(t, w, d, user, f, true)
				if len(sorted) == 0 || !slices.Equal(sorted, ordered) {
					t.Errorf("%s %+v: sorted %v, read in index order %v", user, f, sorted, ordered)
				}
			}
		}
	})
}
