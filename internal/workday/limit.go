package workday

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// Unit is how a time limit is counted.
type Unit string

// The units of a time limit.
const (
	UnitWorkingDays  Unit = "working_days"  // n working days: due at the end of the n-th working day after the start
	UnitWorkingHours Unit = "working_hours" // working time only
	UnitHours        Unit = "hours"         // natural hours, around the clock (特急)
)

// Limit is a time limit such as "3 working days", "2 working hours" or "24 hours"; Value may be
// fractional for hours (0.5 = 30 minutes) and is rounded down to whole days for working days.
type Limit struct {
	Unit  Unit    `json:"unit"`
	Value float64 `json:"value"`
}

// Valid reports whether the limit has a known unit and a positive value.
func (l Limit) Valid() bool {
	switch l.Unit {
	case UnitWorkingDays, UnitWorkingHours, UnitHours:
		return l.Value > 0
	}
	return false
}

// Working reports whether the limit is counted in working time (days or hours) rather than
// natural time; Progress and SLA take it as their working argument.
func (l Limit) Working() bool { return l.Unit != UnitHours }

// String is the limit in Chinese: "3个工作日", "2个工作小时", "24小时", "30分钟".
func (l Limit) String() string {
	num := strconv.FormatFloat(l.Value, 'f', -1, 64)
	switch l.Unit {
	case UnitWorkingDays:
		return num + "个工作日"
	case UnitWorkingHours:
		if l.Value < 1 {
			return strconv.Itoa(int(math.Round(l.Value*60))) + "个工作分钟"
		}
		return num + "个工作小时"
	case UnitHours:
		if l.Value < 1 {
			return strconv.Itoa(int(math.Round(l.Value*60))) + "分钟"
		}
		return num + "小时"
	}
	return ""
}

func (l Limit) duration() time.Duration {
	return time.Duration(math.Round(l.Value * float64(time.Hour)))
}

// Deadline returns when a limit that starts at from runs out: AddWorkingDays for working days,
// AddWorkingHours for working hours, AddCalendar for natural hours.
func (c *Calendar) Deadline(from time.Time, l Limit) time.Time {
	switch l.Unit {
	case UnitWorkingDays:
		return c.AddWorkingDays(from, int(l.Value))
	case UnitWorkingHours:
		return c.AddWorkingHours(from, l.duration())
	default:
		return c.AddCalendar(from, l.duration())
	}
}

// Elapsed returns the time between a and b counted the way a limit is: working time when working,
// natural time otherwise. It is negative when b is before a.
func (c *Calendar) Elapsed(a, b time.Time, working bool) time.Duration {
	if working {
		return c.WorkingBetween(a, b)
	}
	return b.Sub(a)
}

// Resume moves a deadline after the clock was stopped from pausedAt to resumedAt (挂起/恢复): the
// time that was left at pausedAt is left again at resumedAt, counted the way the limit is. A
// deadline that had already passed when the clock stopped stays where it was.
func (c *Calendar) Resume(deadline, pausedAt, resumedAt time.Time, working bool) time.Time {
	left := c.Elapsed(pausedAt, deadline, working)
	if left <= 0 || !resumedAt.After(pausedAt) {
		return deadline
	}
	if working {
		return c.AddWorkingHours(resumedAt, left)
	}
	return resumedAt.Add(left)
}

// Progress returns the share of a limit used at now — the time elapsed since start over the time
// from start to deadline, both counted in working time when working — and whether now is past the
// deadline. used is 0 before start and may exceed 1 once overdue.
func Progress(start, deadline, now time.Time, cal *Calendar, working bool) (used float64, overdue bool) {
	overdue = now.After(deadline)
	var total, elapsed time.Duration
	if working && cal != nil {
		total, elapsed = cal.WorkingBetween(start, deadline), cal.WorkingBetween(start, now)
	} else {
		total, elapsed = deadline.Sub(start), now.Sub(start)
	}
	switch {
	case elapsed <= 0:
		used = 0
	case total <= 0:
		used = 1
	default:
		used = float64(elapsed) / float64(total)
	}
	if overdue && used < 1 {
		used = 1
	}
	return used, overdue
}

// AmberAt is the share of a limit used from which a deadline is shown amber.
const AmberAt = 0.8

// SLA is what a list shows beside a deadline: the share used, the time left (negative once
// overdue, counted in working time for working limits), a status and its CSS class and text.
type SLA struct {
	Deadline time.Time     `json:"deadline"`
	Used     float64       `json:"used"`
	Left     time.Duration `json:"-"`
	Overdue  bool          `json:"overdue"`
	Status   string        `json:"status"` // ok, amber (≥ 80 % used) or late (past the deadline)
	Text     string        `json:"text"`   // 剩余 2个工作日3小时 / 已超时 5小时
}

// Class is the CSS class of the status: sla-ok, sla-amber or sla-late.
func (s SLA) Class() string { return "sla-" + s.Status }

// Percent is Used as a whole percentage capped at 100, for progress bars.
func (s SLA) Percent() int { return int(math.Min(100, math.Round(s.Used*100))) }

// SLAAt describes a deadline at now for a limit that started at start.
func (c *Calendar) SLAAt(start, deadline, now time.Time, working bool) SLA {
	used, overdue := Progress(start, deadline, now, c, working)
	s := SLA{Deadline: deadline, Used: used, Overdue: overdue, Left: c.Elapsed(now, deadline, working)}
	switch {
	case overdue:
		s.Status = "late"
		s.Text = "已超时 " + c.FormatDuration(-s.Left, working)
	case used >= AmberAt:
		s.Status = "amber"
		s.Text = "剩余 " + c.FormatDuration(s.Left, working)
	default:
		s.Status = "ok"
		s.Text = "剩余 " + c.FormatDuration(s.Left, working)
	}
	return s
}

// FormatDuration writes d in Chinese. Working time is written in working days of the calendar's
// hours per day plus hours ("2个工作日3小时"); natural time in days, hours and minutes.
func (c *Calendar) FormatDuration(d time.Duration, working bool) string {
	if d < 0 {
		d = -d
	}
	day, unit := 24*time.Hour, "天"
	if working {
		day, unit = c.hours.PerDay(), "个工作日"
	}
	days := d / day
	rest := d % day
	hours := rest / time.Hour
	mins := (rest % time.Hour) / time.Minute
	switch {
	case days > 0 && hours > 0:
		return fmt.Sprintf("%d%s%d小时", days, unit, hours)
	case days > 0:
		return fmt.Sprintf("%d%s", days, unit)
	case hours > 0 && mins > 0:
		return fmt.Sprintf("%d小时%d分钟", hours, mins)
	case hours > 0:
		return fmt.Sprintf("%d小时", hours)
	case mins > 0:
		return fmt.Sprintf("%d分钟", mins)
	}
	return "不足1分钟"
}
