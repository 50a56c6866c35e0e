// Package benchtest holds what the Go benchmarks of every capability share: the process's CPU
// time (on a shared machine the steadier figure than wall time) and the median of timed calls.
package benchtest

import (
	"context"
	"os"
	"slices"
	"sort"
	"testing"
	"time"

	"linli/internal/auth"
	"linli/internal/db"
)

// ReportMedian reports the median of times as the benchmark's "ms/median" metric.
func ReportMedian(b *testing.B, times []time.Duration) {
	if len(times) == 0 {
		return
	}
	sorted := append([]time.Duration(nil), times...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	b.ReportMetric(float64(sorted[len(sorted)/2].Microseconds())/1000, "ms/median")
}

// City opens the city a benchmark measures — LINLI_BENCH_CITY, a database URL made by `linli gen`
// (sqlite:city.db, postgres://…) — migrated to this build's schema, closed when the benchmark
// ends; without it the benchmark is skipped.
func City(b *testing.B) *db.DB {
	url := os.Getenv("LINLI_BENCH_CITY")
	if url == "" {
		b.Skip("LINLI_BENCH_CITY is not set")
	}
	ctx := context.Background()
	d, err := db.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	return d
}

// CityAdmin is a district administrator of the first district of the city d (level "district"), or
// of the city itself (level "city"), for a benchmark's calls.
func CityAdmin(b *testing.B, d *db.DB, level string) *auth.Principal {
	cond := "level = 'district'"
	if level == "city" {
		cond = "parent_id IS NULL"
	}
	p := &auth.Principal{UserID: 1, Username: "bench", Name: "测试", Role: auth.DistrictAdmin}
	if err := d.R.QueryRowContext(context.Background(), `SELECT id, path, name, level FROM regions WHERE `+cond+` ORDER BY id LIMIT 1`).
		Scan(&p.RegionID, &p.RegionPath, &p.RegionName, &p.RegionLevel); err != nil {
		b.Fatalf("the city's %s: %v", level, err)
	}
	return p
}

// ReportRows reports, for calls that each wrote rows rows and spent cpus of CPU time (CityCPU), the
// median CPU ("cpu_ms"), the rows ("rows") and the rows per CPU-second at that median ("rows/cpu_s").
func ReportRows(b *testing.B, rows int, cpus []time.Duration) {
	if len(cpus) == 0 {
		return
	}
	sorted := slices.Sorted(slices.Values(cpus))
	median := sorted[len(sorted)/2]
	b.ReportMetric(float64(median.Microseconds())/1000, "cpu_ms")
	b.ReportMetric(float64(rows), "rows")
	b.ReportMetric(float64(rows)/median.Seconds(), "rows/cpu_s")
}
