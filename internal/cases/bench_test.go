package cases_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"linli/internal/apptest"
	"linli/internal/db"
)

// BenchmarkIntakeAPI measures intake through POST /api/v1/cases (auth, validation, case number,
// timeline, audit, FTS row, two reminder jobs, all in one transaction) against plain single-row
// INSERT transactions of the same cases on the same SQLite database, and reports the ratio
// (issue 3 aims at ≥ 0.3).
func BenchmarkIntakeAPI(b *testing.B) {
	env := apptest.New(b)
	admin := env.APIClient(b, "admin")
	cat := leafID(b, admin, "dispute.leak")
	grid := env.Fixture.Grids[0].ID
	body := func(i int) []byte {
		return fmt.Appendf(nil, `{"channel":"phone","category_id":%d,"description":"3号楼%d室漏水，渗到楼下","grid_id":%d,"reporter_phone":"13812345678","address":"3号楼"}`,
			cat, i, grid)
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest(http.MethodPost, env.Server.URL+"/api/v1/cases", bytes.NewReader(body(i)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%d", i))
		if resp := admin.Do(req); resp.StatusCode != http.StatusCreated {
			b.Fatalf("intake: %d %s", resp.StatusCode, resp.Body)
		}
	}
	apiRate := float64(b.N) / time.Since(start).Seconds()
	b.StopTimer()

	ctx := context.Background()
	d := env.DB()
	start = time.Now()
	for i := 0; i < b.N; i++ {
		err := d.InTx(ctx, func(tx *db.Tx) error {
			now := time.Now().UTC()
			_, err := tx.ExecContext(ctx, `INSERT INTO cases (number, community_id, region_id, grid_id, channel, category_id,
				title, description, address, state, received_at, tracking_code, created_at, updated_at)
				VALUES ($1, $2, $3, $3, 'phone', $4, $5, $5, '3号楼', 'received', $6, $7, $6, $6)`,
				fmt.Sprintf("PLAIN-%d", i), env.Fixture.Community.ID, grid, cat, fmt.Sprintf("3号楼%d室漏水，渗到楼下", i), now,
				fmt.Sprintf("plain-%d", i))
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	plainRate := float64(b.N) / time.Since(start).Seconds()
	b.ReportMetric(apiRate, "api_cases/s")
	b.ReportMetric(plainRate, "insert_tx/s")
	b.ReportMetric(apiRate/plainRate, "ratio")
}
