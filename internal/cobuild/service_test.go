package cobuild_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"linli/internal/cobuild"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
	"linli/internal/geo"
)

func TestNeedToProjectLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		n := w.need(t, "worker01", cobuild.NeedInput{Beneficiary: "group", FocusGroup: "独居老人", WantHours: 40})
		if n.State != cobuild.Raised || n.RegionID != w.Grids[0].ID || n.Source != "grid" {
			t.Fatalf("raised need = %+v, want 提出 in worker01's grid from the grid", n)
		}
		n, err := w.svc.Claim(w.Ctx("unit01"), n.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if n.State != cobuild.Claimed || n.UnitID == nil || *n.UnitID != w.school.ID || n.ClaimedOn != "2026-06-15" {
			t.Fatalf("claimed need = %+v, want 认领 by the school today", n)
		}
		p, err := w.svc.CreateProject(w.Ctx("admin"), cobuild.ProjectInput{NeedID: n.ID, Plan: "每周三次送餐"})
		if err != nil {
			t.Fatal(err)
		}
		if p.UnitID != w.school.ID || p.State != cobuild.Approved || p.Title != n.Title {
			t.Fatalf("project = %+v, want 立项 owned by the school", p)
		}
		_, err = w.svc.AddMilestone(w.Ctx("unit01"), p.ID, cobuild.MilestoneInput{Title: "摸底", DueOn: "2026-06-01"})
		wantCode(t, err, errs.Invalid)
		p, err = w.svc.AddMilestone(w.Ctx("unit01"), p.ID, cobuild.MilestoneInput{Title: "摸底", DueOn: "2026-06-30"})
		if err != nil || len(p.Milestones) != 1 {
			t.Fatalf("milestone: %v %+v", err, p)
		}
		if _, err = w.svc.ProjectAction(w.Ctx("unit01"), p.ID, "start", cobuild.Evaluation{}); err != nil {
			t.Fatal(err)
		}
		r, err := w.svc.OfferResource(w.Ctx("unit01"), cobuild.ResourceInput{Kind: "volunteers", Category: "助老", Title: "教师志愿者",
			Quantity: 10, Measure: "小时", AvailableFrom: "2026-01-01"})
		if err != nil {
			t.Fatal(err)
		}
		before := count(t, d, `SELECT COUNT(*) FROM cobuild_resource_uses`)
		_, err = w.svc.UseResource(w.Ctx("unit01"), p.ID, cobuild.UseInput{ResourceID: r.ID, Amount: 11})
		wantCode(t, err, errs.Invalid)
		if count(t, d, `SELECT COUNT(*) FROM cobuild_resource_uses`) != before {
			t.Fatal("an over-allocation wrote a use")
		}
		if _, err = w.svc.UseResource(w.Ctx("unit01"), p.ID, cobuild.UseInput{ResourceID: r.ID, Amount: 6}); err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.UseResource(w.Ctx("unit01"), p.ID, cobuild.UseInput{ResourceID: r.ID, Amount: 5})
		if errsField(err, "amount") == "" {
			t.Fatalf("6 + 5 of 10 hours: err = %v, want an amount message", err)
		}
		_, err = w.svc.ProjectAction(w.Ctx("unit01"), p.ID, "evaluate", cobuild.Evaluation{Satisfaction: "satisfied"})
		wantCode(t, err, errs.Forbidden)
		if p, err = w.svc.ProjectAction(w.Ctx("unit01"), p.ID, "finish", cobuild.Evaluation{}); err != nil {
			t.Fatal(err)
		}
		if p, err = w.svc.ProjectAction(w.Ctx("admin"), p.ID, "evaluate", cobuild.Evaluation{Satisfaction: "satisfied", Note: "老人很满意"}); err != nil {
			t.Fatal(err)
		}
		n, _ = w.svc.Need(w.Ctx("admin"), n.ID)
		if p.State != cobuild.ProjRated || n.State != cobuild.Rated || n.DoneOn != "2026-06-15" || n.Satisfaction != "satisfied" {
			t.Fatalf("after evaluation: project %s need %s done %q satisfaction %q", p.State, n.State, n.DoneOn, n.Satisfaction)
		}
		if got := count(t, d, `SELECT COUNT(*) FROM audit_log WHERE action LIKE 'cobuild.%'`); got < 9 {
			t.Fatalf("audit entries = %d, want one per write", got)
		}
	})
}

