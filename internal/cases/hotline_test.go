package cases

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
)

func TestHotlineImport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		// Messy but valid: full-width digits, stray spaces, an Excel serial date, a GBK-free CSV with BOM.
		csv := "\ufeff工单编号, 来电时间 ,来电人,联系电话,诉求内容,地址,诉求类别,办理时限\n" +
			"ＧＺ２０２４０３０１０１,2024-03-01 09:30,李女士,１３９ １２３４ ５６７８,楼上漏水到我家厨房,南关社区5号楼,邻里纠纷/漏水,2024-03-15\n" +
			" GZ2024030102 ,45352.5,王先生,13700001111,小区东门路灯不亮,东门,路灯,45366.75\n" +
			",,,,,,,\n" +
			"GZ2024030103,2024年3月2日 10:05,,,咨询低保办理流程,,未知类别,\n"
		res, err := w.svc.ImportHotline(w.ctx("admin"), HotlineFile{Name: "12345工单.csv", Data: []byte(csv)})
		if err != nil {
			t.Fatal(err)
		}
		if res.Rows != 3 || res.Created != 3 || res.Skipped != 0 || len(res.Errors) != 0 {
			t.Fatalf("first import: %+v", res)
		}
		list, total, err := w.svc.List(w.ctx("admin"), Filter{Channel: "hotline_12345"})
		if err != nil || total != 3 {
			t.Fatalf("listed %d, %v", total, err)
		}
		byNo := map[string]Case{}
		for _, c := range list {
			byNo[c.ExternalNo] = c
		}
		leak := byNo["GZ2024030101"]
		if leak.CategoryName != "邻里纠纷 › 漏水" || leak.ReporterPhone != "139****5678" ||
			!leak.ExternalDue.Equal(at(2024, 3, 15, 18, 0).UTC()) || !leak.ReceivedAt.Equal(at(2024, 3, 1, 9, 30).UTC()) {
			t.Fatalf("leak row: %+v", leak)
		}
		light := byNo["GZ2024030102"]
		if !light.ReceivedAt.Equal(at(2024, 3, 1, 12, 0).UTC()) || !light.ExternalDue.Equal(at(2024, 3, 15, 18, 0).UTC()) ||
			!strings.HasSuffix(light.CategoryName, "路灯") {
			t.Fatalf("serial dates / category: received %v due %v %s", light.ReceivedAt, light.ExternalDue, light.CategoryName)
		}
		if !strings.HasSuffix(byNo["GZ2024030103"].CategoryName, "其他事项") {
			t.Fatalf("unknown class: %s", byNo["GZ2024030103"].CategoryName)
		}
		// The hotline's deadline is kept when the case is accepted.
		acc := w.do("admin", leak.ID, ActAccept, ActionInput{})
		if !acc.HandleDeadline.Equal(*leak.ExternalDue) {
			t.Fatalf("handle deadline %v, want the hotline's %v", acc.HandleDeadline, leak.ExternalDue)
		}

		again, err := w.svc.ImportHotline(w.ctx("admin"), HotlineFile{Name: "again.csv", Data: []byte(csv)})
		if err != nil || again.Created != 0 || again.Skipped != 3 {
			t.Fatalf("re-import: %+v %v", again, err)
		}

		bad := "工单编号,来电时间,诉求内容,联系电话\nGZ9,2024-03-01 09:30,好的,\nGZ10,昨天,内容,\nGZ11,2024-03-01 10:00,,12\nGZ9,2024-03-01 11:00,重复,\n"
		res, err = w.svc.ImportHotline(w.ctx("admin"), HotlineFile{Name: "bad.csv", Data: []byte(bad)})
		if err != nil {
			t.Fatal(err)
		}
		if res.Created != 0 || len(res.Errors) != 4 {
			t.Fatalf("bad file: %+v", res)
		}
		for _, e := range res.Errors {
			if e.Row < 3 || e.Message == "" {
				t.Fatalf("row error: %+v", e)
			}
		}
		if _, total, _ := w.svc.List(w.ctx("admin"), Filter{Channel: "hotline_12345"}); total != 3 {
			t.Fatalf("a file with errors imported rows: %d cases", total)
		}

		x := excelize.NewFile()
		_ = x.SetSheetRow("Sheet1", "A1", &[]any{"工单编号", "来电时间", "诉求内容", "诉求类别"})
		_ = x.SetSheetRow("Sheet1", "A2", &[]any{"GZ2024030199", 45352.375, "供暖不热", "供暖"})
		var buf bytes.Buffer
		if err := x.Write(&buf); err != nil {
			t.Fatal(err)
		}
		res, err = w.svc.ImportHotline(w.ctx("admin"), HotlineFile{Name: "export.xlsx", Data: buf.Bytes()})
		if err != nil || res.Created != 1 {
			t.Fatalf("xlsx: %+v %v", res, err)
		}
		if _, err := w.svc.ImportHotline(w.ctx("grid01"), HotlineFile{Name: "x.csv", Data: []byte(csv)}); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("a grid leader imports: %v", err)
		}
		if _, err := w.svc.ImportHotline(w.ctx("admin"), HotlineFile{Name: "x.csv", Data: []byte("编号,内容\n1,2\n")}); !errs.Is(err, errs.Invalid) {
			t.Fatalf("missing columns: %v", err)
		}
	})
}

