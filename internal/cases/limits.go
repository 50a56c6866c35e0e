package cases

import (
	"time"

	"linli/internal/workday"
)

// Limits are a category's time limits at one priority (DOMAIN.md, "Time limits").
type Limits struct {
	Accept   workday.Limit `json:"accept"`
	Sign     workday.Limit `json:"sign"`
	Handle   workday.Limit `json:"handle"`
	Callback workday.Limit `json:"callback"`
}

// LimitsFor returns the limits of category c at priority p: 紧急 and 特急 take the accept, sign
// and handle limits of their priority where byPriority has one (特急: accept within 30 minutes
// around the clock by default), 一般 the category's own.
func (c *Category) LimitsFor(p Priority, byPriority map[Priority]map[string]workday.Limit) Limits {
	l := Limits{Accept: c.Accept, Sign: c.Sign, Handle: c.Handle, Callback: c.Callback}
	if m, ok := byPriority[p]; ok && p != Normal {
		if v, ok := m["accept"]; ok {
			l.Accept = v
		}
		if v, ok := m["sign"]; ok {
			l.Sign = v
		}
		if v, ok := m["handle"]; ok {
			l.Handle = v
		}
	}
	return l
}

// deadline returns when limit l started at t runs out, on whole seconds in UTC.
func deadline(cal *workday.Calendar, t time.Time, l workday.Limit) time.Time {
	return cal.Deadline(t, l).UTC().Truncate(time.Second)
}

// SLA is the running deadline of a case in its state, as lists show it: remaining time, the share
// used, amber from 80 %, red once past. A suspended case's clock stands at the moment it stopped.
type SLA struct {
	Kind             string     `json:"kind"` // accept, sign, handle, callback, or "" when no clock runs
	Label            string     `json:"label"`
	Deadline         *time.Time `json:"deadline"`
	RemainingSeconds int64      `json:"remaining_seconds"` // negative once past
	Used             float64    `json:"used"`              // share of the limit used, 0…1+
	Status           string     `json:"status"`            // ok, amber, late; "" when no clock runs
	Text             string     `json:"text"`              // 剩余 2个工作日3小时 / 已超时 5小时
	Paused           bool       `json:"paused"`
	// Estimated: the deadline was counted through a year without working-day calendar data.
	Estimated bool `json:"estimated"`
}

// Class is the CSS class of the status: sla-ok, sla-amber or sla-late ("" when no clock runs).
func (s SLA) Class() string {
	if s.Status == "" {
		return ""
	}
	return "sla-" + s.Status
}

var slaLabels = map[string]string{"accept": "受理时限", "sign": "签收时限", "handle": "办结时限", "callback": "回访时限"}

// running returns which deadline runs in the case's state and when its clock started.
func (c *Case) running() (kind string, start time.Time, due *time.Time) {
	switch c.State {
	case Received:
		return "accept", c.ReceivedAt, c.AcceptDeadline
	case Dispatched:
		if c.DispatchedAt != nil {
			return "sign", *c.DispatchedAt, c.SignDeadline
		}
	case Accepted, InProgress, Suspended, Reported:
		if c.AcceptedAt != nil {
			return "handle", *c.AcceptedAt, c.HandleDeadline
		}
	case Closed:
		if c.CallbackAt == nil && c.ClosedAt != nil && c.Outcome.Handled() {
			return "callback", *c.ClosedAt, c.CallbackDue
		}
	}
	return "", time.Time{}, nil
}

// ComputeSLA fills c.SLA for the moment now, counting working time (cal may be nil: natural time).
// The handle clock's start is moved by the working time spent suspended, so the share used is
// the share of the limit, not of the pushed deadline.
func (c *Case) ComputeSLA(cal *workday.Calendar, now time.Time) {
	kind, start, due := c.running()
	c.SLA = SLA{Kind: kind, Label: slaLabels[kind], Deadline: due}
	defer c.markEstimated(cal, start)
	if due == nil {
		return
	}
	at := now
	if c.State == Suspended && c.SuspendedAt != nil {
		at, c.SLA.Paused = *c.SuspendedAt, true
	}
	// 紧急/特急 sign limits and the 特急 accept and handle limits run around the clock.
	natural := (kind == "sign" && c.Priority != Normal) || (kind == "handle" && c.Priority == Critical && c.ExternalDue == nil) ||
		(kind == "accept" && c.Priority == Critical)
	working := !natural && cal != nil
	if kind == "handle" && c.SuspendedMin > 0 && cal != nil {
		start = cal.AddWorkingHours(start, time.Duration(c.SuspendedMin)*time.Minute)
	}
	if cal == nil {
		cal = workday.New(nil, workday.DefaultHours())
		working = false
	}
	s := cal.SLAAt(start, *due, at, working)
	c.SLA.RemainingSeconds = int64(s.Left / time.Second)
	c.SLA.Used, c.SLA.Status, c.SLA.Text = s.Used, s.Status, s.Text
	if c.SLA.Paused {
		c.SLA.Text = "已挂起，" + s.Text
	}
}

// warnAt returns the moment 80 % of the span from start to due is used, counted in working time
// when working.
func warnAt(cal *workday.Calendar, start, due time.Time, working bool) time.Time {
	if working {
		return cal.AddWorkingHours(start, cal.WorkingBetween(start, due)*8/10).UTC().Truncate(time.Second)
	}
	return start.Add(due.Sub(start) * 8 / 10).UTC().Truncate(time.Second)
}
