package cases

import (
	"context"
	"strings"
	"testing"
	"time"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
)

func TestAChannelSubmissionStaysWithinItsRegion(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		in := Intake{CategoryID: w.category("env.garbage"), Description: "垃圾没人清运", Address: "北关社区西街1号",
			CommunityID: w.f.Other.ID}
		linked := 0
		then := func(context.Context, db.Querier, *Case) error { linked++; return nil }
		if _, err := w.svc.SubmitWithin(ctx, "open311", w.f.Community.Path, in, then); !errs.Is(err, errs.Invalid) ||
			errs.FieldsOf(err)["community_id"] == "" {
			t.Fatalf("a 北关 place within 南关: %v, want a community_id field error", err)
		}
		if linked != 0 {
			t.Errorf("the channel's record was written for a refused case")
		}
		in.CommunityID = w.f.Community.ID
		c, err := w.svc.SubmitWithin(ctx, "open311", w.f.Community.Path, in, then)
		if err != nil {
			t.Fatal(err)
		}
		if c.Channel != "open311" || c.CommunityID != w.f.Community.ID || c.State != Received || linked != 1 {
			t.Errorf("the case: channel %s community %d state %s, linked %d", c.Channel, c.CommunityID, c.State, linked)
		}
		if _, err := w.svc.SubmitWithin(ctx, "open311", "", in, func(context.Context, db.Querier, *Case) error {
			return errs.E(errs.Conflict, "the channel refuses")
		}); !errs.Is(err, errs.Conflict) {
			t.Errorf("the channel's refusal: %v", err)
		}
		var n int
		if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`).Scan(&n); err != nil || n != 1 {
			t.Errorf("%d cases, want only the one accepted (%v)", n, err)
		}
	})
}

func TestTheFeedShowsOnlyWhatThePublicMaySee(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		c := w.intake("楼上漏水", "楼上漏水，请联系我13812345678")
		w.do("admin", c.ID, ActAccept, ActionInput{})
		w.do("admin", c.ID, ActNote, ActionInput{Note: "内部：住户身份证620702199001011234"})
		w.set(at(2024, 3, 4, 10, 0))
		w.do("admin", c.ID, ActNote, ActionInput{Note: "网格员将上门查看，联系电话13800001111", Public: true})
		other := w.intake("北关的事", "不在南关的范围") // moved out below
		if _, err := d.W.ExecContext(context.Background(), `UPDATE cases SET region_id = $1, community_id = $1, grid_id = NULL WHERE id = $2`,
			w.f.Other.ID, other.ID); err != nil {
			t.Fatal(err)
		}

		feed, err := w.svc.Feed(context.Background(), FeedFilter{RegionPath: w.f.Community.Path, WithComments: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(feed) != 1 || feed[0].Number != c.Number {
			t.Fatalf("feed of 南关: %+v", feed)
		}
		fc := feed[0]
		if fc.Description != "楼上漏水，请联系我138****5678" {
			t.Errorf("description %q, want the phone masked", fc.Description)
		}
		var notes []string
		for _, n := range fc.Notes {
			notes = append(notes, n.Note)
		}
		all := strings.Join(notes, "|")
		if strings.Contains(all, "内部") || strings.Contains(all, "620702") || !strings.Contains(all, "138****1111") {
			t.Errorf("public notes: %q", all)
		}
		if strings.Contains(all, w.f.Users["admin"].Name) {
			t.Errorf("a staff name in the public notes: %q", all)
		}

		open, closed := true, false
		for _, f := range []struct {
			name string
			f    FeedFilter
			want int
		}{
			{"open", FeedFilter{Open: &open}, 1},
			{"closed", FeedFilter{Open: &closed}, 0},
			{"by number", FeedFilter{Numbers: []string{c.Number, other.Number}}, 1},
			{"another category", FeedFilter{CategoryIDs: []int64{w.category("env.garbage")}}, 0},
			{"received before", FeedFilter{To: ptr(at(2024, 3, 4, 8, 0))}, 0},
			{"a public note after 09:30", FeedFilter{UpdatedFrom: ptr(at(2024, 3, 4, 9, 30))}, 1},
			{"changed after 11:00", FeedFilter{UpdatedFrom: ptr(at(2024, 3, 4, 11, 0))}, 0},
			{"another channel", FeedFilter{Channel: "open311"}, 0},
		} {
			f.f.RegionPath = w.f.Community.Path
			got, err := w.svc.Feed(context.Background(), f.f)
			if err != nil || len(got) != f.want {
				t.Errorf("%s: %d cases (%v), want %d", f.name, len(got), err, f.want)
			}
		}

		id, err := w.svc.Comment(context.Background(), c.ID, w.f.Community.Path, "今天还在漏")
		if err != nil || id == 0 {
			t.Fatalf("comment: %d %v", id, err)
		}
		if _, err := w.svc.Comment(context.Background(), c.ID, w.f.Other.Path, "别处的评论"); !errs.Is(err, errs.NotFound) {
			t.Errorf("a comment from outside the region: %v", err)
		}
		ev := w.get(c.ID).Events
		last := ev[len(ev)-1]
		if last.Note != "今天还在漏" || !last.Public || last.ActorName != "居民" {
			t.Errorf("the comment on the timeline: %+v", last)
		}
	})
}

func ptr(t time.Time) *time.Time { return &t }
