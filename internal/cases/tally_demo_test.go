package cases_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"linli/internal/auth"
	"linli/internal/cases"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/demo"
	"linli/internal/fixture"
	"linli/internal/pii"
)

// TestTallyOnTheDemo checks on the demo (its tally built in bulk, as `linli gen` builds the city's)
// that the figures, the grouped figures and the dashboard read from the case tally equal those the
// cases alone give, for a district, street and community admin over periods ending before, at and
// after today.
func TestTallyOnTheDemo(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		sealer, err := pii.NewSealer(fixture.SecretKey)
		if err != nil {
			t.Fatal(err)
		}
		hash, err := auth.HashPassword(fixture.Password)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := demo.Build(ctx, d, sealer, demo.Options{PasswordHash: hash}); err != nil {
			t.Fatal(err)
		}
		svc := cases.NewService(d, sealer, cases.Options{DataDir: t.TempDir()})
		as := func(level string) context.Context {
			p := &auth.Principal{UserID: 1, Username: "tally", Name: "测试", Role: auth.DistrictAdmin}
			// The region of that level holding the first case.
			if err := d.R.QueryRow(`SELECT r.id, r.path, r.name, r.level FROM regions r, regions cr WHERE r.level = $1
				AND cr.id = (SELECT community_id FROM cases ORDER BY id LIMIT 1) AND cr.path LIKE r.path || '%'`, level).
				Scan(&p.RegionID, &p.RegionPath, &p.RegionName, &p.RegionLevel); err != nil {
				t.Fatalf("%s: %v", level, err)
			}
			return auth.WithPrincipal(ctx, p)
		}
		var community int64
		if err := d.R.QueryRow(`SELECT community_id FROM cases ORDER BY id LIMIT 1`).Scan(&community); err != nil {
			t.Fatal(err)
		}
		now := time.Now().In(clock.Shanghai())
		day := func(t time.Time) string { return t.Format(time.DateOnly) }
		month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, clock.Shanghai())
		periods := [][2]string{{day(now.AddDate(-1, 0, 1)), day(now)}, {day(month.AddDate(-1, 0, 0)), day(month.AddDate(0, 0, -1))},
			{day(month), day(month.AddDate(0, 1, -1))}, {day(now.AddDate(-2, 0, 0)), day(now.AddDate(0, 2, 0))},
			{fmt.Sprint(now.Year()-1) + "-01-01", fmt.Sprint(now.Year()-1) + "-12-31"}, {"", ""}}
		var used int
		for _, level := range []string{"district", "street", "community"} {
			c := as(level)
			for _, p := range periods {
				for _, f := range []cases.Filter{{}, {By: "closed"}, {Channel: "hotline_12345"}, {RegionID: community}} {
					f.From, f.To = p[0], p[1]
					same := func(name string, call func() (any, error)) {
						svc.SetNoTally(true)
						raw, err := call()
						if err != nil {
							t.Fatalf("%s %s %+v: %v", name, level, f, err)
						}
						svc.SetNoTally(false)
						tallied, err := call()
						if err != nil {
							t.Fatalf("%s %s %+v: %v", name, level, f, err)
						}
						if !reflect.DeepEqual(raw, tallied) {
							t.Fatalf("%s %s %+v:\n cases %v\n tally %v", name, level, f, raw, tallied)
						}
					}
					same("figures", func() (any, error) { return svc.Figures(c, f) })
					same("figures by region", func() (any, error) { return svc.FiguresByRegion(c, f) })
					same("figures by category", func() (any, error) { return svc.FiguresByCategory(c, f) })
					same("series", func() (any, error) { return svc.DashboardSeries(c, f) })
					if figs, _ := svc.Figures(c, f); figs["intake"].(int64) > 0 {
						used++
					}
				}
			}
		}
		if used == 0 {
			t.Fatal("no selection counted a case")
		}
	})
}
