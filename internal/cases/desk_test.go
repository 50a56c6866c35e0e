package cases

import (
	"testing"
	"time"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
)

// deskCases records three calls from two callers, a day apart, and returns them oldest first.
func deskCases(t *testing.T, w *world) []*Case {
	t.Helper()
	var out []*Case
	for i, call := range []struct{ name, phone string }{{"张秀兰", "13812345678"}, {"李建国", "13900001234"}, {"张秀兰", "13812345678"}} {
		w.set(at(2024, 3, 4+i, 9, 0))
		c, err := w.svc.Intake(w.ctx("admin"), Intake{Channel: "phone", CategoryID: w.category("dispute.leak"),
			Description: "楼上漏水", Address: "南关社区3号楼", GridID: w.f.Grids[0].ID, ReporterName: call.name, ReporterPhone: call.phone})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	w.set(at(2024, 3, 8, 9, 0))
	return out
}

func listIDs(cs []Case) []int64 {
	out := []int64{}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

// inOrder reports whether a and b hold the same ids in the same order.
func inOrder(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestTheDeskFindsACallersCasesByPhoneOrName(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		cs := deskCases(t, w)
		for _, tc := range []struct {
			name string
			f    Filter
			want []int64
		}{
			{"the full number through the blind index", Filter{Phone: "138 1234 5678", Sort: "received"}, []int64{cs[0].ID, cs[2].ID}},
			{"the number with +86", Filter{Phone: "+8613900001234"}, []int64{cs[1].ID}},
			{"the last four digits", Filter{Phone: "1234"}, []int64{cs[1].ID}},
			{"the caller's name", Filter{Name: "秀兰", Sort: "-received"}, []int64{cs[2].ID, cs[0].ID}},
			{"a name with a LIKE wildcard matches literally", Filter{Name: "张%"}, []int64{}},
			{"a number nobody called from", Filter{Phone: "13700000000"}, []int64{}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				items, total, err := w.svc.List(w.ctx("admin"), tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if got := listIDs(items); total != len(tc.want) || !inOrder(got, tc.want) {
					t.Fatalf("found %v (total %d), want %v", got, total, tc.want)
				}
			})
		}
		_, _, err := w.svc.List(w.ctx("admin"), Filter{Phone: "12"})
		if !errs.Is(err, errs.Invalid) || errs.FieldsOf(err)["phone"] == "" {
			t.Fatalf("a two-digit phone search: %v", err)
		}
	})
}

func TestTheListSortsByReceivedDeadlineOrUpdatedBothWays(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		cs := deskCases(t, w)
		// The oldest case is supervised and changed last: the default order puts it first, an
		// explicit sort does not.
		w.set(at(2024, 3, 8, 10, 0))
		w.do("admin", cs[0].ID, ActSupervise, ActionInput{Note: "督办"})
		w.set(at(2024, 3, 8, 11, 0))
		w.do("admin", cs[1].ID, ActAccept, ActionInput{})
		for _, tc := range []struct {
			sort string
			want []int64
		}{
			{"", []int64{cs[0].ID, cs[2].ID, cs[1].ID}},
			{"received", []int64{cs[0].ID, cs[1].ID, cs[2].ID}},
			{"-received", []int64{cs[2].ID, cs[1].ID, cs[0].ID}},
			{"-updated", []int64{cs[1].ID, cs[0].ID, cs[2].ID}},
			{"updated", []int64{cs[2].ID, cs[0].ID, cs[1].ID}},
		} {
			for _, page := range []bool{false, true} {
				var items []Case
				var err error
				if page {
					items, _, _, err = w.svc.ListPage(w.ctx("admin"), Filter{Sort: tc.sort})
				} else {
					items, _, err = w.svc.List(w.ctx("admin"), Filter{Sort: tc.sort})
				}
				if err != nil {
					t.Fatal(err)
				}
				if got := listIDs(items); !inOrder(got, tc.want) {
					t.Errorf("sort %q (page %v): %v, want %v", tc.sort, page, got, tc.want)
				}
			}
		}
		byDeadline, _, err := w.svc.List(w.ctx("admin"), Filter{Sort: "deadline"})
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(byDeadline); i++ {
			a, b := deadlineOf(&byDeadline[i-1]), deadlineOf(&byDeadline[i])
			if a.After(b) {
				t.Fatalf("sort deadline: %v after %v", a, b)
			}
		}
		if _, _, err := w.svc.List(w.ctx("admin"), Filter{Sort: "title"}); errs.FieldsOf(err)["sort"] == "" {
			t.Fatalf("unknown sort: %v", err)
		}
		if _, _, err := w.svc.List(w.ctx("admin"), Filter{Limit: MaxListLimit + 1}); errs.FieldsOf(err)["limit"] == "" {
			t.Fatalf("limit above the maximum: %v", err)
		}
	})
}

func deadlineOf(c *Case) time.Time {
	if c.HandleDeadline != nil {
		return *c.HandleDeadline
	}
	if c.AcceptDeadline != nil {
		return *c.AcceptDeadline
	}
	return time.Time{}
}
