package demo_test

import (
	"context"
	"testing"
	"time"

	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/visits"
)

func TestDemoGridWork(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		build(t, d)
		today := clock.Date(time.Now())
		yearAgo := time.Now().AddDate(-1, 0, -1).Format(time.DateOnly)
		t.Run("a year of visits and contacts up to today", func(t *testing.T) {
			if n := count(t, d, `SELECT COUNT(*) FROM visits WHERE kind = 'visit' AND visited_on > $1`, today); n != 0 {
				t.Errorf("%d visits in the future", n)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM visits WHERE kind = 'visit' AND visited_on < $1`, yearAgo); n != 0 {
				t.Errorf("%d visits older than a year", n)
			}
			recent := time.Now().AddDate(0, 0, -14).Format(time.DateOnly)
			if n := count(t, d, `SELECT COUNT(*) FROM visits WHERE kind = 'visit' AND visited_on >= $1`, recent); n < 50 {
				t.Errorf("only %d visits in the last fortnight", n)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM visits WHERE kind = 'contact'`); n < 500 {
				t.Errorf("only %d contacts", n)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM visits v WHERE v.kind = 'visit' AND NOT EXISTS
				(SELECT 1 FROM visit_residents r WHERE r.visit_id = v.id)`); n != 0 {
				t.Errorf("%d visits met nobody", n)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM service_hours WHERE status = 'approved'`); n == 0 {
				t.Errorf("no approved volunteer hours")
			}
		})
		t.Run("every grid has care-plan visits overdue today and most residents visited in time", func(t *testing.T) {
			var uid, region int64
			var path string
			if err := d.R.QueryRow(`SELECT u.id, u.region_id, r.path FROM users u JOIN regions r ON r.id = u.region_id
				WHERE u.username = 'admin'`).Scan(&uid, &region, &path); err != nil {
				t.Fatal(err)
			}
			ctx := auth.WithPrincipal(context.Background(), &auth.Principal{UserID: uid, Role: auth.CommunityAdmin,
				RegionID: region, RegionPath: path, RegionLevel: "community"})
			rep, err := visits.NewService(d, visits.Options{}).Coverage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Grids) != 10 {
				t.Fatalf("coverage for %d grids, want 10", len(rep.Grids))
			}
			for _, g := range rep.Grids {
				if g.Overdue == 0 {
					t.Errorf("%s has no overdue visit today", g.Name)
				}
				if g.Rate() < 0.6 || g.Rate() > 0.97 {
					t.Errorf("%s coverage %.2f: not a believable month", g.Name, g.Rate())
				}
			}
		})
	})
}
