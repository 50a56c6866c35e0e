package sheet

import "testing"

// A written workbook reads back through the package's own reader, header first.
func TestAWrittenWorkbookReadsBack(t *testing.T) {
	b, err := Workbook("需求清单", []string{"序号", "名称"}, [][]any{{1, "助餐"}, {2, "扶手加装"}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open("x.xlsx", b)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var rows [][]string
	for {
		_, cells, err := r.Next()
		if err != nil {
			break
		}
		rows = append(rows, append([]string(nil), cells...))
	}
	if len(rows) != 3 || rows[0][1] != "名称" || rows[2][1] != "扶手加装" {
		t.Errorf("read back %v", rows)
	}
}
