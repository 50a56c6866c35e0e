package briefing_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"linli/internal/activities"
	"linli/internal/auth"
	"linli/internal/bench/benchtest"
	"linli/internal/briefing"
	"linli/internal/cases"
	"linli/internal/cobuild"
	"linli/internal/deliberation"
	"linli/internal/mediation"
	"linli/internal/party"
	"linli/internal/pii"
	"linli/internal/register"
	"linli/internal/reports"
)

// BenchmarkBriefingDistrictYear generates the briefing of a whole district for a year — every
// figure of every capability, the drafted text and the table of its streets with the previous
// year — on a generated city: LINLI_BENCH_CITY, a database URL made by `linli gen` (on PostgreSQL a
// copy of its own: cpu_ms counts its server backends). It reports the median wall time per
// briefing (ms/median) and the median CPU time (cpu_ms), which others' load inflates less.
func BenchmarkBriefingDistrictYear(b *testing.B) {
	d := benchtest.City(b)
	ctx := context.Background()
	sealer, err := pii.NewSealer("bench-briefing-district-year-0123456789")
	if err != nil {
		b.Fatal(err)
	}
	var userID int64
	if err := d.R.QueryRowContext(ctx, `SELECT MIN(id) FROM users`).Scan(&userID); err != nil || userID == 0 {
		b.Skipf("the city has no user to write the briefing as: %v", err)
	}
	p := benchtest.CityAdmin(b, d, "district")
	p.UserID = userID
	reg := register.NewService(d, sealer)
	cs := cases.NewService(d, sealer, cases.Options{})
	acts := activities.NewService(d, sealer, activities.Options{})
	svc := briefing.NewService(d, briefing.Sources{
		Deliberation: deliberation.NewService(d, sealer, acts, deliberation.Options{}),
		Cases:        cs, Party: party.NewService(d, sealer, reg), Cobuild: cobuild.NewService(d, cobuild.Options{}),
		Mediation: mediation.NewService(d, sealer, mediation.Options{Cases: cs}), Activities: acts,
		Register: func(ctx context.Context, p *auth.Principal, regionID int64) (*reports.RegionTotals, error) {
			return reports.RegionCounts(ctx, d, p, regionID, time.Now())
		},
	})
	var last string
	if err := d.R.QueryRowContext(ctx, `SELECT COALESCE(MAX(received_at), CURRENT_TIMESTAMP) FROM cases`).Scan(&last); err != nil {
		b.Fatal(err)
	}
	year := strings.TrimSpace(last)[:4]
	in := briefing.GenerateInput{RegionID: p.RegionID, From: year + "-01-01", To: year + "-12-31"}
	if today := time.Now().Format(time.DateOnly); in.To > today {
		in.To = today
	}
	ctx = auth.WithPrincipal(ctx, p)
	cpu := benchtest.CityCPU(b, d)
	var walls, cpus []time.Duration
	b.ResetTimer()
	for b.Loop() {
		start, cpu0 := time.Now(), cpu()
		v, err := svc.Generate(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		walls, cpus = append(walls, time.Since(start)), append(cpus, cpu()-cpu0)
		b.StopTimer()
		if err := svc.Delete(ctx, v.ID); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	benchtest.ReportMedian(b, walls)
	slices.Sort(cpus)
	b.ReportMetric(float64(cpus[len(cpus)/2].Microseconds())/1000, "cpu_ms")
}
