package cases

import (
	"fmt"
	"time"

	"linli/internal/clock"
	"linli/internal/workday"
)

// Estimated reports whether a deadline was counted through a year the working-day calendar has
// no data for: the year's weekdays were taken as working days and its holidays as unknown, so
// the deadline may move once the State Council's notice for that year is imported. start is when
// the limit began; a zero start checks the deadline's year alone.
func Estimated(cal *workday.Calendar, start time.Time, due *time.Time) bool {
	if cal == nil || due == nil {
		return false
	}
	loc := clock.Shanghai()
	to := due.In(loc).Year()
	from := to
	if !start.IsZero() && start.Before(*due) {
		from = start.In(loc).Year()
	}
	for y := from; y <= to; y++ {
		if !cal.Covers(y) {
			return true
		}
	}
	return false
}

// markEstimated sets the case's estimated flags: its running clock (SLA.Estimated) and any
// deadline it shows (DeadlineEstimated).
func (c *Case) markEstimated(cal *workday.Calendar, start time.Time) {
	c.SLA.Estimated = Estimated(cal, start, c.SLA.Deadline)
	c.DeadlineEstimated = c.SLA.Estimated
	for _, due := range []*time.Time{c.AcceptDeadline, c.SignDeadline, c.HandleDeadline, c.CallbackDue, c.ExtensionUntil} {
		if Estimated(cal, c.ReceivedAt, due) {
			c.DeadlineEstimated = true
		}
	}
}

// extensionFault says why an extension to until goes too far, "" when it does not: it may add at
// most the configured working days to the current handle deadline (or to now, without one).
func (s *Service) extensionFault(cal *workday.Calendar, c *Case, now, until time.Time) string {
	days := s.opts.MaxExtensionDays
	if days <= 0 {
		days = DefaultMaxExtensionDays
	}
	from := now
	if c.HandleDeadline != nil && c.HandleDeadline.After(now) {
		from = *c.HandleDeadline
	}
	limit := from.AddDate(0, 0, days*7/5+1)
	if cal != nil {
		limit = cal.AddWorkingDays(from, days)
	}
	if until.After(limit) {
		return fmt.Sprintf("延期最多可增加%d个工作日，即不晚于%s", days, limit.In(clock.Shanghai()).Format("2006-01-02 15:04"))
	}
	return ""
}
