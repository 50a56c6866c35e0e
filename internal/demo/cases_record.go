package demo

import (
	"sort"
	"time"

	"linli/internal/cases"
	"linli/internal/clock"
)

// counts says whether a case is one of the news report's 153 hotline cases handled or one of its
// 68 practical matters: closed in the period after being worked on, by closing date.
func counts(d *demoCase) (hotline, practical bool) {
	c := &d.c
	if c.State != cases.Closed || c.ClosedAt == nil || !c.Outcome.Handled() ||
		c.ClosedAt.Before(reportFrom) || !c.ClosedAt.Before(reportTo) {
		return false, false
	}
	if c.Channel == "hotline_12345" {
		return true, false
	}
	return false, c.Outcome == cases.Resolved
}

// record draws the fixed record of 2024 and makes the report's two counts exact: surplus cases
// are dropped, missing ones added early enough in the year to close within the period.
func (p *casePlanner) record() []*demoCase {
	var out []*demoCase
	for day := reportFrom; day.Before(recordEnd); day = day.AddDate(0, 0, 1) {
		out = append(out, p.day(day, 1)...)
	}
	for _, hotline := range []bool{true, false} {
		want := reportedPractical
		if hotline {
			want = reportedHotline
		}
		for tries := 0; tries < 5000; tries++ {
			var hit []int
			for i, d := range out {
				if h, pr := counts(d); (hotline && h) || (!hotline && pr) {
					hit = append(hit, i)
				}
			}
			if len(hit) == want {
				break
			}
			if len(hit) > want {
				i := hit[p.rng.IntN(len(hit))]
				out = append(out[:i], out[i+1:]...)
				continue
			}
			day := reportFrom.AddDate(0, 0, 7+p.rng.IntN(240))
			code := p.pickCategory(day, hotline)
			ch := "hotline_12345"
			if !hotline {
				ch = channelWeights[channelGroup(code)].pick(p.rng)
			}
			d := p.draw(day, ch, code, func(f *fate) {
				f.reject, f.late, f.cause, f.reopen = false, false, "objective", false
				if !hotline || !f.outcome.Handled() {
					f.outcome = cases.Resolved
				}
			})
			if d == nil {
				continue
			}
			if h, pr := counts(d); (hotline && h) || (!hotline && pr) {
				out = append(out, d)
			}
		}
	}
	return out
}

// rolling draws the cases of the year up to now (never before the fixed record ends).
func (p *casePlanner) rolling() []*demoCase {
	start := p.now.AddDate(-1, 0, 0)
	if start.Before(recordEnd) {
		start = recordEnd
	}
	local := start.In(clock.Shanghai())
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, clock.Shanghai())
	var out []*demoCase
	for ; day.Before(p.now); day = day.AddDate(0, 0, 1) {
		out = append(out, p.day(day, p.w.s.caseScale)...)
	}
	return append(out, p.pending()...)
}

// pending adds open cases whose clocks stand where the queues need them today: past the handle,
// sign, accept or callback deadline (overdue), and at 80–95 % of the handle limit (amber).
func (p *casePlanner) pending() []*demoCase {
	var out []*demoCase
	type want struct {
		status, kind string
		lo, hi       float64
		f            fate
	}
	wants := []want{
		{"late", "handle", 1.15, 2.5, fate{stall: "report", supervise: true, notes: 2}},
		{"late", "handle", 1.1, 1.8, fate{stall: "report", notes: 1}},
		{"late", "handle", 1.2, 3, fate{stall: "report", supervise: true, extend: 2, notes: 1}},
		{"late", "handle", 1.05, 1.4, fate{stall: "verify", notes: 1}},
		{"late", "handle", 1.1, 2, fate{stall: "report", notes: 2, assist: true}},
		{"late", "sign", 1.5, 4, fate{stall: "sign"}},
		{"late", "accept", 2, 6, fate{stall: "accept"}},
		{"late", "callback", 1.2, 3, fate{noCall: true, notes: 1, outcome: cases.Resolved}},
		{"amber", "handle", 0.82, 0.93, fate{stall: "report", notes: 1}},
		{"amber", "handle", 0.82, 0.93, fate{stall: "report", supervise: true, notes: 1}},
		{"amber", "handle", 0.83, 0.94, fate{stall: "report", notes: 2, assist: true}},
		{"amber", "handle", 0.82, 0.92, fate{stall: "verify"}},
		{"amber", "handle", 0.84, 0.95, fate{stall: "report", notes: 1}},
	}
	wants = wants[:min(len(wants), p.w.s.pending)]
	for i, wt := range wants {
		for try := 0; try < 40; try++ {
			hotline := i%3 == 0
			day := p.now.In(clock.Shanghai())
			code := p.pickCategory(day, hotline)
			ch := "hotline_12345"
			if !hotline {
				ch = channelWeights[channelGroup(code)].pick(p.rng)
			}
			if d := p.construct(ch, code, wt.kind, wt.lo, wt.hi, wt.f); d != nil {
				d.c.ComputeSLA(p.cal, p.now)
				if d.c.SLA.Status == wt.status && d.c.SLA.Kind == wt.kind {
					out = append(out, d)
					break
				}
			}
		}
	}
	return out
}

