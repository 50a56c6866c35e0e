package cases

import (
	"reflect"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
)

// The grouped figures are, group by group, what Figures gives for that region or category alone —
// the comparison tables and the briefing rely on it.
func TestGroupedFiguresEqualEachGroupsOwnFigures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		intake := func(grid int, category string) *Case {
			c, err := w.svc.Intake(w.ctx("admin"), Intake{Channel: "phone", CategoryID: w.category(category), Title: "反映问题",
				Description: "详细情况", Address: "南关社区3号楼", GridID: w.f.Grids[grid].ID, ReporterName: "张大爷", ReporterPhone: "13812345678"})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		intake(0, "dispute.leak")
		intake(0, "infra.streetlight")
		intake(1, "dispute.leak")
		closed := intake(1, "dispute.leak")
		w.do("admin", closed.ID, ActAccept, ActionInput{})
		w.do("admin", closed.ID, ActDispatch, ActionInput{Lead: &Target{Kind: "grid", GridID: w.f.Grids[1].ID}})
		w.do("grid02", closed.ID, ActSign, ActionInput{})
		w.do("grid02", closed.ID, ActReport, ActionInput{Note: "办好了"})
		w.do("admin", closed.ID, ActVerify, ActionInput{Outcome: Resolved})

		for _, by := range []string{"", "closed"} {
			base := Filter{From: "2024-03-01", To: "2024-03-31", By: by}
			for user, region := range map[string]int64{"admin": w.f.Community.ID, "street": w.f.Street.ID} {
				f := base
				f.RegionID = region
				groups, err := w.svc.FiguresByRegion(w.ctx(user), f)
				if err != nil {
					t.Fatal(err)
				}
				if len(groups) != 2 {
					t.Fatalf("%s: %d regions under %d, want 2", user, len(groups), region)
				}
				for _, g := range groups {
					one := base
					one.RegionID = g.ID
					want, err := w.svc.Figures(w.ctx(user), one)
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(g.Figures, want) {
						t.Errorf("by=%q %s: grouped %v, alone %v", by, g.Name, g.Figures, want)
					}
				}
			}
			cats, err := w.svc.FiguresByCategory(w.ctx("admin"), base)
			if err != nil {
				t.Fatal(err)
			}
			if len(cats) != 2 {
				t.Fatalf("by=%q: %d categories, want 2 (纠纷 and 基础设施)", by, len(cats))
			}
			for _, g := range cats {
				one := base
				one.CategoryID = g.ID
				want, _ := w.svc.Figures(w.ctx("admin"), one)
				if !reflect.DeepEqual(g.Figures, want) {
					t.Errorf("by=%q category %s: grouped %v, alone %v", by, g.Name, g.Figures, want)
				}
			}
		}
		if _, err := w.svc.FiguresByRegion(w.ctx("other"), Filter{RegionID: w.f.Community.ID}); err == nil {
			t.Errorf("北关's admin reads 南关's figures by grid")
		}
	})
}
