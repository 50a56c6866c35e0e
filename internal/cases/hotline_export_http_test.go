package cases_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"linli/internal/apptest"
	"linli/internal/cases"
)

func uploadExport(t *testing.T, c *apptest.Client, base, path string, data []byte, fields map[string]string) *apptest.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "某区12345工单明细.xlsx")
	_, _ = fw.Write(data)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, base+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.Do(req)
}

// TestARealisticHotlineExportThroughTheAPI: the export lists its errors and imports nothing until
// confirmed; confirmed, its valid work orders are imported; the same file again creates nothing.
func TestARealisticHotlineExportThroughTheAPI(t *testing.T) {
	data, k := cases.RealisticHotlineExport(t)
	env := apptest.New(t)
	admin := env.APIClient(t, "admin")
	var res cases.ImportResult
	resp := uploadExport(t, admin, env.Server.URL, "/api/v1/cases/imports", data, nil)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("unconfirmed: %d %.300s", resp.StatusCode, resp.Body)
	}
	resp.Decode(t, &res)
	if res.Created != 0 || len(res.Errors) != k.Errors() || res.Folded != k.Duplicates || len(res.Ignored) != k.Ignored() {
		t.Fatalf("unconfirmed: created %d errors %d folded %d ignored %d", res.Created, len(res.Errors), res.Folded, len(res.Ignored))
	}
	resp = uploadExport(t, admin, env.Server.URL, "/api/v1/cases/imports", data, map[string]string{"confirm": "true"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("confirmed: %d %.300s", resp.StatusCode, resp.Body)
	}
	res = cases.ImportResult{}
	resp.Decode(t, &res)
	if res.Created != k.Valid || res.Rows != k.Valid+k.Errors() || len(res.Errors) != k.Errors() {
		t.Fatalf("confirmed: rows %d created %d errors %d", res.Rows, res.Created, len(res.Errors))
	}
	var list struct{ Total int }
	admin.Get("/api/v1/cases?channel=hotline_12345").Decode(t, &list)
	if list.Total != k.Valid {
		t.Fatalf("%d hotline cases, want %d", list.Total, k.Valid)
	}
	resp = uploadExport(t, admin, env.Server.URL, "/api/v1/cases/imports", data, map[string]string{"confirm": "true"})
	res = cases.ImportResult{}
	_ = json.Unmarshal([]byte(resp.Body), &res)
	if res.Created != 0 || res.Skipped != k.Valid {
		t.Fatalf("the same file again: created %d skipped %d", res.Created, res.Skipped)
	}
}

// TestARealisticHotlineExportThroughThePage: the preview shows the new work orders, the folded
// duplicates, the errors and the passed-over rows; confirming imports the valid work orders.
func TestARealisticHotlineExportThroughThePage(t *testing.T) {
	data, k := cases.RealisticHotlineExport(t)
	env := apptest.New(t)
	page := env.Login(t, "admin")
	prev := uploadExport(t, page, env.Server.URL, "/cases/import", data, nil)
	for _, want := range []string{fmt.Sprintf("新工单 %d 件", k.Valid), fmt.Sprintf("重复行合并 %d 行", k.Duplicates),
		fmt.Sprintf("%d 处错误", k.Errors()), fmt.Sprintf("已跳过 %d 行", k.Ignored()), "合计/小计行，已跳过", "工单编号不能为空"} {
		if !strings.Contains(prev.Body, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	token := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(prev.Body)
	if prev.StatusCode != http.StatusOK || token == nil {
		t.Fatalf("preview: %d, no confirm form", prev.StatusCode)
	}
	resp := page.PostForm("/cases/import/commit", url.Values{"token": {token[1]}, "file_name": {"某区12345工单明细.xlsx"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("commit: %d %.300s", resp.StatusCode, resp.Body)
	}
	var list struct{ Total int }
	env.APIClient(t, "admin").Get("/api/v1/cases?channel=hotline_12345").Decode(t, &list)
	if list.Total != k.Valid {
		t.Fatalf("%d hotline cases, want %d", list.Total, k.Valid)
	}
}