// construct makes a case whose running clock of kind stands at a share lo–hi of its limit now.
func (p *casePlanner) construct(channel, code, kind string, lo, hi float64, f fate) *demoCase {
	d := p.newCase(p.now, channel, code)
	lim := p.limits(d).Handle
	switch kind {
	case "sign":
		lim = p.limits(d).Sign
	case "accept":
		lim = d.cat.Accept
	case "callback":
		lim = d.cat.Callback
	}
	working := lim.Working()
	var starts []time.Time
	for k := 1; k <= 40*24*2; k++ {
		a := p.now.Add(-time.Duration(k) * 30 * time.Minute).Truncate(time.Minute)
		if !p.cal.NextWorkingTime(a).Equal(a) {
			continue
		}
		due := p.deadline(a, lim)
		total := p.cal.Elapsed(a, due, working)
		if total <= 0 {
			continue
		}
		if u := float64(p.cal.Elapsed(a, p.now, working)) / float64(total); u >= lo && u <= hi {
			starts = append(starts, a)
		}
	}
	if len(starts) == 0 {
		return nil
	}
	a := starts[p.rng.IntN(len(starts))]
	var received time.Time
	switch kind {
	case "accept":
		received = a
	case "callback":
		received = a.Add(-time.Duration(3+p.rng.IntN(5)) * 24 * time.Hour)
	default:
		received = a.Add(-time.Duration(20+p.rng.IntN(100)) * time.Minute)
	}
	p.retime(d, received.UTC(), a)
	p.intaker(d)
	full := p.drawFate(d)
	full.reject, full.returned, full.suspend, full.late, full.lateAccept = false, false, false, false, false
	full.stall, full.supervise, full.extend, full.notes, full.assist = f.stall, f.supervise, f.extend, f.notes, f.assist || full.assist
	full.noCall = f.noCall
	if f.outcome != "" {
		full.outcome = f.outcome
	}
	switch kind {
	case "handle":
		full.acceptAt = a.Add(time.Duration(p.rng.IntN(50)) * time.Second)
		if d.c.ExternalDue != nil {
			due := p.deadline(full.acceptAt, lim)
			d.c.ExternalDue = &due
		}
	case "sign":
		full.acceptAt = a.Add(-time.Duration(5+p.rng.IntN(15)) * time.Minute)
		p.playSignStall(d, full, a)
		return d
	case "callback":
		p.playUntilClosed(d, full, a)
		return d
	}
	p.play(d, full)
	return d
}

// retime moves a drawn case to be received at t and written down no later than before.
func (p *casePlanner) retime(d *demoCase, t, before time.Time) {
	c := &d.c
	c.ReceivedAt = t
	c.CreatedAt = p.createdAt(t, c.Channel)
	if c.CreatedAt.After(before) {
		c.CreatedAt = t
	}
	acc := p.deadline(t, d.cat.LimitsFor(c.Priority, p.byPriority).Accept)
	c.AcceptDeadline = &acc
	if c.Channel == "hotline_12345" {
		delete(p.extNos, c.ExternalNo)
		p.hotlineOrder(d)
	}
}

