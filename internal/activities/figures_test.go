package activities

import (
	"context"
	"strings"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
)

func TestFigures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, "2024-10-08 10:00")
		se, err := w.svc.CreateSeries(w.f.Ctx("admin"), Series{Name: "邻里助餐", Featured: true})
		w.must(err)
		a := w.activity(ActivityInput{Title: "助餐日", Kind: "meal", SeriesID: se.ID, VenueID: w.station.ID,
			StartsAt: at(t, "2024-10-11 09:00"), EndsAt: at(t, "2024-10-11 11:00"), Audience: "focus", FocusTag: "elderly_alone"})
		r, err := w.svc.SignUp(w.f.Ctx("worker01"), SignUpInput{ActivityID: a.ID, ResidentID: w.elder})
		w.must(err)
		w.setNow("2024-10-11 09:05")
		_, err = w.svc.CheckIn(w.f.Ctx("admin"), a.ID, r.ID)
		w.must(err)
		w.setNow("2024-10-12 10:00")
		f, err := w.svc.Figures(w.f.Ctx("admin"), FigureFilter{From: "2024-10-01", To: "2024-10-31"})
		w.must(err)
		if f.Held != 1 || f.FeaturedSeries != 1 || f.ParticipantsTotal != 1 || f.ParticipantsDistinct != 1 {
			t.Errorf("held %d, featured %d, participants %d/%d", f.Held, f.FeaturedSeries, f.ParticipantsTotal, f.ParticipantsDistinct)
		}
		for _, x := range f.Reach {
			if x.Tag == "elderly_alone" && (x.Total != 1 || x.Reached != 1) {
				t.Errorf("独居老人 reach %d/%d", x.Reached, x.Total)
			}
		}
		// October 2024 has 19 working days (23 weekdays, 1–4 and 7 off, Saturday the 12th worked) of 9 open hours.
		for _, v := range f.Venues {
			if v.VenueID == w.station.ID && (v.HoursBooked != 2 || v.HoursOpen != 19*9) {
				t.Errorf("station use %v of %v hours", v.HoursBooked, v.HoursOpen)
			}
		}
		if len(f.Children) != 2 || f.Children[0].FocusReached != 1 {
			t.Errorf("per-grid figures %+v", f.Children)
		}
		t.Run("each figure's list holds what it counts", func(t *testing.T) {
			for _, who := range []string{"admin", "worker01", "street"} {
				fig, err := w.svc.Figures(w.f.Ctx(who), FigureFilter{From: "2024-10-01", To: "2024-10-31"})
				w.must(err)
				_, total, err := w.svc.ListActivities(w.f.Ctx(who), Filter{Held: true, From: "2024-10-01", To: "2024-10-31"})
				w.must(err)
				if fig.Held != 1 || total != fig.Held {
					t.Errorf("%s: figures count %d held, the list behind them %d", who, fig.Held, total)
				}
				if !strings.Contains(fig.HeldLink, "held=1") || !strings.Contains(fig.VolunteerLink, "held=1") {
					t.Errorf("%s: links %s, %s", who, fig.HeldLink, fig.VolunteerLink)
				}
				for _, x := range fig.Reach {
					if x.Tag != "elderly_alone" {
						continue
					}
					list, err := w.svc.ReachList(w.f.Ctx(who), FigureFilter{From: "2024-10-01", To: "2024-10-31"}, x.Tag)
					w.must(err)
					reached := 0
					for _, r := range list {
						if r.TookPart {
							reached++
						}
					}
					if len(list) != x.Total || reached != x.Reached {
						t.Errorf("%s: reach %d/%d, list %d/%d", who, x.Reached, x.Total, reached, len(list))
					}
				}
			}
			// A period that ends before the activity's day lists nothing.
			_, total, err := w.svc.ListActivities(w.f.Ctx("admin"), Filter{Held: true, From: "2024-10-01", To: "2024-10-10"})
			w.must(err)
			if total != 0 {
				t.Errorf("%d held before the 11th", total)
			}
		})
		t.Run("a grid worker reads their grid's reach list, not the community's", func(t *testing.T) {
			if _, err := w.svc.Figures(w.f.Ctx("worker01"), FigureFilter{RegionID: w.f.Community.ID}); errs.CodeOf(err) != errs.NotFound {
				t.Errorf("community figures for a grid worker: %v", err)
			}
			list, err := w.svc.ReachList(w.f.Ctx("worker01"), FigureFilter{From: "2024-10-01", To: "2024-10-31"}, "elderly_alone")
			w.must(err)
			if len(list) != 1 || !list[0].TookPart || list[0].CareLink == "" {
				t.Errorf("reach list %+v", list)
			}
			if _, err := w.svc.ReachList(w.f.Ctx("worker02"), FigureFilter{}, "left_behind_child"); errs.CodeOf(err) != errs.Forbidden {
				t.Errorf("children's list without the minors permission: %v", err)
			}
		})
	})
}

