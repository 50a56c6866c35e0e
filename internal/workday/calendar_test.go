package workday

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"linli/internal/clock"
)

// sh parses "2006-01-02 15:04" in Asia/Shanghai.
func sh(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, clock.Shanghai())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func fmtSH(t time.Time) string { return t.In(clock.Shanghai()).Format("2006-01-02 15:04 Mon") }

func TestIsWorkday(t *testing.T) {
	cal := SeedCalendar()
	tests := []struct {
		name string
		at   string
		want bool
	}{
		{"an ordinary Tuesday works", "2024-03-05 10:00", true},
		{"an ordinary Saturday is off", "2024-03-09 10:00", false},
		{"an ordinary Sunday is off", "2024-03-10 10:00", false},
		{"2024 Spring Festival make-up Sunday before works", "2024-02-04 10:00", true},
		{"2024 Spring Festival make-up Sunday after works", "2024-02-18 10:00", true},
		{"2024 Spring Festival first day is off", "2024-02-10 10:00", false},
		{"2024 Spring Festival weekday inside is off", "2024-02-14 10:00", false},
		{"2024 Spring Festival last day is off", "2024-02-17 10:00", false},
		{"2024 Spring Festival eve (not in the notice) works", "2024-02-09 10:00", true},
		{"2025 Spring Festival make-up Sunday works", "2025-01-26 10:00", true},
		{"2025 Spring Festival Tuesday is off", "2025-01-28 10:00", false},
		{"2025 Spring Festival make-up Saturday works", "2025-02-08 10:00", true},
		{"2026 Spring Festival make-up Saturday works", "2026-02-14 10:00", true},
		{"2026 Spring Festival Monday is off", "2026-02-23 10:00", false},
		{"2024 National Day is off", "2024-10-01 10:00", false},
		{"2024 National Day Friday is off", "2024-10-04 10:00", false},
		{"2024 National Day make-up Saturday works", "2024-10-12 10:00", true},
		{"2025 National Day and Mid-Autumn Wednesday is off", "2025-10-08 10:00", false},
		{"New Year's Eve 2024 works", "2024-12-31 10:00", true},
		{"New Year's Day 2025 is off", "2025-01-01 10:00", false},
		{"2026 New Year make-up Sunday works", "2026-01-04 10:00", true},
		{"beyond the data a weekday works, even on 1 October", "2027-10-01 10:00", true},
		{"beyond the data a Saturday is off", "2027-10-02 10:00", false},
		{"judged by the Shanghai date, not UTC", "2024-02-10 00:30", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := sh(t, tt.at)
			if got := cal.IsWorkday(at.UTC()); got != tt.want {
				t.Errorf("IsWorkday(%s) = %v, want %v", fmtSH(at), got, tt.want)
			}
		})
	}
}

func TestAddWorkingDays(t *testing.T) {
	cal := SeedCalendar()
	tests := []struct {
		name string
		from string
		n    int
		want string
	}{
		{"next working day ends at 18:00", "2024-03-05 10:00", 1, "2024-03-06 18:00"},
		{"Friday morning plus one is Monday", "2024-03-01 10:00", 1, "2024-03-04 18:00"},
		{"Friday night plus one is Monday", "2024-03-01 20:00", 1, "2024-03-04 18:00"},
		{"Saturday plus one is Monday", "2024-03-02 09:00", 1, "2024-03-04 18:00"},
		{"year end skips New Year's Day", "2024-12-31 10:00", 1, "2025-01-02 18:00"},
		{"year end 2025 lands on the make-up Sunday", "2025-12-31 10:00", 1, "2026-01-04 18:00"},
		{"Friday before Spring Festival 2024 lands on make-up Sunday", "2024-02-02 15:00", 1, "2024-02-04 18:00"},
		{"across Spring Festival 2024", "2024-02-08 10:00", 3, "2024-02-19 18:00"},
		{"into Spring Festival 2025 make-up days", "2025-01-24 10:00", 2, "2025-01-27 18:00"},
		{"over Spring Festival 2025", "2025-01-27 10:00", 1, "2025-02-05 18:00"},
		{"2026 make-up Saturday counts", "2026-02-13 10:00", 1, "2026-02-14 18:00"},
		{"over Spring Festival 2026", "2026-02-14 10:00", 1, "2026-02-24 18:00"},
		{"over National Day 2024", "2024-09-30 10:00", 1, "2024-10-08 18:00"},
		{"13 working days over National Day 2025", "2025-09-26 10:00", 13, "2025-10-21 18:00"},
		{"zero on a working day is the end of that day", "2024-03-04 10:00", 0, "2024-03-04 18:00"},
		{"zero on a Saturday is the end of Monday", "2024-03-02 10:00", 0, "2024-03-04 18:00"},
		{"beyond the data only weekends are off", "2027-09-30 10:00", 1, "2027-10-01 18:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cal.AddWorkingDays(sh(t, tt.from), tt.n)
			if want := sh(t, tt.want); !got.Equal(want) {
				t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tt.from, tt.n, fmtSH(got), fmtSH(want))
			}
		})
	}
}

