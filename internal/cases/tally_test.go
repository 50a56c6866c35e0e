package cases

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"linli/internal/db"
	"linli/internal/db/dbtest"
)

// TestTallyEqualsTheCases walks random cases through many transitions over half a year (intake in
// three grids, two categories and three channels; accept with a new category, reject, merge,
// dispatch, sign, return, withdraw, escalate, suspend, extend, report, rework, verify, callback,
// reopen) and checks, as it goes, that the figures, the grouped figures and the dashboard's
// series read from the case tally equal those the cases alone give, for many selections and
// periods (whole months, partial months, the current month, periods ending in the future, none),
// and that the tally kept with the writes equals one built afresh.
func TestTallyEqualsTheCases(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		rng := rand.New(rand.NewPCG(18, 5))
		leak, other := w.category("dispute.leak"), w.otherTopCategory()
		grids := []int64{w.f.Grids[0].ID, w.f.Grids[1].ID, w.f.OtherGrid.ID}
		channels := []string{"phone", "hotline_12345", "walk_in"}
		var ids []int64
		now := at(2024, 1, 3, 9, 0)
		for step := 0; step < 360; step++ {
			now = now.Add(time.Duration(3+rng.IntN(16)) * time.Hour)
			w.set(now)
			if len(ids) < 6 || rng.IntN(7) == 0 {
				grid := grids[rng.IntN(len(grids))]
				user := "admin"
				if grid == w.f.OtherGrid.ID {
					user = "other"
				}
				cat := leak
				if rng.IntN(3) == 0 {
					cat = w.leafOf(other)
				}
				c, err := w.svc.Intake(w.ctx(user), Intake{Channel: channels[rng.IntN(len(channels))], CategoryID: cat,
					Title: "随机案件", Description: "随机案件的详细情况", Address: "3号楼", GridID: grid, ReporterName: "张大爷",
					ReporterPhone: "13812345678"})
				if err != nil {
					t.Fatalf("intake: %v", err)
				}
				ids = append(ids, c.ID)
				continue
			}
			id := ids[rng.IntN(len(ids))]
			for try := 0; try < 12 && !w.randomAct(rng, id, ids, grids, leak, other); try++ {
			}
			if step%180 == 179 {
				w.compareTally(now)
			}
		}
		var summary []string
		rows, err := d.R.Query(`SELECT state || '/' || outcome || '/' || reopen_count || '/' || (callback_at IS NOT NULL) || '/' ||
			lead_dispatched || lead_on_time || '/' || (region_id = grid_id), COUNT(*) FROM cases GROUP BY 1 ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k string
			var n int
			if err := rows.Scan(&k, &n); err != nil {
				t.Fatal(err)
			}
			summary = append(summary, fmt.Sprintf("%s:%d", k, n))
		}
		rows.Close()
		t.Logf("%d cases: %s", len(ids), strings.Join(summary, " "))
		// Later: every deadline of the walk has passed, and the months have ended.
		w.set(at(2024, 12, 20, 9, 0))
		w.compareTally(at(2024, 12, 20, 9, 0))
		w.checkTallyRebuilt()
	})
}

// otherTopCategory is a top-level category other than 漏水's.
func (w *world) otherTopCategory() int64 {
	w.t.Helper()
	var id int64
	if err := w.f.DB.R.QueryRow(`SELECT id FROM case_categories WHERE parent_id IS NULL AND id <> (SELECT parent_id FROM case_categories
		WHERE id = $1) AND EXISTS (SELECT 1 FROM case_categories s WHERE s.parent_id = case_categories.id) ORDER BY id LIMIT 1`,
		w.category("dispute.leak")).Scan(&id); err != nil {
		w.t.Fatal(err)
	}
	return id
}

// leafOf is a sub-category of top.
func (w *world) leafOf(top int64) int64 {
	w.t.Helper()
	var id int64
	if err := w.f.DB.R.QueryRow(`SELECT id FROM case_categories WHERE parent_id = $1 ORDER BY id LIMIT 1`, top).Scan(&id); err != nil {
		w.t.Fatal(err)
	}
	return id
}

// randomAct tries one random action on case id by a random actor and reports whether it was
// taken; a refused one changes nothing.
func (w *world) randomAct(rng *rand.Rand, id int64, ids, grids []int64, leak, other int64) bool {
	users := []string{"admin", "grid01", "grid02", "street", "other", "district"}
	user := users[rng.IntN(len(users))]
	until := w.now.Add(time.Duration(5+rng.IntN(20)) * 24 * time.Hour)
	inputs := []struct {
		a  Action
		in ActionInput
	}{
		{ActAccept, ActionInput{}},
		{ActAccept, ActionInput{CategoryID: w.leafOf(other)}},
		{ActAccept, ActionInput{CategoryID: leak, GridID: grids[rng.IntN(2)]}},
		{ActReject, ActionInput{Note: "不予受理"}},
		{ActMerge, ActionInput{MergeInto: ids[rng.IntN(len(ids))]}},
		{ActDispatch, ActionInput{Lead: &Target{Kind: "grid", GridID: grids[rng.IntN(len(grids))]}}},
		{ActDispatch, ActionInput{Lead: &Target{Kind: "grid", GridID: grids[0]}}},
		{ActSign, ActionInput{}},
		{ActSign, ActionInput{}},
		{ActReturn, ActionInput{Note: "非本网格"}},
		{ActWithdraw, ActionInput{}},
		{ActEscalate, ActionInput{Note: "需上级协调"}},
		{ActSuspend, ActionInput{Note: "等待答复"}},
		{ActResume, ActionInput{}},
		{ActExtend, ActionInput{Note: "工程量大", Until: &until}},
		{ActApproveExtension, ActionInput{}},
		{ActReport, ActionInput{Note: "已处理"}},
		{ActReport, ActionInput{Note: "已处理"}},
		{ActRework, ActionInput{Note: "未处理彻底"}},
		{ActVerify, ActionInput{Outcome: []Outcome{Resolved, Partly, Explained, NotOurs}[rng.IntN(4)]}},
		{ActVerify, ActionInput{Outcome: Resolved}},
		{ActCallback, ActionInput{Resolved: yes(), Satisfaction: Satisfied}},
		{ActCallback, ActionInput{Resolved: no(), Satisfaction: Basic}},
		{ActCallback, ActionInput{Resolved: no(), Satisfaction: Dissatisfied, Cause: "subjective"}},
		{ActCallback, ActionInput{Resolved: no(), Satisfaction: Dissatisfied, Cause: "objective"}},
		{ActReopen, ActionInput{Note: "仍未解决"}},
		{ActNote, ActionInput{Note: "已联系居民"}},
	}
	x := inputs[rng.IntN(len(inputs))]
	if (x.a == ActMerge || x.a == ActReject) && rng.IntN(4) > 0 {
		return false // rarely: they end a case
	}
	for _, u := range []string{user, "grid01", "grid02", "admin", "street", "district", "other"} {
		if _, err := w.svc.Act(w.ctx(u), id, x.a, x.in); err == nil {
			return true
		}
	}
	return false
}

// compareTally checks the tally-read figures, grouped figures and dashboard series against the
// cases' own for many selections, the clock at now.
func (w *world) compareTally(now time.Time) {
	w.t.Helper()
	loc := now.Location()
	day := func(t time.Time) string { return t.In(loc).Format(time.DateOnly) }
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	periods := [][2]string{
		{"2024-01-01", "2024-03-31"},
		{"2024-01-15", "2024-05-10"},
		{"2024-02-01", day(month.AddDate(0, 0, -1))},
		{day(month), day(month.AddDate(0, 1, -1))},
		{"2024-02-10", day(now.AddDate(0, 3, 0))},
		{"2024-03-01", day(now)},
		{"2024-03-03", "2024-03-03"},
		{"", ""}, {"2024-02-15", ""}, {"", "2024-04-20"},
	}
	leak := w.category("dispute.leak")
	var leakTop int64
	_ = w.f.DB.R.QueryRow(`SELECT parent_id FROM case_categories WHERE id = $1`, leak).Scan(&leakTop)
	filters := []Filter{{}, {By: "closed"}, {By: "received"}, {Channel: "hotline_12345"}, {CategoryID: leakTop, By: "closed"},
		{RegionID: w.f.Community.ID}, {RegionID: w.f.Street.ID, Channel: "phone"}, {RegionID: w.f.Other.ID, By: "closed"},
		{CategoryID: leak}, {GridID: w.f.Grids[0].ID}}
	for _, user := range []string{"district", "street", "admin", "grid01"} {
		ctx := w.ctx(user)
		for _, p := range periods {
			for _, f := range filters {
				f.From, f.To = p[0], p[1]
				what := fmt.Sprintf("%s %+v at %s", user, f, now.Format(time.DateTime))
				same := func(name string, call func() (any, error)) {
					w.svc.noTally = true
					raw, rerr := call()
					w.svc.noTally = false
					tallied, terr := call()
					if (rerr == nil) != (terr == nil) {
						w.t.Fatalf("%s %s: errors differ: cases %v, tally %v", name, what, rerr, terr)
					}
					if !reflect.DeepEqual(raw, tallied) {
						w.t.Fatalf("%s %s:\n cases %v\n tally %v", name, what, raw, tallied)
					}
				}
				same("figures", func() (any, error) { return w.svc.Figures(ctx, f) })
				same("figures by category", func() (any, error) { return w.svc.FiguresByCategory(ctx, f) })
				same("series", func() (any, error) { return w.svc.DashboardSeries(ctx, f) })
				// The dashboard reads its figures with its charts: the same as Figures'.
				same("dashboard", func() (any, error) {
					d, err := w.svc.Dashboard(ctx, f)
					if err != nil {
						return nil, err
					}
					if figs, err := w.svc.Figures(ctx, f); err != nil || !reflect.DeepEqual(figs, d.Figures) {
						w.t.Fatalf("dashboard %s: figures %v, Figures %v (%v)", what, d.Figures, figs, err)
					}
					return d, nil
				})
				if f.RegionID == 0 || f.RegionID == w.f.Street.ID {
					same("figures by region", func() (any, error) { return w.svc.FiguresByRegion(ctx, f) })
				}
			}
		}
	}
}

// checkTallyRebuilt checks that the tally kept with the writes equals one built afresh.
func (w *world) checkTallyRebuilt() {
	w.t.Helper()
	d := w.f.DB
	read := func() map[string]string {
		rows, err := d.R.Query(`SELECT region_id, month, category_id, channel, ` + strings.Join(tallyColumns, ", ") + ` FROM case_tallies`)
		if err != nil {
			w.t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]string{}
		for rows.Next() {
			var region, category int64
			var month, channel string
			vals := make([]int64, len(tallyColumns))
			ptrs := []any{&region, &month, &category, &channel}
			for i := range vals {
				ptrs = append(ptrs, &vals[i])
			}
			if err := rows.Scan(ptrs...); err != nil {
				w.t.Fatal(err)
			}
			if fmt.Sprint(vals) != fmt.Sprint(make([]int64, len(vals))) {
				out[fmt.Sprint(region, month, category, channel)] = fmt.Sprint(vals)
			}
		}
		return out
	}
	kept := read()
	if len(kept) == 0 {
		w.t.Fatal("the tally is empty")
	}
	if err := d.InTx(context.Background(), func(tx *db.Tx) error { return BuildTallies(context.Background(), tx) }); err != nil {
		w.t.Fatal(err)
	}
	if built := read(); !reflect.DeepEqual(kept, built) {
		for k, v := range built {
			if kept[k] != v {
				w.t.Errorf("tally %s: kept %s, built %s", k, kept[k], v)
			}
		}
		for k, v := range kept {
			if _, ok := built[k]; !ok {
				w.t.Errorf("tally %s: kept %s, built none", k, v)
			}
		}
	}
}

// TestReceivedTally checks that what intake adds to the tally without a statement
// (receivedTally) is what the new row counts, read as a later write reads it (tallyOfMonths):
// for a case in a grid, one in a community without a grid, and a hotline order received in an
// earlier month.
func TestReceivedTally(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		leak := w.category("dispute.leak")
		earlier := w.now.AddDate(0, -2, 0)
		for name, in := range map[string]Intake{
			"grid":      {Channel: "phone", GridID: w.f.Grids[0].ID},
			"community": {Channel: "walk_in", CommunityID: w.f.Community.ID},
			"hotline": {Channel: "hotline_12345", GridID: w.f.Grids[1].ID, ExternalNo: "HL-TALLY-1",
				ReceivedAt: &earlier},
		} {
			in.CategoryID, in.Title, in.Description, in.Address = leak, "楼上漏水", "楼上漏水渗到楼下", "3号楼"
			in.ReporterName, in.ReporterPhone = "张大爷", "13812345678"
			c, err := w.svc.Intake(w.ctx("admin"), in)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			var top int64
			if err := d.R.QueryRow(`SELECT parent_id FROM case_categories WHERE id = $1`, leak).Scan(&top); err != nil {
				t.Fatal(err)
			}
			read, err := tallyOfMonths(context.Background(), d.R, c.ID, []time.Time{monthOf(c.ReceivedAt)})
			if err != nil {
				t.Fatal(err)
			}
			if got := receivedTally(c, top); len(read) == 0 || !reflect.DeepEqual(got, read) {
				t.Errorf("%s: intake added %v, the row counts %v", name, got, read)
			}
		}
	})
}
