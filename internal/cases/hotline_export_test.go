package cases

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/workday"
)

// HotlineExportKinds counts the rows of a realistic 12345 export by kind.
type HotlineExportKinds struct {
	Valid, BlankContent, Duplicates, Blank, Totals, BadTime, BadLimit, NoNumber, Conflicts int
}

// Errors is the number of rows the import must list as errors.
func (k HotlineExportKinds) Errors() int { return k.BadTime + k.BadLimit + k.NoNumber + k.Conflicts }

// Ignored is the number of rows the import must pass over: blank, 合计/小计 and folded duplicates.
func (k HotlineExportKinds) Ignored() int { return k.Blank + k.Totals + k.Duplicates }

// expectedOrder is what a valid work order of the export must become.
type expectedOrder struct {
	received    time.Time
	days, hours int       // a limit in working days or hours from the receipt
	due         time.Time // a limit given as a date-time
	text        string
}

func (e expectedOrder) dueOn(cal *workday.Calendar) time.Time {
	switch {
	case e.days > 0:
		return cal.AddWorkingDays(e.received, e.days).UTC()
	case e.hours > 0:
		return cal.AddWorkingHours(e.received, time.Duration(e.hours)*time.Hour).UTC()
	}
	return e.due
}

// RealisticHotlineExport builds a 12345 export as a district hotline centre hands it over: a title
// row, an export-time row, the header on row 3, 300 work orders whose times and limits cycle
// through every format exports use, every tenth with a blank 诉求内容, 20 identical rows exported
// twice, blank rows, rows with errors, work-order numbers reused with other content, and 合计/小计.
func RealisticHotlineExport(t testing.TB) ([]byte, HotlineExportKinds) {
	data, k, _ := realisticHotlineExport(t)
	return data, k
}

func realisticHotlineExport(t testing.TB) ([]byte, HotlineExportKinds, map[string]expectedOrder) {
	t.Helper()
	loc := clock.Shanghai()
	x := excelize.NewFile()
	const s = "Sheet1"
	_ = x.SetCellValue(s, "A1", "某区12345政务服务便民热线工单明细表")
	_ = x.MergeCell(s, "A1", "K1")
	_ = x.SetCellValue(s, "A2", "导出时间：2024年3月20日 10时00分　导出单位：区12345热线")
	header := []any{"序号", "工单编号", "诉求标题", "诉求内容", "来电人", "联系电话", "诉求地址", "问题分类", "受理时间", "办理时限", "工单状态"}
	_ = x.SetSheetRow(s, "A3", &header)
	line := 4
	put := func(row []any) {
		row[0] = line - 3
		_ = x.SetSheetRow(s, fmt.Sprintf("A%d", line), &row)
		line++
	}
	var k HotlineExportKinds
	want := map[string]expectedOrder{}
	classes := []string{"城市管理/路灯", "邻里纠纷/漏水", "环境卫生/垃圾清运", "其他/咨询"}
	var valid [][]any
	for i := 0; i < 300; i++ {
		rec := time.Date(2024, 3, 1+i%14, 8+i%10, i%60, 0, 0, loc)
		var when any
		switch i % 6 {
		case 0:
			when = excelSerial(rec)
		case 1:
			when = rec.Format("2006-01-02 15:04:05")
		case 2:
			when = rec.Format("2006-01-02 15:04")
		case 3:
			when = rec.Format("2006/1/2 15:04")
		case 4:
			when = rec.Format("2006年1月2日 15时04分")
		default:
			rec = time.Date(rec.Year(), rec.Month(), rec.Day(), 0, 0, 0, 0, loc)
			when = map[bool]string{true: rec.Format("2006-01-02"), false: rec.Format("2006年1月2日")}[i%12 == 5]
		}
		e := expectedOrder{received: rec.UTC()}
		var limit any
		switch i % 5 {
		case 0:
			e.due = rec.AddDate(0, 0, 10).UTC()
			if rec.Hour() == 0 && rec.Minute() == 0 { // a limit at midnight reads as the end of that day
				e.due = e.due.Add(18 * time.Hour)
			}
			limit = rec.AddDate(0, 0, 10).Format("2006-01-02 15:04")
		case 1:
			e.days, limit = 5, "5个工作日"
		case 2:
			e.hours, limit = 16, "16个工作小时"
		case 3:
			e.days, limit = 3, 3
		default:
			d := time.Date(2024, 3, 25, 18, 0, 0, 0, loc)
			e.due, limit = d.UTC(), excelSerial(d)
		}
		no := fmt.Sprintf("GZ20240301%04d", i+1)
		title := fmt.Sprintf("第%d号诉求 %s", i+1, classes[i%4])
		text := fmt.Sprintf("市民反映南关街%d号%s问题，请尽快处理", i%40+1, classes[i%4])
		e.text = text
		if i%10 == 9 {
			text, e.text = "", title
			k.BlankContent++
		}
		want[no] = e
		row := []any{0, no, title, text, "市民" + fmt.Sprint(i%7), fmt.Sprintf("1390000%04d", i), fmt.Sprintf("南关街%d号", i%40+1),
			classes[i%4], when, limit, []string{"待签收", "办理中"}[i%2]}
		valid = append(valid, row)
		k.Valid++
	}
	for i, row := range valid {
		put(append([]any(nil), row...))
		switch {
		case i%15 == 14 && k.Duplicates < 20: // a work order exported twice, identical but for 序号
			put(append([]any(nil), valid[k.Duplicates]...))
			k.Duplicates++
		case i%60 == 30:
			blankRow := []any{" ", " ", "", " "}
			_ = x.SetSheetRow(s, fmt.Sprintf("A%d", line), &blankRow)
			line++
			k.Blank++
		}
	}
	bad := func(no, when, limit string) []any {
		return []any{0, no, "错误行", "内容", "", "", "", "", when, limit, "待签收"}
	}
	for i := 0; i < 5; i++ {
		put(bad(fmt.Sprintf("GZ20240399%04d", i), "昨天下午", "2024-03-20 18:00"))
		k.BadTime++
	}
	for i := 0; i < 3; i++ {
		put(bad(fmt.Sprintf("GZ20240398%04d", i), "2024-03-05 09:00", "尽快办理"))
		k.BadLimit++
	}
	for i := 0; i < 2; i++ {
		put(bad("", fmt.Sprintf("2024-03-05 09:%02d", i), "3"))
		k.NoNumber++
	}
	for i := 100; i < 102; i++ {
		put(bad(fmt.Sprintf("GZ20240301%04d", i+1), "2024-03-06 09:00", "3"))
		k.Conflicts++
	}
	for _, label := range []string{"小计", "合计"} {
		row := []any{label, "", "", "", "", "", "", "", "", "", fmt.Sprintf("共%d条", line-4)}
		_ = x.SetSheetRow(s, fmt.Sprintf("A%d", line), &row)
		line++
		k.Totals++
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), k, want
}

