package sheet

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// readAll returns the cells of every row Open yields.
func readAll(t *testing.T, name string, data []byte) [][]string {
	t.Helper()
	rows, err := readRows(name, data)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestCSVEncodings(t *testing.T) {
	text := "姓名,楼栋\n张三,1号楼\n"
	gb, _, _ := transform.Bytes(simplifiedchinese.GB18030.NewEncoder(), []byte(text))
	u16, _, _ := transform.Bytes(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder(), []byte("姓名\t楼栋\n张三\t1号楼\n"))
	u16be, _, _ := transform.Bytes(unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder(), []byte(text))
	want := [][]string{{"姓名", "楼栋"}, {"张三", "1号楼"}}
	for name, data := range map[string][]byte{"utf-8": []byte(text), "utf-8 with BOM": append([]byte{0xEF, 0xBB, 0xBF}, text...),
		"GB18030": gb, "UTF-16 tab-separated": u16, "UTF-16 big-endian": u16be} {
		if got := readAll(t, "台账.csv", data); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %q", name, got)
		}
	}
}

func TestOpenRefusesOtherFiles(t *testing.T) {
	for name, data := range map[string][]byte{
		"台账.xls":  {0xD0, 0xCF, 0x11, 0xE0, 0, 0},
		"照片.jpg":  {0xFF, 0xD8, 0xFF},
		"说明.docx": []byte("PK\x03\x04rest"),
		"空.csv":   {},
	} {
		if _, err := Open(name, data); err == nil {
			t.Errorf("%s was accepted", name)
		}
	}
}

func TestColumnName(t *testing.T) {
	for col, want := range map[int]string{1: "A", 26: "Z", 27: "AA", 256: "IV", 702: "ZZ", 703: "AAA", 16384: "XFD"} {
		if got := ColumnName(col); got != want {
			t.Errorf("ColumnName(%d) = %q, want %q", col, got, want)
		}
	}
}

// TestRowsWiderThanMaxColumns: content past MaxColumns refuses the file naming the row and
// column; empty cells past it are dropped, so a CSV padded with commas still reads.
func TestRowsWiderThanMaxColumns(t *testing.T) {
	wide := "姓名" + strings.Repeat(",", MaxColumns) + "远处\n"
	if _, err := readRows("台账.csv", []byte("序号\n"+wide)); err == nil ||
		!strings.Contains(err.Error(), "第2行第IW列有内容") || !strings.Contains(err.Error(), "最多256列") {
		t.Errorf("a CSV cell in column %d: err = %v, want a refusal naming 第2行第IW列", MaxColumns+1, err)
	}
	padded := "姓名,楼栋" + strings.Repeat(",", 1000) + "\n"
	rows, err := readRows("台账.csv", []byte(padded))
	if err != nil || len(rows[0]) != MaxColumns || rows[0][1] != "楼栋" {
		t.Errorf("a CSV row padded with 1,000 empty fields: %d cells, err %v; want %d cells", len(rows[0]), err, MaxColumns)
	}
	data := sparseWorkbook(t, 3, "IW")
	if _, err := readRows("台账.xlsx", data); err == nil || !strings.Contains(err.Error(), "第1行第IW列有内容") {
		t.Errorf("an .xlsx cell in column IW: err = %v, want a refusal naming 第1行第IW列", err)
	}
	rows, err = readRows("台账.xlsx", sparseWorkbook(t, 3, "IV"))
	if err != nil || len(rows) != 3 || len(rows[2]) != MaxColumns || rows[2][MaxColumns-1] != "x" {
		t.Errorf("cells in the last column IV: %d rows, err %v; want 3 rows of %d cells", len(rows), err, MaxColumns)
	}
}

// readRows reads a whole sheet, or the first error.
func readRows(name string, data []byte) ([][]string, error) {
	r, err := Open(name, data)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out [][]string
	for {
		_, cells, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, cells)
	}
}
