package ledger_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
	"linli/internal/fixture"
	"linli/internal/ledger"
	"linli/internal/pii"
	"linli/internal/register"
)

// ledgerWorld is the fixture community with buildings 1号楼 (grid 01) and 2号楼 (grid 02).
type ledgerWorld struct {
	f      *fixture.Community
	svc    *register.Service
	ledger *ledger.Ledger
	b1, b2 int64
	ctx    context.Context
}

func newLedgerWorld(t testing.TB, d *db.DB) *ledgerWorld {
	f := fixture.New(t, d)
	svc := register.NewService(d, f.Sealer)
	w := &ledgerWorld{f: f, svc: svc, ledger: ledger.New(d, f.Sealer, svc, slog.New(slog.NewTextHandler(io.Discard, nil))),
		ctx: f.Ctx("admin")}
	w.b1 = f.AddBuilding(t, f.Grids[0], "1号楼", 100.4420, 38.9250)
	w.b2 = f.AddBuilding(t, f.Grids[1], "2号楼", 100.4550, 38.9250)
	return w
}

// xlsx writes rows into the first sheet of a new workbook, the way a test builds a real ledger file.
func xlsx(t testing.TB, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var ledgerHeader = []any{"序号", "姓名", "性别", "公民身份号码", "联系电话", "出生日期", "楼号", "单元", "门牌号", "与户主关系", "人员类别", "民族", "独居", "低保", "备注"}

// Valid fake ID numbers.
var (
	idZhang = fixture.IDNumber("19500304", "011") // 男
	idLi    = fixture.IDNumber("19520811", "022") // 女
	idWang  = fixture.IDNumber("19801212", "031")
	idZhao  = fixture.IDNumber("20100601", "042")
)

func badChecksum(id string) string {
	last := id[17]
	if last == '1' {
		return id[:17] + "2"
	}
	return id[:17] + "1"
}

func fullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			r = r - '0' + '０'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// messyLedger is a title row, the header, and rows with every kind of problem a community file has.
func messyLedger(t testing.TB) []byte {
	return xlsx(t, [][]any{
		{"南关社区人口台账"},
		ledgerHeader,
		{1, "张三", "男", idZhang, "13800001111", "", "1号楼", "1", "101", "户主", "户籍", "汉", "√", "", ""},                     // 3 valid
		{2, "李四", "女", badChecksum(idLi), "13800002222", "", "1号楼", "1", "101", "配偶", "户籍", "汉", "", "", ""},            // 4 bad checksum
		{3, "王五", "男", idWang, "1380000", "", "1号楼", "1", "102", "户主", "户籍", "汉", "", "", ""},                           // 5 bad phone
		{4, "钱六", "男", "", "13800004444", "1960-01-02", "9号楼", "1", "101", "户主", "户籍", "汉", "", "", ""},                 // 6 unknown building
		{5, "张三", "男", idZhang, "13800001111", "", "2号楼", "1", "201", "户主", "户籍", "汉", "", "", ""},                      // 7 same person twice
		{6, "孙七", "女", "", "", 18326, "2号楼", "2", "301", "户主", "流动人口", "回", "", "是", ""},                                // 8 Excel serial date
		{7, "赵小八", "女", fullWidth(idZhao), "１３８００００８８８８", "", "2号楼", "2", "301", "女儿", "流动", "回", "", "", ""},           // 9 full-width digits
		{8, " 周 九 ", "男", "", "13800009999", "1950.3.4", " 1号楼 ", " 1 ", "103 ", "户主", "户籍", "汉族", "", "1", "  行动不便  "}, // 10 stray spaces
	})
}

func findIssue(list []ledger.RowIssue, row int, text string) bool {
	for _, i := range list {
		if i.Row == row && strings.Contains(i.Message, text) {
			return true
		}
	}
	return false
}

func count(t *testing.T, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.R.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

type registerCounts struct{ residents, households, fts, tags, audits int }

func counts(t *testing.T, d *db.DB) registerCounts {
	return registerCounts{count(t, d, "SELECT COUNT(*) FROM residents"), count(t, d, "SELECT COUNT(*) FROM households"),
		count(t, d, "SELECT COUNT(*) FROM resident_fts"), count(t, d, "SELECT COUNT(*) FROM resident_tags"),
		count(t, d, "SELECT COUNT(*) FROM audit_log WHERE action = 'import.commit'")}
}

func TestLedgerCheck(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newLedgerWorld(t, d)
		im, err := w.ledger.Upload(w.ctx, w.f.Community.ID, "南关台账.xlsx", messyLedger(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Run("finds the header under the title and suggests the mapping", func(t *testing.T) {
			if im.Mapping.HeaderRow != 2 || im.Mapping.Columns[3] != "id_number" || im.Mapping.Columns[6] != "building" {
				t.Errorf("mapping = %+v", im.Mapping)
			}
		})
		t.Run("reports each bad row with its row number, column and a Chinese reason", func(t *testing.T) {
			for _, c := range []struct {
				row  int
				text string
			}{
				{4, "校验位错误"}, {5, "电话号码格式不正确"}, {6, "楼栋“9号楼”不在本社区"}, {7, "与第3行是同一人"},
			} {
				if !findIssue(im.Check.Errors, c.row, c.text) {
					t.Errorf("no error %q on row %d in %+v", c.text, c.row, im.Check.Errors)
				}
			}
			for _, e := range im.Check.Errors {
				if e.Row == 4 && e.Column != "公民身份号码" {
					t.Errorf("row 4 error filed under column %q", e.Column)
				}
			}
			if im.TotalRows != 8 || im.ErrorRows != 4 || im.ValidRows != 4 {
				t.Errorf("rows total %d, errors %d, valid %d; want 8, 4, 4", im.TotalRows, im.ErrorRows, im.ValidRows)
			}
		})
		t.Run("corrects serial dates, full-width digits and stray spaces and says so", func(t *testing.T) {
			for _, c := range []struct {
				row  int
				text string
			}{
				{8, "Excel 日期序号 18326 已转换为 1950-03-04"}, {9, "全角字符已转为半角"}, {10, "多余空格已去除"},
			} {
				if !findIssue(im.Check.Fixes, c.row, c.text) {
					t.Errorf("no correction %q on row %d in %+v", c.text, c.row, im.Check.Fixes)
				}
			}
		})
		t.Run("previews rows as they will be stored, numbers masked", func(t *testing.T) {
			byName := map[string]ledger.PreviewRow{}
			for _, p := range im.Check.Preview {
				byName[p.Name] = p
			}
			z, sun, zhou := byName["张三"], byName["孙七"], byName["周九"]
			if z.IDMasked != idZhang[:4]+"**********"+idZhang[14:] || z.PhoneMasked != "138****1111" || z.Gender != "男" ||
				z.BirthDate != "1950-03-04" || z.Address != "1号楼 1单元 101室" || z.Action != "create" {
				t.Errorf("张三 previewed as %+v", z)
			}
			if sun.BirthDate != "1950-03-04" || sun.ResidenceType != "流动" || sun.Ethnicity != "回族" || !sun.NewHousehold {
				t.Errorf("孙七 previewed as %+v", sun)
			}
			if zhou.Name != "周九" || zhou.Address != "1号楼 1单元 103室" || len(zhou.Tags) != 1 {
				t.Errorf("周九 previewed as %+v", zhou)
			}
			body, _ := json.Marshal(im)
			for _, raw := range []string{idZhang, idWang, idZhao, "13800001111", "13800009999"} {
				if strings.Contains(string(body), raw) {
					t.Errorf("the checked import carries the raw number %s", raw)
				}
			}
		})
		t.Run("writes nothing to the register before the commit", func(t *testing.T) {
			if c := counts(t, d); c.residents != 0 || c.households != 0 {
				t.Errorf("after upload: %+v", c)
			}
		})
	})
}

func TestLedgerCommit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newLedgerWorld(t, d)
		file := messyLedger(t)
		im, err := w.ledger.Upload(w.ctx, w.f.Community.ID, "南关台账.xlsx", file)
		if err != nil {
			t.Fatal(err)
		}
		done, err := w.ledger.CommitAndWait(w.ctx, im.ID)
		if err != nil {
			t.Fatal(err)
		}
		t.Run("creates the valid rows and their households in the building's grid", func(t *testing.T) {
			if done.Status != ledger.ImportCommitted || done.CreatedRows != 4 || done.UpdatedRows != 0 {
				t.Fatalf("commit = %s created %d updated %d", done.Status, done.CreatedRows, done.UpdatedRows)
			}
			c := counts(t, d)
			if c.residents != 4 || c.households != 3 || c.fts != 4 || c.tags != 3 || c.audits != 1 {
				t.Errorf("after commit: %+v", c)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM households h JOIN buildings b ON b.id = h.building_id
				WHERE h.region_id = b.grid_id`); n != 3 {
				t.Errorf("%d of 3 households are in their building's grid", n)
			}
			if n := count(t, d, `SELECT COUNT(*) FROM residents r JOIN households h ON h.id = r.household_id
				WHERE r.region_id = h.region_id`); n != 4 {
				t.Errorf("%d of 4 residents are in their household's grid", n)
			}
		})
		t.Run("imported residents are found by a two-character search", func(t *testing.T) {
			list, total, err := w.svc.Residents(w.ctx, register.ResidentFilter{Q: "孙七"})
			if err != nil || total != 1 || list[0].Name != "孙七" {
				t.Fatalf("search 孙七: %v %d %v", list, total, err)
			}
			if !list[0].HasTag(register.TagDibao) {
				t.Errorf("孙七 lacks the 低保 tag: %v", list[0].Tags)
			}
		})
		t.Run("the audit entry sums up the import without a raw number", func(t *testing.T) {
			var detail, after string
			if err := d.R.QueryRow(`SELECT detail, after FROM audit_log WHERE action = 'import.commit'`).Scan(&detail, &after); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(detail, "新增4人") {
				t.Errorf("audit detail %q", detail)
			}
			all := ""
			rows, _ := d.R.Query(`SELECT detail || before || after FROM audit_log`)
			for rows.Next() {
				var s string
				rows.Scan(&s)
				all += s
			}
			rows.Close()
			if strings.Contains(all, idZhang) || strings.Contains(all, "13800001111") {
				t.Error("a raw number reached the audit log")
			}
		})
		t.Run("re-importing the same file changes nothing", func(t *testing.T) {
			before := counts(t, d)
			again, err := w.ledger.Upload(w.ctx, w.f.Community.ID, "南关台账.xlsx", file)
			if err != nil {
				t.Fatal(err)
			}
			if again.Check.ToCreate != 0 || again.Check.ToUpdate != 0 || again.Check.Unchanged != 4 || again.PreviousImport != im.ID {
				t.Errorf("re-check: %+v previous %d", again.Check, again.PreviousImport)
			}
			res, err := w.ledger.CommitAndWait(w.ctx, again.ID)
			if err != nil {
				t.Fatal(err)
			}
			if res.CreatedRows != 0 || res.UpdatedRows != 0 {
				t.Errorf("re-import created %d, updated %d", res.CreatedRows, res.UpdatedRows)
			}
			after := counts(t, d)
			after.audits--
			if after != before {
				t.Errorf("re-import changed the register: %+v → %+v", before, after)
			}
		})
		t.Run("a changed row updates the resident it names, matched by ID number", func(t *testing.T) {
			changed := xlsx(t, [][]any{
				ledgerHeader,
				{1, "张三", "男", idZhang, "13900001111", "", "2号楼", "1", "201", "户主", "户籍", "汉", "", "", "已搬家"},
			})
			im, err := w.ledger.Upload(w.ctx, w.f.Community.ID, "变更.xlsx", changed)
			if err != nil {
				t.Fatal(err)
			}
			res, err := w.ledger.CommitAndWait(w.ctx, im.ID)
			if err != nil || res.UpdatedRows != 1 || res.CreatedRows != 0 {
				t.Fatalf("update import: %+v %v", res, err)
			}
			list, _, _ := w.svc.Residents(w.ctx, register.ResidentFilter{Q: "13900001111"})
			if len(list) != 1 || list[0].Address != "2号楼 1单元 201室" || list[0].Note != "已搬家" || list[0].HasTag(register.TagElderlyAlone) {
				t.Errorf("after update: %+v", list)
			}
			if n := count(t, d, "SELECT COUNT(*) FROM residents WHERE name = '张三'"); n != 1 {
				t.Errorf("%d 张三 in the register", n)
			}
		})
		t.Run("each building keeps the counts of its households and residents", func(t *testing.T) {
			if n := fixture.MiscountedBuildings(t, d); n != 0 {
				t.Errorf("%d buildings keep counts other than their rows'", n)
			}
			if n := count(t, d, `SELECT SUM(resident_count) FROM buildings`); n != 4 {
				t.Errorf("the buildings count %d residents, want 4", n)
			}
		})
	})
}

func TestLedgerCommitFailureLeavesNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newLedgerWorld(t, d)
		rows := [][]any{ledgerHeader}
		for i := 0; i < 30; i++ {
			rows = append(rows, []any{i + 1, fmt.Sprintf("居民%02d", i), "", "", "", "", "1号楼", "1", fmt.Sprint(100 + i), "户主", "", "", "√", "", ""})
		}
		im, err := w.ledger.Upload(w.ctx, w.f.Community.ID, "台账.xlsx", xlsx(t, rows))
		if err != nil {
			t.Fatal(err)
		}
		before := counts(t, d)
		ledger.SetLedgerHooks(w.ledger, 4, func(done int) error {
			if done >= 12 {
				return errors.New("disk unplugged")
			}
			return nil
		})
		res, err := w.ledger.CommitAndWait(w.ctx, im.ID)
		if err == nil {
			t.Fatalf("commit succeeded: %+v", res)
		}
		if after := counts(t, d); after != before {
			t.Errorf("a failed commit changed the register: %+v → %+v", before, after)
		}
		got, err := w.ledger.Get(w.ctx, im.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != ledger.ImportFailed || !strings.Contains(got.Message, "数据库未作任何更改") {
			t.Errorf("import after failure: %s %q", got.Status, got.Message)
		}
		t.Run("and the import can be committed again", func(t *testing.T) {
			ledger.SetLedgerHooks(w.ledger, 4, nil)
			res, err := w.ledger.CommitAndWait(w.ctx, im.ID)
			if err != nil || res.CreatedRows != 30 {
				t.Fatalf("second commit: %+v %v", res, err)
			}
		})
	})
}

func TestLedgerBackgroundCommitShowsProgress(t *testing.T) {
	d := dbtest.SQLite(t)
	w := newLedgerWorld(t, d)
	rows := [][]any{ledgerHeader}
	for i := 0; i < 50; i++ {
		rows = append(rows, []any{i + 1, fmt.Sprintf("居民%02d", i), "", "", "", "", "1号楼", "1", fmt.Sprint(100 + i), "", "", "", "", "", ""})
	}
	im, err := w.ledger.Upload(w.ctx, w.f.Community.ID, "台账.xlsx", xlsx(t, rows))
	if err != nil {
		t.Fatal(err)
	}
	seen := make(chan int, 100)
	release := make(chan struct{})
	ledger.SetLedgerHooks(w.ledger, 10, func(done int) error {
		seen <- done
		if done == 20 {
			<-release
		}
		return nil
	})
	started, err := w.ledger.Commit(w.ctx, im.ID)
	if err != nil || started.Status != ledger.ImportCommitting {
		t.Fatalf("commit: %+v %v", started, err)
	}
	for n := range seen {
		if n == 20 {
			break
		}
	}
	mid, err := w.ledger.Get(w.ctx, im.ID)
	if err != nil {
		t.Fatal(err)
	}
	if mid.Status != ledger.ImportCommitting || mid.DoneRows != 20 || mid.Progress() != 40 {
		t.Errorf("midway: %s done %d (%d%%)", mid.Status, mid.DoneRows, mid.Progress())
	}
	if _, err := w.ledger.Commit(w.ctx, im.ID); !errs.Is(err, errs.Conflict) {
		t.Errorf("a second commit while running: %v", err)
	}
	close(release)
	w.ledger.Wait()
	end, _ := w.ledger.Get(w.ctx, im.ID)
	if end.Status != ledger.ImportCommitted || end.DoneRows != 50 {
		t.Errorf("after: %s done %d", end.Status, end.DoneRows)
	}
}

func TestLedgerErrorReport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newLedgerWorld(t, d)
		im, err := w.ledger.Upload(w.ctx, w.f.Community.ID, "南关台账.xlsx", messyLedger(t))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := w.ledger.ErrorReport(w.ctx, im.ID, &buf); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatalf("the error report does not open: %v", err)
		}
		defer f.Close()
		rows, err := f.GetRows("未导入的行")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 5 || rows[0][0] != "原行号" || rows[0][len(rows[0])-1] != "错误原因" {
			t.Fatalf("report rows: %q", rows)
		}
		reasons := map[string]string{}
		for _, r := range rows[1:] {
			reasons[r[0]] = r[len(r)-1]
		}
		for row, want := range map[string]string{"4": "公民身份号码：身份证号校验位错误", "5": "联系电话：电话号码格式不正确",
			"6": "楼号：楼栋“9号楼”不在本社区", "7": "与第3行是同一人"} {
			if !strings.Contains(reasons[row], want) {
				t.Errorf("row %s reason %q, want %q", row, reasons[row], want)
			}
		}
		if rows[1][2] != "李四" || rows[1][4] != badChecksum(idLi)[:4]+"**********"+badChecksum(idLi)[14:] {
			t.Errorf("row 4 not reported as in the file with its number masked: %q", rows[1])
		}
		if len(rows[3]) < 3 || rows[3][2] != "钱六" {
			t.Errorf("row 6, refused for its building, not reported as in the file: %q", rows[3])
		}
		fixes, _ := f.GetRows("自动更正")
		if len(fixes) < 4 {
			t.Errorf("corrections sheet: %q", fixes)
		}
		all := fmt.Sprint(rows, fixes)
		for _, raw := range []string{idWang, idZhang, "13800002222", badChecksum(idLi)} {
			if strings.Contains(all, raw) {
				t.Errorf("the error report carries the raw number %s", raw)
			}
		}
	})
}

func TestLedgerScope(t *testing.T) {
	d := dbtest.SQLite(t)
	w := newLedgerWorld(t, d)
	im, err := w.ledger.Upload(w.ctx, w.f.Community.ID, "台账.xlsx", messyLedger(t))
	if err != nil {
		t.Fatal(err)
	}
	other := w.f.Ctx("other")
	if _, err := w.ledger.Get(other, im.ID); !errs.Is(err, errs.NotFound) {
		t.Errorf("another community's admin reads the import: %v", err)
	}
	if _, err := w.ledger.Upload(other, w.f.Community.ID, "台账.xlsx", messyLedger(t)); !errs.Is(err, errs.NotFound) {
		t.Errorf("another community's admin uploads into 南关: %v", err)
	}
	if _, err := w.ledger.Upload(w.f.Ctx("grid01"), w.f.Community.ID, "台账.xlsx", messyLedger(t)); !errs.Is(err, errs.Forbidden) {
		t.Errorf("a grid leader uploads: %v", err)
	}
	if _, err := w.ledger.Upload(w.ctx, w.f.Community.ID, "照片.png", []byte("\x89PNG....")); !errs.Is(err, errs.Invalid) ||
		!strings.Contains(errs.MessageOf(err), "仅支持 .xlsx 或 .csv") {
		t.Errorf("a picture: %v", err)
	}
}

// TestLedgerLarge imports a 20,000-row ledger — many write batches, a progress bar's worth of
// steps — and checks that every row arrived where it belongs and that checking the same file again
// finds nothing to do. How long it takes is BenchmarkLedgerLarge's business (docs/performance.md).
func TestLedgerLarge(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		const n = 20000
		w := newLedgerWorld(t, d)
		data := bigLedger(t, n)
		im, err := w.ledger.Upload(w.ctx, w.f.Community.ID, "大台账.xlsx", data)
		if err != nil {
			t.Fatal(err)
		}
		if im.TotalRows != n || im.ErrorRows != 0 || im.Check.ToCreate != n {
			t.Fatalf("check: %d rows, %d with errors, %d to create", im.TotalRows, im.ErrorRows, im.Check.ToCreate)
		}
		res, err := w.ledger.CommitAndWait(w.ctx, im.ID)
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != ledger.ImportCommitted || res.CreatedRows != n || res.UpdatedRows != 0 {
			t.Fatalf("commit: %s, created %d, updated %d", res.Status, res.CreatedRows, res.UpdatedRows)
		}
		// Ten residents per room and building side: 2 buildings × 4 units × 500 rooms.
		c := counts(t, d)
		if c.residents != n || c.households != 4000 || c.fts != n {
			t.Errorf("after commit: %+v", c)
		}
		if k := count(t, d, `SELECT COUNT(*) FROM households h JOIN buildings b ON b.id = h.building_id
			WHERE h.region_id = b.grid_id AND h.unit LIKE '%单元'`); k != 4000 {
			t.Errorf("%d of 4000 households in their building's grid with a unit written 1单元", k)
		}
		if k := count(t, d, `SELECT COUNT(*) FROM residents WHERE id_index IS NULL OR phone_index IS NULL`); k != 0 {
			t.Errorf("%d residents without their ID or phone index", k)
		}
		last, total, err := w.svc.Residents(w.ctx, register.ResidentFilter{Q: fmt.Sprintf("居民%05d", n-1)})
		if err != nil || total != 1 || last[0].Address != "2号楼 4单元 600室" {
			t.Errorf("the last row: %+v (%d) %v", last, total, err)
		}
		again, err := w.ledger.Upload(w.ctx, w.f.Community.ID, "大台账.xlsx", data)
		if err != nil {
			t.Fatal(err)
		}
		if again.Check.ToCreate != 0 || again.Check.ToUpdate != 0 || again.Check.Unchanged != n {
			t.Errorf("the same file again: %+v", again.Check)
		}
	})
}

// bigLedger is n valid rows over buildings 1号楼 and 2号楼: ten residents per room.
func bigLedger(t testing.TB, n int) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	sw, err := x.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.SetRow("A1", ledgerHeader); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		birth := fmt.Sprintf("19%02d%02d%02d", 30+i%70, 1+i%12, 1+i%28)
		// Every ID unique: the area code changes every thousand rows.
		first := fmt.Sprintf("%06d", 110000+i/1000) + birth + fmt.Sprintf("%03d", i%1000)
		id := first + string(pii.IDCheckDigit(first))
		building := []string{"1号楼", "2号楼"}[i%2]
		row := []any{i + 1, fmt.Sprintf("居民%05d", i), "", id, fmt.Sprintf("139%08d", i), "", building,
			fmt.Sprint(1 + i/10%4), fmt.Sprint(101 + i/40), "", "户籍", "汉族", map[bool]string{true: "是"}[i%17 == 0], "", ""}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
