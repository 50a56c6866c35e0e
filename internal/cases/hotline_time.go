package cases

// hotline_time.go reads the times and time limits of 12345 exports.

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"linli/internal/clock"
	"linli/internal/workday"
)

var timeLayouts = []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006/1/2 15:04:05", "2006/1/2 15:04",
	"2006-1-2 15:04:05", "2006-1-2 15:04", "2006年1月2日 15:04:05", "2006年1月2日 15:04", "2006年1月2日15:04",
	"2006年1月2日 15时04分05秒", "2006年1月2日 15时04分", "2006年1月2日15时04分05秒", "2006年1月2日15时04分",
	"2006年1月2日 15时", "2006-01-02T15:04:05", "2006-01-02", "2006/1/2", "2006-1-2", "2006年1月2日", "20060102"}

// parseHotlineTime reads a local (Asia/Shanghai) date-time as hotline exports write it, including
// Excel serial numbers (45296.39583).
func parseHotlineTime(s string) (time.Time, bool) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return time.Time{}, false
	}
	loc := clock.Shanghai()
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 20000 && f < 80000 && !(len(s) == 8 && !strings.Contains(s, ".")) {
		days := math.Floor(f)
		secs := math.Round((f - days) * 86400)
		base := time.Date(1899, 12, 30, 0, 0, 0, 0, loc)
		return base.AddDate(0, 0, int(days)).Add(time.Duration(secs) * time.Second).UTC(), true
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

var (
	limitDays  = regexp.MustCompile(`^(\d{1,3})(?:个)?(?:工作日|working days?)内?$`)
	limitHours = regexp.MustCompile(`^(\d{1,4})(?:个)?(?:工作小时|工作时)内?$`)
	limitBare  = regexp.MustCompile(`^(\d{1,3})(?:\.0+)?$`)
)

// parseHotlineLimit reads a hotline's time limit: a date-time (a date alone is due at the end of
// that working day), N个工作日, N个工作小时, or a bare number of working days, the last three
// counted from the hotline's receipt on the working-day calendar.
func parseHotlineLimit(s string, received *time.Time, cal *workday.Calendar) (time.Time, bool) {
	compact := strings.Join(strings.Fields(s), "")
	for _, re := range []*regexp.Regexp{limitDays, limitBare, limitHours} {
		m := re.FindStringSubmatch(compact)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		if n <= 0 || received == nil || cal == nil {
			return time.Time{}, false
		}
		if re == limitHours {
			return cal.AddWorkingHours(*received, time.Duration(n)*time.Hour).UTC(), true
		}
		return cal.AddWorkingDays(*received, n).UTC(), true
	}
	t, ok := parseHotlineTime(s)
	if !ok {
		return time.Time{}, false
	}
	if l := t.In(clock.Shanghai()); l.Hour() == 0 && l.Minute() == 0 && l.Second() == 0 {
		t = t.Add(18 * time.Hour)
	}
	return t, true
}
