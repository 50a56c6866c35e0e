package cases

import (
	"math"
	"testing"
	"time"

	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/db/dbtest"
)

// periodCases are the cases of a whole month, March 2024, with every kind of case a month holds.
type periodCases struct {
	a, b, c, m, d, u, s, r, l int64
}

// marchOf2024 builds (category 漏水: sign 1 working day, handle 13 working days):
//
//	a  accepted 03-04, signed on time, closed 03-05 resolved, called back 满意
//	b  accepted 02-28 (the month before), closed 03-01 resolved, called back 满意; due 03-18
//	c  received 03-04, rejected the same day
//	m  received and accepted 03-04, merged into d
//	d  accepted 03-04, signed late (03-08), still in progress
//	u  accepted 03-06, never dispatched
//	s  accepted 03-04, signed, suspended 03-05 and still suspended
//	r  accepted 03-04, closed 03-05, reopened 03-07 (deadline now 03-26), closed again 03-08, called back 基本满意
//	l  accepted 03-25, closed 04-02 partly resolved (after the month), called back 不满意, unresolved
func (w *world) marchOf2024() periodCases {
	w.t.Helper()
	grid := &Target{Kind: "grid", GridID: w.f.Grids[0].ID}
	var p periodCases
	worked := func(title string) int64 {
		c := w.intake(title, title+"的详细情况")
		w.do("admin", c.ID, ActAccept, ActionInput{})
		w.do("admin", c.ID, ActDispatch, ActionInput{Lead: grid})
		w.do("grid01", c.ID, ActSign, ActionInput{})
		return c.ID
	}
	report := func(id int64) { w.do("grid01", id, ActReport, ActionInput{Note: "已处理完毕"}) }

	w.set(at(2024, 2, 28, 9, 0))
	p.b = worked("乙")
	report(p.b)
	w.set(at(2024, 3, 1, 9, 0))
	w.do("admin", p.b, ActVerify, ActionInput{Outcome: Resolved})
	w.do("admin", p.b, ActCallback, ActionInput{Resolved: yes(), Satisfaction: Satisfied})

	w.set(at(2024, 3, 4, 9, 0))
	p.a = worked("甲")
	report(p.a)
	p.c = w.intake("丙", "丙的详细情况").ID
	w.do("admin", p.c, ActReject, ActionInput{Note: "不属于受理范围"})
	d := w.intake("丁", "丁的详细情况")
	p.d = d.ID
	w.do("admin", p.d, ActAccept, ActionInput{})
	w.do("admin", p.d, ActDispatch, ActionInput{Lead: grid})
	p.m = w.intake("戊", "与丁反映同一问题").ID
	w.do("admin", p.m, ActAccept, ActionInput{})
	w.do("admin", p.m, ActMerge, ActionInput{MergeInto: p.d})
	p.s = worked("己")
	p.r = worked("庚")
	report(p.r)

	w.set(at(2024, 3, 5, 9, 0))
	w.do("admin", p.a, ActVerify, ActionInput{Outcome: Resolved})
	w.do("admin", p.a, ActCallback, ActionInput{Resolved: yes(), Satisfaction: Satisfied})
	w.do("admin", p.r, ActVerify, ActionInput{Outcome: Resolved})
	w.set(at(2024, 3, 5, 10, 0))
	w.do("admin", p.s, ActSuspend, ActionInput{Note: "等待产权单位答复"})

	w.set(at(2024, 3, 6, 9, 0))
	p.u = w.intake("辛", "辛的详细情况").ID
	w.do("admin", p.u, ActAccept, ActionInput{})

	w.set(at(2024, 3, 7, 9, 0))
	w.do("admin", p.r, ActReopen, ActionInput{Note: "居民反映仍在漏水"})
	w.do("admin", p.r, ActDispatch, ActionInput{Lead: grid})
	w.do("grid01", p.r, ActSign, ActionInput{})
	report(p.r)

	w.set(at(2024, 3, 8, 9, 0))
	w.do("grid01", p.d, ActSign, ActionInput{}) // the sign limit ran out on 03-05 18:00
	w.do("admin", p.r, ActVerify, ActionInput{Outcome: Resolved})
	w.do("admin", p.r, ActCallback, ActionInput{Resolved: yes(), Satisfaction: Basic})

	w.set(at(2024, 3, 25, 9, 0))
	p.l = worked("壬")
	report(p.l)
	w.set(at(2024, 4, 2, 9, 0))
	w.do("admin", p.l, ActVerify, ActionInput{Outcome: Partly})
	w.do("admin", p.l, ActCallback, ActionInput{Resolved: no(), Satisfaction: Dissatisfied, Cause: "objective"})

	w.set(at(2024, 4, 15, 9, 0))
	deadlines := map[int64]string{p.a: "2024-03-21 18:00", p.b: "2024-03-18 18:00", p.d: "2024-03-21 18:00",
		p.u: "2024-03-25 18:00", p.s: "2024-03-21 18:00", p.r: "2024-03-26 18:00", p.l: "2024-04-12 18:00"}
	for id, want := range deadlines {
		if got := local(w.get(id).HandleDeadline); got != want {
			w.t.Fatalf("case %d: handle deadline %s, want %s", id, got, want)
		}
	}
	return p
}

