package cases

import (
	"strings"
	"testing"
	"time"

	"linli/internal/clock"
	"linli/internal/errs"
	"linli/internal/workday"
)

func sh(y int, m time.Month, d, hh, mm, ss int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, clock.Shanghai()).UTC()
}

func TestHotlineTimesAreReadInEveryFormatExportsUse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"45356.6458333333", sh(2024, 3, 5, 15, 30, 0)},
		{"45356", sh(2024, 3, 5, 0, 0, 0)},
		{"2024-01-02 15:04:05", sh(2024, 1, 2, 15, 4, 5)},
		{"2024-01-02 15:04", sh(2024, 1, 2, 15, 4, 0)},
		{"2024/1/2 15:04", sh(2024, 1, 2, 15, 4, 0)},
		{"2024/01/02 15:04:05", sh(2024, 1, 2, 15, 4, 5)},
		{"2024年3月7日 02时46分", sh(2024, 3, 7, 2, 46, 0)},
		{"2024年3月7日02时46分30秒", sh(2024, 3, 7, 2, 46, 30)},
		{"2024年3月7日 02:46", sh(2024, 3, 7, 2, 46, 0)},
		{"2024-01-02", sh(2024, 1, 2, 0, 0, 0)},
		{"2024/1/2", sh(2024, 1, 2, 0, 0, 0)},
		{"2024年1月2日", sh(2024, 1, 2, 0, 0, 0)},
		{"  2024-01-02   15:04 ", sh(2024, 1, 2, 15, 4, 0)},
	} {
		got, ok := parseHotlineTime(tc.in)
		if !ok || !got.Equal(tc.want) {
			t.Errorf("parseHotlineTime(%q) = %v, %v; want %v", tc.in, got, ok, tc.want)
		}
	}
	for _, in := range []string{"", "昨天", "2024-13-01", "3", "2024年3月"} {
		if got, ok := parseHotlineTime(in); ok {
			t.Errorf("parseHotlineTime(%q) = %v, want refused", in, got)
		}
	}
}

func TestHotlineLimitsCountFromTheHotlinesReceiptOnTheWorkingDayCalendar(t *testing.T) {
	cal := workday.New(nil, workday.DefaultHours())
	fri := sh(2024, 3, 1, 10, 0, 0) // a Friday
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"2024-03-15 17:30", sh(2024, 3, 15, 17, 30, 0)},
		{"2024-03-15", sh(2024, 3, 15, 18, 0, 0)},
		{"2024年3月15日", sh(2024, 3, 15, 18, 0, 0)},
		{"45366.75", sh(2024, 3, 15, 18, 0, 0)},
		{"3个工作日", cal.AddWorkingDays(fri, 3)},
		{"13个工作日", cal.AddWorkingDays(fri, 13)},
		{"5 个工作日内", cal.AddWorkingDays(fri, 5)},
		{"3", cal.AddWorkingDays(fri, 3)},
		{"3.0", cal.AddWorkingDays(fri, 3)},
		{"16个工作小时", cal.AddWorkingHours(fri, 16*time.Hour)},
	} {
		got, ok := parseHotlineLimit(tc.in, &fri, cal)
		if !ok || !got.Equal(tc.want) {
			t.Errorf("parseHotlineLimit(%q) = %v, %v; want %v", tc.in, got, ok, tc.want)
		}
	}
	if got := cal.AddWorkingDays(fri, 3).In(clock.Shanghai()); got.Weekday() != time.Wednesday {
		t.Errorf("3 working days from a Friday end on %v, want the Wednesday", got)
	}
	for _, in := range []string{"尽快", "0", "0个工作日", "-3", "三个工作日"} {
		if got, ok := parseHotlineLimit(in, &fri, cal); ok {
			t.Errorf("parseHotlineLimit(%q) = %v, want refused", in, got)
		}
	}
	if _, ok := parseHotlineLimit("3个工作日", nil, cal); ok {
		t.Error("a working-day limit without a receipt time was accepted")
	}
}

