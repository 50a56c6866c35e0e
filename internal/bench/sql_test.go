package bench

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"linli/internal/cases"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/fixture"
)

// The bare SQL of the city benchmark must select what Linli itself selects, or its ratios compare
// different work.
func TestTheBareSQLSelectsWhatTheCasesAPISelects(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := fixture.New(t, d)
		svc := cases.NewService(d, f.Sealer, cases.Options{DataDir: t.TempDir()})
		cats, err := svc.Categories(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var leaf int64
		for _, c := range cats {
			if c.Code == "dispute.leak" {
				leaf = c.ID
			}
		}
		for i, text := range []string{"3号楼暖气不热，室温只有十二度", "楼道灯不亮", "5号楼暖气不热", "单元门坏了", "楼上漏水"} {
			if _, err := svc.Intake(f.Ctx("admin"), cases.Intake{Channel: "phone", CategoryID: leaf, Description: text,
				Address: fmt.Sprintf("%d号楼", i+1), GridID: f.Grids[i%2].ID}); err != nil {
				t.Fatal(err)
			}
		}
		district := f.Ctx("district")
		scope := f.Users["district"].Scope()
		for _, q := range []string{"", "暖气不热"} {
			items, _, _, err := svc.ListPage(district, cases.Filter{Q: q, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			var want []int64
			for _, c := range items {
				want = append(want, c.ID)
			}
			for _, countCap := range []int{cases.ListCountCap, 2} { // paged from the ids; read in list order
				got, err := casePage(ctx, d, scope, q, countCap)
				if err != nil {
					t.Fatalf("q=%q cap %d: %v", q, countCap, err)
				}
				if !slices.Equal(got, want) {
					t.Errorf("q=%q cap %d: bare SQL pages %v, the API %v", q, countCap, got, want)
				}
			}
		}

		year := time.Now().In(clock.Shanghai()).Year()
		figs, err := svc.Figures(district, cases.Filter{RegionID: f.Community.ID, From: fmt.Sprintf("%d-01-01", year), To: fmt.Sprintf("%d-12-31", year)})
		if err != nil {
			t.Fatal(err)
		}
		var intake, accepted int64
		figures, args, err := figuresSQL(d.Dialect, scope, f.Community.ID, year)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := d.R.QueryContext(ctx, figures, args...)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		rest := make([]any, len(cols)-2) // intake and accepted come first; the other figures follow
		for i := range rest {
			rest[i] = new(int64)
		}
		if !rows.Next() {
			t.Fatalf("the bare figures statement answered no row: %v", rows.Err())
		}
		if err := rows.Scan(append([]any{&intake, &accepted}, rest...)...); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if intake != figs["intake"] || accepted != figs["accepted"] || intake != 5 {
			t.Errorf("bare figures: intake %d accepted %d; the API: %v %v", intake, accepted, figs["intake"], figs["accepted"])
		}
	})
}