func TestClaimingAClaimedNeedIsAConflictAndWritesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		n := w.need(t, "admin", cobuild.NeedInput{})
		if _, err := w.svc.Claim(w.Ctx("unit01"), n.ID, 0); err != nil {
			t.Fatal(err)
		}
		audits := count(t, d, `SELECT COUNT(*) FROM audit_log`)
		_, err := w.svc.Claim(w.Ctx("unit02"), n.ID, 0)
		wantCode(t, err, errs.Conflict)
		_, err = w.svc.Claim(w.Ctx("admin"), n.ID, w.clinic.ID)
		wantCode(t, err, errs.Conflict)
		if got, _ := w.svc.Need(w.Ctx("admin"), n.ID); *got.UnitID != w.school.ID {
			t.Fatalf("need moved to unit %d", *got.UnitID)
		}
		if count(t, d, `SELECT COUNT(*) FROM audit_log`) != audits {
			t.Fatal("a refused claim was audited as if done")
		}
	})
}

func TestConcurrentClaimsOnOneNeedExactlyOneWins(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		for round := 0; round < 3; round++ {
			n := w.need(t, "admin", cobuild.NeedInput{})
			var wg sync.WaitGroup
			results := make([]error, 2)
			for i, who := range []string{"unit01", "unit02"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, results[i] = w.svc.Claim(w.Ctx(who), n.ID, 0)
				}()
			}
			wg.Wait()
			wins, conflicts := 0, 0
			for _, err := range results {
				switch {
				case err == nil:
					wins++
				case errs.CodeOf(err) == errs.Conflict:
					conflicts++
				default:
					t.Fatalf("claim: %v", err)
				}
			}
			if wins != 1 || conflicts != 1 {
				t.Fatalf("round %d: %d wins, %d refused; want exactly one of each (%v)", round, wins, conflicts, results)
			}
			if got := count(t, d, `SELECT COUNT(*) FROM audit_log WHERE action = 'cobuild.need.claim' AND object_id = $1`, fmt.Sprint(n.ID)); got != 1 {
				t.Fatalf("claim audited %d times", got)
			}
		}
	})
}

func TestAUnitContactSeesOnlyItsUnitsRecords(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		mine := w.need(t, "admin", cobuild.NeedInput{Title: "学校周边交通劝导"})
		theirs := w.need(t, "admin", cobuild.NeedInput{Title: "义诊"})
		open := w.need(t, "admin", cobuild.NeedInput{Title: "楼道清理"})
		if _, err := w.svc.Claim(w.Ctx("unit01"), mine.ID, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Claim(w.Ctx("unit02"), theirs.ID, 0); err != nil {
			t.Fatal(err)
		}
		p, err := w.svc.CreateProject(w.Ctx("unit02"), cobuild.ProjectInput{NeedID: theirs.ID})
		if err != nil {
			t.Fatal(err)
		}
		needs, total, err := w.svc.Needs(w.Ctx("unit01"), cobuild.NeedFilter{})
		if err != nil || total != 2 {
			t.Fatalf("unit01 sees %d needs (%v), want its own and the open one", total, err)
		}
		for _, n := range needs {
			if n.ID != mine.ID && n.ID != open.ID {
				t.Fatalf("unit01 sees need %q", n.Title)
			}
		}
		_, err = w.svc.Need(w.Ctx("unit01"), theirs.ID)
		wantCode(t, err, errs.NotFound)
		_, err = w.svc.Project(w.Ctx("unit01"), p.ID)
		wantCode(t, err, errs.NotFound)
		_, err = w.svc.Unit(w.Ctx("unit01"), w.clinic.ID)
		wantCode(t, err, errs.NotFound)
		units, _, _ := w.svc.Units(w.Ctx("unit01"), cobuild.UnitFilter{})
		if len(units) != 1 || units[0].ID != w.school.ID {
			t.Fatalf("unit01 sees units %+v", units)
		}
		_, err = w.svc.Need(w.Ctx("other"), mine.ID)
		wantCode(t, err, errs.NotFound)
		_, err = w.svc.Unit(w.Ctx("other"), w.school.ID)
		wantCode(t, err, errs.NotFound)
		_, err = w.svc.ProjectAction(w.Ctx("unit01"), p.ID, "start", cobuild.Evaluation{})
		wantCode(t, err, errs.NotFound)
	})
}

