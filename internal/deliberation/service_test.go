package deliberation_test

import (
	"sync"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/deliberation"
	"linli/internal/errs"
)

func wantCode(t *testing.T, what string, err error, code errs.Code) {
	t.Helper()
	if errs.CodeOf(err) != code {
		t.Fatalf("%s: %v, want %s", what, err, code)
	}
}

func TestSupportsSendATopicToReviewOncePerHousehold(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		tp, err := w.svc.CreatePublicTopic(t.Context(), w.who["a1"], deliberation.TopicInput{Title: "一号楼加装电梯",
			Description: "一号楼老人多，上下楼困难，希望加装电梯，费用按楼层分摊。"}, true)
		w.must(err)
		if tp.Supports != 0 || tp.RaiserLabel != "1号楼居民" || tp.BuildingName != "1号楼" {
			t.Fatalf("a resident's topic: %+v", tp)
		}
		if n := w.count(`SELECT supports FROM delib_topics WHERE id = $1`, tp.ID); n != 1 {
			t.Fatalf("the raiser's household supports it: %d", n)
		}
		_, err = w.svc.SupportPublic(t.Context(), tp.ID, w.who["a1"])
		wantCode(t, "supporting twice from one household", err, errs.Conflict)
		_, err = w.svc.SupportPublic(t.Context(), tp.ID, w.who["b1"])
		wantCode(t, "a household of another building", err, errs.Invalid)
		_, err = w.svc.SupportPublic(t.Context(), tp.ID, deliberation.ResidentInput{Name: "居民a2", Phone: "13800000002"})
		wantCode(t, "a phone not verified", err, errs.Unauthorized)
		if n := w.count(`SELECT COUNT(*) FROM delib_supports WHERE topic_id = $1`, tp.ID); n != 1 {
			t.Fatalf("refused supports wrote rows: %d", n)
		}
		// Threshold 10 by default: lower it to 3 to see the queue.
		if _, err := d.W.ExecContext(t.Context(), `UPDATE delib_topics SET threshold = 3 WHERE id = $1`, tp.ID); err != nil {
			t.Fatal(err)
		}
		got, err := w.svc.SupportPublic(t.Context(), tp.ID, w.who["a2"])
		w.must(err)
		if got.State != deliberation.Proposed || got.Supports != 2 {
			t.Fatalf("below the threshold: %s %d", got.State, got.Supports)
		}
		got, err = w.svc.Support(w.ctx("grid01"), tp.ID, w.hh["a3"])
		w.must(err)
		if got.State != deliberation.Queued || got.Supports != 3 {
			t.Fatalf("at the threshold the topic goes to review: %s %d", got.State, got.Supports)
		}
		_, err = w.svc.SupportPublic(t.Context(), tp.ID, w.who["a4"])
		wantCode(t, "support after the queue", err, errs.Conflict)
	})
}

func TestConcurrentSupportsAndBallotsCountOncePerHousehold(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		tp := w.topic(10)
		var wg sync.WaitGroup
		errsOf := make([]error, 6)
		for i := range errsOf {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errsOf[i] = w.svc.SupportPublic(t.Context(), tp.ID, w.who["a1"])
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errsOf {
			if err == nil {
				ok++
			} else if errs.CodeOf(err) != errs.Conflict {
				t.Fatalf("a concurrent support failed otherwise: %v", err)
			}
		}
		if ok != 1 || w.count(`SELECT supports FROM delib_topics WHERE id = $1`, tp.ID) != 1 {
			t.Fatalf("%d supports accepted, want 1", ok)
		}

		m := w.meetingFor(tp)
		w.setNow("2026-06-17 14:05")
		_, err := w.svc.CheckInPublic(t.Context(), m.Token(), w.who["a1"])
		w.must(err)
		mo, err := w.svc.OpenMotion(w.ctx("admin"), m.ID, deliberation.MotionInput{TopicID: tp.ID, Text: "同意按方案划线", Method: "ballot"})
		w.must(err)
		for i := range errsOf {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errsOf[i] = w.svc.BallotPublic(t.Context(), m.Token(), mo.ID, w.who["a1"], deliberation.Yes)
			}()
		}
		wg.Wait()
		if n := w.count(`SELECT COUNT(*) FROM delib_ballots WHERE motion_id = $1`, mo.ID); n != 1 {
			t.Fatalf("%d ballots of one household, want 1", n)
		}
	})
}