// playSignStall plays a case dispatched at a and not signed for since.
func (p *casePlanner) playSignStall(d *demoCase, f fate, a time.Time) {
	c := &d.c
	d.event(c.CreatedAt, p.staffByID(derefOr(c.CreatedBy)), cases.ActIntake, cases.Received, "诉求已登记", true,
		map[string]any{"channel": c.Channel})
	c.AcceptedAt = &f.acceptAt
	p.startHandleClock(d, f.acceptAt, p.admin, cases.ActAccept, "", false)
	p.dispatch(d, a, false, f.assist)
}

// playUntilClosed plays a case so that it is closed at a and not called back since.
func (p *casePlanner) playUntilClosed(d *demoCase, f fate, a time.Time) {
	saved := p.now
	p.now = a.Add(-time.Minute)
	f.stall = "verify"
	p.play(d, f)
	p.now = saved
	if d.c.State == cases.Reported {
		p.verify(d, a, f.outcome)
	}
}

func derefOr(id *int64) int64 {
	if id == nil {
		return 0
	}
	return *id
}

// merges adds duplicates: a second resident reports what an open case already covers, and the
// community merges it into that case (并单). Duplicates close as duplicate, so no figure of the
// report's period changes.
func (p *casePlanner) merges(list []*demoCase, n int) []*demoCase {
	var out []*demoCase
	for tries := 0; len(out) < n && tries < n*10; tries++ {
		t := list[p.rng.IntN(len(list))]
		if t.mergedInto != nil || t.c.AcceptedAt == nil || len(t.events) < 4 {
			continue
		}
		from, to := *t.c.AcceptedAt, p.now
		for _, e := range t.events {
			if e.Action == cases.ActVerify || e.Action == cases.ActReject {
				to = e.At
				break
			}
		}
		received := p.within(from, to, 0.1+0.5*p.rng.Float64(), true)
		merged := p.work(received, 20, 240)
		if !merged.Before(to) || merged.After(p.now) {
			continue
		}
		if st := stateAt(t, merged); st == cases.Received || st == cases.Closed || st == "" {
			continue
		}
		channel := "wechat_group"
		if t.c.Channel == "wechat_group" {
			channel = "phone"
		}
		if p.rng.IntN(3) == 0 && t.c.Channel != "hotline_12345" {
			channel = "hotline_12345"
		}
		d := p.newCase(received, channel, t.cat.Code)
		c := &d.c
		c.Title, c.Description, c.Address = t.c.Title, "又有居民反映："+t.c.Description, t.c.Address
		c.BuildingID, c.Lon, c.Lat, c.GridID, c.RegionID, d.grid = t.c.BuildingID, t.c.Lon, t.c.Lat, t.c.GridID, t.c.RegionID, t.grid
		if c.CreatedAt.After(merged) {
			c.CreatedAt = received
		}
		p.intaker(d)
		d.event(c.CreatedAt, p.staffByID(derefOr(c.CreatedBy)), cases.ActIntake, cases.Received, "诉求已登记", true,
			map[string]any{"channel": c.Channel})
		c.Outcome, c.ClosedAt, c.ClosedBy = cases.Duplicate, &merged, p.admin.ptr()
		d.event(merged, p.admin, cases.ActMerge, cases.Closed, "", true, map[string]any{"outcome": cases.Duplicate})
		d.mergedInto = t
		st := stateAt(t, merged)
		note := cases.Event{At: merged, UserID: p.admin.ptr(), ActorName: p.admin.name, Action: cases.ActNote,
			FromState: st, ToState: st, Attachments: []int64{}}
		i := sort.Search(len(t.events), func(i int) bool { return t.events[i].At.After(merged) })
		t.events = append(t.events[:i], append([]cases.Event{note}, t.events[i:]...)...)
		out = append(out, d)
	}
	return out
}

// stateAt is the state a case was in at t, from its timeline.
func stateAt(d *demoCase, t time.Time) cases.State {
	var st cases.State
	for _, e := range d.events {
		if e.At.After(t) {
			break
		}
		st = e.ToState
	}
	return st
}
