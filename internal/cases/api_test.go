package cases_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"linli/internal/apptest"
	"linli/internal/cases"
	"linli/internal/clock"
)

func leafID(t testing.TB, c *apptest.Client, code string) int64 {
	t.Helper()
	var list struct{ Items []cases.Category }
	resp := c.Get("/api/v1/cases/categories")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("categories: %d %s", resp.StatusCode, resp.Body)
	}
	resp.Decode(t, &list)
	for _, cat := range list.Items {
		if cat.Code == code {
			return cat.ID
		}
	}
	t.Fatalf("no category %s", code)
	return 0
}

func TestCasesAPI(t *testing.T) {
	env := apptest.New(t)
	admin := env.APIClient(t, "admin")
	body := map[string]any{"channel": "phone", "category_id": leafID(t, admin, "dispute.leak"),
		"description": "3号楼501漏水，渗到楼下", "grid_id": env.Fixture.Grids[0].ID, "reporter_phone": "13812345678",
		"address": "3号楼"}

	post := func(key string) *apptest.Response {
		b := bytes.NewBufferString(fmt.Sprintf(`{"channel":"phone","category_id":%d,"description":"3号楼501漏水，渗到楼下","grid_id":%d,"reporter_phone":"13812345678","address":"3号楼"}`,
			body["category_id"], body["grid_id"]))
		req, _ := http.NewRequest(http.MethodPost, env.Server.URL+"/api/v1/cases", b)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", key)
		return admin.Do(req)
	}
	first := post("k-1")
	if first.StatusCode != http.StatusCreated {
		t.Fatalf("intake: %d %s", first.StatusCode, first.Body)
	}
	var c cases.Case
	first.Decode(t, &c)
	again := post("k-1")
	var c2 cases.Case
	again.Decode(t, &c2)
	if again.StatusCode != http.StatusOK || c2.ID != c.ID {
		t.Fatalf("replayed key: %d, id %d vs %d", again.StatusCode, c2.ID, c.ID)
	}
	if strings.Contains(first.Body, "13812345678") || !strings.Contains(first.Body, "138****5678") {
		t.Fatalf("phone not masked: %s", first.Body)
	}

	var list struct {
		Items []cases.Case
		Total int
	}
	admin.Get("/api/v1/cases?q="+"%E6%BC%8F%E6%B0%B4").Decode(t, &list) // 漏水
	if list.Total != 1 {
		t.Fatalf("search 漏水: %d", list.Total)
	}

	resp := admin.JSON("POST", fmt.Sprintf("/api/v1/cases/%d/actions/sign", c.ID), map[string]any{})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(resp.Body, "待受理") {
		t.Fatalf("illegal sign: %d %s", resp.StatusCode, resp.Body)
	}
	resp = admin.JSON("POST", fmt.Sprintf("/api/v1/cases/%d/actions/accept", c.ID), map[string]any{"version": c.Version})
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, `"state":"accepted"`) {
		t.Fatalf("accept: %d %s", resp.StatusCode, resp.Body)
	}
	resp = admin.JSON("POST", fmt.Sprintf("/api/v1/cases/%d/actions/accept", c.ID), map[string]any{"version": c.Version})
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("stale version: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := admin.Get(fmt.Sprintf("/api/v1/cases/%d", c.ID)); resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, `"events"`) {
		t.Fatalf("detail: %d %s", resp.StatusCode, resp.Body)
	}
	other := env.APIClient(t, "other")
	if resp := other.Get(fmt.Sprintf("/api/v1/cases/%d", c.ID)); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("outside scope: %d", resp.StatusCode)
	}
	if resp := other.JSON("POST", fmt.Sprintf("/api/v1/cases/%d/actions/note", c.ID), map[string]any{"note": "x"}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("act outside scope: %d", resp.StatusCode)
	}
	today := time.Now().In(clock.Shanghai()).Format(time.DateOnly)
	resp = admin.Get("/api/v1/cases/figures?from=" + today + "&to=" + today)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, `"accepted":1`) || !strings.Contains(resp.Body, `"on_time_rate_den"`) {
		t.Fatalf("figures: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := admin.Get("/api/v1/cases?figure=accepted&from=" + today + "&to=" + today); !strings.Contains(resp.Body, `"total":1`) {
		t.Fatalf("drill: %s", resp.Body)
	}
	if resp := admin.Get("/api/v1/cases/channels"); !strings.Contains(resp.Body, "12345热线") {
		t.Fatalf("channels: %s", resp.Body)
	}

	anon := env.Anonymous(t)
	resp = anon.Get("/api/v1/public/cases/" + c.TrackingCode)
	if resp.StatusCode != http.StatusOK || strings.Contains(resp.Body, "5678") || strings.Contains(resp.Body, "测试") {
		t.Fatalf("public view: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := anon.Get("/api/v1/cases"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous list: %d", resp.StatusCode)
	}

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "12345.csv")
	fmt.Fprint(fw, "工单编号,来电时间,诉求内容,地址\nGZ1,2024-03-01 09:30,路灯不亮,东门\n")
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, env.Server.URL+"/api/v1/cases/imports", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if resp := admin.Do(req); resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, `"created":1`) {
		t.Fatalf("import: %d %s", resp.StatusCode, resp.Body)
	}
}
