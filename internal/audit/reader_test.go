package audit_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"linli/internal/apptest"
	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/fixture"
)

type auditPage struct {
	Items []audit.Row
	Total int
}

func TestAuditReader(t *testing.T) {
	env := apptest.New(t)
	f := env.Fixture
	anon := env.Anonymous(t)
	anon.PostForm("/login", url.Values{"username": {"worker01"}, "password": {"wrong"}})
	anon.PostForm("/login", url.Values{"username": {"nobody"}, "password": {"wrong"}})
	env.Login(t, "worker01")
	// A reveal of personal data, as the register records it, and a change with before and after.
	ctx := audit.WithActor(context.Background(), audit.Actor{UserID: f.Users["grid01"].UserID, Username: "grid01", IP: "10.1.2.3"})
	err := env.DB().InTx(ctx, func(tx *db.Tx) error {
		if err := audit.Record(ctx, tx, audit.Entry{Action: "pii.reveal", ObjectType: "resident", ObjectID: 42,
			RegionID: f.Grids[0].ID, Detail: "入户走访核实身份"}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "resident.update", ObjectType: "resident", ObjectID: 42,
			RegionID: f.Grids[0].ID, Before: map[string]any{"name": "王芳", "phone": "138****1234"},
			After: map[string]any{"name": "王芳芳", "phone": "138****1234"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	browser := env.Login(t, "auditor")
	api := env.APIClient(t, "auditor")

	list := func(query string) auditPage {
		t.Helper()
		resp := api.JSON("GET", "/api/v1/audit"+query, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /api/v1/audit%s: %d %s", query, resp.StatusCode, resp.Body)
		}
		var p auditPage
		resp.Decode(t, &p)
		return p
	}

	t.Run("sign-in attempts are listed with Chinese labels", func(t *testing.T) {
		page := browser.Get("/audit?action=auth.login_failed")
		if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "登录失败") || !strings.Contains(page.Body, "用户名不存在：nobody") {
			t.Fatalf("failed sign-ins: %d\n%s", page.StatusCode, page.Body)
		}
		if p := list("?action=auth.login_failed"); p.Total != 2 {
			t.Errorf("failed sign-ins: %d, want 2", p.Total)
		}
		if p := list("?action=auth."); p.Total < 4 {
			t.Errorf("all sign-in events: %d", p.Total)
		}
	})

	t.Run("filters by user, object, IP and time", func(t *testing.T) {
		today := time.Now().In(clock.Shanghai()) // dates are days in China time
		for _, tt := range []struct {
			query string
			want  int
		}{
			{"?user=grid01", 2},
			{"?object_type=resident&object_id=42", 2},
			{"?ip=10.1.2.3", 2},
			{"?user=grid01&action=resident.update", 1},
			{"?from=" + today.AddDate(0, 0, 1).Format("2006-01-02"), 0},
			{"?to=" + today.AddDate(0, 0, -1).Format("2006-01-02"), 0},
			{"?user=grid01&from=" + today.Format("2006-01-02") + "&to=" + today.Format("2006-01-02"), 2},
			{"?user=grid01&limit=1&offset=1", 2},
		} {
			if p := list(tt.query); p.Total != tt.want {
				t.Errorf("%s: total %d, want %d", tt.query, p.Total, tt.want)
			}
		}
		if resp := api.JSON("GET", "/api/v1/audit?from=yesterday", nil); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("a bad date: %d", resp.StatusCode)
		}
	})

	t.Run("the personal-data access log shows reveals with their reasons", func(t *testing.T) {
		page := browser.Get("/audit?preset=pii")
		if !strings.Contains(page.Body, "个人信息访问记录") || !strings.Contains(page.Body, "查看个人信息") ||
			!strings.Contains(page.Body, "入户走访核实身份") || strings.Contains(page.Body, "登录失败") {
			t.Fatalf("pii preset:\n%s", page.Body)
		}
		if p := list("?preset=pii"); p.Total != 1 || p.Items[0].Detail != "入户走访核实身份" {
			t.Errorf("pii preset: %+v", p)
		}
	})

	t.Run("an entry shows before and after as a diff", func(t *testing.T) {
		p := list("?action=resident.update")
		page := browser.Get(fmt.Sprintf("/audit/%d", p.Items[0].ID))
		if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "<del>王芳</del>") ||
			!strings.Contains(page.Body, "<ins>王芳芳</ins>") || strings.Contains(page.Body, "<del>138****1234</del>") {
			t.Fatalf("entry page: %d\n%s", page.StatusCode, page.Body)
		}
		if !strings.Contains(page.Body, "修改居民") {
			t.Error("resident.update has no Chinese label")
		}
	})

	t.Run("export is a CSV and is itself audited", func(t *testing.T) {
		resp := browser.Get("/audit/export.csv?user=grid01")
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "入户走访核实身份") ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("export: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if p := list("?action=audit.export"); p.Total != 1 {
			t.Errorf("export audited %d times", p.Total)
		}
	})

	t.Run("an auditor of one community sees only that community", func(t *testing.T) {
		f.AddUser(t, "beiguanaudit", auth.Auditor, f.Other)
		c := env.APIClient(t, "beiguanaudit")
		resp := c.JSON("GET", "/api/v1/audit?object_type=resident", nil)
		var p auditPage
		resp.Decode(t, &p)
		if p.Total != 0 {
			t.Errorf("北关 auditor sees 南关 entries: %s", resp.Body)
		}
		all := list("?action=resident.update")
		if resp := c.JSON("GET", fmt.Sprintf("/api/v1/audit/%d", all.Items[0].ID), nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("entry outside scope: %d", resp.StatusCode)
		}
	})
}

