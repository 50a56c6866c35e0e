// Package benchtest holds what the Go benchmarks of every capability share: the process's CPU
// time (on a shared machine the steadier figure than wall time) and the median of timed calls.
package benchtest

import (
	"context"
	"os"
	"sort"
	"testing"
	"time"

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