// Participants are check-ins: a sign-up cancelled or never checked in is no one, a person who came
// twice is two check-ins and one participant, and someone not in the register counts by phone and
// name. Each street's or grid's participants are the check-ins of the activities its held list shows.
func TestFiguresCountCheckInsAndPeople(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, "2024-10-08 10:00")
		ctx := w.f.Ctx("admin")
		first := w.activity(ActivityInput{Title: "读书会", StartsAt: at(t, "2024-10-11 09:00"), EndsAt: at(t, "2024-10-11 11:00")})
		second := w.activity(ActivityInput{Title: "读书会", StartsAt: at(t, "2024-10-15 09:00"), EndsAt: at(t, "2024-10-15 11:00")})
		signUp := func(a *Activity, in SignUpInput) *Registration {
			in.ActivityID = a.ID
			r, err := w.svc.SignUp(ctx, in)
			w.must(err)
			return r
		}
		elder1, elder2 := signUp(first, SignUpInput{ResidentID: w.elder}), signUp(second, SignUpInput{ResidentID: w.elder})
		child := signUp(first, SignUpInput{ResidentID: w.child, Minor: true, GuardianName: "王大山", GuardianRelation: "父亲", Consent: true})
		signUp(second, SignUpInput{Name: "赵敏", Phone: "13900003333"}) // signed up, never came
		w.must(w.svc.CancelRegistration(ctx, first.ID, child.ID))
		figures := func() *Figures {
			w.t.Helper()
			w.setNow("2024-10-20 10:00")
			f, err := w.svc.Figures(ctx, FigureFilter{From: "2024-10-01", To: "2024-10-31"})
			w.must(err)
			return f
		}
		if f := figures(); f.ParticipantsTotal != 0 || f.ParticipantsDistinct != 0 || f.Reach[0].Reached != 0 {
			t.Errorf("before any check-in: participants %d/%d, reach %+v", f.ParticipantsTotal, f.ParticipantsDistinct, f.Reach[0])
		}
		w.setNow("2024-10-11 09:05")
		_, err := w.svc.CheckIn(ctx, first.ID, elder1.ID)
		w.must(err)
		_, err = w.svc.WalkIn(ctx, SignUpInput{ActivityID: first.ID, Name: "李大爷", Phone: "13900002222"})
		w.must(err)
		if err := w.svc.CancelRegistration(ctx, first.ID, elder1.ID); errs.CodeOf(err) != errs.Conflict {
			t.Errorf("cancelling a check-in: %v", err)
		}
		w.setNow("2024-10-15 09:05")
		_, err = w.svc.CheckIn(ctx, second.ID, elder2.ID)
		w.must(err)
		tok, err := w.svc.CheckinToken(ctx, second.ID)
		w.must(err)
		_, err = w.svc.DoorCheckIn(context.Background(), tok, SignUpInput{Name: "李大爷", Phone: "13900002222"})
		w.must(err)
		f := figures()
		if f.Held != 2 || f.ParticipantsTotal != 4 || f.ParticipantsDistinct != 2 {
			t.Errorf("held %d, participants %d check-ins of %d people; want 2, 4 of 2", f.Held, f.ParticipantsTotal, f.ParticipantsDistinct)
		}
		if f.Reach[0].Tag != "elderly_alone" || f.Reach[0].Reached != 1 {
			t.Errorf("reach %+v", f.Reach[0])
		}
		if n := w.count(`SELECT COUNT(*) FROM activity_registrations WHERE checked_in_at IS NOT NULL`); n != f.ParticipantsTotal {
			t.Errorf("%d check-ins recorded, figures count %d", n, f.ParticipantsTotal)
		}
		for _, c := range f.Children {
			list, total, err := w.svc.ListActivities(ctx, Filter{Held: true, RegionID: c.RegionID, From: "2024-10-01", To: "2024-10-31"})
			w.must(err)
			checkedIn := 0
			for _, a := range list {
				checkedIn += a.CheckedIn
			}
			if c.Held != total || c.Participants != checkedIn || c.Participants != 4 {
				t.Errorf("%s: held %d, participants %d; its list %d held with %d checked in", c.Name, c.Held, c.Participants, total, checkedIn)
			}
		}
		// A period holding only the first activity: the elder and the walk-in once each.
		w.setNow("2024-10-20 10:00")
		g, err := w.svc.Figures(ctx, FigureFilter{From: "2024-10-11", To: "2024-10-11"})
		w.must(err)
		if g.Held != 1 || g.ParticipantsTotal != 2 || g.ParticipantsDistinct != 2 {
			t.Errorf("the 11th: held %d, participants %d/%d", g.Held, g.ParticipantsTotal, g.ParticipantsDistinct)
		}
	})
}
