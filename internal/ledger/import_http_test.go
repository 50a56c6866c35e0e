package ledger_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"linli/internal/apptest"
)

// TestLedgerPages walks the import as an admin does it in the browser and the API: upload, preview
// with masked numbers and row errors, commit with progress, error report, masked export.
func TestLedgerPages(t *testing.T) {
	env := apptest.New(t)
	env.Fixture.AddBuilding(t, env.Fixture.Grids[0], "1号楼", 100.4420, 38.9250)
	env.Fixture.AddBuilding(t, env.Fixture.Grids[1], "2号楼", 100.4550, 38.9250)
	c := env.Login(t, "admin")
	r := c.Get("/imports")
	if r.StatusCode != 200 || !strings.Contains(r.Body, "导入人口台账") {
		t.Fatalf("/imports %d %s", r.StatusCode, r.Body)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "南关台账.xlsx")
	fw.Write(messyLedger(t))
	mw.Close()
	req, _ := http.NewRequest("POST", env.Server.URL+"/imports", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	r = c.Do(req)
	if r.StatusCode != 303 {
		t.Fatalf("upload %d %s", r.StatusCode, r.Body)
	}
	loc := r.Header.Get("Location")
	r = c.Get(loc)
	if r.StatusCode != 200 || strings.Contains(r.Body, idZhang) || !strings.Contains(r.Body, "校验位错误") {
		t.Fatalf("page %d %s", r.StatusCode, r.Body)
	}
	r = c.PostForm(loc+"/commit", nil)
	if r.StatusCode != 303 {
		t.Fatalf("commit %d %s", r.StatusCode, r.Body)
	}
	for i := 0; i < 100 && !strings.Contains(r.Body, "导入完成"); i++ {
		time.Sleep(50 * time.Millisecond)
		r = c.Get(loc)
	}
	if !strings.Contains(r.Body, "导入完成") {
		t.Fatalf("after commit %s", r.Body)
	}
	r = c.Get(loc + "/errors.xlsx")
	if r.StatusCode != 200 {
		t.Fatalf("errors.xlsx %d", r.StatusCode)
	}
	r = c.Get("/exports/residents.xlsx")
	if r.StatusCode != 200 || strings.Contains(r.Body, idZhang) {
		t.Fatalf("export %d", r.StatusCode)
	}
	api := env.APIClient(t, "admin")
	id := loc[strings.LastIndex(loc, "/")+1:]
	r = api.Get("/api/v1/imports/" + id)
	if r.StatusCode != 200 || !strings.Contains(r.Body, `"status":"committed"`) || strings.Contains(r.Body, idZhang) {
		t.Fatalf("api get %d %s", r.StatusCode, r.Body)
	}
	if r := env.Login(t, "other").Get(loc); r.StatusCode != 404 {
		t.Errorf("another community's admin opens the import: %d", r.StatusCode)
	}
	if strings.Contains(env.Log.String(), idZhang) {
		t.Error("raw ID in logs")
	}
}
