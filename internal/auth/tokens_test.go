package auth_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"linli/internal/apptest"
	"linli/internal/auth"
	"linli/internal/db/dbtest"
	"linli/internal/fixture"
)

type tokenList struct {
	Items []auth.Token `json:"items"`
	Total int          `json:"total"`
}

// namedToken gets a token called name for username through the API.
func namedToken(t *testing.T, env *apptest.Env, username, name string) *apptest.Client {
	t.Helper()
	c := env.Anonymous(t)
	resp := c.JSON("POST", "/api/v1/auth/token", map[string]string{"username": username, "password": fixture.Password, "name": name})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("token: %d %s", resp.StatusCode, resp.Body)
	}
	var tok auth.TokenResponse
	resp.Decode(t, &tok)
	c.Token = tok.Token
	return c
}

func TestAPITokens(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { apiTokens(t, apptest.New(t)) })
	t.Run("postgres", func(t *testing.T) {
		if dbtest.PostgresURL() == "" {
			t.Skip("LINLI_TEST_POSTGRES not set")
		}
		apiTokens(t, apptest.NewWithDB(t, dbtest.PostgresSchema(t)))
	})
}

func apiTokens(t *testing.T, env *apptest.Env) {

	t.Run("each token has a name and a last-used time, listed for its owner (M9)", func(t *testing.T) {
		api := namedToken(t, env, "worker01", "台账同步脚本")
		var list tokenList
		api.JSON("GET", "/api/v1/auth/tokens", nil).Decode(t, &list)
		if list.Total != 1 || list.Items[0].Name != "台账同步脚本" || list.Items[0].LastUsedAt == nil {
			t.Fatalf("list: %+v", list)
		}
		page := env.Login(t, "worker01").Get("/account/tokens")
		if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "台账同步脚本") {
			t.Errorf("the tokens page: %d", page.StatusCode)
		}
	})

	t.Run("the owner revokes a token by API and page; another user's answers 404 (M9)", func(t *testing.T) {
		a, b := namedToken(t, env, "grid01", "甲"), namedToken(t, env, "grid01", "乙")
		var list tokenList
		a.JSON("GET", "/api/v1/auth/tokens", nil).Decode(t, &list)
		ids := map[string]int64{}
		for _, tk := range list.Items {
			ids[tk.Name] = tk.ID
		}
		other := namedToken(t, env, "grid02", "别人")
		if resp := other.JSON("DELETE", fmt.Sprintf("/api/v1/auth/tokens/%d", ids["甲"]), nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another user revoking: %d", resp.StatusCode)
		}
		if resp := a.JSON("DELETE", fmt.Sprintf("/api/v1/auth/tokens/%d", ids["乙"]), nil); resp.StatusCode != http.StatusNoContent {
			t.Fatalf("revoke by API: %d %s", resp.StatusCode, resp.Body)
		}
		if resp := b.JSON("GET", "/api/v1/auth/tokens", nil); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("a revoked token still works: %d", resp.StatusCode)
		}
		page := env.Login(t, "grid01")
		if resp := page.PostForm(fmt.Sprintf("/account/tokens/%d/revoke", ids["甲"]), nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("revoke by page: %d", resp.StatusCode)
		}
		if resp := a.JSON("GET", "/api/v1/auth/tokens", nil); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("a token revoked on the page still works: %d", resp.StatusCode)
		}
	})

	t.Run("a password change revokes every token (M9)", func(t *testing.T) {
		api := namedToken(t, env, "worker02", "旧令牌")
		c := env.Login(t, "worker02")
		next := "Oasis-Gate-Lamp-3"
		if resp := c.PostForm("/account/password", url.Values{"current": {fixture.Password}, "password": {next}, "confirm": {next}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("change: %d", resp.StatusCode)
		}
		if resp := api.JSON("GET", "/api/v1/auth/tokens", nil); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("a token survived the password change: %d", resp.StatusCode)
		}
	})

	t.Run("a token lives no longer than a session (--session-max) (M9)", func(t *testing.T) {
		api := namedToken(t, env, "admin", "短期")
		env.Main.Auth.Now = func() time.Time { return time.Now().UTC().Add(env.Main.Auth.Config().MaxAge + time.Minute) }
		defer func() { env.Main.Auth.Now = func() time.Time { return time.Now().UTC() } }()
		if resp := api.JSON("GET", "/api/v1/auth/tokens", nil); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("a token past the session limit: %d", resp.StatusCode)
		}
	})

	t.Run("a token unused for --token-idle stops working; one in use lives on", func(t *testing.T) {
		idle := env.Main.Auth.Config().TokenIdle
		unused, used := namedToken(t, env, "grid02", "闲置"), namedToken(t, env, "grid02", "常用")
		at := func(d time.Duration) { env.Main.Auth.Now = func() time.Time { return time.Now().UTC().Add(d) } }
		defer func() { env.Main.Auth.Now = func() time.Time { return time.Now().UTC() } }()
		// Used a little before the idle limit: its idle time starts again.
		at(idle - 5*time.Minute)
		if resp := used.JSON("GET", "/api/v1/auth/tokens", nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("a token used within the idle time: %d", resp.StatusCode)
		}
		at(idle + 5*time.Minute)
		if resp := unused.JSON("GET", "/api/v1/auth/tokens", nil); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("a token unused past the idle time: %d", resp.StatusCode)
		}
		var list tokenList
		resp := used.JSON("GET", "/api/v1/auth/tokens", nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("a token used %s ago stopped working: %d", 10*time.Minute, resp.StatusCode)
		}
		resp.Decode(t, &list)
		for _, tk := range list.Items {
			if tk.Name == "闲置" {
				t.Error("the idle token is still listed as live")
			}
			if tk.Name == "常用" && tk.ExpiresAt.After(time.Now().Add(idle+5*time.Minute+idle+time.Minute)) {
				t.Errorf("the listed end %s is not the idle limit after its last use", tk.ExpiresAt)
			}
		}
	})
}
