package cobuild_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"linli/internal/cobuild"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
	"linli/internal/jobs"
)

func TestJointMeetingDecisionsAreTrackedUntilClosed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		admin := w.Ctx("admin")
		first, err := w.svc.ScheduleMeeting(admin, cobuild.MeetingInput{Title: "2026年第二季度党建联席会议", Cadence: "quarterly",
			StartsAt: time.Date(2026, 6, 10, 1, 30, 0, 0, time.UTC), Place: "社区党群服务中心"})
		if err != nil {
			t.Fatal(err)
		}
		if first.TopicsDueOn != "2026-05-26" || first.NoticeOn != "2026-06-07" || first.HeldOn != "2026-06-10" {
			t.Fatalf("deadlines = topics %s notice %s day %s, want 15 and 3 days before", first.TopicsDueOn, first.NoticeOn, first.HeldOn)
		}
		_, err = w.svc.ProposeTopic(w.Ctx("unit01"), first.ID, cobuild.TopicInput{Title: "校门口交通秩序"})
		wantCode(t, err, errs.Conflict) // today (06-15) is past the topic deadline
		_, err = w.svc.AddDecision(admin, first.ID, cobuild.DecisionInput{Text: "整治校门口停车", UnitID: w.school.ID, DueOn: "2026-07-01"})
		wantCode(t, err, errs.Conflict) // no minutes yet
		_, err = w.svc.RecordMinutes(admin, first.ID, cobuild.MinutesInput{Present: []int64{w.school.ID}, Minutes: "会议研究了……"})
		if errsField(err, "minute_taker") == "" {
			t.Fatalf("minutes without a taker: %v", err)
		}
		m, err := w.svc.RecordMinutes(admin, first.ID, cobuild.MinutesInput{Present: []int64{w.school.ID}, MinuteTaker: "李文",
			Minutes: "会议研究了校园周边环境整治。", Attendees: map[string]string{"1": "张校长"}})
		if err != nil {
			t.Fatal(err)
		}
		if m.State != "held" || m.Present() != 1 || len(m.Attendance) != 2 {
			t.Fatalf("held meeting: state %s, %d of %d units present", m.State, m.Present(), len(m.Attendance))
		}
		before := count(t, d, `SELECT COUNT(*) FROM cobuild_decisions`)
		_, err = w.svc.AddDecision(admin, first.ID, cobuild.DecisionInput{Text: "整治校门口停车"})
		if errsField(err, "unit_id") == "" || errsField(err, "due_on") == "" {
			t.Fatalf("a decision without owner or due date: %v", err)
		}
		if count(t, d, `SELECT COUNT(*) FROM cobuild_decisions`) != before {
			t.Fatal("a refused decision was written")
		}
		dec, err := w.svc.AddDecision(admin, first.ID, cobuild.DecisionInput{Text: "整治校门口停车", UnitID: w.school.ID, DueOn: "2026-07-01"})
		if err != nil {
			t.Fatal(err)
		}
		next, err := w.svc.ScheduleMeeting(admin, cobuild.MeetingInput{Title: "2026年第三季度党建联席会议", Cadence: "quarterly",
			StartsAt: time.Date(2026, 9, 10, 1, 30, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		if len(next.Topics) != 1 || !next.Topics[0].Carried || *next.Topics[0].DecisionID != dec.ID {
			t.Fatalf("next agenda = %+v, want the open decision carried onto it", next.Topics)
		}
		if _, err := w.svc.ProposeTopic(w.Ctx("unit02"), next.ID, cobuild.TopicInput{Title: "秋季义诊安排"}); err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.CloseDecision(w.Ctx("unit02"), dec.ID, "已完成")
		wantCode(t, err, errs.NotFound) // the clinic does not own it
		closed, err := w.svc.CloseDecision(w.Ctx("unit01"), dec.ID, "已施划停车位并安排护学岗")
		if err != nil {
			t.Fatal(err)
		}
		if closed.State != "closed" || !closed.OnTime() {
			t.Fatalf("closed decision = %+v, want closed on time", closed)
		}
		_, err = w.svc.CloseDecision(admin, dec.ID, "再次销号")
		wantCode(t, err, errs.Conflict)
		next, _ = w.svc.Meeting(admin, next.ID)
		if len(next.Topics) != 1 || next.Topics[0].Carried {
			t.Fatalf("after closing, the next agenda = %+v, want only the clinic's topic", next.Topics)
		}
	})
}