func TestIdempotentIntake(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		in := Intake{Channel: "app_jzy", CategoryID: w.category("infra.streetlight"), Description: "东门路灯不亮",
			Address: "东门", GridID: w.f.Grids[0].ID}
		first, created, err := w.svc.IntakeIdempotent(w.ctx("admin"), "req-1", in)
		if err != nil || !created {
			t.Fatalf("first: %v %v", created, err)
		}
		second, created, err := w.svc.IntakeIdempotent(w.ctx("admin"), "req-1", in)
		if err != nil || created || second.ID != first.ID {
			t.Fatalf("replay: created=%v id %d vs %d, %v", created, second.ID, first.ID, err)
		}
		other, created, err := w.svc.IntakeIdempotent(w.ctx("street"), "req-1", in)
		if err != nil || !created || other.ID == first.ID {
			t.Fatalf("another user's same key is another request: %v %v", created, err)
		}
		in.Description = "西门路灯不亮"
		if _, _, err := w.svc.IntakeIdempotent(w.ctx("admin"), "req-1", in); !errs.Is(err, errs.Conflict) {
			t.Fatalf("same key, different body: %v", err)
		}
		if _, total, _ := w.svc.List(w.ctx("district"), Filter{}); total != 2 {
			t.Fatalf("cases = %d, want 2", total)
		}
		_ = time.Second
	})
}

func TestIntakeValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		_, err := w.svc.Intake(w.ctx("admin"), Intake{Channel: "phone", CategoryID: w.category("dispute.leak")})
		if fields := errs.FieldsOf(err); fields["description"] == "" {
			t.Fatalf("missing description: %v", err)
		}
		_, err = w.svc.Intake(w.ctx("admin"), Intake{Channel: "phone", CategoryID: w.category("dispute"), Description: "x"})
		if fields := errs.FieldsOf(err); fields["category_id"] == "" {
			t.Fatalf("top-level category: %v", err)
		}
		_, err = w.svc.Intake(w.ctx("admin"), Intake{Channel: "phone", CategoryID: w.category("other.misc"), Description: "x",
			GridID: w.f.OtherGrid.ID})
		if !errs.Is(err, errs.Invalid) {
			t.Fatalf("a grid outside scope: %v", err)
		}
		c, err := w.svc.Submit(w.ctx("admin"), Intake{CategoryID: w.category("other.misc"), Description: "匿名反映",
			GridID: w.f.Grids[1].ID, Anonymous: true, ReporterPhone: "13812345678"})
		if err != nil || c.Channel != "web" || c.ReporterPhone != "" || len(c.TrackingCode) < 16 {
			t.Fatalf("anonymous public submission: %+v %v", c, err)
		}
	})
}
