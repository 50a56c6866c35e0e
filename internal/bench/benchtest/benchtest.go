// Package benchtest holds what the Go benchmarks of every capability share: the process's CPU
// time (on a shared machine the steadier figure than wall time) and the median of timed calls.
package benchtest

import (
	"sort"
	"testing"
	"time"
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
