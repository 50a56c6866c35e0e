package ledger_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
	"linli/internal/ledger"
	"linli/internal/register"
)

func sheetText(t *testing.T, data []byte) (string, [][]string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the export does not open: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(rows), rows
}

func TestLedgerExport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newLedgerWorld(t, d)
		im, err := w.ledger.Upload(w.ctx, w.f.Community.ID, "台账.xlsx", messyLedger(t))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.ledger.CommitAndWait(w.ctx, im.ID); err != nil {
			t.Fatal(err)
		}
		t.Run("masks every number by default", func(t *testing.T) {
			var buf bytes.Buffer
			n, err := w.ledger.ExportResidents(w.ctx, ledger.ExportRequest{}, &buf)
			if err != nil || n != 4 {
				t.Fatalf("export: %d %v", n, err)
			}
			text, rows := sheetText(t, buf.Bytes())
			if rows[0][0] != "姓名" || len(rows) != 5 {
				t.Fatalf("rows: %q", rows)
			}
			for _, raw := range []string{idZhang, fullWidth(idZhao), idZhao, "13800001111", "13800009999"} {
				if strings.Contains(text, raw) {
					t.Errorf("masked export carries %s", raw)
				}
			}
			if !strings.Contains(text, "138****1111") || !strings.Contains(text, "独居老人") {
				t.Errorf("export lacks masked phone or tag: %s", text)
			}
			if count(t, d, "SELECT COUNT(*) FROM audit_log WHERE action = 'ledger.export'") != 1 {
				t.Error("the export is not audited")
			}
		})
		t.Run("applies the resident list's filters", func(t *testing.T) {
			var buf bytes.Buffer
			n, err := w.ledger.ExportResidents(w.ctx, ledger.ExportRequest{Filter: register.ResidentFilter{Tag: "dibao"}}, &buf)
			if err != nil || n != 2 {
				t.Fatalf("低保 export: %d %v", n, err)
			}
		})
		t.Run("unmasks only with a reason, and audits it as pii.export", func(t *testing.T) {
			var buf bytes.Buffer
			if _, err := w.ledger.ExportResidents(w.ctx, ledger.ExportRequest{Unmask: true}, &buf); !errs.Is(err, errs.Invalid) {
				t.Fatalf("unmask without reason: %v", err)
			}
			_, err := w.ledger.ExportResidents(w.ctx, ledger.ExportRequest{Unmask: true, Reason: "报送民政局年审"}, &buf)
			if err != nil {
				t.Fatal(err)
			}
			text, _ := sheetText(t, buf.Bytes())
			if !strings.Contains(text, idZhang) || !strings.Contains(text, "13800001111") {
				t.Errorf("unmasked export lacks the numbers: %s", text)
			}
			var detail, after string
			if err := d.R.QueryRow(`SELECT detail, after FROM audit_log WHERE action = 'pii.export'`).Scan(&detail, &after); err != nil {
				t.Fatalf("no pii.export audit: %v", err)
			}
			if !strings.Contains(detail, "报送民政局年审") || strings.Contains(detail+after, idZhang) {
				t.Errorf("pii.export audit: %q %q", detail, after)
			}
		})
		t.Run("exports households and buildings", func(t *testing.T) {
			var hb, bb bytes.Buffer
			if n, err := w.ledger.ExportHouseholds(w.ctx, 0, &hb); err != nil || n != 3 {
				t.Fatalf("households: %d %v", n, err)
			}
			if n, err := w.ledger.ExportBuildings(w.ctx, 0, &bb); err != nil || n != 2 {
				t.Fatalf("buildings: %d %v", n, err)
			}
			_, rows := sheetText(t, hb.Bytes())
			if rows[0][5] != "户主" || !strings.Contains(fmt.Sprint(rows), "张三") {
				t.Errorf("household ledger: %q", rows)
			}
		})
		t.Run("writes every unit in the one form, a household stored as a bare 4 too", func(t *testing.T) {
			h := w.f.AddHousehold(t, w.b1, "4", "401") // as stored before migration 0020
			w.f.AddResident(t, register.ResidentInput{HouseholdID: h, Name: "周九", Relation: "户主"})
			var rb, hb bytes.Buffer
			if _, err := w.ledger.ExportResidents(w.ctx, ledger.ExportRequest{}, &rb); err != nil {
				t.Fatal(err)
			}
			if _, err := w.ledger.ExportHouseholds(w.ctx, 0, &hb); err != nil {
				t.Fatal(err)
			}
			for name, data := range map[string][]byte{"residents": rb.Bytes(), "households": hb.Bytes()} {
				_, rows := sheetText(t, data)
				col := -1
				for i, h := range rows[0] {
					if h == "单元" {
						col = i
					}
				}
				units := map[string]bool{}
				for _, r := range rows[1:] {
					if col < len(r) {
						units[r[col]] = true
					}
				}
				if col < 0 || !units["4单元"] || !units["1单元"] || units["4"] || units["1"] {
					t.Errorf("%s export's units: %v", name, units)
				}
			}
		})
		t.Run("another community's admin exports none of it", func(t *testing.T) {
			var buf bytes.Buffer
			if n, err := w.ledger.ExportResidents(w.f.Ctx("other"), ledger.ExportRequest{}, &buf); err != nil || n != 0 {
				t.Errorf("北关 export: %d %v", n, err)
			}
		})
	})
}
