package cobuild_test

import (
	"testing"
	"time"

	"linli/internal/activities"
	"linli/internal/cobuild"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
	"linli/internal/pii"
)

// A co-building activity is an activity of the activities capability: recorded here it is listed
// and counted there too (one home), carrying its units, need, people and hours, which the unit's
// figures read back; a unit contact records and sees only their own unit's.
func TestACobuildActivityIsAnActivity(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		need := w.need(t, "admin", cobuild.NeedInput{RaisedOn: "2026-06-01"})
		a, err := w.svc.RecordActivity(w.Ctx("unit01"), cobuild.ActivityInput{Title: "助餐志愿服务", Kind: "meal", HeldOn: "2026-06-10",
			Start: "10:30", End: "12:00", Place: "老年食堂", Participants: 18, ServiceMinutes: 360, NeedID: need.ID,
			UnitIDs: []int64{w.school.ID, w.clinic.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if a.HeldOn != "2026-06-10" || a.Kind != "meal" || len(a.Units) != 2 || a.NeedID == nil || *a.NeedID != need.ID ||
			!a.StartsAt.Equal(time.Date(2026, 6, 10, 2, 30, 0, 0, time.UTC)) {
			t.Fatalf("recorded %+v", a)
		}
		// The activities capability holds it: its own list and figures count it.
		acts := activities.NewService(d, nil, activities.Options{Now: func() time.Time { return clock }})
		got, err := acts.Activity(w.Ctx("admin"), a.ID)
		if err != nil || got.Title != "助餐志愿服务" || got.OrganiserKind != "unit" || got.Organiser != "南关小学、南关社区卫生服务中心" || got.Public {
			t.Fatalf("the activity in internal/activities: %+v (%v)", got, err)
		}
		af, err := acts.Figures(w.Ctx("admin"), activities.FigureFilter{From: "2026-06-01", To: "2026-06-30"})
		if err != nil || af.Held != 1 {
			t.Fatalf("activities figures held %+v (%v)", af, err)
		}
		// The unit's figures come from there.
		f, err := w.svc.Figures(w.Ctx("admin"), w.Users["admin"], cobuild.FigureFilter{From: "2026-06-01", To: "2026-06-30"})
		if err != nil || f.Activities != 1 || f.Participants != 18 || f.ServiceMinutes != 360 {
			t.Fatalf("co-building figures %+v (%v)", f, err)
		}
		for _, u := range f.Units {
			if u.Activities != 1 || u.Participants != 18 || u.ServiceMinutes != 360 {
				t.Errorf("unit %s: %d activities, %d people, %d minutes", u.Name, u.Activities, u.Participants, u.ServiceMinutes)
			}
		}
		if list, n, err := w.svc.Activities(w.Ctx("admin"), cobuild.ActivityFilter{NeedID: need.ID}); err != nil || n != 1 || list[0].ID != a.ID {
			t.Fatalf("the need's activities: %d (%v)", n, err)
		}
		if _, n, _ := w.svc.Activities(w.Ctx("admin"), cobuild.ActivityFilter{From: "2026-06-11"}); n != 0 {
			t.Errorf("an activity of 06-10 listed from 06-11")
		}
		// An activity of the capability without units is no co-building activity.
		if _, err := acts.CreateActivity(w.Ctx("admin"), activities.ActivityInput{Title: "社区电影夜", Kind: "culture", Organiser: "社区",
			Place: "广场", StartsAt: time.Date(2026, 6, 12, 11, 0, 0, 0, time.UTC), EndsAt: time.Date(2026, 6, 12, 13, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
		if _, n, _ := w.svc.Activities(w.Ctx("admin"), cobuild.ActivityFilter{}); n != 1 {
			t.Errorf("%d co-building activities, want the one with units", n)
		}

		t.Run("a unit contact records their own unit's only, and sees their own", func(t *testing.T) {
			_, err := w.svc.RecordActivity(w.Ctx("unit02"), cobuild.ActivityInput{Title: "冒名活动", HeldOn: "2026-06-11",
				UnitIDs: []int64{w.school.ID}})
			if errsField(err, "unit_ids") == "" {
				t.Fatalf("a contact recording another unit's activity: %v", err)
			}
			solo, err := w.svc.RecordActivity(w.Ctx("unit02"), cobuild.ActivityInput{Title: "义诊", HeldOn: "2026-06-11"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.Activity(w.Ctx("unit01"), solo.ID); errs.CodeOf(err) != errs.NotFound {
				t.Errorf("the school reads the clinic's activity: %v", err)
			}
			if _, n, _ := w.svc.Activities(w.Ctx("unit01"), cobuild.ActivityFilter{}); n != 1 {
				t.Errorf("the school lists %d activities, want its one", n)
			}
		})
		t.Run("bad input names the field and writes nothing", func(t *testing.T) {
			before := count(t, d, `SELECT COUNT(*) FROM activities`)
			for field, in := range map[string]cobuild.ActivityInput{
				"kind":     {Title: "x", Kind: "party", HeldOn: "2026-06-10", UnitIDs: []int64{w.school.ID}},
				"end":      {Title: "x", HeldOn: "2026-06-10", Start: "10:00", End: "09:00", UnitIDs: []int64{w.school.ID}},
				"held_on":  {Title: "x", HeldOn: "6月10日", UnitIDs: []int64{w.school.ID}},
				"need_id":  {Title: "x", HeldOn: "2026-06-10", UnitIDs: []int64{w.school.ID}, NeedID: 999999},
				"unit_ids": {Title: "x", HeldOn: "2026-06-10"},
			} {
				if _, err := w.svc.RecordActivity(w.Ctx("admin"), in); errsField(err, field) == "" {
					t.Errorf("%s: %v", field, err)
				}
			}
			if after := count(t, d, `SELECT COUNT(*) FROM activities`); after != before {
				t.Errorf("%d activities written by bad input", after-before)
			}
		})
	})
}

// A resident's need waits for review: not listed, claimable or counted until a member of staff
// accepts it; declined, it keeps the reason, which the resident's tracking link shows.
func TestAResidentsNeedIsListedOnlyOnceAccepted(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		sealer, err := pii.NewSealer("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
		if err != nil {
			t.Fatal(err)
		}
		svc := cobuild.NewService(d, cobuild.Options{Now: func() time.Time { return clock }, Sealer: sealer})
		raise := func(title string) (int64, string) {
			id, track, err := svc.RaisePublicNeed(t.Context(), cobuild.PublicNeedInput{CommunityID: w.Community.Community.ID, Title: title,
				Category: "助老", Name: "王阿姨", Phone: "13912345678"})
			if err != nil {
				t.Fatal(err)
			}
			return id, track
		}
		keep, keepTrack := raise("楼道扶手安装")
		drop, dropTrack := raise("帮忙买菜")
		admin := w.Ctx("admin")
		listed := func() int {
			_, n, err := svc.Needs(admin, cobuild.NeedFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := listed(); n != 0 {
			t.Fatalf("%d needs listed before review", n)
		}
		if _, err := svc.Claim(w.Ctx("unit01"), keep, 0); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("a unit claims a need waiting for review: %v", err)
		}
		queue, n, err := svc.ReviewQueue(admin, cobuild.ReviewFilter{})
		if err != nil || n != 2 || queue[0].ID != keep || queue[0].ContactPhoneMasked != "139****5678" {
			t.Fatalf("review queue %+v (%d, %v)", queue, n, err)
		}
		if _, _, err := svc.ReviewQueue(w.Ctx("unit01"), cobuild.ReviewFilter{}); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("a unit contact reads the review queue: %v", err)
		}
		if tr, err := svc.TrackNeed(t.Context(), keepTrack); err != nil || tr.Review != "pending" || tr.ReviewLabel != "待审核" {
			t.Fatalf("tracking a pending need: %+v (%v)", tr, err)
		}

		if _, err := svc.ReviewNeed(admin, drop, false, " "); errsField(err, "reason") == "" {
			t.Fatalf("declined without a reason: %v", err)
		}
		if _, err := svc.ReviewNeed(w.Ctx("unit01"), keep, true, ""); errs.CodeOf(err) != errs.Forbidden {
			t.Fatalf("a unit contact accepts: %v", err)
		}
		if _, err := svc.ReviewNeed(admin, keep, true, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ReviewNeed(admin, keep, false, "重复"); errs.CodeOf(err) != errs.Conflict {
			t.Fatalf("reviewing twice: %v", err)
		}
		if _, err := svc.ReviewNeed(admin, drop, false, "属于物业服务范围，已转物业公司办理"); err != nil {
			t.Fatal(err)
		}
		if n := listed(); n != 1 {
			t.Fatalf("%d needs listed after one accepted, one declined", n)
		}
		f, err := svc.Figures(admin, w.Users["admin"], cobuild.FigureFilter{})
		if err != nil || f.Needs != 1 {
			t.Fatalf("figures count %d needs (%v), want the accepted one", f.Needs, err)
		}
		if _, err := svc.Claim(w.Ctx("unit01"), keep, 0); err != nil {
			t.Fatalf("claiming the accepted need: %v", err)
		}
		tr, err := svc.TrackNeed(t.Context(), dropTrack)
		if err != nil || tr.Review != "declined" || tr.ReviewNote != "属于物业服务范围，已转物业公司办理" {
			t.Fatalf("tracking the declined need: %+v (%v)", tr, err)
		}
		if tr, err := svc.TrackNeed(t.Context(), keepTrack); err != nil || tr.StateLabel == "" || tr.UnitName != "南关小学" {
			t.Fatalf("tracking the claimed need: %+v (%v)", tr, err)
		}
		if _, err := svc.TrackNeed(t.Context(), "00000000000000000000000000000000"); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("an unknown link: %v", err)
		}
		if got := count(t, d, `SELECT COUNT(*) FROM audit_log WHERE action IN ('cobuild.need.accept', 'cobuild.need.decline')`); got != 2 {
			t.Errorf("%d review audit entries", got)
		}
	})
}
