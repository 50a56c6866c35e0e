package workday

import (
	"testing"
	"time"

	"linli/internal/clock"
)

func TestWorkingHoursAcceptSingleDigitHoursAndMinutes(t *testing.T) {
	h, err := ParseHours("8:30-12:0, 14:30-18:00")
	if err != nil {
		t.Fatal(err)
	}
	if got := h.String(); got != "08:30-12:00,14:30-18:00" {
		t.Fatalf("ParseHours = %s, want 08:30-12:00,14:30-18:00", got)
	}
}

func TestWorkingHoursWithEitherEndUnreadableAreRefused(t *testing.T) {
	for _, bad := range []string{"早上-12:00", "08:30-中午", "08:30-", "-12:00"} {
		if h, err := ParseHours(bad); err == nil {
			t.Errorf("ParseHours(%q) accepted as %s", bad, h)
		}
	}
}

func TestASpanMustLieWithinOneDayAndEndAfterItStarts(t *testing.T) {
	for _, tc := range []struct {
		name string
		span Span
		ok   bool
	}{
		{"the whole day", Span{0, 24 * 60}, true},
		{"from midnight", Span{0, 60}, true},
		{"until midnight", Span{23 * 60, 24 * 60}, true},
		{"before midnight", Span{-10, 60}, false},
		{"past midnight", Span{23 * 60, 24*60 + 1}, false},
		{"empty", Span{600, 600}, false},
		{"backwards", Span{600, 540}, false},
	} {
		err := WorkingHours{Spans: []Span{tc.span}}.Validate()
		if (err == nil) != tc.ok {
			t.Errorf("%s %s: Validate() = %v, want ok %v", tc.name, tc.span, err, tc.ok)
		}
	}
	if err := (WorkingHours{Spans: []Span{{480, 720}, {720, 1080}}}).Validate(); err != nil {
		t.Errorf("a span may start where the previous one ends: %v", err)
	}
	if err := (WorkingHours{Spans: []Span{{480, 720}, {719, 1080}}}).Validate(); err == nil {
		t.Error("overlapping spans accepted")
	}
}

func TestHoursWithoutAZoneAreCountedInShanghai(t *testing.T) {
	cal := New(nil, WorkingHours{Spans: []Span{{9 * 60, 17 * 60}}})
	if cal.Hours().Location != clock.Shanghai() {
		t.Fatalf("zone = %v, want Asia/Shanghai", cal.Hours().Location)
	}
	if got := fmtSH(cal.AddWorkingDays(sh(t, "2024-03-04 10:00"), 1)); got != "2024-03-05 17:00 Tue" {
		t.Errorf("deadline %s, want 2024-03-05 17:00", got)
	}
}

func TestInvalidHoursFallBackToTheDefault(t *testing.T) {
	cal := New(nil, WorkingHours{Spans: []Span{{600, 540}}})
	if got := cal.Hours().String(); got != DefaultHours().String() {
		t.Errorf("hours = %s, want the default %s", got, DefaultHours())
	}
}

// TestACalendarOfNothingButHolidaysStillAnswers: every walk over the days is bounded, so a
// calendar entered wrongly (every day a holiday) gives a far deadline rather than hanging.
func TestACalendarOfNothingButHolidaysStillAnswers(t *testing.T) {
	var days []Day
	for d := sh(t, "2024-01-01 00:00"); d.Year() < 2036; d = d.AddDate(0, 0, 1) {
		days = append(days, Day{Date: d.Format("2006-01-02"), Kind: Holiday, Name: "假日"})
	}
	cal := New(days, DefaultHours())
	from := sh(t, "2024-03-04 10:00")
	for name, got := range map[string]time.Time{"AddWorkingDays(0)": cal.AddWorkingDays(from, 0), "AddWorkingDays(3)": cal.AddWorkingDays(from, 3)} {
		if got.Year() < 2034 {
			t.Errorf("%s = %s, want the end of the ten-year walk", name, fmtSH(got))
		}
	}
	if got := cal.AddWorkingHours(from, 2*time.Hour); !got.Equal(from.Add(2 * time.Hour)) {
		t.Errorf("AddWorkingHours = %s, want natural time once the walk ends", fmtSH(got))
	}
	if got := cal.NextWorkingTime(from); !got.Equal(from) {
		t.Errorf("NextWorkingTime = %s, want the moment itself once the walk ends", fmtSH(got))
	}
}

func TestAClockStoppedAtTheDeadlineResumesLate(t *testing.T) {
	cal := SeedCalendar()
	due := sh(t, "2024-03-08 18:00")
	if got := cal.Resume(due, due, sh(t, "2024-03-12 10:00"), true); !got.Equal(due) {
		t.Errorf("no time was left when the clock stopped, yet resuming moved the deadline to %s", fmtSH(got))
	}
}

func TestALimitOfNoTimeIsUnusedAtItsStart(t *testing.T) {
	start := sh(t, "2024-03-04 10:00")
	if used, overdue := Progress(start, start, start, SeedCalendar(), true); used != 0 || overdue {
		t.Errorf("used %v overdue %v, want 0 and not late", used, overdue)
	}
}
