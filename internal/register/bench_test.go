package register_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"linli/internal/auth"
	"linli/internal/bench/benchtest"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/fixture"
	"linli/internal/pii"
	"linli/internal/register"
	"linli/internal/search"
)

// benchSize is the number of residents the search benchmark builds: LINLI_BENCH_RESIDENTS, default
// 20,000 (docs/performance.md uses 1,000,000).
func benchSize() int {
	if n, err := strconv.Atoi(os.Getenv("LINLI_BENCH_RESIDENTS")); err == nil && n > 0 {
		return n
	}
	return 20000
}

var (
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
	given    = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉力海燕鹏春梅宁波晨欣怡浩然子涵宇轩")
)

func randomName(r *rand.Rand) string {
	// Common surnames are much more common: square the uniform draw to skew towards the front.
	s := surnames[int(float64(len(surnames))*r.Float64()*r.Float64())]
	n := 1 + r.IntN(2)
	out := []rune{s}
	for i := 0; i < n; i++ {
		out = append(out, given[r.IntN(len(given))])
	}
	return string(out)
}

// bulkResidents fills grid 01 and 02 of the fixture with n residents in 60-household buildings,
// with plain multi-row INSERTs (the service path is measured elsewhere; here only the search is).
func bulkResidents(b *testing.B, f *fixture.Community, d *db.DB, n int) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	now := time.Now().UTC()
	const perHousehold, perBuilding, batch = 3, 60, 400
	households := make([]int64, 0, n/perHousehold+1)
	hhAddr := map[int64]string{}
	grids := []int64{f.Grids[0].ID, f.Grids[1].ID}
	for i := 0; len(households)*perHousehold < n; i++ {
		g := f.Grids[i%2]
		bid := f.AddBuilding(b, g, fmt.Sprintf("%d号楼", i+1), 0, 0)
		err := d.InTx(ctx, func(tx *db.Tx) error {
			for u := 0; u < perBuilding && len(households)*perHousehold < n; u++ {
				var id int64
				unit, room := strconv.Itoa(u/20+1), strconv.Itoa(101+u%20)
				if err := tx.QueryRowContext(ctx, `INSERT INTO households (region_id, community_id, building_id, unit, room, created_at, updated_at)
					VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, g.ID, f.Community.ID, bid, unit, room, now).Scan(&id); err != nil {
					return err
				}
				households = append(households, id)
				hhAddr[id] = fmt.Sprintf("%d号楼 %s单元 %s室", i+1, unit, room)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	for start := 0; start < n; start += batch {
		end := min(start+batch, n)
		err := d.InTx(ctx, func(tx *db.Tx) error {
			var rows, fts []string
			var args, fargs []any
			for i := start; i < end; i++ {
				hh := households[i/perHousehold]
				name := randomName(r)
				birth := fmt.Sprintf("%04d-%02d-%02d", 1930+r.IntN(75), 1+r.IntN(12), 1+r.IntN(28))
				phone := fmt.Sprintf("13%09d", r.IntN(1_000_000_000))
				p := len(args)
				rows = append(rows, fmt.Sprintf("($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", p+1, p+2, p+3, p+4, p+5, p+6, p+7, p+8, p+8))
				args = append(args, grids[(i/perHousehold/perBuilding)%2], f.Community.ID, hh, name, birth,
					phone[:3]+"****"+phone[7:], f.Sealer.Index(phone), now)
				fts = append(fts, name+" "+hhAddr[hh])
			}
			ids, err := db.QueryIDs(ctx, tx, `INSERT INTO residents (region_id, community_id, household_id, name, birth_date,
				phone_masked, phone_index, created_at, updated_at) VALUES `+strings.Join(rows, ", ")+` RETURNING id`, args...)
			if err != nil {
				return err
			}
			for i, id := range ids {
				fargs = append(fargs, id, search.Tokens(fts[i]))
			}
			var ph []string
			for i := range ids {
				ph = append(ph, "($"+strconv.Itoa(2*i+1)+", "+tx.Dialect.FTSValue("$"+strconv.Itoa(2*i+2))+")")
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO resident_fts (rowid, tokens) VALUES `+strings.Join(ph, ", "), fargs...)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if _, err := d.W.ExecContext(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkResidentSearch times a two-character name query (张伟) by a community admin over a
// register of LINLI_BENCH_RESIDENTS residents, on SQLite and on PostgreSQL when configured, and
// reports the median as ms/median.
func BenchmarkResidentSearch(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		if dialect == "postgres" && dbtest.PostgresURL() == "" {
			continue
		}
		// The register is built here, in the parent benchmark that runs once, not in the timed
		// sub-benchmark that the framework calls again for each b.N.
		var d *db.DB
		if dialect == "sqlite" {
			d = dbtest.SQLite(b)
		} else {
			d = dbtest.Postgres(b)
		}
		f := fixture.New(b, d)
		n := benchSize()
		start := time.Now()
		bulkResidents(b, f, d, n)
		b.Logf("%s: built %d residents in %s", dialect, n, time.Since(start).Round(time.Millisecond))
		svc := register.NewService(d, f.Sealer)
		ctx := f.Ctx("admin")
		if _, total, err := svc.Residents(ctx, register.ResidentFilter{Q: "张伟"}); err != nil || total == 0 {
			b.Fatalf("warm-up: %d hits, %v", total, err)
		}
		for _, c := range []struct {
			name string
			f    register.ResidentFilter
		}{
			{dialect + "/name-zhangwei", register.ResidentFilter{Q: "张伟"}},
			{dialect + "/list-community", register.ResidentFilter{}},
			{dialect + "/list-grid", register.ResidentFilter{GridID: f.Grids[1].ID}},
		} {
			b.Run(c.name, func(b *testing.B) {
				times := make([]time.Duration, 0, b.N)
				var hits int
				for i := 0; i < b.N; i++ {
					t0 := time.Now()
					_, n, err := svc.Residents(ctx, c.f)
					if err != nil {
						b.Fatal(err)
					}
					times = append(times, time.Since(t0))
					hits = n
				}
				sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
				b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms/median")
				b.ReportMetric(float64(hits), "hits")
			})
		}
		logPlan(b, d, `SELECT r.id FROM residents r WHERE r.region_id IN (SELECT id FROM regions WHERE path LIKE $1)
			AND r.status = 'active' AND r.id IN (SELECT rowid FROM resident_fts WHERE `+d.Dialect.MatchFTS("resident_fts", "$2")+`)
			ORDER BY r.id LIMIT 50`, f.Community.Path+"%", d.Dialect.FTSQuery([]string{"张伟"}, false))
		logPlan(b, d, `SELECT r.id FROM residents r WHERE r.region_id IN (SELECT id FROM regions WHERE path LIKE $1)
			AND r.status = 'active' ORDER BY r.id LIMIT 50`, f.Grids[1].Path+"%")
	}
}

// logPlan logs the query plan of q, so a benchmark run shows which indexes the search uses.
func logPlan(b *testing.B, d *db.DB, q string, args ...any) {
	explain := "EXPLAIN QUERY PLAN "
	if d.Dialect == db.Postgres {
		explain = "EXPLAIN "
	}
	rows, err := d.R.QueryContext(context.Background(), explain+q, args...)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			b.Fatal(err)
		}
		lines = append(lines, fmt.Sprint(vals[len(vals)-1]))
	}
	b.Logf("plan (%s):\n%s", d.Dialect, strings.Join(lines, "\n"))
}

// BenchmarkResidentSearchCity times a two-character name query (秀英) at each level of an existing
// generated city — LINLI_BENCH_CITY, a database URL such as sqlite:city.db or postgres://… made by
// `linli gen` — by an admin of the city, a district, a street and a community, and reports each
// median as ms/median. The regions are the city /1/ and the first district, street and community
// that hold a match.
func BenchmarkResidentSearchCity(b *testing.B) {
	d := benchtest.City(b)
	ctx := context.Background()
	sealer, err := pii.NewSealer("bench-resident-search-city-0123456789")
	if err != nil {
		b.Fatal(err)
	}
	svc := register.NewService(d, sealer)
	const q = "秀英"
	// The scopes are the regions above the first resident so named: the community, its street, its
	// district and the city.
	var leaf string
	if err := d.R.QueryRowContext(ctx, `SELECT g.path FROM residents r JOIN regions g ON g.id = r.region_id
		WHERE r.name LIKE $1 ORDER BY r.id LIMIT 1`, "%"+q+"%").Scan(&leaf); err != nil {
		b.Fatal(err)
	}
	segs := strings.Split(strings.Trim(leaf, "/"), "/")
	levels := []struct {
		role  auth.Role
		level string
		depth int
	}{
		{auth.CommunityAdmin, "community", 4}, {auth.StreetAdmin, "street", 3}, {auth.DistrictAdmin, "district", 2},
		{auth.DistrictAdmin, "city", 1},
	}
	for _, l := range levels {
		if len(segs) < l.depth {
			b.Fatalf("region %s is above a community", leaf)
		}
		path := "/" + strings.Join(segs[:l.depth], "/") + "/"
		var id int64
		if err := d.R.QueryRowContext(ctx, `SELECT id FROM regions WHERE path = $1`, path).Scan(&id); err != nil {
			b.Fatalf("%s: %v", path, err)
		}
		p := &auth.Principal{UserID: 1, Username: "bench", Role: l.role, RegionID: id, RegionPath: path, RegionLevel: l.level}
		pctx := auth.WithPrincipal(ctx, p)
		f := register.ResidentFilter{Q: q}
		if _, _, err := svc.Residents(pctx, f); err != nil {
			b.Fatal(err)
		}
		b.Run(string(d.Dialect)+"/"+l.level, func(b *testing.B) {
			times := make([]time.Duration, 0, b.N)
			var hits int
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				_, n, err := svc.Residents(pctx, f)
				if err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(t0))
				hits = n
			}
			sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms/median")
			b.ReportMetric(float64(hits), "hits")
			b.Logf("%s %s: %d hits", l.level, path, hits)
		})
	}
}