func TestTheHeaderIsFoundBelowTitleAndExportTimeRows(t *testing.T) {
	for _, tc := range []struct {
		name, csv string
		row       int
		fields    []string
		err       string
	}{
		{"header first", "工单编号,来电时间,诉求内容\nA1,2024-01-02,x\n", 1, []string{"no", "time", "text"}, ""},
		{"title and export time", "某区12345热线工单明细,,\n导出时间：2024-03-20 10:00,,\n,,\n工单号,受理时间,问题描述,联系人,来电号码,事发地址,处理时限,状态,问题分类\nA1,2024-01-02,x,,,,,,\n",
			4, []string{"no", "time", "text", "caller", "phone", "address", "deadline", "status", "category"}, ""},
		{"title only, content under 诉求标题", "标题行\n受理编号,登记时间,诉求标题\nA1,2024-01-02,x\n", 2, []string{"no", "time", "title"}, ""},
		{"starred, spaced, full-width", "＊工单编号：, 来电 时间 ,诉求内容\nA1,2024-01-02,x\n", 1, []string{"no", "time", "text"}, ""},
		{"no header in the top rows", strings.Repeat("说明\n", 11) + "工单编号,来电时间,诉求内容\n", 0, nil, "表头缺少必需的列"},
		{"missing time", "工单编号,诉求内容\nA1,x\n", 0, nil, "来电时间"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readSheet(HotlineFile{Name: "x.csv", Data: []byte(tc.csv)})
			if tc.err != "" {
				if !errs.Is(err, errs.Invalid) || !strings.Contains(errs.FieldsOf(err)["file"], tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got.headerRow != tc.row {
				t.Fatalf("header row %v, %v; want %d", got, err, tc.row)
			}
			for _, f := range tc.fields {
				if _, ok := got.col[f]; !ok {
					t.Errorf("field %s not mapped: %v", f, got.col)
				}
			}
		})
	}
}

func TestHotlineRowKinds(t *testing.T) {
	for _, tc := range []struct {
		row  []string
		want rowKind
	}{
		{[]string{"", " ", "\t"}, rowBlank},
		{[]string{"合计", "", "312"}, rowTotal},
		{[]string{"", "小计：", "20"}, rowTotal},
		{[]string{"总计", "1"}, rowTotal},
		{[]string{"1", "GZ1", "2024-01-02"}, rowOrder},
	} {
		if got := kindOf(tc.row); got != tc.want {
			t.Errorf("kindOf(%q) = %d, want %d", tc.row, got, tc.want)
		}
	}
}

func TestABlankContentTakesTheTitleAndTheHotlineStatusIsKept(t *testing.T) {
	col := map[string]int{"no": 0, "time": 1, "text": 2, "title": 3, "status": 4}
	in, bad := parseHotlineRow([]string{"GZ1", "2024-01-02 09:00", "", "东门路灯不亮", "办理中"}, col, 5, nil, nil)
	if len(bad) != 0 || !strings.HasPrefix(in.Description, "东门路灯不亮") || !strings.Contains(in.Description, "12345工单状态：办理中") ||
		in.Title != "东门路灯不亮" {
		t.Fatalf("got %+v %v", in, bad)
	}
	_, bad = parseHotlineRow([]string{"GZ1", "2024-01-02 09:00", "", "", ""}, col, 5, nil, nil)
	if len(bad) != 1 || bad[0].Column != "诉求内容" || bad[0].Row != 5 {
		t.Fatalf("blank content and title: %v", bad)
	}
}

// FuzzHotlineRow: whatever a row holds, reading it neither panics nor yields a work order without
// a number, a receipt or a description, and every error names its row.
func FuzzHotlineRow(f *testing.F) {
	f.Add("GZ2024030101", "2024年3月7日 02时46分", "楼上漏水", "", "13个工作日", "13912345678", "办理中")
	f.Add("GZ1", "45356.5", "", "路灯不亮", "3", "", "")
	f.Add("", "昨天", "", "", "尽快", "12", "")
	f.Add("合计", "", "", "", "", "", "312")
	f.Add("A-1", "2024/1/2 15:04", "x", "y", "16个工作小时", "１３９ １２３４ ５６７８", "已办结")
	cal := workday.New(nil, workday.DefaultHours())
	col := map[string]int{"no": 0, "time": 1, "text": 2, "title": 3, "deadline": 4, "phone": 5, "status": 6}
	f.Fuzz(func(t *testing.T, no, when, text, title, limit, phone, status string) {
		row := []string{no, when, text, title, limit, phone, status}
		_ = kindOf(row)
		_ = rowKey(row, col)
		in, bad := parseHotlineRow(row, col, 7, nil, cal)
		for _, e := range bad {
			if e.Row != 7 || e.Message == "" {
				t.Fatalf("error without row or message: %+v", e)
			}
		}
		if len(bad) == 0 && (in.ExternalNo == "" || in.ReceivedAt == nil || strings.TrimSpace(in.Description) == "") {
			t.Fatalf("accepted an incomplete work order: %+v", in)
		}
	})
}
