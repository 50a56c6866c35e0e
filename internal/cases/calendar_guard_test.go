package cases

import (
	"strings"
	"testing"
	"time"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
)

func TestADeadlineInAYearWithoutCalendarDataIsMarkedEstimated(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d) // the calendar holds 2024–2026
		w.set(at(2026, 11, 30, 9, 0))
		within := w.toProgress(w.intake("漏水", "楼上漏水"))
		w.set(at(2026, 12, 28, 9, 0))
		across := w.toProgress(w.intake("漏水", "楼上漏水，跨年"))
		for _, tc := range []struct {
			c    *Case
			want bool
		}{{within, false}, {across, true}} {
			got := w.get(tc.c.ID)
			year := got.HandleDeadline.In(at(2026, 1, 1, 0, 0).Location()).Year()
			if got.SLA.Estimated != tc.want || got.DeadlineEstimated != tc.want {
				t.Errorf("deadline %v (year %d): estimated %v/%v, want %v", got.HandleDeadline, year, got.SLA.Estimated,
					got.DeadlineEstimated, tc.want)
			}
			items, _, err := w.svc.List(w.ctx("admin"), Filter{})
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				if it.ID == tc.c.ID && it.SLA.Estimated != tc.want {
					t.Errorf("the list says estimated %v for a deadline in %d", it.SLA.Estimated, year)
				}
			}
		}
	})
}

func TestReceivedTimesBefore2000OrAheadOfNowAreRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		for _, tc := range []struct {
			name string
			at   time.Time
			says string
		}{
			{"1970", time.Unix(0, 0), "2000"},
			{"1999-12-31", at(1999, 12, 31, 23, 0), "2000"},
			{"tomorrow", w.now.Add(24 * time.Hour), "晚于当前时间"},
		} {
			_, err := w.svc.Intake(w.ctx("admin"), Intake{Channel: "phone", CategoryID: w.category("dispute.leak"),
				Description: "漏水", Address: "3号楼", GridID: w.f.Grids[0].ID, ReceivedAt: &tc.at})
			if msg := errs.FieldsOf(err)["received_at"]; !strings.Contains(msg, tc.says) {
				t.Errorf("%s: %v", tc.name, err)
			}
		}
		ok := at(2000, 1, 3, 9, 0)
		if _, err := w.svc.Intake(w.ctx("admin"), Intake{Channel: "phone", CategoryID: w.category("dispute.leak"),
			Description: "漏水", Address: "3号楼", GridID: w.f.Grids[0].ID, ReceivedAt: &ok}); err != nil {
			t.Fatalf("a time in 2000: %v", err)
		}
	})
}

func TestAnIntakeReportsEveryBadFieldAtOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		old := time.Unix(0, 0)
		_, err := w.svc.Intake(w.ctx("admin"), Intake{Address: strings.Repeat("长", 201), ReporterName: "张\x00三",
			ReporterPhone: "123", ReceivedAt: &old, Title: strings.Repeat("题", 101)})
		got := errs.FieldsOf(err)
		for _, f := range []string{"channel", "category_id", "description", "address", "reporter_name", "reporter_phone",
			"received_at", "title"} {
			if got[f] == "" {
				t.Errorf("no message for %s: %v", f, got)
			}
		}
		n := 0
		if err := d.R.QueryRow(`SELECT COUNT(*) FROM cases`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("a refused intake wrote %d cases (%v)", n, err)
		}
	})
}

func TestAnExtensionBeyondTheConfiguredMaximumIsRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.svc.opts.MaxExtensionDays = 10
		c := w.toProgress(w.intake("漏水", "楼上漏水"))
		due := *w.get(c.ID).HandleDeadline
		far := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
		msg := w.refuse("admin", c.ID, ActExtend, ActionInput{Note: "材料未到", Until: &far}, errs.Invalid)
		if !strings.Contains(msg, "10个工作日") {
			t.Fatalf("refusal: %s", msg)
		}
		eleven := w.cal.AddWorkingDays(due, 11)
		w.refuse("admin", c.ID, ActExtend, ActionInput{Note: "材料未到", Until: &eleven}, errs.Invalid)
		ten := w.cal.AddWorkingDays(due, 10)
		got := w.do("admin", c.ID, ActExtend, ActionInput{Note: "材料未到", Until: &ten})
		if got.HandleDeadline == nil || !got.HandleDeadline.Equal(ten.UTC().Truncate(time.Second)) {
			t.Fatalf("extension within the maximum: %v, want %v", got.HandleDeadline, ten)
		}
	})
}
