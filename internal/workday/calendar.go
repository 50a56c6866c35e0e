// Package workday is the Chinese working-day calendar and the working-time arithmetic that every
// time limit in Linli is counted on (DOMAIN.md, "Time limits").
//
// A day is a working day by its date in Asia/Shanghai: Monday to Friday are working days and
// Saturday and Sunday are not, unless the calendar says otherwise — a "holiday" entry takes a
// working day off (春节, 国庆节 …), a "workday" entry makes a weekend day a working day (调休上班).
// The calendar holds the State Council's notices for 2024–2026 as seed data; admins add later
// years at /settings/calendar. For a year the calendar holds no entries for, only weekends are off:
// deadlines falling there ignore public holidays until the year's notice is entered.
//
// Working time is the time inside the working hours (by default 08:30–12:00 and 14:30–18:00) of
// working days.
package workday

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"linli/internal/clock"
)

// Kinds of calendar day.
const (
	Holiday = "holiday" // a day off, including weekend days inside a holiday period
	Workday = "workday" // a weekend day worked to make up for a holiday (调休上班)
)

// Day is one calendar entry: a date that differs from the Monday-to-Friday week.
type Day struct {
	Date string `json:"date"` // YYYY-MM-DD, a date in Asia/Shanghai
	Kind string `json:"kind"` // holiday or workday
	Name string `json:"name"` // e.g. 春节, 春节调休上班
}

// Span is one stretch of working hours within a day, in minutes after midnight: [From, To).
type Span struct {
	From int
	To   int
}

// WorkingHours are the stretches of a working day during which working time runs, in Location.
type WorkingHours struct {
	Spans    []Span
	Location *time.Location
}

// DefaultHours are 08:30–12:00 and 14:30–18:00 in Asia/Shanghai: seven working hours a day.
func DefaultHours() WorkingHours {
	return WorkingHours{Spans: []Span{{8*60 + 30, 12 * 60}, {14*60 + 30, 18 * 60}}, Location: clock.Shanghai()}
}

// ParseHours reads working hours written as "08:30-12:00,14:30-18:00" (Asia/Shanghai). Spans must
// be non-empty, ordered and not overlap.
func ParseHours(s string) (WorkingHours, error) {
	h := WorkingHours{Location: clock.Shanghai()}
	s = strings.NewReplacer("，", ",", "－", "-", "–", "-", "—", "-", "～", "-", "~", "-", "：", ":", " ", "").Replace(s)
	for _, part := range strings.Split(s, ",") {
		if part == "" {
			continue
		}
		from, to, ok := strings.Cut(part, "-")
		if !ok {
			return h, fmt.Errorf("工作时段“%s”格式应为 08:30-12:00", part)
		}
		f, err1 := parseClock(from)
		t, err2 := parseClock(to)
		if err1 != nil || err2 != nil {
			return h, fmt.Errorf("工作时段“%s”格式应为 08:30-12:00", part)
		}
		h.Spans = append(h.Spans, Span{f, t})
	}
	return h, h.Validate()
}

func parseClock(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		if t, err = time.Parse("15:4", s); err != nil {
			return 0, err
		}
	}
	return t.Hour()*60 + t.Minute(), nil
}

// Validate checks that there is at least one span and that spans are ordered and do not overlap.
func (h WorkingHours) Validate() error {
	if len(h.Spans) == 0 {
		return fmt.Errorf("至少需要一个工作时段")
	}
	prev := 0
	for i, sp := range h.Spans {
		if sp.From < 0 || sp.To > 24*60 || sp.From >= sp.To {
			return fmt.Errorf("工作时段 %s 的开始时间应早于结束时间", sp)
		}
		if i > 0 && sp.From < prev {
			return fmt.Errorf("工作时段应按时间先后排列且互不重叠")
		}
		prev = sp.To
	}
	return nil
}

// String writes the hours the way ParseHours reads them.
func (h WorkingHours) String() string {
	parts := make([]string, len(h.Spans))
	for i, sp := range h.Spans {
		parts[i] = sp.String()
	}
	return strings.Join(parts, ",")
}