func TestMatchingSuggestsFittingAvailableResources(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		n := w.need(t, "admin", cobuild.NeedInput{Category: "医疗健康", Title: "高龄老人义诊", WantPeople: 3})
		offer := func(in cobuild.ResourceInput) *cobuild.Resource {
			in.UnitID, in.Measure = w.clinic.ID, "人次"
			if in.AvailableFrom == "" {
				in.AvailableFrom = "2026-01-01"
			}
			r, err := w.svc.OfferResource(w.Ctx("admin"), in)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		doctors := offer(cobuild.ResourceInput{Kind: "service", Category: "医疗健康", Title: "家庭医生上门", Quantity: 20})
		offer(cobuild.ResourceInput{Kind: "service", Category: "医疗健康", Title: "去年的义诊", Quantity: 5, AvailableFrom: "2025-01-01", AvailableTo: "2025-12-31"})
		offer(cobuild.ResourceInput{Kind: "funds", Category: "文体", Title: "文体活动经费", Quantity: 5000})
		matches, err := w.svc.NeedMatches(w.Ctx("admin"), n.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(matches) != 1 || matches[0].Resource.ID != doctors.ID {
			t.Fatalf("matches = %+v, want only the available doctors", matches)
		}
		back, err := w.svc.ResourceMatches(w.Ctx("admin"), doctors.ID)
		if err != nil || len(back) != 1 || back[0].Need.ID != n.ID {
			t.Fatalf("needs for the doctors = %+v (%v)", back, err)
		}
	})
}

