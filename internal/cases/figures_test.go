package cases

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
)

// TestFigures builds five cases with known timings and outcomes in March 2024 and checks every
// numerator and denominator, and that each figure's drill-down lists exactly the cases it counts.
func TestFigures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		grid := &Target{Kind: "grid", GridID: w.f.Grids[0].ID}
		mk := func(title string) *Case { return w.intake(title, title+"的详细情况") }

		// A: signed on time, closed on time, called back 满意 and resolved.
		w.set(at(2024, 3, 4, 9, 0))
		a := mk("甲")
		w.do("admin", a.ID, ActAccept, ActionInput{})
		w.do("admin", a.ID, ActDispatch, ActionInput{Lead: grid})
		w.do("grid01", a.ID, ActSign, ActionInput{})
		w.do("grid01", a.ID, ActReport, ActionInput{Note: "办好了"})
		w.set(at(2024, 3, 5, 9, 0))
		w.do("admin", a.ID, ActVerify, ActionInput{Outcome: Resolved})
		w.do("admin", a.ID, ActCallback, ActionInput{Resolved: yes(), Satisfaction: Satisfied})

		// B: signed late, closed after its deadline, called back 不满意 (objective), unresolved.
		w.set(at(2024, 3, 4, 9, 0))
		b := mk("乙")
		w.do("admin", b.ID, ActAccept, ActionInput{})
		w.do("admin", b.ID, ActDispatch, ActionInput{Lead: grid})
		w.set(at(2024, 3, 8, 9, 0))
		w.do("grid01", b.ID, ActSign, ActionInput{})
		w.do("grid01", b.ID, ActReport, ActionInput{Note: "办好了"})
		w.set(at(2024, 3, 29, 9, 0)) // past 13 working days
		w.do("admin", b.ID, ActVerify, ActionInput{Outcome: Partly})
		w.do("admin", b.ID, ActCallback, ActionInput{Resolved: no(), Satisfaction: Dissatisfied, Cause: "objective"})

		// C: rejected at intake: received only.
		w.set(at(2024, 3, 4, 9, 0))
		c := mk("丙")
		w.do("admin", c.ID, ActReject, ActionInput{Note: "重复来电"})

		// D: accepted, dispatched, still open past its deadline.
		d4 := mk("丁")
		w.do("admin", d4.ID, ActAccept, ActionInput{})
		w.do("admin", d4.ID, ActDispatch, ActionInput{Lead: grid})
		w.do("grid01", d4.ID, ActSign, ActionInput{})

		// E: closed, reopened, closed again on time; called back 基本满意.
		e := mk("戊")
		w.do("admin", e.ID, ActAccept, ActionInput{})
		w.do("admin", e.ID, ActDispatch, ActionInput{Lead: grid})
		w.do("grid01", e.ID, ActSign, ActionInput{})
		w.do("grid01", e.ID, ActReport, ActionInput{Note: "办好了"})
		w.do("admin", e.ID, ActVerify, ActionInput{Outcome: Resolved})
		w.do("admin", e.ID, ActReopen, ActionInput{Note: "又坏了"})
		w.do("admin", e.ID, ActDispatch, ActionInput{Lead: grid})
		w.do("grid01", e.ID, ActSign, ActionInput{})
		w.do("grid01", e.ID, ActReport, ActionInput{Note: "彻底修好"})
		w.set(at(2024, 3, 6, 9, 0))
		w.do("admin", e.ID, ActVerify, ActionInput{Outcome: Resolved})
		w.do("admin", e.ID, ActCallback, ActionInput{Resolved: yes(), Satisfaction: Basic})

		w.set(at(2024, 4, 15, 9, 0))
		f := Filter{From: "2024-03-01", To: "2024-03-31"}
		figs, err := w.svc.Figures(w.ctx("admin"), f)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][]int64{
			"intake": {a.ID, b.ID, c.ID, d4.ID, e.ID}, "accepted": {a.ID, b.ID, d4.ID, e.ID},
			"closed": {a.ID, b.ID, e.ID}, "closure_rate_num": {a.ID, b.ID, e.ID}, "closure_rate_den": {a.ID, b.ID, d4.ID, e.ID},
			"response_rate_num": {a.ID, d4.ID, e.ID}, "response_rate_den": {a.ID, b.ID, d4.ID, e.ID},
			"due": {a.ID, b.ID, d4.ID, e.ID}, "on_time_rate_den": {a.ID, b.ID, d4.ID, e.ID}, "on_time_rate_num": {a.ID, e.ID},
			"resolution_rate_num": {a.ID, e.ID}, "resolution_rate_den": {a.ID, b.ID, e.ID},
			"satisfaction_rate_num": {a.ID, e.ID}, "satisfaction_rate_den": {a.ID, b.ID, e.ID},
			"satisfaction_satisfied": {a.ID}, "satisfaction_basic": {e.ID}, "satisfaction_dissatisfied": {b.ID},
			"reopen_rate_num": {e.ID}, "reopen_rate_den": {a.ID, b.ID, e.ID},
		}
		for name, ids := range want {
			key := name
			if v, ok := figs[key].(int64); ok && v != int64(len(ids)) {
				t.Errorf("%s = %d, want %d", name, v, len(ids))
			} else if !ok {
				t.Errorf("%s missing from %v", name, figs)
			}
			drill := f
			drill.Figure = name
			list, total, err := w.svc.List(w.ctx("admin"), drill)
			if err != nil {
				t.Fatalf("drill %s: %v", name, err)
			}
			got := map[int64]bool{}
			for _, c := range list {
				got[c.ID] = true
			}
			for _, id := range ids {
				if !got[id] {
					t.Errorf("drill %s misses case %d", name, id)
				}
			}
			if total != len(ids) {
				t.Errorf("drill %s lists %d cases, want %d", name, total, len(ids))
			}
		}
		if figs["on_time_rate"] != 0.5 || figs["closure_rate"] != 0.75 || figs["satisfaction_rate"] != 0.6667 {
			t.Errorf("rates: on_time %v closure %v satisfaction %v", figs["on_time_rate"], figs["closure_rate"], figs["satisfaction_rate"])
		}
		if figs["mean_handle_hours"] == nil || figs["mean_handle_hours_den"] != int64(3) {
			t.Errorf("mean handle hours %v over %v", figs["mean_handle_hours"], figs["mean_handle_hours_den"])
		}

		// Every bar of the dashboard's charts counts what its drill-down lists: the cohort (accepted
		// in March) and those of it closed after being worked on.
		// A community shows its grids; a street its communities and grids; a district its streets.
		var series *Series
		for _, user := range []string{"district", "street", "admin"} {
			s, err := w.svc.DashboardSeries(w.ctx(user), Filter{From: f.From, To: f.To, By: "accepted"})
			if err != nil {
				t.Fatal(err)
			}
			series = s
			if want := map[string]string{"district": "按街道", "street": "按社区"}[user]; s.RegionsTitle != want || (want != "") != (len(s.Regions) > 0) ||
				s.ByGrid != (user != "district") || s.ByGrid != (len(s.Grids) > 0) {
				t.Errorf("%s: regions %q %v, grids %v %v", user, s.RegionsTitle, s.Regions, s.ByGrid, s.Grids)
			}
			bars := 0
			for chart, buckets := range map[string][]Bucket{"category": s.Categories, "channel": s.Channels, "grid": s.Grids, "region": s.Regions} {
				for _, bk := range buckets {
					bars++
					drill := Filter{From: f.From, To: f.To, By: "accepted"}
					switch key, value, _ := strings.Cut(bk.Param, "="); key {
					case "channel":
						drill.Channel = value
					case "category":
						drill.CategoryID, _ = strconv.ParseInt(value, 10, 64)
					case "grid":
						drill.GridID, _ = strconv.ParseInt(value, 10, 64)
					case "region":
						drill.RegionID, _ = strconv.ParseInt(value, 10, 64)
					default:
						t.Fatalf("%s bar %q drills down by %q", chart, bk.Label, bk.Param)
					}
					for figure, n := range map[string]int64{"accepted": bk.Accepted, "closed": bk.Closed} {
						drill.Figure = figure
						if _, total, err := w.svc.List(w.ctx(user), drill); err != nil || int64(total) != n {
							t.Errorf("%s: %s bar %q counts %d %s, its drill-down lists %d (%v)", user, chart, bk.Label, n, figure, total, err)
						}
					}
				}
			}
			if bars == 0 {
				t.Errorf("%s: no dashboard bars", user)
			}
		}
		if series.Channels[0].Accepted != 4 || series.Channels[0].Closed != 3 {
			t.Errorf("dashboard bars: %+v", series)
		}

		byClosed, err := w.svc.Figures(w.ctx("admin"), Filter{From: "2024-03-29", To: "2024-03-29", By: "closed"})
		if err != nil || byClosed["closed"] != int64(1) {
			t.Fatalf("by=closed on 03-29: %v %v", byClosed["closed"], err)
		}
		other, err := w.svc.Figures(w.ctx("other"), f)
		if err != nil || other["intake"] != int64(0) {
			t.Fatalf("another community sees %v (%v)", other["intake"], err)
		}
		if _, err := w.svc.Figures(w.ctx("admin"), Filter{From: "2024-13-01"}); !errs.Is(err, errs.Invalid) {
			t.Fatalf("bad date: %v", err)
		}
		_ = time.Second
	})
}

func TestSearchFindsTwoCharacterWords(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		leak := w.intake("卫生间渗水", "楼上卫生间漏水严重")
		light := w.intake("东门照明", "小区东门的路灯坏了三盏")
		noted := w.intake("噪音", "夜间施工")
		w.do("admin", noted.ID, ActNote, ActionInput{Note: "现场发现楼道漏水痕迹"})
		for q, want := range map[string][]int64{"漏水": {leak.ID, noted.ID}, "路灯": {light.ID}, "东门 路灯": {light.ID}, "燃气": nil} {
			list, total, err := w.svc.List(w.ctx("admin"), Filter{Q: q})
			if err != nil {
				t.Fatal(err)
			}
			if total != len(want) {
				t.Fatalf("q=%s: %d results, want %d", q, total, len(want))
			}
			for i, c := range list {
				found := false
				for _, id := range want {
					found = found || id == c.ID
				}
				if !found {
					t.Fatalf("q=%s: unexpected result %d %s", q, i, c.Title)
				}
			}
		}
	})
}
