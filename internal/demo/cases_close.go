package demo

import (
	"time"

	"linli/internal/cases"
)

// The end of a round: the handler's report, the community's verification and close, the 回访,
// and a reopening (重办) when the resident is dissatisfied for a subjective cause.

func (s *caseSim) report(d *demoCase, t time.Time, who staffRef, o cases.Outcome) bool {
	return s.step(t, func() {
		note := s.pick(reportNotes[d.cat.Code])
		if d.c.ReopenCount > 0 {
			note = "重办处置：" + note
		}
		switch o {
		case cases.Explained:
			note = s.pick(explainNotes)
		case cases.Partly:
			note = s.pick(partlyNotes)
		case cases.NotOurs:
			note = s.pick(notOursNotes)
		}
		d.c.ReportedAt, d.c.ReportedBy = &t, who.ptr()
		d.event(t, who, cases.ActReport, cases.Reported, note, true, nil)
	})
}

func indexByte(s string, b byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return i
		}
	}
	return len(s)
}

// verify closes the case with outcome o at t: handle minutes, the callback deadline, tasks done.
func (s *caseSim) verify(d *demoCase, t time.Time, o cases.Outcome) {
	c := &d.c
	c.Outcome, c.ClosedAt, c.ClosedBy = o, &t, s.admin.ptr()
	m := max(int64(s.cal.WorkingBetween(*c.AcceptedAt, t)/time.Minute)-c.SuspendedMin, 0)
	c.HandleMinutes = &m
	cb := s.deadline(t, s.limits(d).Callback)
	c.CallbackDue = &cb
	for i := range d.tasks {
		if d.tasks[i].Status == "pending" || d.tasks[i].Status == "signed" {
			d.tasks[i].Status = "done"
		}
	}
	d.event(t, s.admin, cases.ActVerify, cases.Closed, "经核查，办理结果属实，予以结案。", true, map[string]any{"outcome": o})
}

// callback records the 回访 of a closed case; a dissatisfied rating for a subjective cause
// reopens it. It reports false when no callback happens before s.now.
func (s *caseSim) callback(d *demoCase, f *fate) bool {
	c := &d.c
	if f.noCall {
		return false
	}
	var at time.Time
	if f.lateCall {
		at = s.work(*c.CallbackDue, 30, 600)
	} else {
		at = s.within(*c.ClosedAt, *c.CallbackDue, 0.05+0.8*s.rng.Float64(), true)
		if !at.After(*c.ClosedAt) {
			at = s.work(*c.ClosedAt, 10, 60)
		}
	}
	if at.After(s.now) {
		return false
	}
	cb := cases.Callback{At: at, Method: "phone", Resolved: f.resolved, Satisfaction: f.sat, Cause: f.cause}
	who := s.admin
	if c.Channel == "web" && !c.Anonymous && s.rng.IntN(2) == 0 || s.rng.IntN(12) == 0 {
		cb.ByResident, cb.Method, who = true, "link", resident
	} else {
		cb.ByUserID = s.admin.ptr()
		if s.rng.IntN(15) == 0 {
			cb.Method = "visit"
		}
	}
	if f.sat != cases.Dissatisfied {
		cb.Cause = ""
	}
	cb.Note = s.pick(callbackNotes[string(f.sat)])
	d.calls = append(d.calls, cb)
	ok := f.resolved
	c.CallbackAt, c.CallbackOK, c.Satisfaction = &at, &ok, string(f.sat)
	resolved := "未解决"
	if f.resolved {
		resolved = "已解决"
	}
	note := "回访结果：" + resolved + "，" + f.sat.Label() + "。" + cb.Note
	detail := map[string]any{"resolved": f.resolved, "satisfaction": f.sat, "cause": cb.Cause}
	if f.sat == cases.Dissatisfied && f.cause == "subjective" {
		s.reopen(d, at, who, cases.ActCallback, note, detail)
		return true
	}
	d.event(at, who, cases.ActCallback, "", note, true, detail)
	return true
}

// reopen sends a closed case back to accepted with a fresh handle clock (重办).
func (s *caseSim) reopen(d *demoCase, t time.Time, who staffRef, a cases.Action, note string, detail map[string]any) {
	c := &d.c
	c.ReopenCount++
	c.Outcome, c.ClosedAt, c.ClosedBy, c.CallbackDue, c.HandleMinutes = "", nil, nil, nil, nil
	c.ReportedAt, c.HandlerID, c.SignDeadline, c.DispatchedAt = nil, nil, nil, nil
	due := s.deadline(t, s.limits(d).Handle)
	c.HandleDeadline = &due
	if detail == nil {
		detail = map[string]any{}
	}
	detail["handle_deadline"] = due
	d.event(t, who, a, cases.Accepted, note, true, detail)
}
