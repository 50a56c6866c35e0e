package deliberation_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/deliberation"
	"linli/internal/jobs"
)

// publishedTopic takes a topic of grid 01 through its meeting (a1..a3 present, 3 in favour) to a
// decision published on 2026-06-17 at 14:10.
func (w *world) publishedTopic() *deliberation.Topic {
	w.t.Helper()
	admin := w.ctx("admin")
	tp := w.topic(3)
	m := w.meetingFor(tp)
	w.setNow("2026-06-17 14:05")
	for _, n := range []string{"a1", "a2", "a3"} {
		_, err := w.svc.CheckInPublic(context.Background(), m.Token(), w.who[n])
		w.must(err)
	}
	mo, err := w.svc.OpenMotion(admin, m.ID, deliberation.MotionInput{TopicID: tp.ID, Text: "同意按方案划线", Method: "ballot"})
	w.must(err)
	for _, n := range []string{"a1", "a2", "a3"} {
		w.must(w.svc.BallotPublic(context.Background(), m.Token(), mo.ID, w.who[n], deliberation.Yes))
	}
	_, err = w.svc.CloseMotion(admin, mo.ID, deliberation.Count{})
	w.must(err)
	w.must(w.svc.SetMinutes(admin, m.ID, "会议讨论了一号院停车位划线方案，表决通过。"))
	w.must(w.svc.CloseMeeting(admin, m.ID))
	_, err = w.svc.Decide(admin, tp.ID, deliberation.DecisionInput{Text: "按方案划线并分配车位", OwnerKind: "property",
		OwnerName: "南关物业公司", DueOn: "2026-08-31"})
	w.must(err)
	w.setNow("2026-06-17 14:10")
	tp, err = w.svc.Act(admin, tp.ID, deliberation.ActPublish, deliberation.ReviewInput{})
	w.must(err)
	return tp
}

func TestTheSweepChasesQuestionsUnansweredAfterThreeDays(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		admin := w.ctx("admin")
		tp := w.publishedTopic()
		// Known data: one question answered in time, one due on the 23rd, one due on the 25th.
		w.setNow("2026-06-19 09:00")
		w.must(w.svc.AskPublic(t.Context(), tp.ID, w.who["a1"], "划线后电动车停在哪里？"))
		w.setNow("2026-06-20 09:00")
		w.must(w.svc.AskPublic(t.Context(), tp.ID, w.who["a4"], "车位费用怎么收？"))
		pa, err := w.svc.TopicPath(admin, tp.ID)
		w.must(err)
		w.must(w.svc.Answer(admin, tp.ID, pa.Questions[0].ID, "单元门口另设电动车棚。"))
		w.setNow("2026-06-22 09:00")
		w.must(w.svc.AskPublic(t.Context(), tp.ID, w.who["a2"], "外来车辆怎么管理？"))

		runner := jobs.NewRunner(d, nil)
		runner.Now = w.svc.Now
		w.svc.RegisterJobs(runner)
		run := func(when string) {
			t.Helper()
			w.setNow(when)
			w.must(deliberation.EnqueueQuestionSweep(t.Context(), d.W, w.svc.Now()))
			if _, err := runner.RunDue(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		adminID, otherID := w.f.Users["admin"].UserID, w.f.Users["other"].UserID
		notices := func(user int64) int {
			return w.count(`SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = $2`, user, deliberation.QuestionSweepJob)
		}
		flagged := func() int { return w.count(`SELECT COUNT(*) FROM delib_questions WHERE overdue_at IS NOT NULL`) }

		run("2026-06-23 08:59") // nothing due yet: the first open question is due at 09:00
		if flagged() != 0 || notices(adminID) != 0 {
			t.Fatalf("before any question is due: %d flagged, %d notices", flagged(), notices(adminID))
		}
		run("2026-06-23 09:30")
		if flagged() != 1 || notices(adminID) != 1 || notices(otherID) != 0 {
			t.Fatalf("one question overdue: %d flagged, %d notices to the community's admin, %d to another community's",
				flagged(), notices(adminID), notices(otherID))
		}
		var body, link string
		w.must(d.R.QueryRowContext(t.Context(), `SELECT body, link FROM notifications WHERE user_id = $1`, adminID).Scan(&body, &link))
		if link != "/deliberation/topics/"+strconv.FormatInt(tp.ID, 10)+"#decision" || !strings.Contains(body, "1条居民疑问超过3天未答复") {
			t.Fatalf("notice: %q %q", body, link)
		}
		run("2026-06-23 09:30") // a second run at the same moment: nothing new
		if n, err := w.svc.SweepOverdueQuestions(t.Context()); err != nil || n != 0 || notices(adminID) != 1 {
			t.Fatalf("a second run: flagged %d (%v), %d notices", n, err, notices(adminID))
		}

		pa, err = w.svc.TopicPath(admin, tp.ID)
		w.must(err)
		q := pa.Questions
		if q[0].OverdueAt != nil || q[1].OverdueAt == nil || q[2].OverdueAt != nil {
			t.Fatalf("flags on the staff page: %v %v %v", q[0].OverdueAt, q[1].OverdueAt, q[2].OverdueAt)
		}
		w.setNow("2026-06-24 10:00")
		w.must(w.svc.Answer(admin, tp.ID, q[1].ID, "车位不收费，按登记顺序分配。"))
		run("2026-06-25 10:00")
		if flagged() != 2 || notices(adminID) != 2 {
			t.Fatalf("the third question overdue: %d flagged, %d notices", flagged(), notices(adminID))
		}
		pa, err = w.svc.TopicPath(admin, tp.ID)
		w.must(err)
		if !pa.Questions[1].Late() || pa.Questions[1].OverdueAt == nil || pa.Questions[0].Late() {
			t.Fatalf("answered late keeps its flag: %+v", pa.Questions[1])
		}
		f, err := w.svc.Figures(admin, deliberation.Period{From: "2026-06-01", To: "2026-06-30"})
		w.must(err)
		if f.Questions != 3 || f.AnsweredOnTime != 1 || f.AnswerRate != 0.333 {
			t.Fatalf("questions answered on time: %d of %d (%v)", f.AnsweredOnTime, f.Questions, f.AnswerRate)
		}
		// Each row below is the count of its drill-down list.
		var grid *deliberation.RegionFigures
		for i := range f.Children {
			if f.Children[i].RegionID == w.f.Grids[0].ID {
				grid = &f.Children[i]
			}
		}
		if grid == nil || grid.Topics != 1 || grid.Decisions != 1 || grid.Questions != 3 || grid.AnsweredOnTime != 1 {
			t.Fatalf("grid 01's row: %+v", grid)
		}
		_, n, err := w.svc.Topics(admin, deliberation.Filter{RegionID: w.f.Grids[0].ID, From: f.From, To: f.To, By: "decided"})
		if err != nil || n != grid.Decisions {
			t.Fatalf("grid 01's decisions list: %d (%v), figure %d", n, err, grid.Decisions)
		}
		ms, err := w.svc.Meetings(admin, at(t, "2026-06-01 00:00"), at(t, "2026-07-01 00:00"), w.f.Community.ID)
		if err != nil || len(ms) != f.Meetings {
			t.Fatalf("the community's meetings list: %d (%v), figure %d", len(ms), err, f.Meetings)
		}
		if n := w.count(`SELECT COUNT(*) FROM jobs WHERE kind = $1 AND state = 'pending'`, deliberation.QuestionSweepJob); n != 1 {
			t.Fatalf("the sweep keeps one next run pending, got %d", n)
		}
	})
}