// String writes the span as "08:30-12:00".
func (sp Span) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", sp.From/60, sp.From%60, sp.To/60, sp.To%60)
}

// PerDay is the working time in one working day.
func (h WorkingHours) PerDay() time.Duration {
	var d time.Duration
	for _, sp := range h.Spans {
		d += time.Duration(sp.To-sp.From) * time.Minute
	}
	return d
}

// Calendar answers which days are working days and does working-time arithmetic. It is immutable
// and safe for concurrent use.
type Calendar struct {
	days  map[string]Day
	kinds map[int]bool // yyyymmdd → is a working day, for the entries only
	years map[int]bool
	hours WorkingHours
}

// New builds a calendar from its exceptional days and working hours; invalid hours fall back to
// DefaultHours. Load builds it from the database; tests build it directly.
func New(days []Day, hours WorkingHours) *Calendar {
	if hours.Location == nil {
		hours.Location = clock.Shanghai()
	}
	if hours.Validate() != nil {
		hours = DefaultHours()
	}
	c := &Calendar{days: make(map[string]Day, len(days)), kinds: make(map[int]bool, len(days)),
		years: map[int]bool{}, hours: hours}
	for _, d := range days {
		t, err := time.Parse(time.DateOnly, d.Date)
		if err != nil {
			continue
		}
		c.days[d.Date] = d
		c.kinds[dateKey(t.Year(), t.Month(), t.Day())] = d.Kind == Workday
		c.years[t.Year()] = true
	}
	return c
}

// Hours returns the calendar's working hours.
func (c *Calendar) Hours() WorkingHours { return c.hours }

// Days returns the calendar's entries in date order.
func (c *Calendar) Days() []Day {
	out := make([]Day, 0, len(c.days))
	for _, d := range c.days {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date < out[j].Date })
	return out
}

// Covers reports whether the calendar holds the holiday notice of year; for other years only
// weekends are days off.
func (c *Calendar) Covers(year int) bool { return c.years[year] }

// Lookup returns the entry for a date (YYYY-MM-DD), if the calendar has one.
func (c *Calendar) Lookup(date string) (Day, bool) {
	d, ok := c.days[date]
	return d, ok
}

// IsWorkday reports whether t falls on a working day, judged by its date in the calendar's zone.
func (c *Calendar) IsWorkday(t time.Time) bool {
	t = t.In(c.hours.Location)
	return c.isWorkdayDate(t.Year(), t.Month(), t.Day())
}

func (c *Calendar) isWorkdayDate(y int, m time.Month, d int) bool {
	if work, ok := c.kinds[dateKey(y, m, d)]; ok {
		return work
	}
	wd := time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

func dateKey(y int, m time.Month, d int) int { return y*10000 + int(m)*100 + d }

// midnight returns the start of t's day in the calendar's zone.
func (c *Calendar) midnight(t time.Time) time.Time {
	t = t.In(c.hours.Location)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, c.hours.Location)
}

func (c *Calendar) at(day time.Time, minute int) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 0, minute, 0, 0, c.hours.Location)
}

// nextDay returns midnight of the day after day (which is a midnight).
func (c *Calendar) nextDay(day time.Time) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, c.hours.Location)
}

// endOfDay is the end of the last working span of day.
func (c *Calendar) endOfDay(day time.Time) time.Time {
	return c.at(day, c.hours.Spans[len(c.hours.Spans)-1].To)
}

// maxDays bounds every walk over the calendar, so that a pathological calendar (every day a
// holiday) cannot loop forever; ten years of days off in a row does not happen.
const maxDays = 3660

