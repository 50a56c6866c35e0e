package cases_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"linli/internal/apptest"
	"linli/internal/cases"
	"linli/internal/clock"
)

// realisticExport is a 12345 export as a district hotline centre hands it over, and what a
// correct import makes of it.
type realisticExport struct {
	xlsx []byte
	// sheet rows by kind
	workOrders, folded, blank, totals, badRows, clashes int
	located, toLocate                                   int
}

var exportHeader = []string{"序号", "工单编号", "来电时间", "来电人", "联系电话", "诉求标题", "诉求内容", "诉求地址", "诉求类别",
	"办理时限", "工单状态"}

// buildRealisticExport writes n work orders over 2024–2025 with every time and limit format,
// two title rows above the header, identical duplicate rows, numbers reused with other
// content, unreadable times, blank rows, 小计 rows and a 合计 row at the end. buildings are
// names of buildings of the receiving community: every third address names one of them.
func buildRealisticExport(t *testing.T, n int, buildings []string) *realisticExport {
	t.Helper()
	rng := rand.New(rand.NewPCG(12345, 9))
	sh := clock.Shanghai()
	x := excelize.NewFile()
	defer x.Close()
	const sheet = "Sheet1"
	row := 0
	put := func(cells ...any) {
		row++
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := x.SetSheetRow(sheet, cell, &cells); err != nil {
			t.Fatal(err)
		}
	}
	ex := &realisticExport{}
	put("甘州区12345政务服务便民热线 工单明细表")
	put("导出时间：2025年12月31日 17时05分", "", "", "导出人：区热线中心")
	put(toAnyRow(exportHeader)...)
	timeFormats := []func(time.Time) any{
		func(t time.Time) any { return t.Format("2006-01-02 15:04") },
		func(t time.Time) any { return t.Format("2006-01-02 15:04:05") },
		func(t time.Time) any {
			return fmt.Sprintf("%d/%d/%d %02d:%02d", t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute())
		},
		func(t time.Time) any {
			return fmt.Sprintf("%d年%d月%d日 %02d时%02d分", t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute())
		},
		func(t time.Time) any { // an Excel serial date, as a number cell
			base := time.Date(1899, 12, 30, 0, 0, 0, 0, sh)
			return float64(t.Sub(base)) / float64(24*time.Hour)
		},
		func(t time.Time) any { return t.Format("2006-01-02") },
		func(t time.Time) any { return fmt.Sprintf("%d/%d/%d", t.Year(), t.Month(), t.Day()) },
		func(t time.Time) any { return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day()) },
	}
	limits := []func(time.Time) any{
		func(t time.Time) any { return t.AddDate(0, 0, 10).Format("2006-01-02 15:04") },
		func(time.Time) any { return strconv.Itoa(3+rng.IntN(10)) + "个工作日" },
		func(time.Time) any { return strconv.Itoa(4+rng.IntN(20)) + "个工作小时" },
		func(time.Time) any { return strconv.Itoa(5 + rng.IntN(5)) },
		func(time.Time) any { return "" },
	}
	texts := []struct{ title, text, class string }{
		{"楼道灯不亮", "单元楼道声控灯坏了一周，老人上下楼不方便", "路灯"},
		{"楼上漏水", "楼上卫生间漏水渗到我家天花板", "漏水"},
		{"夜间施工噪音", "工地夜里十一点后还在施工，影响休息", "噪音"},
		{"垃圾清运不及时", "小区垃圾桶满了三天没人清运", "环境卫生/垃圾清运"},
		{"占道经营", "早市摊贩占用消防通道", "市容管理"},
		{"咨询养老补贴", "", "惠民政策"}, // a blank 诉求内容: the title stands in
	}
	statuses := []string{"办理中", "已派单", "待签收", "已回访"}
	seq := 0
	for i := 0; i < n; i++ {
		received := time.Date(2024, 1, 2, 8, 0, 0, 0, sh).Add(time.Duration(i) * 37 * time.Hour).Add(time.Duration(rng.IntN(600)) * time.Minute)
		if received.Year() > 2025 {
			received = received.AddDate(-1, 0, 0)
		}
		tx := texts[i%len(texts)]
		addr := fmt.Sprintf("甘州区南街街道南关社区东环路%d号附近", 100+i)
		// Its number comes again below with other content: that later row is an error, this one
		// imports.
		clash := i%97 == 11
		if i%3 == 0 && len(buildings) > 0 {
			addr = "南关社区" + buildings[i%len(buildings)] + fmt.Sprintf("%d单元%d室", 1+i%3, 101+i%6)
			ex.located++
		} else {
			ex.toLocate++
		}
		seq++
		cells := []any{seq, fmt.Sprintf("GZ%s%04d", received.Format("20060102"), i), timeFormats[i%len(timeFormats)](received),
			[]string{"张先生", "李女士", "王大爷", "赵阿姨", ""}[i%5], fmt.Sprintf("13%d%08d", 5+i%5, 10000000+i*7919%89999999),
			tx.title, tx.text, addr, tx.class, limits[i%len(limits)](received), statuses[i%len(statuses)]}
		put(cells...)
		ex.workOrders++
		switch {
		case i%40 == 7: // the same work order exported twice, numbered again by the 序号 column
			again := append([]any{}, cells...)
			seq++
			again[0] = seq
			put(again...)
			ex.folded++
		case clash: // the same number with other content: the later row is an error
			clash := append([]any{}, cells...)
			seq++
			clash[0], clash[6] = seq, "补充："+tx.text
			put(clash...)
			ex.clashes++
		case i%50 == 13:
			put()
			ex.blank++
		case i%120 == 60:
			put("小计", "", "", "", "", "", "", "", "", "", "")
			ex.totals++
		}
	}
	// Rows a hotline export should not have: an unreadable time, a time of 1970, a time ahead.
	for j, when := range []any{"昨天下午", "1970-01-01 08:00", time.Now().In(sh).AddDate(0, 1, 0).Format("2006-01-02 15:04")} {
		seq++
		put(seq, fmt.Sprintf("GZBAD%02d", j), when, "周女士", "13900000000", "其他", "无法识别时间的工单", "南关社区", "", "", "办理中")
		ex.badRows++
	}
	put("合计", "", "", "", "", "", "", "", "", "", "")
	ex.totals++
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	ex.xlsx = buf.Bytes()
	return ex
}

