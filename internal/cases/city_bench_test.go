package cases_test

import (
	"context"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"linli/internal/auth"
	"linli/internal/bench/benchtest"
	"linli/internal/cases"
)

// BenchmarkFiguresCity times, on a city made by `linli gen` (LINLI_BENCH_CITY, a database URL;
// migrated first), the figures, the grouped figures and the dashboard of a district and of the
// whole city for the year up to the last case received (aims, issue 18: a district-year under
// 300 ms, a city-year under 1 s), and a two-character search at district scope (under 20 ms).
// LINLI_BENCH_PLANS=1 logs the figures statement's plan. Run with -benchtime 7x for a median.
//
// Besides the wall time it reports cpu_ms, the median CPU time one call costs — this process's
// (SQLite runs in it) plus, on PostgreSQL, that of the server backends connected to the city's
// database (so give the benchmark a copy of its own) — which a machine loaded by others does not
// inflate as it does the wall time.
func BenchmarkFiguresCity(b *testing.B) {
	d := benchtest.City(b)
	ctx := context.Background()
	// A city generated before the case tally (migration 0030) builds it once, as linli does at start.
	start := time.Now()
	if built, err := cases.EnsureTallies(ctx, d); err != nil {
		b.Fatal(err)
	} else if built {
		b.Logf("case tally built in %s", time.Since(start).Round(time.Millisecond))
	}
	cpu := benchtest.CityCPU(b, d)
	timedCPU := func(b *testing.B, fn func() error) {
		b.Helper()
		var ds []time.Duration
		timed(b, func() error {
			start := cpu()
			err := fn()
			ds = append(ds, cpu()-start)
			return err
		})
		slices.Sort(ds)
		b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "cpu_ms")
	}
	district, city := benchtest.CityAdmin(b, d, "district"), benchtest.CityAdmin(b, d, "city")
	var last string
	if err := d.R.QueryRowContext(ctx, `SELECT MAX(received_at) FROM cases`).Scan(&last); err != nil {
		b.Fatal(err)
	}
	end, err := time.Parse(time.DateOnly, strings.TrimSpace(last)[:10])
	if err != nil {
		b.Fatal(err)
	}
	year := cases.Filter{From: end.AddDate(-1, 0, 1).Format(time.DateOnly), To: end.Format(time.DateOnly)}
	svc := cases.NewService(d, scaleSealer(b), cases.Options{DataDir: b.TempDir()})
	for _, scope := range []struct {
		name string
		p    *auth.Principal
	}{{"district", district}, {"city", city}} {
		c := auth.WithPrincipal(ctx, scope.p)
		if os.Getenv("LINLI_BENCH_PLANS") != "" {
			q, args, err := cases.FiguresSQL(year, scope.p, d.Dialect)
			if err != nil {
				b.Fatal(err)
			}
			var n int
			_ = d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases c WHERE c.region_id IN (SELECT id FROM regions WHERE path LIKE $1)`,
				scope.p.RegionPath+"%").Scan(&n)
			b.Logf("%s (%d cases, %s…%s): figures plan:\n%s", scope.name, n, year.From, year.To, plan(b, d, q, args))
		}
		b.Run("figures_"+scope.name+"_year", func(b *testing.B) {
			timedCPU(b, func() error { _, err := svc.Figures(c, year); return err })
		})
		b.Run("figures_by_region_"+scope.name+"_year", func(b *testing.B) {
			timedCPU(b, func() error { _, err := svc.FiguresByRegion(c, year); return err })
		})
		b.Run("figures_by_category_"+scope.name+"_year", func(b *testing.B) {
			timedCPU(b, func() error { _, err := svc.FiguresByCategory(c, year); return err })
		})
		b.Run("dashboard_"+scope.name+"_year", func(b *testing.B) {
			timedCPU(b, func() error { _, err := svc.Dashboard(c, year); return err })
		})
		// What the page shows when opened: the twelve months to the last day, from a month's first;
		// and the calendar year before it (whole months: the case tally alone).
		for name, f := range map[string]cases.Filter{
			"default":       {From: end.AddDate(0, -11, 0).Format("2006-01") + "-01", To: end.Format(time.DateOnly)},
			"calendar_year": {From: strconv.Itoa(end.Year()-1) + "-01-01", To: strconv.Itoa(end.Year()-1) + "-12-31"},
		} {
			b.Run("dashboard_"+scope.name+"_"+name, func(b *testing.B) {
				timedCPU(b, func() error { _, err := svc.Dashboard(c, f); return err })
			})
		}
		b.Run("search_漏水_"+scope.name, func(b *testing.B) {
			timedCPU(b, func() error { _, _, _, err := svc.ListPage(c, cases.Filter{Q: "漏水"}); return err })
		})
	}
}

// BenchmarkExportCity times the cases export of a district's month (the list's export, as
// TestListsBench downloads it) on a city made by `linli gen` (LINLI_BENCH_CITY; each call writes
// an audit entry, so give it a copy of its own), written to io.Discard. Besides the wall time it
// reports cpu_ms (this process's CPU, and on PostgreSQL the city's backends') and rows per
// CPU-second. Run with -benchtime 5x and -cpuprofile to see where the time goes.
func BenchmarkExportCity(b *testing.B) {
	d := benchtest.City(b)
	ctx := context.Background()
	p := benchtest.CityAdmin(b, d, "district")
	c := auth.WithPrincipal(ctx, p)
	svc := cases.NewService(d, scaleSealer(b), cases.Options{DataDir: b.TempDir()})
	f := cases.Filter{From: time.Now().AddDate(0, -1, 0).Format(time.DateOnly)}
	cpu := benchtest.CityCPU(b, d)
	var rows int
	var ds []time.Duration
	timed(b, func() error {
		start := cpu()
		n, err := svc.ExportXLSX(c, f, "from="+f.From, io.Discard)
		ds = append(ds, cpu()-start)
		rows = n
		return err
	})
	benchtest.ReportRows(b, rows, ds)
}
