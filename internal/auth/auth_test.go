package auth_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"linli/internal/apptest"
	"linli/internal/fixture"
)

func TestSignIn(t *testing.T) {
	env := apptest.New(t)

	t.Run("anonymous page visit goes to the sign-in page", func(t *testing.T) {
		resp := env.Anonymous(t).Get("/account/password")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Fatalf("got %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
	})

	t.Run("wrong password says so in Chinese and is audited", func(t *testing.T) {
		resp := env.Anonymous(t).PostForm("/login", url.Values{"username": {"admin"}, "password": {"nope"}})
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Body, "用户名或密码错误") {
			t.Fatalf("got %d", resp.StatusCode)
		}
		var n int
		env.DB().W.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'auth.login_failed' AND username = 'admin'`).Scan(&n)
		if n != 1 {
			t.Fatalf("audited failures = %d, want 1", n)
		}
	})

	t.Run("five failures lock the account for 15 minutes, even with the right password", func(t *testing.T) {
		c := env.Anonymous(t)
		for i := 0; i < 5; i++ {
			c.PostForm("/login", url.Values{"username": {"worker02"}, "password": {"wrong"}})
		}
		resp := c.PostForm("/login", url.Values{"username": {"worker02"}, "password": {fixture.Password}})
		if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(resp.Body, "锁定") {
			t.Fatalf("got %d, want 429 with 锁定", resp.StatusCode)
		}
		var locked int
		env.DB().W.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'auth.locked'`).Scan(&locked)
		if locked != 1 {
			t.Fatalf("lock audit rows = %d", locked)
		}
		env.Main.Auth.Now = func() time.Time { return time.Now().UTC().Add(16 * time.Minute) }
		defer func() { env.Main.Auth.Now = func() time.Time { return time.Now().UTC() } }()
		if resp := c.PostForm("/login", url.Values{"username": {"worker02"}, "password": {fixture.Password}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("after the lockout: %d", resp.StatusCode)
		}
	})

	t.Run("idle session expires after 30 minutes", func(t *testing.T) {
		c := env.Login(t, "grid01")
		env.Main.Auth.Now = func() time.Time { return time.Now().UTC().Add(31 * time.Minute) }
		defer func() { env.Main.Auth.Now = func() time.Time { return time.Now().UTC() } }()
		resp := c.Get("/account/password")
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("expired session got %d", resp.StatusCode)
		}
	})

	t.Run("sign out ends the session", func(t *testing.T) {
		c := env.Login(t, "grid01")
		if resp := c.Get("/account/password"); resp.StatusCode != http.StatusOK {
			t.Fatalf("signed in: %d", resp.StatusCode)
		}
		c.PostForm("/logout", nil)
		if resp := c.Get("/account/password"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("after sign-out: %d", resp.StatusCode)
		}
	})

	t.Run("cross-origin POST is refused", func(t *testing.T) {
		c := env.Login(t, "grid01")
		req, _ := http.NewRequest("POST", env.Server.URL+"/logout", nil)
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if resp := c.Do(req); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-origin post: %d", resp.StatusCode)
		}
	})

	t.Run("sign-in returns only to a page of this site, whatever next holds", func(t *testing.T) {
		// Browsers drop tabs and line breaks from a URL, so "/\t/evil.example" is "//evil.example".
		for _, next := range []string{"//evil.example", "/\\evil.example", "/\t/evil.example", "/\n/evil.example",
			"/\r\n/evil.example", "https://evil.example", "/ /evil.example", "evil.example"} {
			resp := env.Anonymous(t).PostForm("/login", url.Values{"username": {"grid01"}, "password": {fixture.Password},
				"next": {next}})
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/" {
				t.Errorf("next %q: got %d to %q, want 303 to /", next, resp.StatusCode, loc)
			}
		}
		resp := env.Anonymous(t).PostForm("/login", url.Values{"username": {"grid01"}, "password": {fixture.Password},
			"next": {"/residents?tag=focus&page=2"}})
		if loc := resp.Header.Get("Location"); loc != "/residents?tag=focus&page=2" {
			t.Errorf("a page of this site: got %q", loc)
		}
	})

	t.Run("API token sign-in", func(t *testing.T) {
		api := env.APIClient(t, "admin")
		if api.Token == "" {
			t.Fatal("no token")
		}
		resp := env.Anonymous(t).JSON("POST", "/api/v1/auth/token", map[string]string{"username": "admin", "password": "x"})
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Body, `"code":"unauthorized"`) {
			t.Fatalf("bad token request: %d %s", resp.StatusCode, resp.Body)
		}
	})
}

func TestPasswordRules(t *testing.T) {
	env := apptest.New(t)
	c := env.Login(t, "grid02")
	for _, tt := range []struct{ pw, want string }{
		{"short1A!", "至少需要10个字符"},
		{"alllowercase", "至少三类"},
		{"Grid02-abcdef", "不能包含用户名"},
	} {
		resp := c.PostForm("/account/password", url.Values{"current": {fixture.Password}, "password": {tt.pw}, "confirm": {tt.pw}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Body, tt.want) {
			t.Errorf("password %q: %d, want message %q", tt.pw, resp.StatusCode, tt.want)
		}
	}
	resp := c.PostForm("/account/password", url.Values{"current": {fixture.Password}, "password": {"Better-Pass-2025"}, "confirm": {"Better-Pass-2025"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("good password: %d %s", resp.StatusCode, resp.Body)
	}
}

func TestPasswordHistory(t *testing.T) {
	env := apptest.New(t)
	c := env.Login(t, "grid02")
	current := fixture.Password
	change := func(next string) *apptest.Response {
		resp := c.PostForm("/account/password", url.Values{"current": {current}, "password": {next}, "confirm": {next}})
		if resp.StatusCode == http.StatusSeeOther {
			current = next
		}
		return resp
	}
	t.Run("the last five passwords cannot be used again (L3)", func(t *testing.T) {
		used := []string{"Jade-River-2031", "Silk-Road-Camel-7", "Danxia-Hills-42", "Black-River-Bend-9"}
		for _, pw := range used {
			if resp := change(pw); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("change to %s: %d", pw, resp.StatusCode)
			}
		}
		for _, pw := range append([]string{fixture.Password}, used[:3]...) {
			if resp := change(pw); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Body, "最近五次") {
				t.Errorf("reusing %s: %d", pw, resp.StatusCode)
			}
		}
		if resp := change("Fresh-Oasis-Well-5"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("a new password: %d", resp.StatusCode)
		}
		// Five changes later, the first one is six back and may return.
		if resp := change(fixture.Password); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("a password six changes back: %d %s", resp.StatusCode, resp.Body)
		}
	})
}
