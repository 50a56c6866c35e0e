package ledger_test

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/ledger"
	"linli/internal/register"
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
		t.Run("the error report lists the skipped rows and counts every kind of correction", func(t *testing.T) {
			var buf bytes.Buffer
			if _, err := w.ledger.ErrorReport(w.ctx, im.ID, &buf); err != nil {
				t.Fatal(err)
			}
			f, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{"未导入的行", "跳过的行", "更正汇总", "自动更正"}) {
				t.Errorf("sheets %q", got)
			}
			skipped, _ := f.GetRows("跳过的行")
			if len(skipped) != 3 || skipped[0][0] != "原行号" || skipped[0][len(skipped[0])-1] != "跳过原因" ||
				skipped[1][0] != "7" || skipped[1][1] != "合计" || skipped[2][0] != "8" || skipped[2][1] != "共5人" ||
				skipped[1][len(skipped[1])-1] != c.Skipped[0].Message || skipped[2][len(skipped[2])-1] != c.Skipped[1].Message {
				t.Errorf("skipped sheet %q; want rows 7 and 8 as in the file with %+v", skipped, c.Skipped)
			}
			kinds, _ := f.GetRows("更正汇总")
			var got []ledger.FixKind
			for _, r := range kinds[1:] {
				n, _ := strconv.Atoi(r[1])
				got = append(got, ledger.FixKind{Kind: r[0], Count: n})
			}
			if len(kinds) < 3 || !reflect.DeepEqual(kinds[0], []string{"更正类别", "处数"}) || !reflect.DeepEqual(got, c.FixKinds) {
				t.Errorf("kinds sheet %q; want the check's %+v", kinds, c.FixKinds)
			}
			if fixes, _ := f.GetRows("自动更正"); len(fixes) != c.FixCount+1 {
				t.Errorf("%d corrections listed, want %d", len(fixes)-1, c.FixCount)
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

// In a bungalow courtyard a door written as a bare number is the courtyard's door N号: a new one is
// stored so, and one already registered as 5号 is found under 5.
func TestABareDoorOfABungalowCourtyardIsItsHaoDoor(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newLedgerWorld(t, d)
		lane, err := w.svc.CreateBuilding(w.ctx, register.BuildingInput{Name: "箭道巷2号平房院", Kind: "bungalow",
			GridID: w.f.Grids[0].ID, Units: 1, Floors: 1})
		if err != nil {
			t.Fatal(err)
		}
		five := w.f.AddHousehold(t, lane.ID, "", "5号")
		im, err := w.ledger.Upload(w.ctx, w.f.Community.ID, "台账.xlsx", xlsx(t, [][]any{
			{"姓名", "联系电话", "楼号", "门牌号"},
			{"孙七", "13800007777", "箭道巷2号平房院", "5"},
			{"周八", "13800008888", "箭道巷2号平房院", "6"},
		}))
		if err != nil {
			t.Fatal(err)
		}
		if im.Check.NewHouseholds != 1 || im.ErrorRows != 0 {
			t.Fatalf("check: %+v", im.Check)
		}
		if _, err := w.ledger.CommitAndWait(w.ctx, im.ID); err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string]string{"孙七": "5号", "周八": "6号"} {
			var room string
			var household int64
			if err := d.R.QueryRow(`SELECT h.id, h.room FROM residents r JOIN households h ON h.id = r.household_id
				WHERE r.name = $1`, name).Scan(&household, &room); err != nil {
				t.Fatal(err)
			}
			if room != want || (name == "孙七" && household != five) {
				t.Errorf("%s lives at door %q (household %d), want %q", name, room, household, want)
			}
		}
	})
}