func TestActionLabel(t *testing.T) {
	for action, want := range map[string]string{
		"auth.login":          "登录",
		"auth.login_failed":   "登录失败",
		"auth.locked":         "账号锁定",
		"pii.reveal":          "查看个人信息",
		"party_member.update": "修改党员",
		"cases.teleport":      "cases.teleport",
	} {
		if got := audit.ActionLabel(action); got != want {
			t.Errorf("%s: %q, want %q", action, got, want)
		}
	}
}

func TestAuditListStorage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := fixture.New(t, d)
		ctx := audit.WithActor(context.Background(), audit.Actor{UserID: f.Users["worker01"].UserID, Username: "worker01", IP: "10.9.9.9"})
		err := d.InTx(ctx, func(tx *db.Tx) error {
			for _, e := range []audit.Entry{
				{Action: "pii.reveal", ObjectType: "resident", ObjectID: 7, RegionID: f.Grids[0].ID, Detail: "核实"},
				{Action: "pii.export", ObjectType: "export", RegionID: f.Community.ID, Detail: "导出台账"},
				{Action: "auth.login", ObjectType: "user", ObjectID: f.Users["worker01"].UserID, RegionID: f.Grids[0].ID},
				{Action: "auth.login_failed", ObjectType: "user", Detail: "用户名不存在：x"}, // no region
			} {
				if err := audit.Record(ctx, tx, e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		district := auth.AuditScope(f.Users["auditor"])
		for _, tt := range []struct {
			name  string
			scope audit.Scope
			f     audit.Filter
			want  int
		}{
			{"district auditor sees all", district, audit.Filter{}, 4},
			{"personal-data preset", district, audit.Filter{Actions: []string{"pii.reveal", "pii.export"}}, 2},
			{"action prefix", district, audit.Filter{Action: "auth."}, 2},
			{"underscore in a prefix is literal", district, audit.Filter{Action: "auth_"}, 0},
			{"by time", district, audit.Filter{From: time.Now().Add(-time.Hour), To: time.Now().Add(time.Hour)}, 4},
			{"grid scope skips the community entry but keeps the user's own unscoped one",
				audit.Scope{Pattern: f.Grids[0].Path + "%"}, audit.Filter{}, 3},
			{"another community sees nothing", audit.Scope{Pattern: f.Other.Path + "%"}, audit.Filter{}, 0},
		} {
			tt.f.IP = "10.9.9.9" // leave out the fixture's own entries
			recs, total, err := audit.List(context.Background(), d.R, tt.scope, tt.f)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if total != tt.want || len(recs) != tt.want {
				t.Errorf("%s: total %d, rows %d, want %d", tt.name, total, len(recs), tt.want)
			}
		}
	})
}

func TestTheLogSpeaksChinese(t *testing.T) {
	for code, want := range map[string]string{"visit.to_case": "走访转诉求", "case.supervise": "督办", "party_member.update": "修改党员",
		"venue.booking_approve": "批准阵地预约"} {
		if got := audit.ActionLabel(code); got != want {
			t.Errorf("audit.ActionLabel(%q) = %q, want %q", code, got, want)
		}
	}
	if got := audit.DetailText(`{"channel":"phone","handle_deadline":"2025-03-04T01:30:00Z"}`); got != "来源渠道：phone；办结时限：2025-03-04 09:30:00" {
		t.Errorf("DetailText = %q", got)
	}
	for _, c := range audit.Diff(`{"state":"received"}`, `{"state":"accepted","accepted_at":"2025-03-04T01:30:00Z"}`) {
		if c.Field == "受理时间" && c.After != "2025-03-04 09:30:00" {
			t.Errorf("accepted_at shown as %q", c.After)
		}
		if strings.Contains(c.Field, "_") {
			t.Errorf("field %q shown as a code", c.Field)
		}
	}
	for _, a := range audit.KnownActions() {
		if a.Label == "" || strings.Contains(a.Label, "_") {
			t.Errorf("filter choice %q labelled %q", a.Value, a.Label)
		}
	}
}
