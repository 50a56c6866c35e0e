package visits

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/register"
	"linli/internal/sheet"
)

// The export reads its entries a chunk at a time (exportChunk ids a statement): across chunks every
// entry is written once, in ledger order (newest visit date first, then the latest recorded), each
// with its own residents met in resident order, and an entry without any with none.
func TestExportAcrossChunks(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		other := w.f.AddResident(t, register.ResidentInput{HouseholdID: w.hh1, Name: "张建军", BirthDate: "1975-01-01",
			Relation: "儿子"})
		user := w.f.Users["admin"].UserID
		n := exportChunk*2 + 37
		for i := range n {
			var id int64
			if err := d.W.QueryRow(`INSERT INTO visits (client_uuid, kind, region_id, household_id, method, visited_on,
				situation, needs, follow_up_on, created_by, created_at) VALUES ($1, 'visit', $2, $3, 'home', $4, $5, '', '', $6, $7)
				RETURNING id`, newUUID(), w.f.Grids[0].ID, w.hh1, w.daysAgo(i%45), fmt.Sprintf("第%d次", i), user,
				time.Now().UTC()).Scan(&id); err != nil {
				t.Fatal(err)
			}
			met := map[int]string{0: "", 1: "张桂兰", 2: "张桂兰、张建军"}[i%3]
			if met != "" {
				w.exec(`INSERT INTO visit_residents (visit_id, resident_id) VALUES ($1, $2)`, id, w.alone1)
			}
			if i%3 == 2 {
				w.exec(`INSERT INTO visit_residents (visit_id, resident_id) VALUES ($1, $2)`, id, other)
			}
		}
		var out bytes.Buffer
		written, err := w.svc.ExportXLSX(w.f.Ctx("admin"), Filter{}, &out)
		if err != nil {
			t.Fatal(err)
		}
		if written != n {
			t.Fatalf("wrote %d entries, want %d", written, n)
		}
		r, err := sheet.Open("x.xlsx", out.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		seen := map[string]bool{}
		last := "9999-12-31"
		for {
			num, cells, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatal(err)
			}
			if num == 1 {
				continue
			}
			date, met, situation := cells[0], cells[5], cells[7]
			if date > last {
				t.Fatalf("row %d: %s after %s, not in ledger order", num, date, last)
			}
			last = date
			if seen[situation] {
				t.Fatalf("row %d: %s written twice", num, situation)
			}
			seen[situation] = true
			var i int
			fmt.Sscanf(strings.TrimPrefix(situation, "第"), "%d", &i)
			if want := map[int]string{0: "", 1: "张桂兰", 2: "张桂兰、张建军"}[i%3]; met != want {
				t.Errorf("%s met %q, want %q", situation, met, want)
			}
		}
		if len(seen) != n {
			t.Fatalf("%d entries in the workbook, want %d", len(seen), n)
		}
	})
}