// AddWorkingDays returns the deadline of a limit of n working days starting at t: the end of
// working hours (18:00 by default) of the n-th working day after t's date. The day t falls on
// never counts, whatever the hour — a case received on Friday at 10:00 or at 20:00, or on
// Saturday, with a limit of 1 working day is due on Monday at 18:00. For n ≤ 0 it is the end of
// t's own day if that is a working day, otherwise of the next working day.
func (c *Calendar) AddWorkingDays(t time.Time, n int) time.Time {
	day := c.midnight(t)
	if n <= 0 {
		for i := 0; i < maxDays && !c.isWorkdayDate(day.Year(), day.Month(), day.Day()); i++ {
			day = c.nextDay(day)
		}
		return c.endOfDay(day)
	}
	for i := 0; n > 0 && i < maxDays; i++ {
		day = c.nextDay(day)
		if c.isWorkdayDate(day.Year(), day.Month(), day.Day()) {
			n--
		}
	}
	return c.endOfDay(day)
}

// AddWorkingHours returns the instant at which d of working time has passed since t, counting only
// time inside working hours of working days. A deadline that is reached exactly at the end of a
// span stays there (12:00, not 14:30). d ≤ 0 returns t unchanged.
func (c *Calendar) AddWorkingHours(t time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return t
	}
	cursor := t.In(c.hours.Location)
	day := c.midnight(t)
	for i := 0; i < maxDays; i++ {
		if c.isWorkdayDate(day.Year(), day.Month(), day.Day()) {
			for _, sp := range c.hours.Spans {
				from, to := c.at(day, sp.From), c.at(day, sp.To)
				if !cursor.Before(to) {
					continue
				}
				if cursor.Before(from) {
					cursor = from
				}
				if avail := to.Sub(cursor); d <= avail {
					return cursor.Add(d)
				} else {
					d -= avail
				}
				cursor = to
			}
		}
		day = c.nextDay(day)
	}
	return cursor.Add(d)
}

// AddCalendar returns t plus d of natural time, for limits counted around the clock (特急 24 h).
func (c *Calendar) AddCalendar(t time.Time, d time.Duration) time.Time { return t.Add(d) }

// WorkingBetween returns the working time from a to b; it is negative when b is before a, so that
// "remaining" turns negative once a deadline has passed.
func (c *Calendar) WorkingBetween(a, b time.Time) time.Duration {
	if b.Before(a) {
		return -c.WorkingBetween(b, a)
	}
	var total time.Duration
	day := c.midnight(a)
	for i := 0; i < 100*maxDays && day.Before(b); i++ {
		if c.isWorkdayDate(day.Year(), day.Month(), day.Day()) {
			for _, sp := range c.hours.Spans {
				from, to := c.at(day, sp.From), c.at(day, sp.To)
				if from.Before(a) {
					from = a
				}
				if to.After(b) {
					to = b
				}
				if to.After(from) {
					total += to.Sub(from)
				}
			}
		}
		day = c.nextDay(day)
	}
	return total
}

// NextWorkingTime returns t if it lies inside working hours of a working day, otherwise the start
// of the next working span — when working time next starts to run.
func (c *Calendar) NextWorkingTime(t time.Time) time.Time {
	cursor := t.In(c.hours.Location)
	day := c.midnight(t)
	for i := 0; i < maxDays; i++ {
		if c.isWorkdayDate(day.Year(), day.Month(), day.Day()) {
			for _, sp := range c.hours.Spans {
				from, to := c.at(day, sp.From), c.at(day, sp.To)
				if cursor.Before(to) {
					if cursor.Before(from) {
						return from
					}
					return cursor
				}
			}
		}
		day = c.nextDay(day)
	}
	return t
}

// MissingYear is the first year whose working days a deadline counted at now may need but the
// calendar has no data for: this year at any time, next year from 1 November (when the State
// Council usually publishes the next year's holidays and deadlines begin to reach into it); 0
// when none is missing.
func (c *Calendar) MissingYear(now time.Time) int {
	local := now.In(clock.Shanghai())
	if !c.Covers(local.Year()) {
		return local.Year()
	}
	if local.Month() >= time.November && !c.Covers(local.Year()+1) {
		return local.Year() + 1
	}
	return 0
}
