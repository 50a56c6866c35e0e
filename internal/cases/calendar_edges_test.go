package cases

import (
	"testing"
	"time"

	"linli/internal/db"
	"linli/internal/db/dbtest"
)

// The cases below run on the real calendar (workday.SeedCalendar, the State Council's notices)
// around two holidays with make-up working days:
//
//	2024 National Day: 09-29 (Sunday) worked, 10-01 … 10-07 off, 10-12 (Saturday) worked
//	2025 Spring Festival: 01-26 (Sunday) worked, 01-28 … 02-04 off, 02-08 (Saturday) worked
//
// Category 漏水: accept within 2 working hours, sign within 1 working day, handle within 13
// working days, call back within 2 working days; working hours 08:30–12:00 and 14:30–18:00.

// TestDeadlinesAroundNationalDay2024 follows a case received late on the Friday before the
// make-up Sunday through the holiday.
func TestDeadlinesAroundNationalDay2024(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.set(at(2024, 9, 27, 17, 0))
		c := w.intake("国庆前漏水", "节前报修")
		// One working hour on Friday, the second on the make-up Sunday.
		if got := local(c.AcceptDeadline); got != "2024-09-29 09:30" {
			t.Fatalf("accept deadline %s, want 2024-09-29 09:30 (the make-up Sunday)", got)
		}
		w.set(at(2024, 9, 27, 17, 30))
		c = w.do("admin", c.ID, ActAccept, ActionInput{})
		// 09-29, 09-30, 10-08 … 10-11, the make-up 10-12, 10-14 … 10-18, 10-21.
		if got := local(c.HandleDeadline); got != "2024-10-21 18:00" {
			t.Fatalf("handle deadline %s, want 2024-10-21 18:00", got)
		}
		c = w.do("admin", c.ID, ActDispatch, ActionInput{Lead: &Target{Kind: "grid", GridID: w.f.Grids[0].ID}})
		if got := local(c.SignDeadline); got != "2024-09-29 18:00" {
			t.Fatalf("sign deadline %s, want 2024-09-29 18:00 (the make-up Sunday)", got)
		}
		w.set(at(2024, 9, 29, 9, 0))
		w.do("grid01", c.ID, ActSign, ActionInput{})

		w.set(at(2024, 10, 7, 10, 0)) // the last day of the holiday
		got := w.get(c.ID)
		// Left: 10-08 … 10-11, 10-12, 10-14 … 10-18, 10-21: 11 working days of 7 hours.
		if got.SLA.RemainingSeconds != 11*7*3600 || got.SLA.Text != "剩余 11个工作日" || got.SLA.Status != "ok" {
			t.Fatalf("on 10-07: %+v, want 11 working days left", got.SLA)
		}
		w.set(at(2024, 10, 12, 17, 0)) // the make-up Saturday
		got = w.get(c.ID)
		if got.SLA.RemainingSeconds != 6*7*3600+3600 || got.SLA.Text != "剩余 6个工作日1小时" {
			t.Fatalf("on the make-up Saturday: %+v, want 6 working days 1 hour left", got.SLA)
		}

		w.do("grid01", c.ID, ActReport, ActionInput{Note: "已更换水管"})
		c = w.do("admin", c.ID, ActVerify, ActionInput{Outcome: Resolved})
		// Worked: ½ h on 09-27, 09-29, 09-30, 10-08 … 10-11 (6 days), 10-12 until 17:00 (6 h).
		if c.HandleMinutes == nil || *c.HandleMinutes != (30+6*7*60+6*60) {
			t.Fatalf("handle minutes %v, want %d", c.HandleMinutes, 30+6*7*60+6*60)
		}
		if got := local(c.CallbackDue); got != "2024-10-15 18:00" {
			t.Fatalf("callback due %s, want 2024-10-15 18:00", got)
		}
	})
}

