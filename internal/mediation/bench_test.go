package mediation

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"linli/internal/bench/benchtest"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/fixture"
	"linli/internal/register"
)

// BenchmarkFiguresDistrictYear measures the statistics of a whole district for one year on a
// city-sized record: LINLI_BENCH_MEDIATION cases (default 50,000: five years of a 1,000,000-resident
// city at about one mediation per hundred residents a year) in 300 communities, with mediators
// and invited experts. Aim (issue 12): under 200 ms.
func BenchmarkFiguresDistrictYear(b *testing.B) {
	n := 50_000
	if v, err := strconv.Atoi(os.Getenv("LINLI_BENCH_MEDIATION")); err == nil && v > 0 {
		n = v
	}
	dbtest.Each(b, func(b *testing.B, d *db.DB) {
		f := fixture.New(b, d)
		svc := NewService(d, f.Sealer, Options{})
		start := time.Now()
		seedCity(b, d, f, n)
		b.Logf("%s: %d cases seeded in %s", d.Dialect, n, time.Since(start).Round(time.Millisecond))
		for _, who := range []string{"district", "admin"} {
			b.Run(who, func(b *testing.B) {
				var got *Figures
				cpu := benchtest.ProcessCPU()
				for i := 0; i < b.N; i++ {
					var err error
					if got, err = svc.Figures(f.Ctx(who), FigureFilter{From: "2025-01-01", To: "2025-12-31"}); err != nil {
						b.Fatal(err)
					}
				}
				// CPU time of this process per call: on SQLite (in process) the work itself, which a
				// machine loaded by others slows in wall time but not in CPU time.
				b.ReportMetric(float64(benchtest.ProcessCPU()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
				if who == "district" && got.Received == 0 {
					b.Fatal("no cases counted")
				}
			})
		}
	})
}

// seedCity writes n cases over 2021–2025 into 300 communities of the fixture's street, each with
// a mediator and, for most agreements, an expert.
func seedCity(b *testing.B, d *db.DB, f *fixture.Community, n int) {
	ctx := context.Background()
	const communities = 300
	var cids, experts []int64
	err := d.InTx(ctx, func(tx *db.Tx) error {
		for i := 0; i < communities; i++ {
			r, err := register.CreateRegion(ctx, tx, register.NewRegion{ParentID: f.Street.ID, Level: register.LevelCommunity,
				Code: fmt.Sprintf("620702001%03d", 100+i), Name: fmt.Sprintf("城%d社区", i)})
			if err != nil {
				return err
			}
			cids = append(cids, r.ID)
			var e int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO mediation_experts (community_id, name, kind, created_at, updated_at)
				VALUES ($1, $2, '五老', $3, $3) RETURNING id`, r.ID, fmt.Sprintf("专家%d", i), time.Now().UTC()).Scan(&e); err != nil {
				return err
			}
			experts = append(experts, e)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	mediator := f.Users["mediator01"].UserID
	types := []string{"neighbour", "marriage", "property", "housing", "damages", "contract", "labour", "other"}
	sources := []Source{SourceApplyOral, SourceApplyWritten, SourceInitiative, SourceCase, SourcePolice}
	now := time.Now().UTC()
	var cases, meds, parts [][]any
	flush := func(tx *db.Tx) error {
		for _, batch := range []struct {
			table string
			cols  []string
			rows  *[][]any
		}{
			{"mediation_cases", []string{"id", "number", "year", "serial", "community_id", "source", "type_code", "title", "state",
				"outcome", "lead_mediator_id", "registered_on", "accepted_on", "closed_on", "amount", "prevented_criminal",
				"created_at", "updated_at"}, &cases},
			{"mediation_mediators", []string{"mediation_id", "user_id", "lead"}, &meds},
			{"mediation_participants", []string{"mediation_id", "kind", "expert_id", "name", "consent_note", "invited_on"}, &parts},
		} {
			if err := db.InsertRows(ctx, tx, batch.table, batch.cols, nil, *batch.rows); err != nil {
				return err
			}
			*batch.rows = (*batch.rows)[:0]
		}
		return nil
	}
	err = d.InTx(ctx, func(tx *db.Tx) error {
		for i := 1; i <= n; i++ {
			c := i % communities
			reg := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, (i*1826)/n)
			year := reg.Year()
			state, outcome, closed, amount := "archived", "agreement", reg.AddDate(0, 0, 12).Format(time.DateOnly), (i%50)*100
			switch i % 10 {
			case 7:
				outcome, amount = "failed", 0
			case 8:
				outcome, amount = "refused", 0
			}
			cases = append(cases, []any{i, FormatNumber(year, "城", i), year, i, cids[c], string(sources[i%len(sources)]),
				types[i%len(types)], "纠纷", state, outcome, mediator, reg.Format(time.DateOnly),
				reg.AddDate(0, 0, 1).Format(time.DateOnly), closed, amount, i%40 == 0, now, now})
			meds = append(meds, []any{i, mediator, true})
			if i%10 < 6 {
				parts = append(parts, []any{i, "expert", experts[c], "专家", "双方同意", reg.Format(time.DateOnly)})
			}
			if len(cases) == 2000 {
				if err := flush(tx); err != nil {
					return err
				}
			}
		}
		return flush(tx)
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := d.W.ExecContext(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
}