func TestAMeetingVotesAndTheDecisionIsCarriedOutInPublic(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		admin := w.ctx("admin")
		tp := w.topic(10)
		_, err := w.svc.Act(admin, tp.ID, deliberation.ActDecline, deliberation.ReviewInput{})
		wantCode(t, "a decline without a reason", err, errs.Invalid)
		_, err = w.svc.Act(w.ctx("member01"), tp.ID, deliberation.ActAccept, deliberation.ReviewInput{Owner: "x", Plan: "计划计划"})
		wantCode(t, "a party member accepting", err, errs.Forbidden)
		m := w.meetingFor(tp)
		if got, _ := w.svc.Topic(admin, tp.ID); got.State != deliberation.Resolving {
			t.Fatalf("on the agenda the topic is resolving: %s", got.State)
		}
		if n := w.count(`SELECT COUNT(*) FROM venue_bookings WHERE id = $1 AND venue_id = $2 AND status = 'approved'`, m.BookingID, w.hall.ID); n != 1 {
			t.Fatal("the meeting booked the hall")
		}
		_, err = w.svc.Decide(admin, tp.ID, deliberation.DecisionInput{Text: "按方案划线", OwnerKind: "property", OwnerName: "物业公司", DueOn: "2026-08-31"})
		wantCode(t, "a decision without a vote", err, errs.Conflict)
		_, err = w.svc.Act(admin, tp.ID, deliberation.ActPublish, deliberation.ReviewInput{})
		wantCode(t, "publishing before a decision", err, errs.Conflict)

		w.setNow("2026-06-17 14:05")
		for _, n := range []string{"a1", "a2", "a3"} {
			_, err := w.svc.CheckInPublic(t.Context(), m.Token(), w.who[n])
			w.must(err)
		}
		mo, err := w.svc.OpenMotion(admin, m.ID, deliberation.MotionInput{TopicID: tp.ID, Text: "同意按方案划线", Method: "ballot"})
		w.must(err)
		err = w.svc.BallotPublic(t.Context(), m.Token(), mo.ID, w.who["b1"], deliberation.Yes)
		wantCode(t, "a ballot before signing in", err, errs.Conflict)
		err = w.svc.BallotPublic(t.Context(), m.Token(), mo.ID, w.who["c1"], deliberation.Yes)
		wantCode(t, "a ballot from someone not on the list", err, errs.Forbidden)
		w.must(w.svc.BallotPublic(t.Context(), m.Token(), mo.ID, w.who["a1"], deliberation.Yes))
		w.must(w.svc.BallotPublic(t.Context(), m.Token(), mo.ID, w.who["a2"], deliberation.Yes))
		w.must(w.svc.BallotPublic(t.Context(), m.Token(), mo.ID, w.who["a3"], deliberation.No))
		closed, err := w.svc.CloseMotion(admin, mo.ID, deliberation.Count{})
		w.must(err)
		if closed.Entitled != 5 || closed.Present != 3 || closed.Yes != 2 || !closed.QuorumMet || !closed.Passed {
			t.Fatalf("3 of 5 present, 2 of 3 in favour passes: %+v", closed)
		}
		err = w.svc.BallotPublic(t.Context(), m.Token(), mo.ID, w.who["a4"], deliberation.No)
		wantCode(t, "voting after the vote closed", err, errs.Conflict)
		wantCode(t, "closing without minutes", w.svc.CloseMeeting(admin, m.ID), errs.Invalid)
		w.must(w.svc.SetMinutes(admin, m.ID, "会议讨论了一号院停车位划线方案，表决通过。"))
		w.must(w.svc.CloseMeeting(admin, m.ID))

		_, err = w.svc.Decide(admin, tp.ID, deliberation.DecisionInput{Text: "按方案划线", DueOn: "2026-08-31"})
		wantCode(t, "a decision without an owner", err, errs.Invalid)
		dec, err := w.svc.Decide(admin, tp.ID, deliberation.DecisionInput{Text: "按方案划线并分配车位", OwnerKind: "property",
			OwnerName: "南关物业公司", DueOn: "2026-08-31"})
		w.must(err)
		if dec.MotionID != mo.ID || dec.PublishDays != 7 {
			t.Fatalf("decision: %+v", dec)
		}
		_, err = w.svc.Act(admin, tp.ID, deliberation.ActPublish, deliberation.ReviewInput{})
		w.must(err)
		w.setNow("2026-06-20 09:00")
		w.must(w.svc.AskPublic(t.Context(), tp.ID, w.who["a4"], "车位费用怎么收？"))
		w.setNow("2026-06-24 13:59")
		_, err = w.svc.Act(admin, tp.ID, deliberation.ActImplement, deliberation.ReviewInput{})
		wantCode(t, "implementing inside the 7-day publication", err, errs.Conflict)
		w.setNow("2026-06-24 14:10")
		_, err = w.svc.Act(admin, tp.ID, deliberation.ActImplement, deliberation.ReviewInput{})
		wantCode(t, "implementing with a question unanswered", err, errs.Conflict)
		pa, err := w.svc.PublicPath(t.Context(), tp.ID)
		w.must(err)
		w.must(w.svc.Answer(admin, tp.ID, pa.Questions[0].ID, "车位不收费，按登记顺序分配。"))
		_, err = w.svc.Act(admin, tp.ID, deliberation.ActImplement, deliberation.ReviewInput{})
		w.must(err)
		_, err = w.svc.ReportProgress(admin, tp.ID, 60, "已完成划线，正在分配车位")
		w.must(err)
		_, err = w.svc.ReportProgress(admin, tp.ID, 40, "回退")
		wantCode(t, "progress going back", err, errs.Invalid)
		_, err = w.svc.Act(admin, tp.ID, deliberation.ActFinish, deliberation.ReviewInput{})
		wantCode(t, "finishing at 60 %", err, errs.Conflict)
		_, err = w.svc.ReportProgress(admin, tp.ID, 100, "车位分配完毕")
		w.must(err)
		w.setNow("2026-07-01 10:00")
		_, err = w.svc.Act(admin, tp.ID, deliberation.ActFinish, deliberation.ReviewInput{})
		w.must(err)
		w.must(w.svc.RatePublic(t.Context(), tp.ID, w.who["a1"], 5, "满意"))
		wantCode(t, "rating twice", w.svc.RatePublic(t.Context(), tp.ID, w.who["a1"], 4, ""), errs.Conflict)
		wantCode(t, "rating from another grid", w.svc.RatePublic(t.Context(), tp.ID, w.who["c1"], 4, ""), errs.Invalid)

		pa, err = w.svc.PublicPath(t.Context(), tp.ID)
		w.must(err)
		if pa.Topic.State != deliberation.Evaluating || pa.Decision.Progress != 100 || !pa.Decision.OnTime() ||
			len(pa.Motions) != 1 || len(pa.Updates) != 2 || pa.Ratings.Count != 1 || len(pa.Meetings) != 1 {
			t.Fatalf("the public path: %+v", pa)
		}
		f, err := w.svc.RegionPeriodFigures(admin, w.f.Community.ID, "2026-06-01", "2026-07-31")
		w.must(err)
		want := deliberation.PeriodFigures{Topics: 1, Accepted: 1, Meetings: 1, Invited: 5, Attended: 3, Decisions: 1,
			DecisionsDone: 1, OnTime: 1, Ratings: 1, Content: 1, Questions: 1} // asked on the 20th, answered on the 24th: late
		if *f != want {
			t.Fatalf("figures %+v, want %+v", *f, want)
		}
		if n := w.count(`SELECT COUNT(*) FROM audit_log WHERE action LIKE 'deliberation.%'`); n < 15 {
			t.Fatalf("every write audited: %d entries", n)
		}
	})
}