func TestAddWorkingHours(t *testing.T) {
	cal := SeedCalendar()
	tests := []struct {
		name string
		from string
		d    time.Duration
		want string
	}{
		{"within the morning", "2024-03-04 09:00", time.Hour, "2024-03-04 10:00"},
		{"ending exactly at noon stays at noon", "2024-03-04 11:00", time.Hour, "2024-03-04 12:00"},
		{"across the lunch break", "2024-03-04 11:00", 2 * time.Hour, "2024-03-04 15:30"},
		{"starting in the lunch break", "2024-03-04 12:30", 30 * time.Minute, "2024-03-04 15:00"},
		{"across the night", "2024-03-04 17:00", 2 * time.Hour, "2024-03-05 09:30"},
		{"starting at night", "2024-03-04 20:00", 30 * time.Minute, "2024-03-05 09:00"},
		{"starting before work", "2024-03-05 06:00", 30 * time.Minute, "2024-03-05 09:00"},
		{"a whole working day", "2024-03-04 08:30", 7 * time.Hour, "2024-03-04 18:00"},
		{"across the weekend", "2024-03-08 17:30", 2 * time.Hour, "2024-03-11 10:00"},
		{"starting on Saturday", "2024-03-09 10:00", 2 * time.Hour, "2024-03-11 10:30"},
		{"across Spring Festival 2024 to the make-up Sunday", "2024-02-09 17:00", 2 * time.Hour, "2024-02-18 09:30"},
		{"across the year end", "2024-12-31 17:00", 2 * time.Hour, "2025-01-02 09:30"},
		{"zero leaves the time alone", "2024-03-09 10:00", 0, "2024-03-09 10:00"},
		{"three working days of hours", "2024-03-04 08:30", 21 * time.Hour, "2024-03-06 18:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cal.AddWorkingHours(sh(t, tt.from), tt.d)
			if want := sh(t, tt.want); !got.Equal(want) {
				t.Errorf("AddWorkingHours(%s, %s) = %s, want %s", tt.from, tt.d, fmtSH(got), fmtSH(want))
			}
		})
	}
}

