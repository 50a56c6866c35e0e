package workday

import (
	"testing"
	"time"
)

// The arithmetic of time limits on the seed calendar with the default hours (08:30–12:00 and
// 14:30–18:00, seven working hours a day). March 2024 has no holidays: 03-04 is a Monday.

func TestALimitIsValidWithAKnownUnitAndAPositiveValue(t *testing.T) {
	for _, tc := range []struct {
		l    Limit
		want bool
	}{
		{Limit{UnitWorkingDays, 3}, true},
		{Limit{UnitWorkingHours, 0.5}, true},
		{Limit{UnitHours, 24}, true},
		{Limit{UnitWorkingDays, 0}, false},
		{Limit{UnitHours, -1}, false},
		{Limit{"days", 3}, false},
	} {
		if got := tc.l.Valid(); got != tc.want {
			t.Errorf("%+v.Valid() = %v, want %v", tc.l, got, tc.want)
		}
	}
	if !(Limit{UnitWorkingDays, 1}).Working() || !(Limit{UnitWorkingHours, 1}).Working() || (Limit{UnitHours, 1}).Working() {
		t.Error("working days and working hours count working time; natural hours do not")
	}
}

func TestALimitReadsInChinese(t *testing.T) {
	for _, tc := range []struct {
		l    Limit
		want string
	}{
		{Limit{UnitWorkingDays, 3}, "3个工作日"},
		{Limit{UnitWorkingHours, 2}, "2个工作小时"},
		{Limit{UnitWorkingHours, 1}, "1个工作小时"},
		{Limit{UnitWorkingHours, 0.5}, "30个工作分钟"},
		{Limit{UnitHours, 24}, "24小时"},
		{Limit{UnitHours, 1}, "1小时"},
		{Limit{UnitHours, 0.5}, "30分钟"},
		{Limit{"days", 3}, ""},
	} {
		if got := tc.l.String(); got != tc.want {
			t.Errorf("%+v = %q, want %q", tc.l, got, tc.want)
		}
	}
}

func TestDeadlineCountsEachUnitItsOwnWay(t *testing.T) {
	cal := SeedCalendar()
	for _, tc := range []struct {
		name, from string
		l          Limit
		want       string
	}{
		{"working days end at 18:00 of the n-th working day", "2024-03-05 10:00", Limit{UnitWorkingDays, 3}, "2024-03-08 18:00 Fri"},
		{"a fraction of a working day is dropped", "2024-03-05 10:00", Limit{UnitWorkingDays, 2.9}, "2024-03-07 18:00 Thu"},
		{"working hours stop at noon", "2024-03-05 10:00", Limit{UnitWorkingHours, 2}, "2024-03-05 12:00 Tue"},
		{"half a working hour spans the lunch break", "2024-03-05 11:45", Limit{UnitWorkingHours, 0.5}, "2024-03-05 14:45 Tue"},
		{"natural hours run through the weekend", "2024-03-09 10:00", Limit{UnitHours, 24}, "2024-03-10 10:00 Sun"},
	} {
		if got := fmtSH(cal.Deadline(sh(t, tc.from), tc.l)); got != tc.want {
			t.Errorf("%s: %s", tc.name, got)
		}
	}
}

func TestElapsedIsWorkingOrNaturalTimeAndNegativeBackwards(t *testing.T) {
	cal := SeedCalendar()
	a, b := sh(t, "2024-03-08 17:00"), sh(t, "2024-03-11 09:30") // Friday evening to Monday morning
	if got := cal.Elapsed(a, b, true); got != 2*time.Hour {
		t.Errorf("working: %v, want 2h", got)
	}
	if got := cal.Elapsed(b, a, true); got != -2*time.Hour {
		t.Errorf("working backwards: %v, want -2h", got)
	}
	if got := cal.Elapsed(a, b, false); got != 64*time.Hour+30*time.Minute {
		t.Errorf("natural: %v, want 64h30m", got)
	}
}

func TestResumeGivesBackTheTimeLeftWhenTheClockStopped(t *testing.T) {
	cal := SeedCalendar()
	due := sh(t, "2024-03-08 18:00")
	paused := sh(t, "2024-03-07 17:00") // 1 h on Thursday + 7 h on Friday left
	if got := fmtSH(cal.Resume(due, paused, sh(t, "2024-03-12 10:00"), true)); got != "2024-03-13 11:00 Wed" {
		t.Errorf("working: resumed deadline %s, want 2024-03-13 11:00", got)
	}
	if got := fmtSH(cal.Resume(due, paused, sh(t, "2024-03-12 10:00"), false)); got != "2024-03-13 11:00 Wed" {
		t.Errorf("natural: resumed deadline %s, want 25 h after resuming", got)
	}
	late := sh(t, "2024-03-11 10:00")
	if got := cal.Resume(due, late, sh(t, "2024-03-12 10:00"), true); !got.Equal(due) {
		t.Errorf("a deadline already past when the clock stopped moved to %s", fmtSH(got))
	}
	if got := cal.Resume(due, paused, paused, true); !got.Equal(due) {
		t.Errorf("resuming at the moment of pausing moved the deadline to %s", fmtSH(got))
	}
	if got := cal.Resume(due, paused, paused.Add(-time.Hour), true); !got.Equal(due) {
		t.Errorf("resuming before pausing moved the deadline to %s", fmtSH(got))
	}
}

