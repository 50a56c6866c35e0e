package sheet

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"linli/internal/sheet/sheettest"
)

// A written workbook reads back through the package's own reader, header first.
func TestAWrittenWorkbookReadsBack(t *testing.T) {
	b, err := Workbook("需求清单", []string{"序号", "名称"}, [][]any{{1, "助餐"}, {2, "扶手加装"}})
	if err != nil {
		t.Fatal(err)
	}
	rows := readAll(t, "x.xlsx", b)
	if len(rows) != 3 || rows[0][1] != "名称" || rows[2][1] != "扶手加装" {
		t.Errorf("read back %v", rows)
	}
}

// Excel's own reading (as excelize reads it): every sheet in order with its name, text with
// markup characters, line breaks and spaces as typed, numbers as numbers, empty cells as gaps,
// the header bold and frozen, the widths asked for.
func TestAStreamedWorkbookOpensAsExcelReadsIt(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	if err := w.Sheet("走访台账", []string{"日期", "情况", "人数"}, 12, 40); err != nil {
		t.Fatal(err)
	}
	if err := w.Row("2026-03-01", "<b>漏水</b> & \"暖气\"\n第二行 ", 3); err != nil {
		t.Fatal(err)
	}
	if err := w.Row("2026-03-02", nil, 1.5, true); err != nil {
		t.Fatal(err)
	}
	if err := w.Row("控制\x01字符", "", int64(-7)); err != nil {
		t.Fatal(err)
	}
	if err := w.Sheet("更正汇总", nil, 30); err != nil {
		t.Fatal(err)
	}
	if err := w.Row("标题行"); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := x.GetSheetList(); fmt.Sprint(got) != "[走访台账 更正汇总]" {
		t.Fatalf("sheets %v", got)
	}
	rows, err := x.GetRows("走访台账")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"日期", "情况", "人数"}, {"2026-03-01", "<b>漏水</b> & \"暖气\"\n第二行 ", "3"},
		{"2026-03-02", "", "1.5", "TRUE"}, {"控制字符", "", "-7"}}
	if fmt.Sprintf("%q", rows) != fmt.Sprintf("%q", want) {
		t.Errorf("rows\n got %q\nwant %q", rows, want)
	}
	if typ, _ := x.GetCellType("走访台账", "C2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("a count is stored as %v, not a number", typ)
	}
	style, _ := x.GetCellStyle("走访台账", "A1")
	if st, err := x.GetStyle(style); err != nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("the header is not bold: %+v %v", st, err)
	}
	if p, err := x.GetPanes("走访台账"); err != nil || !p.Freeze || p.YSplit != 1 {
		t.Errorf("the header is not frozen: %+v %v", p, err)
	}
	if wd, _ := x.GetColWidth("走访台账", "B"); wd != 40 {
		t.Errorf("column B is %v wide", wd)
	}
	if rows, _ := x.GetRows("更正汇总"); len(rows) != 1 || rows[0][0] != "标题行" {
		t.Errorf("second sheet %q", rows)
	}
	if p, _ := x.GetPanes("更正汇总"); p.Freeze {
		t.Error("a sheet without a header is frozen")
	}
}

// Text past Excel's limit of a cell is cut there rather than making a file Excel refuses.
func TestAnOverlongCellIsCutAtExcelsLimit(t *testing.T) {
	b, err := Workbook("长文本", []string{"内容"}, [][]any{{strings.Repeat("水", MaxCellRunes+10)}})
	if err != nil {
		t.Fatal(err)
	}
	if rows := readAll(t, "x.xlsx", b); len([]rune(rows[1][0])) != MaxCellRunes {
		t.Errorf("cell of %d characters", len([]rune(rows[1][0])))
	}
}

// A sheet name Excel refuses (over 31 characters, or used twice) is an error, not a broken file.
func TestASheetNameExcelRefusesIsAnError(t *testing.T) {
	w := NewWriter(io.Discard)
	if err := w.Sheet(strings.Repeat("表", 32), nil); err == nil {
		t.Error("a 32-character sheet name was accepted")
	}
	w = NewWriter(io.Discard)
	_ = w.Sheet("台账", nil)
	if err := w.Sheet("台账", nil); err == nil {
		t.Error("a sheet name was accepted twice")
	}
}

// Writing 200,000 rows allocates no more than writing 2,000: rows are written as they are given,
// not held (the bound is what the zip and deflate state take, whatever the row count).
func TestWritingRowsKeepsMemoryFlat(t *testing.T) {
	write := func(n int) uint64 {
		return sheettest.Allocated(func() {
			w := NewWriter(io.Discard)
			_ = w.Sheet("台账", []string{"编号", "地址", "情况", "人数"})
			for i := 0; i < n; i++ {
				_ = w.Row("LL2026000123", "仓门巷10号2单元301", "楼道灯不亮，已报物业", i)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
	small, large := write(2000), write(200000)
	if large > small+4<<20 {
		t.Errorf("200,000 rows allocated %d KB, 2,000 rows %d KB: memory grows with the rows", large>>10, small>>10)
	}
}

// BenchmarkWriterRows is the writer alone: rows of a visits export's shape (13 cells) written to
// nowhere. Reports rows/s.
func BenchmarkWriterRows(b *testing.B) {
	row := []any{"2026-03-01", "走访", "仓门巷网格", "仓门巷10号2单元301", "入户走访", "王秀英、李建国", "138****1234",
		"独居老人，身体尚可，反映楼道灯不亮", "楼道灯维修", "2026-03-15", "LL2026000123", "张网格", "2026-03-01 10:24"}
	b.ReportAllocs()
	w := NewWriter(io.Discard)
	_ = w.Sheet("走访台账", []string{"a", "b"})
	for i := 0; i < b.N; i++ {
		if err := w.Row(row...); err != nil {
			b.Fatal(err)
		}
		if w.Rows() == xlsxMaxRows {
			_ = w.Sheet(fmt.Sprint("走访台账", i), nil)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
