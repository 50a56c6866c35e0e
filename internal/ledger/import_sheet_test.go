package ledger_test

import (
	"strings"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
	"linli/internal/sheet/sheettest"
)

// TestLedgerUploadOfASparseWorkbook: the 26 KB workbook of 4,000 rows whose only cell is in
// column XFD is refused with the cell named, allocating far under 50 MB.
func TestLedgerUploadOfASparseWorkbook(t *testing.T) {
	data := sheettest.SparseWorkbook(t, 4000, "XFD")
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newLedgerWorld(t, d)
		var err error
		grown := sheettest.Allocated(func() { _, err = w.ledger.Upload(w.ctx, w.f.Community.ID, "台账.xlsx", data) })
		t.Logf("%d KB workbook: %.2f MB allocated, %v", len(data)>>10, float64(grown)/(1<<20), err)
		if !errs.Is(err, errs.Invalid) || !strings.Contains(errs.MessageOf(err), "第1行第XFD列有内容") {
			t.Errorf("Upload = %v; want the file refused naming 第1行第XFD列", err)
		}
		if grown > 50<<20 {
			t.Errorf("allocated %d bytes, want under 50 MB", grown)
		}
	})
}