func TestProgressIsTheShareOfTheLimitUsed(t *testing.T) {
	cal := SeedCalendar()
	start, due := sh(t, "2024-03-04 08:30"), sh(t, "2024-03-04 18:00") // one working day, 7 h
	for _, tc := range []struct {
		name    string
		now     time.Time
		working bool
		used    float64
		overdue bool
	}{
		{"before the start nothing is used", sh(t, "2024-03-04 08:00"), true, 0, false},
		{"at noon half the working day is used", sh(t, "2024-03-04 12:00"), true, 0.5, false},
		{"the lunch break uses nothing", sh(t, "2024-03-04 14:00"), true, 0.5, false},
		{"at the deadline all is used but it is not late", due, true, 1, false},
		{"after the deadline it is late", sh(t, "2024-03-05 09:00"), true, 7.5 / 7, true},
		{"in natural time the lunch break counts", sh(t, "2024-03-04 14:00"), false, 5.5 / 9.5, false},
		{"without a calendar natural time is used", sh(t, "2024-03-04 13:15"), true, 0.5, false},
	} {
		c := cal
		if tc.name == "without a calendar natural time is used" {
			c = nil
		}
		used, overdue := Progress(start, due, tc.now, c, tc.working)
		if used != tc.used || overdue != tc.overdue {
			t.Errorf("%s: used %v overdue %v, want %v %v", tc.name, used, overdue, tc.used, tc.overdue)
		}
	}
	if used, overdue := Progress(start, start, start.Add(time.Hour), cal, true); used != 1 || !overdue {
		t.Errorf("a limit of no time: used %v overdue %v, want 1 and late", used, overdue)
	}
	// Past a deadline that fell outside working hours, no working time has run since: still all used.
	if used, overdue := Progress(start, sh(t, "2024-03-04 13:00"), sh(t, "2024-03-04 14:00"), cal, true); used != 1 || !overdue {
		t.Errorf("late in the lunch break: used %v overdue %v, want 1 and late", used, overdue)
	}
}

func TestSLATurnsAmberAtEightyPercentAndRedWhenPast(t *testing.T) {
	cal := SeedCalendar()
	start, due := sh(t, "2024-03-04 08:30"), sh(t, "2024-03-04 18:00")
	for _, tc := range []struct {
		now, status, text, class string
		percent                  int
	}{
		{"2024-03-04 10:00", "ok", "剩余 5小时30分钟", "sla-ok", 21},
		{"2024-03-04 16:35", "ok", "剩余 1小时25分钟", "sla-ok", 80},
		{"2024-03-04 16:36", "amber", "剩余 1小时24分钟", "sla-amber", 80}, // 5 h 36 min of 7 h: 80 %
		{"2024-03-04 18:00", "amber", "剩余 不足1分钟", "sla-amber", 100},
		{"2024-03-05 09:00", "late", "已超时 30分钟", "sla-late", 100},
	} {
		s := cal.SLAAt(start, due, sh(t, tc.now), true)
		if s.Status != tc.status || s.Text != tc.text || s.Class() != tc.class || s.Percent() != tc.percent || !s.Deadline.Equal(due) {
			t.Errorf("at %s: %+v (class %s, %d %%), want %s %q %d %%", tc.now, s, s.Class(), s.Percent(), tc.status, tc.text, tc.percent)
		}
		if s.Overdue != (tc.status == "late") {
			t.Errorf("at %s: overdue %v", tc.now, s.Overdue)
		}
	}
	if s := cal.SLAAt(start, due, sh(t, "2024-03-05 09:00"), true); s.Left != -30*time.Minute {
		t.Errorf("left %v, want -30m", s.Left)
	}
}

func TestDurationsReadInChinese(t *testing.T) {
	cal := SeedCalendar()
	for _, tc := range []struct {
		d       time.Duration
		working bool
		want    string
	}{
		{17 * time.Hour, true, "2个工作日3小时"},
		{14 * time.Hour, true, "2个工作日"},
		{14*time.Hour + 20*time.Minute, true, "2个工作日"},
		{3*time.Hour + 20*time.Minute, true, "3小时20分钟"},
		{3 * time.Hour, true, "3小时"},
		{45 * time.Minute, true, "45分钟"},
		{59 * time.Second, true, "不足1分钟"},
		{-3 * time.Hour, true, "3小时"},
		{26 * time.Hour, false, "1天2小时"},
		{48 * time.Hour, false, "2天"},
		{7 * time.Hour, false, "7小时"},
	} {
		if got := cal.FormatDuration(tc.d, tc.working); got != tc.want {
			t.Errorf("FormatDuration(%v, %v) = %q, want %q", tc.d, tc.working, got, tc.want)
		}
	}
}
