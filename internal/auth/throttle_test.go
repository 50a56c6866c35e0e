package auth_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"linli/internal/app"
	"linli/internal/apptest"
	"linli/internal/auth"
	"linli/internal/fixture"
)

// newEnvBehindProxy starts Linli trusting the test client's loopback address as its reverse proxy,
// so each request names its client address in X-Forwarded-For.
func newEnvBehindProxy(t *testing.T, cfg auth.Config) *apptest.Env {
	t.Helper()
	logs := &apptest.SyncBuffer{}
	m, err := app.New(context.Background(), app.Config{DB: "sqlite:" + filepath.Join(t.TempDir(), "linli.db"),
		DataDir: t.TempDir(), SecretKey: fixture.SecretKey, Auth: cfg, Log: slog.New(slog.NewTextHandler(logs, nil)),
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return apptest.Start(t, m, fixture.New(t, m.DB), logs)
}

// signInFrom posts the sign-in form as a new browser at the client address addr.
func signInFrom(t *testing.T, env *apptest.Env, addr, username, password string) *apptest.Response {
	t.Helper()
	form := url.Values{"username": {username}, "password": {password}}
	req, _ := http.NewRequest(http.MethodPost, env.Server.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", addr)
	return env.Anonymous(t).Do(req)
}

func countAudit(t *testing.T, env *apptest.Env, where string, args ...any) (n int) {
	t.Helper()
	if err := env.DB().W.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE `+where, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSignInThrottle(t *testing.T) {
	env := newEnvBehindProxy(t, auth.Config{AccountLockAfter: 12, FailuresPerMinute: 100, FailureBurst: 100})

	t.Run("an attacker on one address does not lock the owner out elsewhere (M2)", func(t *testing.T) {
		for i := 0; i < 8; i++ {
			signInFrom(t, env, "203.0.113.66", "admin", "Wrong-Guess-1")
		}
		if resp := signInFrom(t, env, "203.0.113.66", "admin", fixture.Password); resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("the attacker's address, right password: %d, want 429", resp.StatusCode)
		}
		if resp := signInFrom(t, env, "198.51.100.10", "admin", fixture.Password); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("the owner on another address: %d, want 303 (signed in)", resp.StatusCode)
		}
	})

	t.Run("parallel guesses from one address stop at its allowance (M2)", func(t *testing.T) {
		var wg sync.WaitGroup
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func() { defer wg.Done(); signInFrom(t, env, "203.0.113.67", "grid01", "Wrong-Guess-1") }()
		}
		wg.Wait()
		if n := countAudit(t, env, `action = 'auth.login_failed' AND username = 'grid01'`); n != 5 {
			t.Errorf("%d passwords were checked, want the address's 5", n)
		}
	})

	t.Run("unknown users and wrong passwords get the same answers, hold included (M2)", func(t *testing.T) {
		answers := func(addr, username string) []string {
			var out []string
			for i := 0; i < 7; i++ {
				resp := signInFrom(t, env, addr, username, "Wrong-Guess-1")
				msg := resp.Body[strings.Index(resp.Body, "<main"):]
				out = append(out, strconv.Itoa(resp.StatusCode)+" "+strings.ReplaceAll(msg, username, "NAME"))
			}
			return out
		}
		known, unknown := answers("203.0.113.70", "worker01"), answers("203.0.113.71", "nosuchuser")
		for i := range known {
			if known[i] != unknown[i] {
				t.Fatalf("attempt %d differs:\nexisting: %.300s\nunknown:  %.300s", i+1, known[i], unknown[i])
			}
		}
		if !strings.Contains(known[6], "锁定") {
			t.Errorf("the 7th attempt is not held: %.300s", known[6])
		}
	})

	t.Run("many addresses hold the account and alert its security admin (M2)", func(t *testing.T) {
		for i := 0; i < 12; i++ {
			signInFrom(t, env, "192.0.2."+strconv.Itoa(10+i), "worker02", "Wrong-Guess-1")
		}
		if resp := signInFrom(t, env, "198.51.100.11", "worker02", fixture.Password); resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("after 12 failures from 12 addresses, the right password: %d, want 429", resp.StatusCode)
		}
		var alerts int
		env.DB().W.QueryRow(`SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id
			WHERE u.username = 'security' AND n.kind = 'security.account_attacked'`).Scan(&alerts)
		if alerts != 1 {
			t.Errorf("security admin alerted %d times, want once", alerts)
		}
	})

	t.Run("every attempt is audited (M2)", func(t *testing.T) {
		before := countAudit(t, env, `action LIKE 'auth.%'`)
		signInFrom(t, env, "198.51.100.12", "grid02", fixture.Password)
		signInFrom(t, env, "198.51.100.12", "grid02", "Wrong-Guess-1")
		signInFrom(t, env, "198.51.100.12", "nobody-here", "Wrong-Guess-1")
		if n := countAudit(t, env, `action LIKE 'auth.%'`) - before; n != 3 {
			t.Errorf("3 attempts, %d audit rows", n)
		}
		if n := countAudit(t, env, `ip = '198.51.100.12'`); n < 3 {
			t.Errorf("the client address is not in the audit rows: %d", n)
		}
	})
}
