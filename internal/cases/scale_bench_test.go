package cases_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"linli/internal/auth"
	"linli/internal/bench/benchtest"
	"linli/internal/cases"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/fixture"
	"linli/internal/gen"
	"linli/internal/pii"
	"linli/internal/workday"
)

// The city the scale benchmarks read: LINLI_BENCH_CASES_RESIDENTS residents (default 200,000) with
// five years of residents' requests, about 0.5 a resident a year — 500,000 cases — up to scaleUntil.
// It is generated once (internal/gen) and kept: on SQLite as a file under os.TempDir, on PostgreSQL
// (LINLI_TEST_POSTGRES) as a schema, both named by size and seed, migrated again on each run so
// new indexes apply. Delete the file or drop the schema to start afresh.
var scaleUntil = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

const scaleSeed = 1

func scaleResidents() int {
	if n, err := strconv.Atoi(os.Getenv("LINLI_BENCH_CASES_RESIDENTS")); err == nil && n > 0 {
		return n
	}
	return 200_000
}

func scaleSealer(tb testing.TB) *pii.Sealer {
	s, err := pii.NewSealer("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// scaleCity opens (generating it the first time) the benchmark city on SQLite or PostgreSQL.
func scaleCity(b *testing.B, dialect db.Dialect) *db.DB {
	b.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("linli_cases_r%d_s%d_%s", scaleResidents(), scaleSeed, scaleUntil.Format("20060102"))
	var d *db.DB
	var err error
	fresh := false
	switch dialect {
	case db.SQLite:
		path := filepath.Join(os.TempDir(), name+".db")
		if _, serr := os.Stat(path); serr != nil {
			tmp := path + ".part"
			_ = os.Remove(tmp)
			_ = os.Remove(tmp + "-wal")
			_ = os.Remove(tmp + "-shm")
			g, err := db.Open(ctx, "sqlite:"+tmp)
			if err != nil {
				b.Fatal(err)
			}
			generate(b, g)
			g.Close()
			if err := os.Rename(tmp, path); err != nil {
				b.Fatal(err)
			}
			fresh = true
		}
		d, err = db.Open(ctx, "sqlite:"+path)
	case db.Postgres:
		base := os.Getenv("LINLI_TEST_POSTGRES")
		if base == "" {
			b.Skip("LINLI_TEST_POSTGRES not set")
		}
		admin, err := sql.Open("pgx", base)
		if err != nil {
			b.Fatal(err)
		}
		defer admin.Close()
		var ready bool
		_ = admin.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM information_schema.tables
			WHERE table_schema = $1 AND table_name = 'bench_ready')`, name).Scan(&ready)
		u, _ := url.Parse(base)
		q := u.Query()
		q.Set("search_path", name)
		u.RawQuery = q.Encode()
		if !ready {
			if _, err := admin.ExecContext(ctx, `DROP SCHEMA IF EXISTS `+name+` CASCADE`); err != nil {
				b.Fatal(err)
			}
			if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+name); err != nil {
				b.Fatal(err)
			}
			g, err := db.Open(ctx, u.String())
			if err != nil {
				b.Fatal(err)
			}
			generate(b, g)
			// What autovacuum does in time on a live system: the visibility map lets index-only
			// scans skip the heap.
			if _, err := g.W.ExecContext(ctx, `VACUUM (ANALYZE) cases`); err != nil {
				b.Fatal(err)
			}
			if _, err := g.W.ExecContext(ctx, `CREATE TABLE bench_ready (at TIMESTAMPTZ)`); err != nil {
				b.Fatal(err)
			}
			g.Close()
			fresh = true
		}
		d, err = db.Open(ctx, u.String())
		if err != nil {
			b.Fatal(err)
		}
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	if n, err := d.Migrate(ctx); err != nil {
		b.Fatal(err)
	} else if n > 0 && !fresh {
		b.Logf("applied %d new migrations to the kept city", n)
	}
	return d
}

func generate(b *testing.B, d *db.DB) {
	b.Helper()
	ctx := context.Background()
	if _, err := d.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	res, err := gen.Run(ctx, d, scaleSealer(b), gen.Options{Residents: scaleResidents(), Years: 5, Seed: scaleSeed,
		Until: scaleUntil, PasswordHash: "x"})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d cases for %d residents in %s (%s)", res.Rows["cases"], scaleResidents(),
		time.Since(start).Round(time.Second), d.Dialect)
}

// scaleScopes are the principals the benchmarks act as: an administrator whose scope is the whole
// generated city (all its cases — the "district's five years"), one community's administrator and
// one grid's worker.
type scaleScopes struct {
	all, community, grid *auth.Principal
	communityID          int64
	cases                int
}

func scopesOf(b *testing.B, d *db.DB) scaleScopes {
	b.Helper()
	ctx := context.Background()
	var s scaleScopes
	row := func(q string, args ...any) *auth.Principal {
		p := &auth.Principal{UserID: 1, Username: "bench", Name: "测试"}
		if err := d.R.QueryRowContext(ctx, q, args...).Scan(&p.RegionID, &p.RegionPath, &p.RegionName, &p.RegionLevel); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
		return p
	}
	s.all = row(`SELECT id, path, name, level FROM regions WHERE parent_id IS NULL ORDER BY id LIMIT 1`)
	s.all.Role = auth.DistrictAdmin
	s.community = row(`SELECT id, path, name, level FROM regions WHERE level = 'community' ORDER BY id LIMIT 1`)
	s.community.Role = auth.CommunityAdmin
	s.communityID = s.community.RegionID
	s.grid = row(`SELECT id, path, name, level FROM regions WHERE level = 'grid' ORDER BY id LIMIT 1`)
	s.grid.Role = auth.GridWorker
	if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`).Scan(&s.cases); err != nil {
		b.Fatal(err)
	}
	return s
}

// scaleService is the cases service on the city, its clock at 10:00 on the day the history ends.
func scaleService(b *testing.B, d *db.DB) *cases.Service {
	cal := workday.SeedCalendar()
	now := scaleUntil.Add(2 * time.Hour)
	return cases.NewService(d, scaleSealer(b), cases.Options{DataDir: b.TempDir(),
		Now:      func() time.Time { return now },
		Calendar: func(context.Context) (*workday.Calendar, error) { return cal, nil }})
}

// plan is the query plan of q: EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL.
func plan(b *testing.B, d *db.DB, q string, args []any) string {
	b.Helper()
	prefix := "EXPLAIN QUERY PLAN "
	if d.Dialect == db.Postgres {
		prefix = "EXPLAIN (ANALYZE, BUFFERS) "
	}
	rows, err := d.R.QueryContext(context.Background(), prefix+q, args...)
	if err != nil {
		b.Fatalf("explain %s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var sb strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			b.Fatal(err)
		}
		fmt.Fprintln(&sb, "   ", vals[len(vals)-1])
	}
	return sb.String()
}

// timed runs fn b.N times and reports the median and the slowest in milliseconds.
func timed(b *testing.B, fn func() error) {
	b.Helper()
	var ds []time.Duration
	for b.Loop() {
		start := time.Now()
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "median_ms")
	b.ReportMetric(float64(ds[len(ds)-1].Microseconds())/1000, "max_ms")
}

// BenchmarkCasesAtScale times on the generated city (500,000 cases by default) the queue pages
// and the search (aim: median under 50 ms) over every case, and one community's figures for a
// year (aim: under 200 ms), on SQLite and — with LINLI_TEST_POSTGRES — PostgreSQL. Run with
// -benchtime 21x for a steady median.
func BenchmarkCasesAtScale(b *testing.B) {
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		b.Run(string(dialect), func(b *testing.B) {
			d := scaleCity(b, dialect)
			s := scopesOf(b, d)
			svc := scaleService(b, d)
			b.Logf("%s: %d cases; scope %s (%s)", dialect, s.cases, s.all.RegionName, s.all.RegionPath)
			as := func(p *auth.Principal) context.Context { return auth.WithPrincipal(context.Background(), p) }
			list := func(p *auth.Principal, f cases.Filter) func() error {
				return func() error {
					items, total, _, err := svc.ListPage(as(p), f)
					if err == nil && total > 0 && len(items) == 0 && f.Offset < total {
						err = fmt.Errorf("an empty page of %d", total)
					}
					return err
				}
			}
			yes := true
			lists := []struct {
				name string
				p    *auth.Principal
				f    cases.Filter
			}{
				{"list_all", s.all, cases.Filter{}},
				{"list_page_20", s.all, cases.Filter{Offset: 950}},
				{"queue_to_accept", s.all, cases.Filter{Queue: cases.QueueToAccept}},
				{"queue_to_dispatch", s.all, cases.Filter{Queue: cases.QueueToDispatch}},
				{"queue_to_verify", s.all, cases.Filter{Queue: cases.QueueToVerify}},
				{"queue_to_callback", s.all, cases.Filter{Queue: cases.QueueToCallback}},
				{"queue_overdue", s.all, cases.Filter{Queue: cases.QueueOverdue}},
				{"queue_supervised", s.all, cases.Filter{Queue: cases.QueueSupervised}},
				{"queue_mine_grid", s.grid, cases.Filter{Queue: cases.QueueMine}},
				{"filter_state_channel", s.all, cases.Filter{State: cases.Closed, Channel: "hotline_12345"}},
				{"filter_overdue_year", s.all, cases.Filter{Overdue: &yes, From: "2025-11-20", To: "2026-11-19"}},
				{"community_list", s.community, cases.Filter{}},
				{"search_漏水", s.all, cases.Filter{Q: "漏水"}},
				{"search_路灯", s.all, cases.Filter{Q: "路灯"}},
				{"search_漏水_community", s.community, cases.Filter{Q: "漏水"}},
				{"search_暖气不热", s.all, cases.Filter{Q: "暖气不热"}},
			}
			for _, l := range lists {
				b.Run(l.name, func(b *testing.B) {
					if os.Getenv("LINLI_BENCH_PLANS") != "" {
						_, total, more, err := svc.ListPage(as(l.p), l.f)
						if err != nil {
							b.Fatal(err)
						}
						count, cargs, page, pargs, err := cases.ListSQL(l.f, l.p, d.Dialect, cases.ListCountCap, more)
						if err != nil {
							b.Fatal(err)
						}
						b.Logf("%s: %d cases (more: %v); count:\n%s", l.name, total, more, plan(b, d, count, cargs))
						b.Logf("%s page:\n%s", l.name, plan(b, d, page, pargs))
					}
					timed(b, list(l.p, l.f))
				})
			}
			year := cases.Filter{From: "2025-11-20", To: "2026-11-19"}
			if os.Getenv("LINLI_BENCH_PLANS") != "" {
				q, args, err := cases.FiguresSQL(year, s.community, d.Dialect)
				if err != nil {
					b.Fatal(err)
				}
				b.Logf("figures:\n%s", plan(b, d, q, args))
			}
			b.Run("figures_community_year", func(b *testing.B) {
				timed(b, func() error { _, err := svc.Figures(as(s.community), year); return err })
			})
			b.Run("figures_community_year_by_closed", func(b *testing.B) {
				f := year
				f.By = "closed"
				timed(b, func() error { _, err := svc.Figures(as(s.community), f); return err })
			})
			b.Run("figures_all_year", func(b *testing.B) {
				timed(b, func() error { _, err := svc.Figures(as(s.all), year); return err })
			})
		})
	}
}

