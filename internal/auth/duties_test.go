package auth_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"linli/internal/app"
	"linli/internal/apptest"
	"linli/internal/auth"
	"linli/internal/fixture"
)

func TestSeparationOfDuties(t *testing.T) {
	env := apptest.New(t)
	admin := env.Login(t, "admin")
	auditor := env.Login(t, "auditor")
	sec := env.Login(t, "security")

	t.Run("security admins and auditors cannot open business pages", func(t *testing.T) {
		checked := 0
		for _, path := range []string{"/residents", "/grids", "/buildings", "/party", "/party/members", "/imports", "/cases"} {
			if admin.Get(path).StatusCode != http.StatusOK {
				continue // not built yet
			}
			checked++
			for name, c := range map[string]*apptest.Client{"auditor": auditor, "security": sec} {
				if resp := c.Get(path); resp.StatusCode != http.StatusForbidden {
					t.Errorf("%s GET %s: %d, want 403", name, path, resp.StatusCode)
				}
			}
		}
		if checked == 0 {
			t.Skip("no business page is served yet")
		}
	})

	t.Run("and cannot call the business API", func(t *testing.T) {
		adminAPI := env.APIClient(t, "admin")
		for _, path := range []string{"/api/v1/residents", "/api/v1/grids", "/api/v1/buildings", "/api/v1/party/organizations", "/api/v1/cases"} {
			if adminAPI.JSON("GET", path, nil).StatusCode != http.StatusOK {
				continue
			}
			for _, user := range []string{"auditor", "security"} {
				if resp := env.APIClient(t, user).JSON("GET", path, nil); resp.StatusCode != http.StatusForbidden {
					t.Errorf("%s GET %s: %d, want 403", user, path, resp.StatusCode)
				}
			}
		}
	})

	t.Run("each lands on its own area after signing in", func(t *testing.T) {
		for user, want := range map[string]string{"security": "/admin/users", "auditor": "/audit", "admin": "/"} {
			_, resp := env.SignIn(t, user, fixture.Password)
			if resp.Header.Get("Location") != want {
				t.Errorf("%s lands on %q, want %q", user, resp.Header.Get("Location"), want)
			}
		}
	})

	t.Run("each reads only its own area", func(t *testing.T) {
		for _, tt := range []struct {
			c    *apptest.Client
			path string
			want int
		}{
			{auditor, "/audit", http.StatusOK},
			{auditor, "/admin/users", http.StatusForbidden},
			{sec, "/admin/users", http.StatusOK},
			{sec, "/audit", http.StatusForbidden},
			{admin, "/audit", http.StatusForbidden},
			{admin, "/admin/users", http.StatusForbidden},
		} {
			if resp := tt.c.Get(tt.path); resp.StatusCode != tt.want {
				t.Errorf("GET %s: %d, want %d", tt.path, resp.StatusCode, tt.want)
			}
		}
		if resp := env.APIClient(t, "auditor").JSON("GET", "/api/v1/users", nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("auditor lists accounts: %d", resp.StatusCode)
		}
		if resp := env.APIClient(t, "security").JSON("GET", "/api/v1/audit", nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("security admin reads the audit log: %d", resp.StatusCode)
		}
	})
}

// newEnv starts Linli with the fixture community and the given sign-in rules.
func newEnv(t *testing.T, cfg auth.Config) *apptest.Env {
	t.Helper()
	logs := &apptest.SyncBuffer{}
	m, err := app.New(context.Background(), app.Config{DB: "sqlite:" + filepath.Join(t.TempDir(), "linli.db"),
		DataDir: t.TempDir(), SecretKey: fixture.SecretKey, Auth: cfg, Log: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return apptest.Start(t, m, fixture.New(t, m.DB), logs)
}

func TestSignInRateLimit(t *testing.T) {
	env := newEnv(t, auth.Config{FailuresPerMinute: 3, FailureBurst: 3})

	for i := 0; i < 5; i++ {
		env.Login(t, "admin") // successful sign-ins do not count
	}
	c := env.Anonymous(t)
	for i := 0; i < 3; i++ {
		if resp := c.PostForm("/login", url.Values{"username": {fmt.Sprintf("guess%d", i)}, "password": {"x"}}); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, resp.StatusCode)
		}
	}
	resp := c.PostForm("/login", url.Values{"username": {"admin"}, "password": {fixture.Password}})
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(resp.Body, "登录尝试过于频繁") || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("after 3 failures from one address: %d %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	tok := c.JSON("POST", "/api/v1/auth/token", map[string]string{"username": "admin", "password": fixture.Password})
	if tok.StatusCode != http.StatusTooManyRequests || !strings.Contains(tok.Body, `"too_many_requests"`) {
		t.Fatalf("token endpoint: %d %s", tok.StatusCode, tok.Body)
	}
	var n int
	env.DB().W.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'auth.rate_limited'`).Scan(&n)
	if n != 1 {
		t.Errorf("rate-limit refusals audited %d times, want once per minute", n)
	}
	env.Main.Auth.Now = func() time.Time { return time.Now().UTC().Add(30 * time.Second) }
	if resp := c.PostForm("/login", url.Values{"username": {"admin"}, "password": {fixture.Password}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after waiting: %d", resp.StatusCode)
	}
}

func TestSecurityAdminAndAuditorDoNotReadVolunteerOrQRPages(t *testing.T) {
	env := apptest.New(t)
	admin := env.Login(t, "admin")
	paths := []string{"/volunteer", "/volunteer/ranking", fmt.Sprintf("/grids/%d/qr", env.Fixture.Grids[0].ID),
		fmt.Sprintf("/grids/%d/qr.png", env.Fixture.Grids[0].ID)}
	for _, path := range paths {
		if resp := admin.Get(path); resp.StatusCode != http.StatusOK {
			t.Fatalf("community admin GET %s: %d", path, resp.StatusCode)
		}
	}
	for _, user := range []string{"auditor", "security"} {
		c := env.Login(t, user)
		for _, path := range paths {
			if resp := c.Get(path); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: %d, want 403 (L1)", user, path, resp.StatusCode)
			}
		}
	}
}
