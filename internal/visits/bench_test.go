package visits_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"linli/internal/auth"
	"linli/internal/bench/benchtest"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/register"
	"linli/internal/visits"
)

// seq is a recursive CTE counting 1..$1 in both dialects, for generating rows inside the database.
const seq = `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < $1) `

// BenchmarkTodayPage measures GET /today for a grid worker whose grid has 500 residents in care
// plans (about a third due today or overdue), reporting the median.
//
//	go test -run '^$' -bench TodayPage -benchtime 200x ./internal/visits/
func BenchmarkTodayPage(b *testing.B) {
	s := newSite(b)
	ctx := context.Background()
	d := s.env.DB()
	var building int64
	if err := d.R.QueryRowContext(ctx, `SELECT building_id FROM households WHERE id = $1`, s.hh1).Scan(&building); err != nil {
		b.Fatal(err)
	}
	grid := s.env.Fixture.Grids[0].ID
	now := time.Now().UTC()
	day := func(ago int) string { return time.Now().AddDate(0, 0, -ago).Format(time.DateOnly) }
	_, err := d.W.ExecContext(ctx, seq+`INSERT INTO households (region_id, community_id, building_id, unit, room, created_at, updated_at)
		SELECT $2, $3, $4, CAST(1 + n % 4 AS TEXT), CAST(1000 + n AS TEXT), $5, $5 FROM seq`, 100, grid, *s.env.Fixture.Grids[0].ParentID, building, now)
	if err != nil {
		b.Fatal(err)
	}
	_, err = d.W.ExecContext(ctx, seq+`INSERT INTO residents (region_id, community_id, household_id, name, birth_date, phone_masked, relation, created_at, updated_at)
		SELECT h.region_id, h.community_id, h.id, '居民' || CAST(s.n AS TEXT), '1950-03-01', '138****0000', '户主', $2, $2
		FROM seq s JOIN households h ON h.room = CAST(1000 + 1 + s.n % 100 AS TEXT)`, 500, now)
	if err != nil {
		b.Fatal(err)
	}
	_, err = d.W.ExecContext(ctx, `INSERT INTO resident_tags (resident_id, tag, region_id, since)
		SELECT id, CASE id % 3 WHEN 0 THEN 'elderly_alone' WHEN 1 THEN 'dibao' ELSE 'disabled_care' END, region_id, $1
		FROM residents WHERE name LIKE '居民%'`, day(200))
	if err != nil {
		b.Fatal(err)
	}
	_, err = d.W.ExecContext(ctx, `INSERT INTO care_last_visits (resident_id, last_on)
		SELECT id, CASE id % 3 WHEN 0 THEN $1 ELSE $2 END FROM residents WHERE name LIKE '居民%'`, day(2), day(20))
	if err != nil {
		b.Fatal(err)
	}
	var tagged int
	_ = d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM resident_tags WHERE region_id = $1`, grid).Scan(&tagged)
	c := s.env.Login(b, "worker01")
	var times []time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		r := c.Get("/today")
		times = append(times, time.Since(start))
		if r.StatusCode != http.StatusOK {
			b.Fatalf("today: %d", r.StatusCode)
		}
	}
	b.StopTimer()
	b.Logf("grid with %d tagged residents", tagged)
	benchtest.ReportMedian(b, times)
}

// BenchmarkCoverageCity measures the care plans' coverage per grid and community for a city of
// 1,000,000 residents (300 communities, 3,000 grids, one resident in eight in a care plan, most
// visited, one in 31 moved out) as its district admin and as one community's admin see it, on SQLite
// and — with LINLI_TEST_POSTGRES — PostgreSQL.
//
//	go test -run '^$' -bench CoverageCity -benchtime 5x -timeout 30m ./internal/visits/
func BenchmarkCoverageCity(b *testing.B) {
	dbtest.Each(b, func(b *testing.B, d *db.DB) {
		district, community := city(b, d, 1_000_000)
		svc := visits.NewService(d, visits.Options{})
		for _, sc := range []struct {
			name               string
			p                  *auth.Principal
			grids, communities int
		}{{"district", district, 3000, 300}, {"community", community, 10, 1}} {
			b.Run(sc.name, func(b *testing.B) {
				ctx := auth.WithPrincipal(context.Background(), sc.p)
				var times []time.Duration
				cpu0 := benchtest.ProcessCPU()
				for b.Loop() {
					start := time.Now()
					rep, err := svc.Coverage(ctx)
					if err != nil {
						b.Fatal(err)
					}
					times = append(times, time.Since(start))
					if len(rep.Grids) != sc.grids || len(rep.Communities) != sc.communities {
						b.Fatalf("%d grids, %d communities", len(rep.Grids), len(rep.Communities))
					}
				}
				// This process's CPU time: all of SQLite's work, only the client's share on PostgreSQL.
				b.ReportMetric(float64((benchtest.ProcessCPU()-cpu0).Microseconds())/1000/float64(len(times)), "cpu-ms/op")
				benchtest.ReportMedian(b, times)
			})
		}
	})
}

// city writes regions (1 district, 10 streets, 300 communities, 3,000 grids) and n residents with
// care tags and last visits (one in 31 moved out, keeping their tags), generated in the database, and
// returns the district admin and the admin of the district's first community.
func city(b *testing.B, d *db.DB, n int) (district, community *auth.Principal) {
	b.Helper()
	ctx := context.Background()
	start := time.Now()
	var dist, comm1 *register.Region
	err := d.InTx(ctx, func(tx *db.Tx) error {
		var err error
		if _, err = tx.ExecContext(ctx, `CREATE TEMP TABLE bench_grids (n INTEGER PRIMARY KEY, grid_id BIGINT, community_id BIGINT)`); err != nil {
			return err
		}
		if dist, err = register.CreateRegion(ctx, tx, register.NewRegion{Level: register.LevelDistrict, Code: "620702", Name: "甘州区"}); err != nil {
			return err
		}
		g := 0
		for s := 0; s < 10; s++ {
			street, err := register.CreateRegion(ctx, tx, register.NewRegion{ParentID: dist.ID, Level: register.LevelStreet,
				Code: fmt.Sprintf("620702%03d", s+1), Name: fmt.Sprintf("第%d街道", s+1)})
			if err != nil {
				return err
			}
			for c := 0; c < 30; c++ {
				comm, err := register.CreateRegion(ctx, tx, register.NewRegion{ParentID: street.ID, Level: register.LevelCommunity,
					Code: fmt.Sprintf("%s%03d", street.Code, c+1), Name: fmt.Sprintf("第%d社区", s*30+c+1)})
				if err != nil {
					return err
				}
				if comm1 == nil {
					comm1 = comm
				}
				for k := 0; k < 10; k++ {
					grid, err := register.CreateRegion(ctx, tx, register.NewRegion{ParentID: comm.ID, Level: register.LevelGrid,
						Code: fmt.Sprintf("%s%02d", comm.Code, k+1), Name: fmt.Sprintf("第%d网格", k+1)})
					if err != nil {
						return err
					}
					if _, err := tx.ExecContext(ctx, `INSERT INTO bench_grids (n, grid_id, community_id) VALUES ($1, $2, $3)`, g, grid.ID, comm.ID); err != nil {
						return err
					}
					g++
				}
			}
		}
		now := time.Now().UTC()
		if _, err := tx.ExecContext(ctx, seq+`INSERT INTO residents (region_id, community_id, name, birth_date, status, created_at, updated_at)
			SELECT g.grid_id, g.community_id, '居民', CASE WHEN s.n % 25 = 0 THEN '1938-05-01' ELSE '1975-05-01' END,
				CASE WHEN s.n % 31 = 8 THEN 'moved_out' ELSE 'active' END, $2, $2
			FROM seq s JOIN bench_grids g ON g.n = ((s.n - 1) / $3) % 3000`, n, now, n/3000); err != nil {
			return err
		}
		today := clock.Date(time.Now())
		day := func(ago int) string { return time.Now().AddDate(0, 0, -ago).Format(time.DateOnly) }
		if _, err := tx.ExecContext(ctx, `INSERT INTO resident_tags (resident_id, tag, region_id, since)
			SELECT id, CASE id % 7 WHEN 0 THEN 'elderly_alone' WHEN 1 THEN 'dibao' WHEN 2 THEN 'disability' WHEN 3 THEN 'disabled_care'
				WHEN 4 THEN 'left_behind_child' WHEN 5 THEN 'empty_nest' ELSE 'child_in_distress' END, region_id,
				CASE WHEN id % 50 = 0 THEN $1 ELSE $2 END
			FROM residents WHERE id % 8 = 0`, day(3), day(400)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO care_last_visits (resident_id, last_on)
			SELECT id, CASE id % 5 WHEN 0 THEN $1 WHEN 1 THEN $2 WHEN 2 THEN $3 WHEN 3 THEN $4 ELSE $5 END
			FROM residents WHERE (id % 8 = 0 OR id % 25 = 0) AND id % 3 <> 0`, today, day(5), day(12), day(25), day(45))
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	// On PostgreSQL what autovacuum does in time on a live system, and linli gen at the end of a
	// generation: VACUUM sets the visibility map that the INSERTs leave empty. Without it the
	// planner costs each index-only read of resident_tags_care as heap visits, and for a community
	// chose a parallel scan of every tag (45–88 ms, most of it starting the workers under load,
	// against 4–15 ms).
	analyze := `ANALYZE`
	if d.Dialect == db.Postgres {
		analyze = `VACUUM (ANALYZE) regions, residents, resident_tags, care_last_visits`
	}
	if _, err := d.W.ExecContext(ctx, analyze); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: city of %d residents written in %s", d.Dialect, n, time.Since(start).Round(time.Millisecond))
	return &auth.Principal{UserID: 1, Role: auth.DistrictAdmin, RegionID: dist.ID, RegionPath: dist.Path, RegionLevel: "district"},
		&auth.Principal{UserID: 2, Role: auth.CommunityAdmin, RegionID: comm1.ID, RegionPath: comm1.Path, RegionLevel: "community"}
}

// BenchmarkExportCity times the visits export of a district's quarter (as TestListsBench downloads
// it) on a city made by `linli gen` (LINLI_BENCH_CITY; each call writes an audit entry, so give it
// a copy of its own), written to io.Discard. Besides the wall time it reports cpu_ms (this
// process's CPU, and on PostgreSQL the city's backends') and rows per CPU-second. Run with
// -benchtime 5x and -cpuprofile to see where the time goes.
func BenchmarkExportCity(b *testing.B) {
	d := benchtest.City(b)
	ctx := context.Background()
	p := benchtest.CityAdmin(b, d, "district")
	c := auth.WithPrincipal(ctx, p)
	svc := visits.NewService(d, visits.Options{})
	f := visits.Filter{From: time.Now().AddDate(0, -3, 0).Format(time.DateOnly)}
	cpu := benchtest.CityCPU(b, d)
	var rows int
	var times, cpus []time.Duration
	for b.Loop() {
		start, cpu0 := time.Now(), cpu()
		n, err := svc.ExportXLSX(c, f, io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		times, cpus, rows = append(times, time.Since(start)), append(cpus, cpu()-cpu0), n
	}
	benchtest.ReportMedian(b, times)
	benchtest.ReportRows(b, rows, cpus)
}