// BenchmarkOverdueSweep times SweepOverdue over LINLI_BENCH_SWEEP_OPEN open cases (default
// 100,000; aim: under 5 s) in every running state, on SQLite and, with LINLI_TEST_POSTGRES,
// PostgreSQL: with one in a hundred deadlines passed, and with all passed (every case newly
// flagged). The flags are cleared (untimed) before each sweep. On SQLite it also reports the
// process's CPU time per sweep, which a busy shared machine does not inflate.
func BenchmarkOverdueSweep(b *testing.B) {
	open := 100_000
	if n, err := strconv.Atoi(os.Getenv("LINLI_BENCH_SWEEP_OPEN")); err == nil && n > 0 {
		open = n
	}
	dbtest.Each(b, func(b *testing.B, d *db.DB) {
		ctx := context.Background()
		f := fixture.New(b, d)
		var cat int64
		if err := d.R.QueryRowContext(ctx, `SELECT id FROM case_categories WHERE parent_id IS NOT NULL ORDER BY id LIMIT 1`).Scan(&cat); err != nil {
			b.Fatal(err)
		}
		now := scaleUntil.Add(2 * time.Hour)
		states := []string{"received", "accepted", "dispatched", "in_progress", "reported", "closed"}
		const per = 60 // rows per INSERT: few parameters, as SQLite looks each $n up by name
		err := d.InTx(ctx, func(tx *db.Tx) error {
			for from := 0; from < open; from += per {
				var sb strings.Builder
				sb.WriteString(`INSERT INTO cases (number, community_id, region_id, grid_id, channel, category_id, title,
						description, address, state, outcome, received_at, accept_deadline, sign_deadline, handle_deadline,
						closed_at, callback_deadline, tracking_code, created_at, updated_at) VALUES `)
				var args []any
				for i := from; i < min(from+per, open); i++ {
					if i > from {
						sb.WriteString(",")
					}
					n := len(args)
					ph := func(k int) string { return "$" + strconv.Itoa(n+k) }
					fmt.Fprintf(&sb, "(%s, %s, %s, %s, 'phone', %s, '漏水', '楼上漏水', '3号楼', %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
						ph(1), ph(2), ph(3), ph(3), ph(4), ph(5), ph(6), ph(7), ph(8), ph(8), ph(8), ph(9), ph(8), ph(10), ph(7), ph(7))
					state := states[i%len(states)]
					var outcome, closed any = "", nil
					if state == "closed" {
						outcome, closed = "resolved", now.Add(-72*time.Hour)
					}
					received := now.Add(-time.Duration(100+i%1000) * time.Hour)
					args = append(args, fmt.Sprintf("SW-%07d", i), f.Community.ID, f.Grids[i%2].ID, cat, state, outcome,
						received, now.Add(time.Duration(i%100-1)*time.Hour), closed, fmt.Sprintf("sw%07d", i))
				}
				if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := d.W.ExecContext(ctx, `ANALYZE`); err != nil {
			b.Fatal(err)
		}
		// One in a hundred deadlines has passed at now, as between two runs of the periodic sweep;
		// a hundred hours later all have — the worst case, every open case newly flagged.
		for _, run := range []struct {
			name string
			at   time.Time
			want int
		}{{"one_percent_due", now, open / 100}, {"all_due", now.Add(100 * time.Hour), open}} {
			b.Run(run.name, func(b *testing.B) {
				svc := cases.NewService(d, scaleSealer(b), cases.Options{DataDir: b.TempDir(),
					Now: func() time.Time { return run.at }})
				var ds []time.Duration
				var cpu time.Duration
				var flagged int64
				for b.Loop() {
					b.StopTimer()
					if _, err := d.W.ExecContext(ctx, `UPDATE cases SET overdue = FALSE WHERE overdue`); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					start, cpu0 := time.Now(), benchtest.ProcessCPU()
					n, err := svc.SweepOverdue(ctx)
					if err != nil {
						b.Fatal(err)
					}
					ds = append(ds, time.Since(start))
					cpu += benchtest.ProcessCPU() - cpu0
					flagged = n
				}
				if flagged != int64(run.want) {
					b.Fatalf("the sweep flagged %d cases, want %d", flagged, run.want)
				}
				slices.Sort(ds)
				b.ReportMetric(float64(ds[len(ds)/2].Milliseconds()), "median_ms")
				if d.Dialect == db.SQLite { // PostgreSQL's work is in its own processes
					b.ReportMetric(float64(cpu.Milliseconds())/float64(len(ds)), "cpu_ms/op")
				}
				b.ReportMetric(float64(flagged), "flagged")
			})
		}
	})
}
