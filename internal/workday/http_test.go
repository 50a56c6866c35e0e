package workday_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"linli/internal/apptest"
	"linli/internal/workday"
)

func TestCalendarPagesAndAPI(t *testing.T) {
	env := apptest.New(t)

	t.Run("admins see the year with its holidays and make-up days", func(t *testing.T) {
		resp := env.Login(t, "admin").Get("/settings/calendar?year=2024")
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "2024-02-18") || !strings.Contains(resp.Body, "春节调休上班") {
			t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
		}
	})
	t.Run("grid workers may not open the settings page", func(t *testing.T) {
		if resp := env.Login(t, "worker01").Get("/settings/calendar"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
	t.Run("importing a year as CSV through the form", func(t *testing.T) {
		c := env.Login(t, "admin")
		csv := "# 2027年放假安排\ndate,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,workday,春节调休上班\n"
		resp := c.PostForm("/settings/calendar/import", url.Values{"year": {"2027"}, "csv": {csv}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("import: %d %s", resp.StatusCode, resp.Body)
		}
		page := c.Get("/settings/calendar?year=2027")
		if !strings.Contains(page.Body, "已导入 2027 年日历，共 2 天") || !strings.Contains(page.Body, "2027-02-06") {
			t.Errorf("after import: %s", page.Body)
		}
		bad := c.PostForm("/settings/calendar/import", url.Values{"year": {"2027"}, "csv": {"2027-01-04,workday,x\n"}})
		if bad.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, "周六或周日") {
			t.Errorf("bad import: %d", bad.StatusCode)
		}
	})
	t.Run("the API reads the calendar for anyone signed in and writes for admins only", func(t *testing.T) {
		var o workday.Overview
		env.APIClient(t, "worker01").Get("/api/v1/calendar?year=2025").Decode(t, &o)
		if o.Year != 2025 || o.Total != 33 || o.Hours != "08:30-12:00,14:30-18:00" {
			t.Fatalf("GET = %+v", o)
		}
		body := workday.YearInput{Year: 2028, Days: []workday.Day{{Date: "2028-01-01", Kind: "holiday", Name: "元旦"}}}
		if resp := env.APIClient(t, "worker01").JSON("PUT", "/api/v1/calendar", body); resp.StatusCode != http.StatusForbidden {
			t.Errorf("worker PUT: %d", resp.StatusCode)
		}
		resp := env.APIClient(t, "admin").JSON("PUT", "/api/v1/calendar", body)
		resp.Decode(t, &o)
		if resp.StatusCode != http.StatusOK || o.Year != 2028 || o.Total != 1 {
			t.Errorf("admin PUT: %d %s", resp.StatusCode, resp.Body)
		}
	})
}
