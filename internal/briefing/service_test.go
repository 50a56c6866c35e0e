package briefing_test

import (
	"context"
	"testing"
	"time"

	"linli/internal/activities"
	"linli/internal/auth"
	"linli/internal/briefing"
	"linli/internal/cases"
	"linli/internal/cobuild"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/deliberation"
	"linli/internal/errs"
	"linli/internal/fixture"
	"linli/internal/mediation"
	"linli/internal/party"
	"linli/internal/register"
	"linli/internal/reports"
)

func newService(t *testing.T, d *db.DB) (*briefing.Service, *fixture.Community) {
	t.Helper()
	f := fixture.New(t, d)
	reg := register.NewService(d, f.Sealer)
	cs := cases.NewService(d, f.Sealer, cases.Options{})
	acts := activities.NewService(d, f.Sealer, activities.Options{})
	svc := briefing.NewService(d, briefing.Sources{
		Deliberation: deliberation.NewService(d, f.Sealer, acts, deliberation.Options{}),
		Cases:        cs, Party: party.NewService(d, f.Sealer, reg), Cobuild: cobuild.NewService(d, cobuild.Options{}),
		Mediation: mediation.NewService(d, f.Sealer, mediation.Options{Cases: cs}), Activities: acts,
		Register: func(ctx context.Context, p *auth.Principal, regionID int64) (*reports.RegionTotals, error) {
			return reports.RegionCounts(ctx, d, p, regionID, time.Now())
		},
	})
	return svc, f
}

func TestBriefingsAreNumberedPerRegionAndYearAndScoped(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		svc, f := newService(t, d)
		admin, other, street := f.Ctx("admin"), f.Ctx("other"), f.Ctx("street")
		gen := func(ctx context.Context, region int64, from, to string) *briefing.View {
			t.Helper()
			v, err := svc.Generate(ctx, briefing.GenerateInput{RegionID: region, From: from, To: to})
			if err != nil {
				t.Fatalf("generate: %v", err)
			}
			return v
		}
		publish := func(ctx context.Context, id int64) *briefing.View {
			t.Helper()
			v, err := svc.Publish(ctx, id)
			if err != nil {
				t.Fatalf("publish %d: %v", id, err)
			}
			return v
		}

		first := gen(admin, f.Community.ID, "2025-01-01", "2025-03-31")
		if len(first.Flags) != 0 || len(first.Errors) != 0 {
			t.Fatalf("a fresh draft holds typed numbers %v or bad references %v", first.Flags, first.Errors)
		}
		if first.Comparison != nil {
			t.Errorf("a community's briefing has a comparison of regions under it")
		}
		second := gen(admin, f.Community.ID, "2025-04-01", "2025-06-30")
		north := gen(other, f.Other.ID, "2025-01-01", "2025-03-31")
		if n := publish(admin, second.ID).Number; n != 1 {
			t.Errorf("the first published of 南关 2025 is 第%d期", n)
		}
		if n := publish(admin, first.ID).Number; n != 2 {
			t.Errorf("the second published of 南关 2025 is 第%d期", n)
		}
		if n := publish(other, north.ID).Number; n != 1 {
			t.Errorf("北关's first of 2025 is 第%d期: numbers are per region", n)
		}
		next := gen(admin, f.Community.ID, "2026-01-01", "2026-01-31")
		if n := publish(admin, next.ID).Number; n != 1 {
			t.Errorf("the first of 2026 is 第%d期: numbers restart each year", n)
		}
		if _, err := svc.Publish(admin, first.ID); errs.CodeOf(err) != errs.Conflict {
			t.Errorf("publishing twice: %v", err)
		}

		if _, err := svc.Get(other, first.ID); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("北关's admin reads 南关's briefing: %v", err)
		}
		list, total, err := svc.List(other, briefing.Filter{})
		if err != nil || total != 1 || list[0].ID != north.ID {
			t.Errorf("北关's admin lists %d briefings (%v)", total, err)
		}

		st := gen(street, f.Street.ID, "2025-01-01", "2025-03-31")
		if st.Comparison == nil || len(st.Comparison.Rows) != 2 {
			t.Fatalf("the street's briefing compares %v", st.Comparison)
		}
		for _, row := range st.Comparison.Rows {
			for _, ref := range append(row.Now, row.Prev...) {
				if _, ok := st.Values[ref]; !ok {
					t.Errorf("comparison figure %q of %s is not resolved", ref, row.Name)
				}
			}
		}
		if st.Comparison.PrevFrom != "2024-10-01" || st.Comparison.PrevTo != "2024-12-31" {
			t.Errorf("the previous period of 2025-01-01..03-31 is %s..%s", st.Comparison.PrevFrom, st.Comparison.PrevTo)
		}

		for name, in := range map[string]briefing.GenerateInput{
			"a grid":                 {RegionID: f.Grids[0].ID, From: "2025-01-01", To: "2025-01-31"},
			"another community":      {RegionID: f.Other.ID, From: "2025-01-01", To: "2025-01-31"},
			"a period in the future": {RegionID: f.Community.ID, From: "2025-01-01", To: "2999-01-31"},
			"a period over 3 years":  {RegionID: f.Community.ID, From: "2019-01-01", To: "2025-01-31"},
			"no dates":               {RegionID: f.Community.ID},
		} {
			if _, err := svc.Generate(admin, in); errs.CodeOf(err) != errs.Invalid {
				t.Errorf("%s: %v, want a field error", name, err)
			}
		}
		if _, err := svc.Generate(f.Ctx("grid01"), briefing.GenerateInput{RegionID: f.Community.ID, From: "2025-01-01", To: "2025-01-31"}); errs.CodeOf(err) != errs.Forbidden {
			t.Errorf("a grid leader generates a briefing: %v", err)
		}
	})
}