// excelSerial is t's wall clock as an Excel serial date, which has no time zone.
func excelSerial(t time.Time) float64 {
	wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
	return wall.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24
}

func TestARealisticHotlineExportImportsWhatItShould(t *testing.T) {
	data, k, want := realisticHotlineExport(t)
	t.Logf("export: %d valid work orders (%d with a blank 诉求内容), %d identical duplicates, %d blank rows, %d 合计/小计 rows, "+
		"%d bad times, %d bad limits, %d without a number, %d numbers reused; %d KB",
		k.Valid, k.BlankContent, k.Duplicates, k.Blank, k.Totals, k.BadTime, k.BadLimit, k.NoNumber, k.Conflicts, len(data)>>10)
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		w.set(at(2024, 3, 20, 10, 0)) // the export's time
		file := HotlineFile{Name: "某区12345工单明细.xlsx", Data: data}
		res, err := w.svc.ImportHotline(w.ctx("admin"), file)
		if err != nil {
			t.Fatal(err)
		}
		orders := k.Valid + k.Errors()
		if res.Rows != orders || res.Created != 0 || len(res.Errors) != k.Errors() || res.Folded != k.Duplicates ||
			len(res.Ignored) != k.Ignored() {
			t.Fatalf("unconfirmed: rows %d created %d errors %d folded %d ignored %d; want %d, 0, %d, %d, %d",
				res.Rows, res.Created, len(res.Errors), res.Folded, len(res.Ignored), orders, k.Errors(), k.Duplicates, k.Ignored())
		}
		file.Confirm = true
		res, err = w.svc.ImportHotline(w.ctx("admin"), file)
		if err != nil || res.Created != k.Valid || len(res.Errors) != k.Errors() {
			t.Fatalf("confirmed: created %d, %d errors (first %+v), %v", res.Created, len(res.Errors), res.Errors[0], err)
		}
		cal, err := w.svc.Calendar(w.ctx("admin"))
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		byNo := map[string]Case{}
		for off := 0; ; off += 100 {
			list, total, err := w.svc.List(w.ctx("admin"), Filter{Channel: "hotline_12345", Limit: 100, Offset: off})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range list {
				e, ok := want[c.ExternalNo]
				if !ok {
					t.Errorf("case %s was not a valid work order of the export", c.ExternalNo)
					continue
				}
				seen++
				byNo[c.ExternalNo] = c
				if !c.ReceivedAt.Equal(e.received) || c.ExternalDue == nil || !c.ExternalDue.Equal(e.dueOn(cal)) {
					t.Errorf("%s: received %v due %v; want %v, %v", c.ExternalNo, c.ReceivedAt, c.ExternalDue, e.received, e.dueOn(cal))
				}
			}
			if off+100 >= total {
				break
			}
		}
		if seen != k.Valid {
			t.Fatalf("%d cases listed, want %d", seen, k.Valid)
		}
		blankNo := "GZ202403010010" // the tenth row: blank 诉求内容
		if c, ok := byNo[blankNo]; ok {
			d := w.get(c.ID)
			if !strings.HasPrefix(d.Description, want[blankNo].text) || !strings.Contains(d.Description, "12345工单状态：办理中") {
				t.Errorf("blank content: %q", d.Description)
			}
			acc := w.do("admin", c.ID, ActAccept, ActionInput{})
			if acc.HandleDeadline == nil || !acc.HandleDeadline.Equal(*c.ExternalDue) || !acc.ReceivedAt.Equal(want[blankNo].received) {
				t.Errorf("accepted: handle deadline %v received %v; want the hotline's %v, %v", acc.HandleDeadline, acc.ReceivedAt,
					c.ExternalDue, want[blankNo].received)
			}
		}
		again, err := w.svc.ImportHotline(w.ctx("admin"), file)
		if err != nil || again.Created != 0 || again.Skipped != k.Valid {
			t.Fatalf("the same file again: %+v %v", again, err)
		}
	})
}
