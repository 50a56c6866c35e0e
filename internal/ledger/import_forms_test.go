package ledger_test

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/ledger"
)

// formsLedger holds one row for each spelling and form a community ledger uses: year-and-month
// births with and without an ID number, units and doors in every spelling, a wrong mobile prefix,
// and the summary rows at the foot.
var formsLedger = [][]string{
	{"序号", "姓名", "公民身份号码", "联系电话", "出生年月", "楼号", "单元", "门牌号"},
	{"1", "张三", idZhang, "13800001111", "1950.03", "1号楼", "1", "101室"}, // 2: ID date wins
	{"2", "李四", idLi, "13800002222", "1952.9", "1号楼", "一单元", "102"},    // 3: disagrees with the ID
	{"3", "王五", "", "13800003333", "198801", "2号楼", "1单元", "201"},      // 4: first of the month, flagged
	{"4", "钱六", "", "12812345678", "1956年3月", "2号楼", "01", "202"},      // 5: not a mobile prefix
	{"5", "孙七", "", "13800007777", "1960.7", "箭道巷2号平房院", "", "5号"},     // 6: a bungalow door
	{"合计", "", "", "", "", "", "", ""},                                 // 7: summary
	{"共5人", "", "", "", "", "", "", ""},                                // 8: a lone count
}

func formsXLSX(t *testing.T) []byte {
	rows := make([][]any, len(formsLedger))
	for i, r := range formsLedger {
		for _, c := range r {
			rows[i] = append(rows[i], c)
		}
	}
	return xlsx(t, rows)
}

func formsGB18030(t *testing.T) []byte {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	if err := cw.WriteAll(formsLedger); err != nil {
		t.Fatal(err)
	}
	gb, _, err := transform.Bytes(simplifiedchinese.GB18030.NewEncoder(), buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return gb
}

func TestLedgerReadsTheFormsCommunitiesWrite(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newLedgerWorld(t, d)
		w.f.AddBuilding(t, w.f.Grids[0], "箭道巷2号平房院", 100.4425, 38.9255)
		im, err := w.ledger.Upload(w.ctx, w.f.Community.ID, "台账.xlsx", formsXLSX(t))
		if err != nil {
			t.Fatal(err)
		}
		c := im.Check
		t.Run("each fault is an error that names it", func(t *testing.T) {
			if !findIssue(c.Errors, 3, "出生年月“1952.9”与身份证号中的出生日期 1952-08-11 不一致") {
				t.Errorf("no disagreement on row 3 in %+v", c.Errors)
			}
			if !findIssue(c.Errors, 5, "“128”不是有效的手机号段") || findIssue(c.Errors, 5, "11位") {
				t.Errorf("row 5 should name the mobile prefix, not the length: %+v", c.Errors)
			}
			if len(c.Errors) != 2 || im.ErrorRows != 2 {
				t.Errorf("errors %+v; want rows 3 and 5 only", c.Errors)
			}
		})
		t.Run("summary rows are skipped and listed as skipped", func(t *testing.T) {
			if len(c.Skipped) != 2 || c.Skipped[0].Row != 7 || c.Skipped[1].Row != 8 {
				t.Errorf("skipped %+v; want rows 7 and 8", c.Skipped)
			}
			if im.TotalRows != 5 || im.ValidRows != 3 {
				t.Errorf("rows total %d, valid %d; want 5 people, 3 valid", im.TotalRows, im.ValidRows)
			}
		})
		t.Run("a year-and-month birth takes the ID's date, or the first of the month flagged", func(t *testing.T) {
			if !findIssue(c.Fixes, 2, "已按身份证号补全为 1950-03-04") || !findIssue(c.Fixes, 4, "按当月1日记为 1988-01-01") {
				t.Errorf("fixes %+v", c.Fixes)
			}
		})
		t.Run("the same ledger as GB18030 CSV gives the same check", func(t *testing.T) {
			again, err := w.ledger.Upload(w.ctx, w.f.Community.ID, "台账.csv", formsGB18030(t))
			if err != nil {
				t.Fatal(err)
			}
			a, b := again.Check, c
			if !reflect.DeepEqual(a.Errors, b.Errors) || !reflect.DeepEqual(a.Fixes, b.Fixes) || !reflect.DeepEqual(a.Skipped, b.Skipped) ||
				!reflect.DeepEqual(a.Preview, b.Preview) {
				t.Errorf("CSV check differs:\n csv  %+v\n xlsx %+v", a, b)
			}
		})
		done, err := w.ledger.CommitAndWait(w.ctx, im.ID)
		if err != nil || done.CreatedRows != 3 {
			t.Fatalf("commit: %+v, %v", done, err)
		}
		t.Run("units and doors are stored in the one canonical form", func(t *testing.T) {
			rows, err := d.R.Query(`SELECT h.unit, h.room, r.name, r.birth_date FROM residents r
				JOIN households h ON h.id = r.household_id ORDER BY r.name`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var got []string
			for rows.Next() {
				var unit, room, name, birth string
				if err := rows.Scan(&unit, &room, &name, &birth); err != nil {
					t.Fatal(err)
				}
				got = append(got, strings.Join([]string{name, unit, room, birth}, "|"))
			}
			want := []string{"孙七||5号|1960-07-01", "张三|1单元|101|1950-03-04", "王五|1单元|201|1988-01-01"}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("stored %q, want %q", got, want)
			}
		})
		t.Run("re-importing the same ledger changes nothing", func(t *testing.T) {
			before := counts(t, d)
			again, err := w.ledger.Upload(w.ctx, w.f.Community.ID, "台账.xlsx", formsXLSX(t))
			if err != nil {
				t.Fatal(err)
			}
			if again.Check.ToCreate != 0 || again.Check.ToUpdate != 0 || again.Check.Unchanged != 3 || again.Check.NewHouseholds != 0 {
				t.Errorf("re-import check %+v", again.Check)
			}
			if _, err := w.ledger.CommitAndWait(w.ctx, again.ID); err != nil {
				t.Fatal(err)
			}
			if after := counts(t, d); after.residents != before.residents || after.households != before.households {
				t.Errorf("re-import changed the register: %+v → %+v", before, after)
			}
		})
	})
}

// TestCorrectionsAreCountedByKind: the correction report counts every kind, and lists an example
// of each even past the first thousand corrections.
func TestCorrectionsAreCountedByKind(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newLedgerWorld(t, d)
		rows := [][]any{{"姓名", "出生日期", "楼号", "门牌号"}}
		for i := 0; i < 1200; i++ {
			rows = append(rows, []any{"居民" + fullWidth(strconv.Itoa(i)), "", "1号楼", strconv.Itoa(100 + i)})
		}
		rows = append(rows, []any{"孙七", "18326", "1号楼", "2001"})
		im, err := w.ledger.Upload(w.ctx, w.f.Community.ID, "台账.xlsx", xlsx(t, rows))
		if err != nil {
			t.Fatal(err)
		}
		want := []ledger.FixKind{{Kind: "全角字符已转为半角", Count: 1200}, {Kind: "Excel 日期序号已转换为日期", Count: 1}}
		if !reflect.DeepEqual(im.Check.FixKinds, want) || im.Check.FixCount != 1201 {
			t.Errorf("fix kinds %+v (count %d); want %+v", im.Check.FixKinds, im.Check.FixCount, want)
		}
		if !findIssue(im.Check.Fixes, 1202, "Excel 日期序号 18326 已转换为 1950-03-04") {
			t.Errorf("the one serial-date correction is not listed among %d", len(im.Check.Fixes))
		}
	})
}
