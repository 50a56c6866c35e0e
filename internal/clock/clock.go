// Package clock is Linli's local time: the Asia/Shanghai zone in which days are counted and every
// time is shown (times are stored in UTC). It imports nothing of Linli, so the kit (web) and every
// capability (workday, cases, visits, reports, …) can share it.
package clock

import "time"

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600) // no zone database: China keeps UTC+8 all year
	}
	return loc
}()

// Shanghai is the zone days are counted and times are shown in.
func Shanghai() *time.Location { return shanghai }

// Date returns the date in Asia/Shanghai at t, as YYYY-MM-DD.
func Date(t time.Time) string { return t.In(shanghai).Format(time.DateOnly) }
