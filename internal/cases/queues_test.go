package cases

import (
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
)

func TestEachQueueTabCountsTheCasesItsListShows(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.intake("楼道灯坏了", "三楼楼道灯不亮")
		w.intake("垃圾清运", "垃圾没有清运")
		accepted := w.intake("噪音", "夜间施工")
		w.do("admin", accepted.ID, ActAccept, ActionInput{})
		w.toProgress(w.intake("漏水", "楼上漏水"))
		for _, user := range []string{"admin", "grid01", "other"} {
			counts, err := w.svc.QueueCounts(w.ctx(user), 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(counts) != len(QueueLabels) {
				t.Fatalf("%s: %d tabs, want %d", user, len(counts), len(QueueLabels))
			}
			for _, q := range counts {
				_, total, err := w.svc.List(w.ctx(user), Filter{Queue: q.Code})
				if err != nil {
					t.Fatal(err)
				}
				if q.Count != total {
					t.Errorf("%s: tab %s counts %d, its list shows %d", user, q.Label, q.Count, total)
				}
			}
		}
		counts, _ := w.svc.QueueCounts(w.ctx("admin"), 0)
		want := map[string]int{QueueToAccept: 2, QueueToDispatch: 1, QueueOverdue: 0}
		for _, q := range counts {
			if n, ok := want[q.Code]; ok && q.Count != n {
				t.Errorf("admin: %s counts %d, want %d", q.Label, q.Count, n)
			}
		}
		if counts, _ := w.svc.QueueCounts(w.ctx("other"), 0); counts[0].Count != 0 {
			t.Errorf("another community's user counts %d cases to accept in Nanguan", counts[0].Count)
		}
	})
}