func TestAFailedVoteEndsTheTopicInPublic(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		admin := w.ctx("admin")
		tp := w.topic(10)
		m := w.meetingFor(tp)
		w.setNow("2026-06-17 14:05")
		for _, n := range []string{"a1", "a2"} {
			_, err := w.svc.CheckInPublic(t.Context(), m.Token(), w.who[n])
			w.must(err)
		}
		mo, err := w.svc.OpenMotion(admin, m.ID, deliberation.MotionInput{TopicID: tp.ID, Text: "同意划线", Method: "hands"})
		w.must(err)
		_, err = w.svc.CloseMotion(admin, mo.ID, deliberation.Count{Yes: 3})
		wantCode(t, "more hands than people present", err, errs.Invalid)
		closed, err := w.svc.CloseMotion(admin, mo.ID, deliberation.Count{Yes: 2})
		w.must(err)
		if closed.QuorumMet || closed.Passed {
			t.Fatalf("2 of 5 present is no quorum: %+v", closed)
		}
		got, _ := w.svc.Topic(admin, tp.ID)
		if got.State != deliberation.Rejected || got.Reason == "" {
			t.Fatalf("the topic after a failed vote: %s %q", got.State, got.Reason)
		}
	})
}

func TestScopeOfTopicsAndComments(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		tp := w.topic(10)
		_, err := w.svc.Topic(w.ctx("other"), tp.ID)
		wantCode(t, "another community's admin", err, errs.NotFound)
		if _, err := w.svc.Topic(w.ctx("grid02"), tp.ID); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("grid 02 sees grid 01's topic: %v", err)
		}
		_, err = w.svc.Act(w.ctx("other"), tp.ID, deliberation.ActAccept, deliberation.ReviewInput{Owner: "x", Plan: "计划计划"})
		wantCode(t, "accepting another community's topic", err, errs.NotFound)
		err = w.svc.CommentPublic(t.Context(), tp.ID, w.who["c1"], "我们网格也有这个问题")
		wantCode(t, "a comment from outside the topic's scope", err, errs.Invalid)
		w.must(w.svc.CommentPublic(t.Context(), tp.ID, w.who["b1"], "建议留出充电桩车位"))
		if n := w.count(`SELECT COUNT(*) FROM delib_comments WHERE topic_id = $1`, tp.ID); n != 1 {
			t.Fatalf("comments: %d", n)
		}
		pa, err := w.svc.PublicPath(t.Context(), tp.ID)
		w.must(err)
		if pa.Comments[0].AuthorLabel != "2号楼居民" {
			t.Fatalf("a resident is shown by building, never by name: %q", pa.Comments[0].AuthorLabel)
		}
		w.must(w.svc.HideComment(w.ctx("admin"), tp.ID, pa.Comments[0].ID, "含广告"))
		pa, _ = w.svc.PublicPath(t.Context(), tp.ID)
		if !pa.Comments[0].Hidden || pa.Comments[0].Body != "" || pa.Comments[0].HideReason != "含广告" {
			t.Fatalf("a hidden comment: %+v", pa.Comments[0])
		}
		items, total, err := w.svc.Topics(w.ctx("grid01"), deliberation.Filter{})
		w.must(err)
		if total != 1 || len(items) != 1 {
			t.Fatalf("grid 01 lists its topic: %d", total)
		}
		_, total, _ = w.svc.Topics(w.ctx("other"), deliberation.Filter{})
		if total != 0 {
			t.Fatalf("北关 lists 南关's topics: %d", total)
		}
	})
}