func TestWorkingBetween(t *testing.T) {
	cal := SeedCalendar()
	tests := []struct {
		name string
		a, b string
		want time.Duration
	}{
		{"a whole working day counts seven hours", "2024-03-04 07:00", "2024-03-04 19:00", 7 * time.Hour},
		{"the lunch break does not count", "2024-03-04 11:00", "2024-03-04 15:00", 90 * time.Minute},
		{"nights and weekends do not count", "2024-03-08 17:00", "2024-03-11 09:00", 90 * time.Minute},
		{"Spring Festival 2024 does not count, make-up Sunday does", "2024-02-09 08:30", "2024-02-19 08:30", 14 * time.Hour},
		{"National Day 2024 is off, its make-up weekend days count", "2024-09-28 00:00", "2024-10-13 00:00", 7 * 7 * time.Hour},
		{"year end skips New Year's Day", "2024-12-31 12:00", "2025-01-02 12:00", 3*time.Hour + 30*time.Minute + 3*time.Hour + 30*time.Minute},
		{"backwards is negative", "2024-03-04 15:00", "2024-03-04 11:00", -90 * time.Minute},
		{"a holiday alone is zero", "2024-10-02 00:00", "2024-10-03 00:00", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cal.WorkingBetween(sh(t, tt.a), sh(t, tt.b)); got != tt.want {
				t.Errorf("WorkingBetween(%s, %s) = %s, want %s", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestAddWorkingHoursIsTheInverseOfWorkingBetween(t *testing.T) {
	cal := SeedCalendar()
	rng := rand.New(rand.NewPCG(1, 2))
	base := sh(t, "2024-01-01 00:00")
	for i := 0; i < 2000; i++ {
		from := base.Add(time.Duration(rng.Int64N(int64(3 * 365 * 24 * time.Hour))))
		d := time.Duration(rng.Int64N(int64(40*time.Hour))) / time.Minute * time.Minute
		to := cal.AddWorkingHours(from, d)
		if got := cal.WorkingBetween(from, to); got != d {
			t.Fatalf("WorkingBetween(%s, AddWorkingHours(…, %s) = %s) = %s", fmtSH(from), d, fmtSH(to), got)
		}
	}
}

func TestCustomWorkingHours(t *testing.T) {
	h, err := ParseHours("09:00-12:00，13:30－17:30")
	if err != nil {
		t.Fatal(err)
	}
	if h.String() != "09:00-12:00,13:30-17:30" || h.PerDay() != 7*time.Hour {
		t.Fatalf("hours = %s (%s per day)", h, h.PerDay())
	}
	cal := New(nil, h)
	if got := cal.AddWorkingDays(sh(t, "2024-03-04 10:00"), 1); !got.Equal(sh(t, "2024-03-05 17:30")) {
		t.Errorf("deadline = %s, want the end of the custom day 17:30", fmtSH(got))
	}
	if got := cal.AddWorkingHours(sh(t, "2024-03-04 11:00"), 2*time.Hour); !got.Equal(sh(t, "2024-03-04 14:30")) {
		t.Errorf("AddWorkingHours = %s, want 14:30", fmtSH(got))
	}
	for _, bad := range []string{"", "12:00-08:00", "08:00-12:00,11:00-13:00", "早上", "25:00-26:00"} {
		if _, err := ParseHours(bad); err == nil {
			t.Errorf("ParseHours(%q) accepted", bad)
		}
	}
}

func TestParseCSV(t *testing.T) {
	days := Seed()
	if len(days) != 110 {
		t.Errorf("seed holds %d days, want 110", len(days))
	}
	for _, y := range []int{2024, 2025, 2026} {
		if !SeedCalendar().Covers(y) {
			t.Errorf("seed does not cover %d", y)
		}
	}
	if SeedCalendar().Covers(2027) {
		t.Error("seed claims to cover 2027")
	}
	good := "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,调休上班,春节调休上班\n"
	got, err := ParseCSV(strings.NewReader(good))
	if err != nil || len(got) != 2 || got[1].Kind != Workday {
		t.Fatalf("ParseCSV(good) = %v, %v", got, err)
	}
	bad := []struct{ name, csv, msg string }{
		{"bad date", "2027-02-30,holiday,x\n", "第 1 行"},
		{"bad kind", "2027-01-01,vacation,x\n", "类型"},
		{"make-up on a weekday", "2027-01-04,workday,x\n", "周六或周日"},
		{"duplicate", "2027-01-01,holiday,a\n2027-01-01,holiday,b\n", "重复"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCSV(strings.NewReader(tt.csv))
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %v, want one mentioning %q", err, tt.msg)
			}
		})
	}
}

func TestTheMissingYearIsNamedFromTheFirstOfNovember(t *testing.T) {
	c := SeedCalendar() // 2024–2026
	loc := clock.Shanghai()
	for _, tc := range []struct {
		now  time.Time
		want int
	}{
		{time.Date(2026, 10, 31, 23, 59, 0, 0, loc), 0},
		{time.Date(2026, 11, 1, 0, 0, 0, 0, loc), 2027},
		{time.Date(2026, 12, 5, 9, 0, 0, 0, loc), 2027},
		{time.Date(2025, 11, 15, 9, 0, 0, 0, loc), 0},
		{time.Date(2027, 3, 1, 9, 0, 0, 0, loc), 2027},
		{time.Date(2023, 6, 1, 9, 0, 0, 0, loc), 2023},
	} {
		if got := c.MissingYear(tc.now); got != tc.want {
			t.Errorf("%v: missing %d, want %d", tc.now, got, tc.want)
		}
	}
}
