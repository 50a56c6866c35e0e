package sheet

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"linli/internal/sheet/sheettest"
)

// memoryBound is what reading one sheet may allocate in all, whatever its size or shape: well
// under the 50 MB the server's memory may grow by for one upload.
const memoryBound = 50 << 20

// sparseWorkbook is an .xlsx of rows whose only cell is in the given column.
var sparseWorkbook = sheettest.SparseWorkbook

// allocated reads the whole sheet, keeping nothing, and returns the bytes allocated meanwhile,
// the rows read and the error that stopped it (nil at the end of the sheet).
func allocated(t *testing.T, name string, data []byte) (bytes uint64, rows int, err error) {
	t.Helper()
	bytes = sheettest.Allocated(func() {
		var r Reader
		if r, err = Open(name, data); err != nil {
			return
		}
		defer r.Close()
		for {
			if _, _, err = r.Next(); err != nil {
				break
			}
			rows++
		}
		if errors.Is(err, io.EOF) {
			err = nil
		}
	})
	return bytes, rows, err
}

func TestReadingStaysWithinBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 100,000-row workbook")
	}
	t.Run("4,000 rows whose only cell is in column XFD are refused at the first row", func(t *testing.T) {
		data := sparseWorkbook(t, 4000, "XFD")
		n, _, err := allocated(t, "12345.xlsx", data)
		t.Logf("sparse XFD workbook: %d KB file, %.2f MB allocated, err %v", len(data)>>10, float64(n)/(1<<20), err)
		if err == nil || !strings.Contains(err.Error(), "第1行第XFD列有内容") {
			t.Errorf("err = %v, want the refusal naming 第1行第XFD列", err)
		}
		if n > memoryBound {
			t.Errorf("allocated %d bytes, want under %d", n, memoryBound)
		}
	})
	t.Run("4,000 rows whose only cell is in the last column read", func(t *testing.T) {
		n, rows, err := allocated(t, "台账.xlsx", sparseWorkbook(t, 4000, ColumnName(MaxColumns)))
		t.Logf("sparse IV workbook: %.2f MB allocated", float64(n)/(1<<20))
		if err != nil || rows != 4000 || n > memoryBound {
			t.Errorf("read %d rows, err %v, allocated %d bytes; want 4000 rows under %d bytes", rows, err, n, memoryBound)
		}
	})
	t.Run("a lone cell in the last row of the sheet", func(t *testing.T) {
		data := workbook(t, func(f *excelize.File) { f.SetCellValue("Sheet1", "A1048576", "底") })
		n, rows, err := allocated(t, "台账.xlsx", data)
		t.Logf("cell in row 1,048,576: %.2f MB allocated", float64(n)/(1<<20))
		if err != nil || rows != 1048576 || n > memoryBound {
			t.Errorf("read %d rows, err %v, allocated %d bytes; want 1048576 rows under %d bytes", rows, err, n, memoryBound)
		}
	})
	t.Run("100,000 rows of a ledger", func(t *testing.T) {
		data := workbook(t, func(f *excelize.File) {
			sw, _ := f.NewStreamWriter("Sheet1")
			sw.SetRow("A1", []any{"序号", "姓名", "身份证号", "联系电话", "楼栋", "单元", "门牌号", "备注"})
			for i := 2; i <= 100001; i++ {
				sw.SetRow(fmt.Sprintf("A%d", i), []any{i - 1, "居民" + fmt.Sprint(i), "62070219500304011X", "13800138000",
					fmt.Sprintf("%d号楼", i%40), i%4 + 1, fmt.Sprintf("%d0%d", i%6+1, i%4+1), ""})
			}
			if err := sw.Flush(); err != nil {
				t.Fatal(err)
			}
		})
		n, rows, err := allocated(t, "台账.xlsx", data)
		t.Logf("100,000-row workbook: %.1f MB file, %.1f MB allocated", float64(len(data))/(1<<20), float64(n)/(1<<20))
		if err != nil || rows != 100001 || n > memoryBound {
			t.Errorf("read %d rows, err %v, allocated %d bytes; want 100001 rows under %d bytes", rows, err, n, memoryBound)
		}
	})
}
