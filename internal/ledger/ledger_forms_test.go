package ledger

import "testing"

// Each spelling a ledger uses for a unit or a door maps onto the one form Linli stores.
func TestCanonicalUnitsAndDoors(t *testing.T) {
	for in, want := range map[string]string{"1": "1单元", "01": "1单元", "1单元": "1单元", "一单元": "1单元", "１单元": "1单元",
		" 2 单元": "2单元", "东单元": "东单元", "": ""} {
		if got := canonUnit(in); got != want {
			t.Errorf("canonUnit(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"101": "101", "101室": "101", "0101": "101", "5号": "5号", "05号": "5号",
		"５号": "5号", "A101": "A101", "": ""} {
		if got := canonRoom(in); got != want {
			t.Errorf("canonRoom(%q) = %q, want %q", in, got, want)
		}
	}
}

// A birth column that holds only year and month is read in each of the ways ledgers write it.
func TestYearMonthBirthForms(t *testing.T) {
	for in, want := range map[string]string{"1956.03": "1956-03", "1960.7": "1960-07", "198801": "1988-01",
		"1956年3月": "1956-03", "1956-03": "1956-03", "1956/3": "1956-03", "2001.12": "2001-12"} {
		if got, ok := yearMonth(in); !ok || got != want {
			t.Errorf("yearMonth(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"1956.13", "1956.0", "1956-03-08", "19560308", "56.03", "1850.03", "18326"} {
		if got, ok := yearMonth(in); ok {
			t.Errorf("yearMonth(%q) = %q; want it left to the full-date reader", in, got)
		}
	}
}

// Summary rows are recognised; people, even with a missing name, are not.
func TestSummaryRows(t *testing.T) {
	p := newRowParser(LedgerMapping{Columns: []string{"", "name", "id_number", fieldBuilding, fieldUnit, fieldRoom}}, nil)
	for _, c := range []struct {
		cells   []string
		summary bool
	}{
		{[]string{"合计", "", "", "", "", ""}, true},
		{[]string{"", "小计：", "", "", "", ""}, true},
		{[]string{"总计 120人", "", "", "", "", ""}, true},
		{[]string{"", "", "", "", "", "共36户"}, true},
		{[]string{"120", "", "", "", "", ""}, true},
		{[]string{"1", "张三", "", "1号楼", "1", "101"}, false},
		{[]string{"", "", "", "", "1", "101"}, false},
		{[]string{"3", "合计", "620702195003040112", "1号楼", "1", "101"}, false},
	} {
		if got := p.summaryRow(c.cells) != ""; got != c.summary {
			t.Errorf("summaryRow(%q) = %v, want %v", c.cells, got, c.summary)
		}
	}
}

// An address written exactly as Linli shows one is not a correction; stray spaces still are.
func TestAddressInLinliFormIsNotACorrection(t *testing.T) {
	p := newRowParser(LedgerMapping{Columns: []string{"name", fieldAddress}}, nil)
	if r := p.parse(3, []string{"周九", "甘泉小区1号楼 1单元 103室"}); len(r.fixes()) != 0 || r.unit != "1单元" || r.room != "103" {
		t.Errorf("Linli's own form: fixes %+v, unit %q, room %q", r.fixes(), r.unit, r.room)
	}
	if r := p.parse(4, []string{"周九", " 甘泉小区1号楼  1单元 103室"}); len(r.fixes()) != 1 {
		t.Errorf("stray spaces: fixes %+v, want one", r.fixes())
	}
}
