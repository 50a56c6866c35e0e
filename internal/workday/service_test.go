package workday_test

import (
	"context"
	"testing"
	"time"

	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
	"linli/internal/fixture"
	"linli/internal/workday"
)

func auditCount(t *testing.T, d *db.DB, action string) int {
	t.Helper()
	var n int
	if err := d.R.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM audit_log WHERE action = $1", action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCalendarService(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := fixture.New(t, d)
		ctx := context.Background()
		svc := workday.NewService(d)
		at := func(s string) time.Time {
			v, _ := time.ParseInLocation("2006-01-02 15:04", s, clock.Shanghai())
			return v
		}

		t.Run("a new database holds the shipped 2024–2026 calendar", func(t *testing.T) {
			cal, err := workday.Load(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			if len(cal.Days()) != 110 || cal.IsWorkday(at("2024-02-12 10:00")) || !cal.IsWorkday(at("2024-02-18 10:00")) {
				t.Fatalf("loaded %d days; Spring Festival 2024 wrong", len(cal.Days()))
			}
			if cal.Hours().String() != "08:30-12:00,14:30-18:00" {
				t.Errorf("hours = %s", cal.Hours())
			}
		})
		t.Run("only settings managers may edit, and each edit is audited", func(t *testing.T) {
			day := workday.Day{Date: "2027-01-01", Kind: workday.Holiday, Name: "元旦"}
			if err := svc.SaveDay(f.Ctx("grid01"), day); !errs.Is(err, errs.Forbidden) {
				t.Fatalf("grid leader SaveDay: %v, want forbidden", err)
			}
			if err := svc.SaveDay(f.Ctx("admin"), day); err != nil {
				t.Fatal(err)
			}
			if auditCount(t, d, "calendar.day_save") != 1 {
				t.Error("SaveDay not audited")
			}
			cal, _ := svc.Calendar(ctx)
			if cal.IsWorkday(at("2027-01-01 10:00")) {
				t.Error("the new holiday is not in the calendar the service serves")
			}
		})
		t.Run("a deleted shipped day stays deleted on the next load", func(t *testing.T) {
			if err := svc.DeleteDay(f.Ctx("admin"), "2024-02-18"); err != nil {
				t.Fatal(err)
			}
			cal, err := workday.Load(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			if cal.IsWorkday(at("2024-02-18 10:00")) {
				t.Error("the deleted make-up Sunday came back")
			}
			if err := svc.DeleteDay(f.Ctx("admin"), "2024-02-18"); !errs.Is(err, errs.NotFound) {
				t.Errorf("deleting again: %v, want not found", err)
			}
		})
		t.Run("importing a year replaces that year only", func(t *testing.T) {
			days := []workday.Day{{Date: "2027-02-06", Kind: workday.Workday}, {Date: "2027-02-08", Kind: workday.Holiday, Name: "春节"}}
			if _, err := svc.ImportYear(f.Ctx("admin"), 2026, days); !errs.Is(err, errs.Invalid) {
				t.Errorf("importing 2027 days as 2026: %v, want invalid", err)
			}
			n, err := svc.ImportYear(f.Ctx("street"), 2027, days)
			if err != nil || n != 2 {
				t.Fatalf("ImportYear = %d, %v", n, err)
			}
			o, err := svc.Overview(f.Ctx("worker01"), 2027)
			if err != nil || o.Total != 2 || o.Items[0].Name != "调休上班" {
				t.Fatalf("2027 = %+v, %v; the imported year should replace 元旦", o, err)
			}
			if o2, _ := svc.Overview(f.Ctx("worker01"), 2025); o2.Total != 33 {
				t.Errorf("2025 holds %d days after importing 2027", o2.Total)
			}
			if auditCount(t, d, "calendar.import") != 1 {
				t.Error("import not audited")
			}
		})
		t.Run("changed working hours apply to every later calculation", func(t *testing.T) {
			if err := svc.SetHours(f.Ctx("admin"), "9:00-12:00,13:00-17:00"); err != nil {
				t.Fatal(err)
			}
			if err := svc.SetHours(f.Ctx("admin"), "下午"); !errs.Is(err, errs.Invalid) {
				t.Errorf("bad hours: %v", err)
			}
			cal, _ := svc.Calendar(ctx)
			if got := cal.AddWorkingDays(at("2025-03-03 10:00"), 1); !got.Equal(at("2025-03-04 17:00")) {
				t.Errorf("deadline = %s, want 17:00 with the new hours", got)
			}
		})
	})
}
