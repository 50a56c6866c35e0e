package cases_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"linli/internal/apptest"
	"linli/internal/db/dbtest"
)

// eachApp runs fn against the whole app on SQLite and, with LINLI_TEST_POSTGRES, PostgreSQL.
func eachApp(t *testing.T, fn func(t *testing.T, env *apptest.Env)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, apptest.New(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, apptest.NewWithDB(t, dbtest.PostgresSchema(t))) })
}

func rawPost(t *testing.T, c *apptest.Client, env *apptest.Env, path, ct, body string) *apptest.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, env.Server.URL+path, strings.NewReader(body))
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	return c.Do(req)
}

func TestBadInputGetsAChinese4xxNamingTheFieldOnBothDatabases(t *testing.T) {
	eachApp(t, func(t *testing.T, env *apptest.Env) {
		admin := env.APIClient(t, "admin")
		cat := strconv.FormatInt(leafID(t, admin, "dispute.leak"), 10)
		grid := strconv.FormatInt(env.Fixture.Grids[0].ID, 10)
		good := `{"channel":"phone","category_id":` + cat + `,"description":"漏水","address":"3号楼","grid_id":` + grid + `}`
		for _, tc := range []struct {
			name, ct, body string
			status         int
			says           []string
		}{
			{"a NUL in the description", "application/json", strings.Replace(good, `"漏水"`, `"漏\u0000水"`, 1), 422, []string{"description", "空字符"}},
			{"text/plain", "text/plain", good, 415, []string{"application/json"}},
			{"trailing data", "application/json", good + `{}`, 422, []string{"只能是一个 JSON 对象"}},
			{"a number where an integer goes", "application/json", strings.Replace(good, cat, "9.5", 1), 422, []string{"category_id", "整数"}},
			{"an unknown field", "application/json", strings.Replace(good, `{`, `{"colour":"red",`, 1), 422, []string{"colour"}},
			{"a 10,000-character address", "application/json", strings.Replace(good, `"3号楼"`, `"`+strings.Repeat("长", 10000)+`"`, 1), 422, []string{"address", "200"}},
			{"every missing field at once", "application/json", `{"address":"3号楼"}`, 422, []string{"channel", "category_id", "description"}},
			{"a received time of 1970", "application/json", strings.Replace(good, `{`, `{"received_at":"1970-01-01T08:00:00+08:00",`, 1), 422, []string{"received_at", "2000"}},
			{"a 1 MB body", "application/json", strings.Replace(good, `"3号楼"`, `"`+strings.Repeat("x", 1<<20)+`"`, 1), 413, []string{"过大"}},
		} {
			resp := rawPost(t, admin, env, "/api/v1/cases", tc.ct, tc.body)
			if resp.StatusCode != tc.status {
				t.Errorf("%s: %d %s", tc.name, resp.StatusCode, clipBody(resp.Body))
				continue
			}
			for _, s := range tc.says {
				if !strings.Contains(resp.Body, s) {
					t.Errorf("%s: the answer does not say %q: %s", tc.name, s, clipBody(resp.Body))
				}
			}
			for _, goSpeak := range []string{"json:", "cannot unmarshal", "Go struct", "invalid character"} {
				if strings.Contains(resp.Body, goSpeak) {
					t.Errorf("%s: Go's message reached the user: %s", tc.name, clipBody(resp.Body))
				}
			}
		}
		// The public form and a list query with a NUL: refused in Chinese, never 500.
		anon := env.Anonymous(t)
		form := url.Values{"category_id": {cat}, "description": {"漏\x00水"}, "address": {"3号楼"}}
		if resp := anon.PostForm("/report", form); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Body, "空字符") {
			t.Errorf("public form with a NUL: %d %s", resp.StatusCode, clipBody(resp.Body))
		}
		if resp := admin.Get("/api/v1/cases?q=%00"); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("list query with a NUL: %d %s", resp.StatusCode, clipBody(resp.Body))
		}
		if resp := admin.Get("/api/v1/public/cases/abc%00"); resp.StatusCode >= 500 {
			t.Errorf("tracking code with a NUL: %d", resp.StatusCode)
		}
		if strings.Contains(env.Log.String(), "level=ERROR") {
			t.Errorf("the server logged an error: %s", env.Log.String())
		}
	})
}

func clipBody(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