func TestAResidentVerifiesTheirPhoneByCode(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		_, err := w.svc.SendCode(t.Context(), deliberation.ResidentInput{Name: "居民a1", Phone: "13900000000"})
		wantCode(t, "a phone the register does not know", err, errs.Invalid)
		_, err = w.svc.SendCode(t.Context(), deliberation.ResidentInput{Name: "别人", Phone: "13800000001"})
		wantCode(t, "a name that does not go with the phone", err, errs.Invalid)
		who := deliberation.ResidentInput{Name: "居民a2", Phone: "138 0000 0002"}
		masked, err := w.svc.SendCode(t.Context(), who)
		w.must(err)
		if masked != "138****0002" {
			t.Fatalf("the code went to %q", masked)
		}
		_, err = w.svc.SendCode(t.Context(), who)
		wantCode(t, "a second code within a minute", err, errs.TooMany)
		code := w.sms.code("13800000002")
		for i := 0; i < deliberation.CodeAttempts; i++ {
			_, err = w.svc.Verify(t.Context(), who, "000000x")
			wantCode(t, "a wrong code", err, errs.Invalid)
		}
		_, err = w.svc.Verify(t.Context(), who, code)
		wantCode(t, "the right code after five wrong ones", err, errs.Invalid)
		w.setNow("2026-06-15 10:02")
		_, err = w.svc.SendCode(t.Context(), who)
		w.must(err)
		w.setNow("2026-06-15 10:18")
		_, err = w.svc.Verify(t.Context(), who, w.sms.code("13800000002"))
		wantCode(t, "a code older than 15 minutes", err, errs.Invalid)
		_, err = w.svc.SendCode(t.Context(), who)
		w.must(err)
		tok, err := w.svc.Verify(t.Context(), who, w.sms.code("13800000002"))
		w.must(err)
		r, err := w.svc.Verified(t.Context(), tok)
		if err != nil || r.HouseholdID != w.hh["a2"] || r.Label != "1号楼居民" {
			t.Fatalf("the verified resident: %+v %v", r, err)
		}
		w.setNow("2026-07-16 10:00")
		_, err = w.svc.Verified(t.Context(), tok)
		wantCode(t, "a token past 30 days", err, errs.Unauthorized)
	})
}