// checkFigures checks every figure of f against the cases it must count, and that each figure's
// drill-down list holds exactly those cases; every rate must be its numerator over its denominator.
func (w *world) checkFigures(f Filter, want map[string][]int64) {
	w.t.Helper()
	figs, err := w.svc.Figures(w.ctx("admin"), f)
	if err != nil {
		w.t.Fatalf("figures %+v: %v", f, err)
	}
	for _, name := range figureNames {
		ids, ok := want[name]
		if !ok && name != "mean_handle_hours" {
			w.t.Fatalf("the test names no cases for %s", name)
		}
		if name == "mean_handle_hours" {
			ids = want["closed"]
		}
		key := name
		if name == "mean_handle_hours" {
			key = "mean_handle_hours_den"
		}
		if got, _ := figs[key].(int64); got != int64(len(ids)) {
			w.t.Errorf("by=%s %s = %v, want %d", f.By, key, figs[key], len(ids))
		}
		drill := f
		drill.Figure = name
		got := w.ids("admin", drill)
		if !sameIDs(got, ids...) {
			w.t.Errorf("by=%s drill-down of %s lists %v, want %v", f.By, name, got, ids)
		}
	}
	for _, r := range []string{"response_rate", "on_time_rate", "closure_rate", "resolution_rate", "satisfaction_rate", "reopen_rate"} {
		num, den := int64(len(want[r+"_num"])), int64(len(want[r+"_den"]))
		wantRate := math.Round(float64(num)/float64(den)*10000) / 10000
		if figs[r] != wantRate {
			w.t.Errorf("by=%s %s = %v, want %d/%d = %v", f.By, r, figs[r], num, den, wantRate)
		}
		if v, _ := figs[r].(float64); v > 1 {
			w.t.Errorf("by=%s %s = %v is above 100 %%", f.By, r, v)
		}
	}
	if figs["closed"].(int64) > figs["accepted"].(int64) && f.By != "closed" {
		w.t.Errorf("more cases closed (%v) than accepted (%v) in one cohort", figs["closed"], figs["accepted"])
	}
}

// TestFiguresOverAWholeMonth counts March 2024 by the date cases were accepted and by the date they
// were closed, with rejected, merged, undispatched, suspended, reopened and late cases present and
// cases that began the month before or ended the month after.
func TestFiguresOverAWholeMonth(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		p := w.marchOf2024()
		a, b, c, m, dd, u, s, r, l := p.a, p.b, p.c, p.m, p.d, p.u, p.s, p.r, p.l
		march := Filter{From: "2024-03-01", To: "2024-03-31"}
		intake := []int64{a, c, m, dd, u, s, r, l}
		accepted := []int64{a, m, dd, u, s, r, l}
		due := []int64{a, b, dd, u, s, r}
		onTime := []int64{a, b, r}

		t.Run("by the date accepted", func(t *testing.T) {
			w.t = t
			closed := []int64{a, r, l}
			called := []int64{a, r, l}
			w.checkFigures(march, map[string][]int64{
				"intake": intake, "accepted": accepted, "closed": closed,
				"closure_rate_num": closed, "closure_rate_den": accepted,
				"response_rate_num": {a, s, r, l}, "response_rate_den": {a, dd, s, r, l},
				"due": due, "on_time_rate_den": due, "on_time_rate_num": onTime,
				"resolution_rate_num": {a, r}, "resolution_rate_den": called,
				"satisfaction_rate_num": {a, r}, "satisfaction_rate_den": called,
				"satisfaction_satisfied": {a}, "satisfaction_basic": {r}, "satisfaction_dissatisfied": {l},
				"reopen_rate_num": {r}, "reopen_rate_den": closed,
				"practical_matters": {a, r}, // resolved by phone; l was closed only partly
			})
		})
		t.Run("by the date closed", func(t *testing.T) {
			w.t = t
			byClosed := march
			byClosed.By = "closed"
			closed := []int64{a, b, r}
			w.checkFigures(byClosed, map[string][]int64{
				"practical_matters": closed, // each resolved, none by the 12345 hotline
				"intake":            intake, "accepted": accepted, "closed": closed,
				"closure_rate_num": closed, "closure_rate_den": accepted,
				"response_rate_num": {a, b, r}, "response_rate_den": {a, b, r},
				"due": due, "on_time_rate_den": due, "on_time_rate_num": onTime,
				"resolution_rate_num": closed, "resolution_rate_den": closed,
				"satisfaction_rate_num": closed, "satisfaction_rate_den": closed,
				"satisfaction_satisfied": {a, b}, "satisfaction_basic": {r}, "satisfaction_dissatisfied": {},
				"reopen_rate_num": {r}, "reopen_rate_den": closed,
			})
		})
	})
}

// local writes a moment as Asia/Shanghai "2006-01-02 15:04" ("-" for none).
func local(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.In(clock.Shanghai()).Format("2006-01-02 15:04")
}