func toAnyRow(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func uploadRealistic(t *testing.T, c *apptest.Client, env *apptest.Env, path string, data []byte, fields url.Values) *apptest.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile("file", "甘州区12345工单明细.xlsx")
	_, _ = fw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, env.Server.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.Do(req)
}

// TestARealistic12345ExportImportsThroughThePageAndTheAPI imports a 400-work-order export the
// way a district hotline hands it over, once through the page and once through the API, on
// both databases, and checks what the import made of each kind of row.
func TestARealistic12345ExportImportsThroughThePageAndTheAPI(t *testing.T) {
	eachApp(t, func(t *testing.T, env *apptest.Env) {
		names := []string{"金桥小区3号楼", "金桥小区12号楼", "粮食局家属院2号楼", "马神庙巷5号平房院"}
		for i, name := range names {
			env.Fixture.AddBuilding(t, env.Fixture.Grids[i%2], name, 0, 0)
		}
		ex := buildRealisticExport(t, 400, []string{"金桥小区三号楼", "金桥小区12栋", "粮食局家属院2#楼", "马神庙巷5号平房院"})
		wantErrors := ex.clashes + ex.badRows
		valid := ex.workOrders
		t.Logf("export: %d sheet rows below the header: %d work orders, %d identical duplicates, %d numbers reused with other content, %d blank rows, %d 小计/合计 rows, %d rows with bad times",
			ex.workOrders+ex.folded+ex.clashes+ex.blank+ex.totals+ex.badRows, ex.workOrders, ex.folded, ex.clashes, ex.blank, ex.totals, ex.badRows)

		// The page: preview, then confirm the valid rows.
		admin := env.Login(t, "admin")
		prev := uploadRealistic(t, admin, env, "/cases/import", ex.xlsx, nil)
		if prev.StatusCode != http.StatusOK {
			t.Fatalf("preview: %d %s", prev.StatusCode, clipBody(prev.Body))
		}
		wantLine := fmt.Sprintf("新工单 %d 件，已导入过 0 件，重复行合并 %d 行", valid, ex.folded)
		if !strings.Contains(prev.Body, wantLine) || !strings.Contains(prev.Body, fmt.Sprintf("%d 处错误", wantErrors)) {
			m := regexp.MustCompile(`共 \d+ 行[^<]*`).FindString(prev.Body)
			t.Fatalf("preview says %q, want %q and %d errors", m, wantLine, wantErrors)
		}
		token := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(prev.Body)
		if token == nil {
			t.Fatal("no confirm form")
		}
		resp := admin.PostForm("/cases/import/commit", url.Values{"token": {token[1]}, "file_name": {"甘州区12345工单明细.xlsx"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("commit: %d %s", resp.StatusCode, clipBody(resp.Body))
		}
		api := env.APIClient(t, "admin")
		var list struct{ Total int }
		api.Get("/api/v1/cases?channel=hotline_12345&limit=1").Decode(t, &list)
		if list.Total != valid {
			t.Fatalf("the page imported %d cases, want %d", list.Total, valid)
		}
		api.Get("/api/v1/cases?queue=to_locate&limit=1").Decode(t, &list)
		if list.Total != ex.toLocate || ex.located+ex.toLocate != valid {
			t.Fatalf("待定位 holds %d cases, want %d (%d located)", list.Total, ex.toLocate, ex.located)
		}

		// The API: the same file again creates nothing; confirmed, it answers the same counts.
		again := uploadRealistic(t, api, env, "/api/v1/cases/imports", ex.xlsx, url.Values{"confirm": {"true"}})
		var res cases.ImportResult
		again.Decode(t, &res)
		if again.StatusCode != http.StatusOK || res.Created != 0 || res.Skipped != valid || res.Folded != ex.folded ||
			len(res.Errors) != wantErrors || res.Rows != ex.workOrders+ex.clashes+ex.badRows {
			t.Fatalf("the same export again over the API: %d %+v", again.StatusCode, summary(res))
		}
		t.Logf("import: %d cases created (%d located on a building, %d in 待定位), %d identical rows folded, %d rows passed over (blank, 小计, 合计, duplicates), %d row errors; again: %d created, %d skipped",
			valid, ex.located, ex.toLocate, ex.folded, ex.folded+ex.blank+ex.totals, wantErrors, res.Created, res.Skipped)
	})
}

func summary(r cases.ImportResult) string {
	return fmt.Sprintf("rows %d created %d skipped %d folded %d located %d to_locate %d errors %d ignored %d",
		r.Rows, r.Created, r.Skipped, r.Folded, r.Located, r.ToLocate, len(r.Errors), len(r.Ignored))
}