func TestAnInServiceMembersHoursCountForTheirUnit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		var org, member int64
		now := time.Now().UTC()
		if err := d.W.QueryRowContext(ctx, `INSERT INTO party_orgs (region_id, kind, name, created_at, updated_at)
			VALUES ($1, 'committee', '南关社区党委', $2, $2) RETURNING id`, w.Community.Community.ID, now).Scan(&org); err != nil {
			t.Fatal(err)
		}
		if err := d.W.QueryRowContext(ctx, `INSERT INTO party_members (region_id, org_id, name, kind, created_at, updated_at)
			VALUES ($1, $2, '李老师', 'in_service', $3, $3) RETURNING id`, w.Community.Community.ID, org, now).Scan(&member); err != nil {
			t.Fatal(err)
		}
		for _, h := range []struct {
			day, status string
			minutes     int
		}{{"2026-02-01", "approved", 120}, {"2026-03-01", "approved", 60}, {"2026-03-02", "pending", 600}} {
			if _, err := d.W.ExecContext(ctx, `INSERT INTO service_hours (region_id, member_id, served_on, minutes, status, created_by, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, w.Community.Community.ID, member, h.day, h.minutes, h.status, w.Users["admin"].UserID, now); err != nil {
				t.Fatal(err)
			}
		}
		wantCode(t, w.svc.LinkMember(w.Ctx("unit01"), w.school.ID, member), errs.Forbidden)
		if err := w.svc.LinkMember(w.Ctx("admin"), w.school.ID, member); err != nil {
			t.Fatal(err)
		}
		home, err := w.svc.HomeFor(w.Ctx("unit01"))
		if err != nil || home.MemberMinutes != 180 {
			t.Fatalf("the school's members served %d minutes this year (%v), want the approved 180", home.MemberMinutes, err)
		}
		card, err := w.svc.ServiceCard(w.Ctx("unit01"), 0, 2026, 1)
		if err != nil || len(card.Members) != 1 || card.Members[0].Minutes != 180 || card.Members[0].Times != 2 {
			t.Fatalf("service card members = %+v (%v)", card, err)
		}
		if other, err := w.svc.ServiceCard(w.Ctx("unit02"), w.school.ID, 2026, 1); err != nil || other.Unit.ID != w.clinic.ID {
			t.Fatalf("the clinic's contact asking for the school's card got %+v (%v), want the clinic's own", other, err)
		}
		f, _ := w.svc.Figures(w.Ctx("admin"), w.Users["admin"], cobuild.FigureFilter{From: "2026-01-01", To: "2026-12-31"})
		if f.MemberServiceMins != 180 {
			t.Fatalf("member service minutes = %d, want 180", f.MemberServiceMins)
		}
	})
}

func TestANeedRaisedFromAVisitOrCaseIsLinkedAndConcernsItsGrid(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		_, err := w.svc.RaiseNeed(w.Ctx("worker01"), cobuild.NeedInput{Title: "助餐", Category: "助老", WantPeople: 1, VisitID: 999999})
		if errsField(err, "visit_id") == "" {
			t.Fatalf("a need from a visit that does not exist: %v", err)
		}
		_, err = w.svc.RaiseNeed(w.Ctx("worker01"), cobuild.NeedInput{Title: "助餐", Category: "助老", WantPeople: 1, CaseID: 999999})
		if errsField(err, "case_id") == "" {
			t.Fatalf("a need from a case that does not exist: %v", err)
		}
		_, err = w.svc.RaiseNeed(w.Ctx("unit01"), cobuild.NeedInput{Title: "助餐", Category: "助老", WantPeople: 1})
		wantCode(t, err, errs.Forbidden)
		n := w.need(t, "worker02", cobuild.NeedInput{})
		if n.RegionID != w.Grids[1].ID {
			t.Fatalf("worker02's need concerns region %d, want their grid", n.RegionID)
		}
		_, err = w.svc.Need(w.Ctx("worker01"), n.ID)
		wantCode(t, err, errs.NotFound) // another grid's need
	})
}

func TestMatchingPrefersResourcesNearTheNeed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		b := w.AddBuilding(t, w.Grids[0], "3号楼", 100.4500, 38.9300)
		n := w.need(t, "admin", cobuild.NeedInput{Category: "医疗健康", Title: "高龄老人义诊", WantPeople: 3, BuildingID: b})
		for _, u := range []*cobuild.Unit{w.school, w.clinic} {
			if _, err := w.svc.OfferResource(w.Ctx("admin"), cobuild.ResourceInput{UnitID: u.ID, Kind: "service", Category: "医疗健康",
				Title: u.Name + "健康服务", Quantity: 10, Measure: "人次", AvailableFrom: "2026-01-01"}); err != nil {
				t.Fatal(err)
			}
		}
		// The school is about 5 km away, the clinic about 400 m (both given in WGS-84).
		if err := w.svc.SetUnitLocation(w.Ctx("admin"), w.school.ID, 100.5080, 38.9300, geo.WGS84); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.SetUnitLocation(w.Ctx("admin"), w.clinic.ID, 100.4546, 38.9300, geo.WGS84); err != nil {
			t.Fatal(err)
		}
		matches, err := w.svc.NeedMatches(w.Ctx("admin"), n.ID)
		if err != nil || len(matches) != 2 {
			t.Fatalf("matches %+v (%v)", matches, err)
		}
		near, far := matches[0], matches[1]
		if *near.Resource.UnitID != w.clinic.ID || near.Score != far.Score+2 || near.Meters == nil || *near.Meters > 500 {
			t.Fatalf("the clinic 400 m away should come first, 2 points ahead: %+v / %+v", near, far)
		}
		if far.Reasons[len(far.Reasons)-1] != "距离约5.0公里" {
			t.Errorf("the far resource says %v", far.Reasons)
		}
		t.Run("a unit contact cannot move units and a place outside China is refused", func(t *testing.T) {
			if err := w.svc.SetUnitLocation(w.Ctx("unit01"), w.school.ID, 100.45, 38.93, geo.WGS84); errs.CodeOf(err) != errs.Forbidden {
				t.Errorf("unit contact: %v", err)
			}
			if err := w.svc.SetUnitLocation(w.Ctx("admin"), w.school.ID, 2.35, 48.85, geo.WGS84); errs.CodeOf(err) != errs.Invalid {
				t.Errorf("Paris: %v", err)
			}
		})
	})
}