// TestCasesReceivedOnAMakeUpSaturdayOrAHoliday: the accept limit runs on a make-up working day and
// waits through a holiday.
func TestCasesReceivedOnAMakeUpSaturdayOrAHoliday(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		for _, tc := range []struct {
			name     string
			received time.Time
			want     string
		}{
			{"on the make-up Saturday the clock runs that morning", at(2024, 10, 12, 10, 0), "2024-10-12 12:00"},
			{"on a National Day holiday it starts when work resumes", at(2024, 10, 3, 10, 0), "2024-10-08 10:30"},
			{"on an ordinary Saturday it starts on Monday", at(2024, 10, 19, 10, 0), "2024-10-21 10:30"},
			{"on New Year's Eve 2025 after hours it skips New Year's Day", at(2024, 12, 31, 19, 0), "2025-01-02 10:30"},
			{"on the Spring Festival make-up Saturday it runs that afternoon", at(2025, 2, 8, 17, 0), "2025-02-10 09:30"},
		} {
			w.set(tc.received)
			c := w.intake(tc.name, "报修")
			if got := local(c.AcceptDeadline); got != tc.want {
				t.Errorf("%s: accept deadline %s, want %s", tc.name, got, tc.want)
			}
		}
	})
}

// TestDeadlinesAroundSpringFestival2025 follows a case through the Spring Festival and its two
// make-up days, and checks its working time.
func TestDeadlinesAroundSpringFestival2025(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.set(at(2025, 1, 24, 17, 0))
		c := w.intake("春节前漏水", "节前报修")
		if got := local(c.AcceptDeadline); got != "2025-01-26 09:30" {
			t.Fatalf("accept deadline %s, want 2025-01-26 09:30 (the make-up Sunday)", got)
		}
		w.set(at(2025, 1, 24, 17, 30))
		c = w.toProgress(c)
		// 01-26, 01-27, 02-05, 02-06, 02-07, the make-up 02-08, 02-10 … 02-14, 02-17, 02-18.
		if got := local(c.HandleDeadline); got != "2025-02-18 18:00" {
			t.Fatalf("handle deadline %s, want 2025-02-18 18:00", got)
		}
		if got := local(c.SignDeadline); got != "2025-01-26 18:00" {
			t.Fatalf("sign deadline %s, want 2025-01-26 18:00", got)
		}
		w.set(at(2025, 2, 1, 10, 0)) // inside the holiday
		got := w.get(c.ID)
		// Left: 02-05, 02-06, 02-07, 02-08, 02-10 … 02-14, 02-17, 02-18: 11 working days.
		if got.SLA.RemainingSeconds != 11*7*3600 || got.SLA.Status != "ok" {
			t.Fatalf("during the holiday: %+v, want 11 working days left", got.SLA)
		}
		w.set(at(2025, 2, 7, 10, 0))
		w.do("grid01", c.ID, ActReport, ActionInput{Note: "已修复"})
		c = w.do("admin", c.ID, ActVerify, ActionInput{Outcome: Resolved})
		// ½ h on 01-24, 01-26 and 01-27, 02-05 and 02-06, 1½ h on 02-07: 30 working hours.
		if c.HandleMinutes == nil || *c.HandleMinutes != 30*60 {
			t.Fatalf("handle minutes %v, want 1800", c.HandleMinutes)
		}
		// 02-08 (the make-up Saturday) and 02-10.
		if got := local(c.CallbackDue); got != "2025-02-10 18:00" {
			t.Fatalf("callback due %s, want 2025-02-10 18:00", got)
		}
		figs, err := w.svc.Figures(w.ctx("admin"), Filter{From: "2025-01-01", To: "2025-02-28"})
		if err != nil || figs["mean_handle_hours"] != 30.0 || figs["on_time_rate"] != 1.0 || figs["response_rate"] != 1.0 {
			t.Fatalf("figures: mean %v on time %v response %v (%v)", figs["mean_handle_hours"], figs["on_time_rate"], figs["response_rate"], err)
		}
	})
}
