package cases

import (
	"strings"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
	"linli/internal/sheet/sheettest"
)

// TestHotlineImportOfASparseWorkbook: a small .xlsx of 4,000 rows whose only cell is in column
// XFD once grew the server by 1.2 GB through excelize's GetRows; read through the shared sheet
// reader it is refused with the cell named, allocating a bounded amount.
func TestHotlineImportOfASparseWorkbook(t *testing.T) {
	data := sheettest.SparseWorkbook(t, 4000, "XFD")
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		var res *ImportResult
		var err error
		grown := sheettest.Allocated(func() {
			res, err = w.svc.ImportHotline(w.ctx("admin"), HotlineFile{Name: "12345工单.xlsx", Data: data})
		})
		t.Logf("%d KB workbook: %.2f MB allocated, %v", len(data)>>10, float64(grown)/(1<<20), err)
		if !errs.Is(err, errs.Invalid) || !strings.Contains(errs.FieldsOf(err)["file"], "第1行第XFD列有内容") {
			t.Errorf("ImportHotline = %+v, %v; want the file refused naming 第1行第XFD列", res, err)
		}
		if grown > 50<<20 {
			t.Errorf("allocated %d bytes, want under 50 MB", grown)
		}
	})
}
