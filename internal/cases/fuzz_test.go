package cases

import (
	"strings"
	"testing"
	"time"

	"linli/internal/errs"
	"linli/internal/web"
	"linli/internal/workday"
)

// goSpeak is text of Go's parsers that must never reach a user.
var goSpeak = []string{"json:", "cannot unmarshal", "Go struct", "invalid character", "parsing time", "strconv."}

func speaksGo(err error) bool {
	all := errs.MessageOf(err)
	for _, m := range errs.FieldsOf(err) {
		all += m
	}
	for _, s := range goSpeak {
		if strings.Contains(all, s) {
			return true
		}
	}
	return false
}

// FuzzIntakeDecoder feeds arbitrary bodies to the API's intake decoding: it never panics, every
// refusal is a Chinese invalid-input error, and what it accepts normalizes without panic into
// text free of NUL characters and within its limits. Seeds: testdata/fuzz/FuzzIntakeDecoder.
func FuzzIntakeDecoder(f *testing.F) {
	f.Add([]byte(`{"channel":"phone","category_id":12,"description":"3号楼漏水","address":"3号楼","grid_id":2,"reporter_phone":"13812345678"}`))
	f.Add([]byte(`{"channel":"phone","received_at":"2024-03-07T14:46:00+08:00","lon":100.4,"lat":38.9}`))
	f.Add([]byte(`{"description":"a\u0000b"}`))
	f.Add([]byte(`[1,2]`))
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		var in Intake
		err := web.DecodeJSONBytes(body, &in)
		if err != nil {
			if !errs.Is(err, errs.Invalid) || speaksGo(err) {
				t.Fatalf("refusal %v (code %s)", err, errs.CodeOf(err))
			}
			return
		}
		err = in.normalize(false, now)
		if err != nil {
			if !errs.Is(err, errs.Invalid) || speaksGo(err) {
				t.Fatalf("normalize refusal %v", err)
			}
			return
		}
		for _, s := range []string{in.Title, in.Description, in.Address, in.ReporterName, in.ExternalNo, in.Channel} {
			if strings.IndexByte(s, 0) >= 0 {
				t.Fatalf("a NUL passed: %q", s)
			}
		}
		if len([]rune(in.Description)) > maxDescription || len([]rune(in.Address)) > maxAddress {
			t.Fatal("a text past its limit passed")
		}
	})
}

// FuzzHotlineReader feeds arbitrary .csv files to the 12345 reader: it never panics, a refused
// file is a Chinese field error on file, and every row it reads parses without panic into text
// free of NUL characters. Seeds: testdata/fuzz/FuzzHotlineReader.
func FuzzHotlineReader(f *testing.F) {
	f.Add([]byte("工单编号,来电时间,诉求内容\nGZ1,2024-01-02 09:00,路灯不亮\n"))
	f.Add([]byte("12345工单导出\n导出时间：2024年3月8日\n工单编号,来电时间,来电人,联系电话,诉求标题,诉求内容,办理时限\nGZ2,2024年3月7日 02时46分,张三,13812345678,噪音,,3个工作日\n合计,,,,,,\n"))
	f.Add([]byte("\xff\xfe工\x00单\x00"))
	cal := workday.SeedCalendar()
	f.Fuzz(func(t *testing.T, data []byte) {
		sh, err := readSheet(HotlineFile{Name: "export.csv", Data: data})
		if err != nil {
			if !errs.Is(err, errs.Invalid) || speaksGo(err) {
				t.Fatalf("refusal %v", err)
			}
			return
		}
		for _, l := range sh.lines {
			kindOf(l.cells)
			in, _ := parseHotlineRow(l.cells, sh.col, l.num, nil, cal)
			for _, s := range []string{in.Title, in.Description, in.Address, in.ReporterName, in.ExternalNo} {
				if strings.IndexByte(s, 0) >= 0 {
					t.Fatalf("row %d: a NUL passed: %q", l.num, s)
				}
			}
		}
	})
}