func TestFiguresCountWhatTheirListsShow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		admin := w.Ctx("admin")
		for i, day := range []string{"2026-01-05", "2026-02-10", "2026-03-15", "2025-12-31"} {
			n := w.need(t, "admin", cobuild.NeedInput{RaisedOn: day, Title: "需求" + day})
			if i < 2 {
				if _, err := w.svc.Claim(w.Ctx("unit01"), n.ID, 0); err != nil {
					t.Fatal(err)
				}
			}
			if i == 0 {
				if _, err := w.svc.NeedAction(w.Ctx("unit01"), n.ID, "finish", cobuild.Evaluation{}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := w.svc.RecordActivity(w.Ctx("unit01"), cobuild.ActivityInput{Title: "敬老院慰问", HeldOn: "2026-02-01",
			Participants: 12, ServiceMinutes: 240, UnitIDs: []int64{w.school.ID, w.clinic.ID}}); err != nil {
			t.Fatal(err)
		}
		f, err := w.svc.Figures(admin, w.Users["admin"], cobuild.FigureFilter{From: "2026-01-01", To: "2026-12-31"})
		if err != nil {
			t.Fatal(err)
		}
		if f.Needs != 3 || f.NeedsClaimed != 2 || f.NeedsMet != 1 || f.Activities != 1 || f.Participants != 12 {
			t.Fatalf("figures = %+v, want 3 raised, 2 claimed, 1 met, 1 activity of 12", f)
		}
		_, n, _ := w.svc.Needs(admin, cobuild.NeedFilter{By: "claimed", From: "2026-01-01", To: "2026-12-31"})
		if n != f.NeedsClaimed {
			t.Fatalf("the claimed list holds %d, the figure says %d", n, f.NeedsClaimed)
		}
		if len(f.Units) != 2 || f.Units[0].UnitID != w.school.ID || f.Units[0].Rank != 1 || f.Units[0].Score <= f.Units[1].Score {
			t.Fatalf("ranking = %+v, want the school first", f.Units)
		}
		mine, err := w.svc.Figures(w.Ctx("unit02"), w.Users["unit02"], cobuild.FigureFilter{From: "2026-01-01", To: "2026-12-31"})
		if err != nil || mine.NeedsClaimed != 0 || mine.Activities != 1 || len(mine.Units) != 1 {
			t.Fatalf("the clinic's own figures = %+v (%v)", mine, err)
		}
		_, err = w.svc.Figures(admin, w.Users["admin"], cobuild.FigureFilter{RegionID: w.Other.ID})
		wantCode(t, err, errs.NotFound)
	})
}

func TestTheMeetingNoticeReachesEveryUnitContactOnItsNoticeDay(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		m, err := w.svc.ScheduleMeeting(w.Ctx("admin"), cobuild.MeetingInput{Title: "2026年第三季度党建联席会议", Cadence: "quarterly",
			StartsAt: time.Date(2026, 7, 10, 1, 30, 0, 0, time.UTC), Place: "社区党群服务中心"})
		if err != nil {
			t.Fatal(err)
		}
		r := jobs.NewRunner(d, slog.New(slog.NewTextHandler(io.Discard, nil)))
		w.svc.RegisterJobs(r)
		r.Now = func() time.Time { return time.Date(2026, 7, 6, 12, 0, 0, 0, time.UTC) } // the day before the notice day
		if n, err := r.RunDue(context.Background()); err != nil || n != 0 {
			t.Fatalf("before the notice day: ran %d (%v)", n, err)
		}
		r.Now = func() time.Time { return time.Date(2026, 7, 7, 2, 0, 0, 0, time.UTC) } // 10:00 on 07-07, the notice day
		if n, err := r.RunDue(context.Background()); err != nil || n != 1 {
			t.Fatalf("on the notice day: ran %d (%v)", n, err)
		}
		for _, who := range []string{"unit01", "unit02"} {
			if got := count(t, d, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND link = $2`, w.Users[who].UserID,
				fmt.Sprintf("/cobuild/meetings/%d/notice", m.ID)); got != 1 {
				t.Errorf("%s got %d notices", who, got)
			}
		}
	})
}
