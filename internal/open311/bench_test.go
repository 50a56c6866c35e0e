package open311

import (
	"context"
	"fmt"
	"testing"

	"linli/internal/cases"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/fixture"
)

// BenchmarkRequests measures GET requests at the spec's ceiling: 1,000 requests of the last 90 days
// in one community, each with its public notes. Run on PostgreSQL too with LINLI_TEST_POSTGRES:
// go test -run '^$' -bench Requests -benchtime 20x ./internal/open311/
func BenchmarkRequests(b *testing.B) {
	dbtest.Each(b, func(b *testing.B, d *db.DB) {
		f := fixture.New(b, d)
		cs := cases.NewService(d, f.Sealer, cases.Options{DataDir: b.TempDir()})
		svc := NewService(d, cs, Options{})
		issued, err := svc.IssueKey(f.Ctx("security"), NewKey{Name: "bench", RegionID: f.Community.ID})
		if err != nil {
			b.Fatal(err)
		}
		cats, _ := cs.Categories(context.Background())
		var leaf int64
		for _, c := range cats {
			if c.Code == "dispute.noise" {
				leaf = c.ID
			}
		}
		for i := 0; i < MaxRequests; i++ {
			if _, err := cs.SubmitWithin(context.Background(), Channel, f.Community.Path, cases.Intake{CategoryID: leaf,
				Description: fmt.Sprintf("第%d件：楼上夜里噪音", i), Address: "东街3号", CommunityID: f.Community.ID}, nil); err != nil {
				b.Fatal(err)
			}
		}
		k, err := svc.Client(context.Background(), issued.Secret)
		if err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			list, err := svc.Requests(context.Background(), k, Query{})
			if err != nil || len(list) != MaxRequests {
				b.Fatalf("%d requests, %v", len(list), err)
			}
		}
	})
}
