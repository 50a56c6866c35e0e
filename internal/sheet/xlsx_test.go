package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// readXLSXRows returns every row the .xlsx reader yields, numbered.
func readXLSXRows(t *testing.T, data []byte) []string {
	t.Helper()
	lr, err := OpenXLSX(data)
	if err != nil {
		t.Fatal(err)
	}
	defer lr.Close()
	var out []string
	for {
		num, cells, err := lr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d:%q", num, cells))
	}
}

// excelizeRows reads the first visible sheet the way excelize's row iterator does with raw cell
// values: the reference the streaming reader must agree with.
func excelizeRows(t *testing.T, data []byte) []string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := ""
	for _, s := range f.GetSheetList() {
		if v, _ := f.GetSheetVisible(s); v {
			sheet = s
			break
		}
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	num := 0
	for rows.Next() {
		num++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(cells) == 0 {
			cells = nil
		}
		out = append(out, fmt.Sprintf("%d:%q", num, cells))
	}
	return out
}

func sameAsExcelize(t *testing.T, data []byte) {
	t.Helper()
	got, want := readXLSXRows(t, data), excelizeRows(t, data)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows differ from excelize:\n got %v\nwant %v", got, want)
	}
}

func workbook(t testing.TB, build func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	build(f)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withPart returns the .xlsx with one part's content replaced (added when missing).
func withPart(t *testing.T, data []byte, name, content string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	done := false
	for _, f := range zr.File {
		w, _ := zw.Create(f.Name)
		if f.Name == name {
			io.WriteString(w, content)
			done = true
			continue
		}
		rc, _ := f.Open()
		io.Copy(w, rc)
		rc.Close()
	}
	if !done {
		w, _ := zw.Create(name)
		io.WriteString(w, content)
	}
	zw.Close()
	return buf.Bytes()
}

func TestXLSXReaderReadsCellsAsExcelizeDoes(t *testing.T) {
	t.Run("shared strings, numbers, booleans, dates, formulas and rich text", func(t *testing.T) {
		sameAsExcelize(t, workbook(t, func(f *excelize.File) {
			f.SetSheetRow("Sheet1", "A1", &[]any{"姓名", "身份证号", "出生日期", "独居", "年龄"})
			f.SetSheetRow("Sheet1", "A2", &[]any{" 张 三 ", "62070219500304011X", time.Date(1950, 3, 4, 0, 0, 0, 0, time.UTC), true, 74})
			f.SetSheetRow("Sheet1", "A3", &[]any{"A&B <c> \"d\" 'e'", 6.2070219500304e17, 18326, false, 1.5})
			f.SetCellValue("Sheet1", "C5", "line\r\nbreak\nand _x000D_ text")
			f.SetCellFormula("Sheet1", "E5", "SUM(E2:E3)")
			f.SetCellRichText("Sheet1", "A6", []excelize.RichTextRun{{Text: "南关"}, {Text: "小区", Font: &excelize.Font{Bold: true}}})
			f.SetCellValue("Sheet1", "F9", "远处的格")
			f.SetCellValue("Sheet1", "B10", "😀 emoji")
			// Longer than the reader's buffer: Excel allows 32,767 characters in a cell.
			f.SetCellValue("Sheet1", "C11", strings.Repeat("长", 32767))
		}))
	})
	t.Run("inline strings from a streamed file", func(t *testing.T) {
		sameAsExcelize(t, workbook(t, func(f *excelize.File) {
			sw, _ := f.NewStreamWriter("Sheet1")
			sw.SetRow("A1", []any{"序号", "姓名", "", "楼栋"})
			sw.SetRow("A3", []any{1, "李四", nil, "3号楼", true})
			sw.SetRow("B4", []any{"错位"})
			sw.SetRow("A5", []any{strings.Repeat("备注&<>", 9000), "尾"})
			sw.Flush()
		}))
	})
	t.Run("the first visible sheet", func(t *testing.T) {
		data := workbook(t, func(f *excelize.File) {
			f.SetCellValue("Sheet1", "A1", "隐藏的表")
			i, _ := f.NewSheet("台账")
			f.SetCellValue("台账", "A1", "姓名")
			f.SetCellValue("台账", "A2", "王五")
			f.SetActiveSheet(i)
			if err := f.SetSheetVisible("Sheet1", false); err != nil {
				t.Fatal(err)
			}
		})
		sameAsExcelize(t, data)
		if got := readXLSXRows(t, data); len(got) != 2 || !strings.Contains(got[1], "王五") {
			t.Errorf("read %v, want the visible sheet", got)
		}
	})
	base := workbook(t, func(f *excelize.File) { f.SetCellValue("Sheet1", "A1", "x") })
	t.Run("hand-written XML: prefixes, missing references, entities, CDATA, comments, phonetic runs", func(t *testing.T) {
		sst := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4">` +
			`<si><t>姓名</t></si><si><r><rPr><b/></rPr><t xml:space="preserve">张 </t></r><r><t>三</t></r>` +
			`<rPh sb="0" eb="1"><t>ちょう</t></rPh><phoneticPr fontId="1"/></si><si/><si><t>a_x005F_x000D_b&#x4E2D;&amp;</t></si></sst>`
		sheet := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>
<x:row r="1" spans="1:3"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c t="s"><x:v>1</x:v></x:c><x:c t="s"><x:v>3</x:v></x:c></x:row>
<!-- a comment with <row> inside -->
<x:row><x:c r="B2" t="str" data="a&gt;b"><x:f>A1&amp;""</x:f><x:v>x&lt;y</x:v></x:c><x:c t="inlineStr"><x:is><x:t><![CDATA[<原样>]]></x:t></x:is></x:c></x:row>
<x:row r="4"/>
<x:row r="6"><x:c r="C6" t="s"><x:v>2</x:v></x:c><x:c r="D6" t="s"><x:v>99</x:v></x:c><x:c r="E6"><x:f>1/0</x:f></x:c><x:c r="F6" t="e"><x:v>#DIV/0!</x:v></x:c><x:c r="G6" t="b"><x:v>1</x:v></x:c></x:row>
<x:row r="7"><x:c r="A7" s="3"/><x:c r="B7" t="d"><x:v>2024-01-01T00:00:00Z</x:v></x:c></x:row>
</x:sheetData></x:worksheet>`
		data := withPart(t, withPart(t, base, "xl/sharedStrings.xml", sst), "xl/worksheets/sheet1.xml", sheet)
		sameAsExcelize(t, data)
	})
	t.Run("a broken cell reference is a row error, not a crash", func(t *testing.T) {
		sheet := `<worksheet><sheetData><row r="1"><c r="1A"><v>1</v></c></row></sheetData></worksheet>`
		lr, err := OpenXLSX(withPart(t, base, "xl/worksheets/sheet1.xml", sheet))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := lr.Next(); err == nil || !strings.Contains(err.Error(), "第1行") {
			t.Errorf("next = %v, want an error naming row 1", err)
		}
	})
	t.Run("a damaged file is refused in Chinese", func(t *testing.T) {
		if _, err := OpenXLSX(base[:len(base)/2]); err == nil || !strings.Contains(err.Error(), "损坏") {
			t.Errorf("openXLSX = %v", err)
		}
	})
}
