package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestTransport(t *testing.T) {
	kit, err := NewKit(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	kit.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	h := kit.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		SetFlash(w, "已保存")
		w.WriteHeader(http.StatusOK)
	}))
	do := func(remote, proto string) *http.Response {
		req := httptest.NewRequest("GET", "/residents", nil)
		req.RemoteAddr = remote
		if proto != "" {
			req.Header.Set("X-Forwarded-Proto", proto)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Result()
	}
	secure := func(resp *http.Response) bool {
		return resp.Header.Get("Strict-Transport-Security") != "" && len(resp.Cookies()) == 1 && resp.Cookies()[0].Secure
	}

	t.Run("a trusted proxy saying https makes cookies Secure and sends HSTS (M7)", func(t *testing.T) {
		if resp := do("10.0.0.2:5000", "https"); !secure(resp) {
			t.Errorf("HSTS %q, cookies %v", resp.Header.Get("Strict-Transport-Security"), resp.Cookies())
		}
	})
	t.Run("a client's own X-Forwarded-Proto is not believed (M7)", func(t *testing.T) {
		if resp := do("203.0.113.9:5000", "https"); resp.Header.Get("Strict-Transport-Security") != "" || resp.Cookies()[0].Secure {
			t.Error("an untrusted peer made the answer Secure")
		}
	})
	t.Run("cookie-secure marks every answer Secure with HSTS (M7)", func(t *testing.T) {
		kit.CookieSecure = true
		defer func() { kit.CookieSecure = false }()
		if resp := do("203.0.113.9:5000", ""); !secure(resp) {
			t.Errorf("HSTS %q, cookies %v", resp.Header.Get("Strict-Transport-Security"), resp.Cookies())
		}
	})
	t.Run("every page and API answer says no-store (L5)", func(t *testing.T) {
		if cc := do("203.0.113.9:5000", "").Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q", cc)
		}
	})

	static := kit.Middleware(kit.Static())
	get := func(path string) *http.Response {
		rec := httptest.NewRecorder()
		static.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec.Result()
	}
	t.Run("static files are cached, not no-store (L5)", func(t *testing.T) {
		for name := range kit.assets {
			resp := get("/static/" + name + "?v=1")
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
				t.Errorf("%s: %d %q", name, resp.StatusCode, resp.Header.Get("Cache-Control"))
			}
			break
		}
	})
	t.Run("/static/ lists no directory (L6)", func(t *testing.T) {
		for _, path := range []string{"/static/", "/static/vendor/"} {
			if resp := get(path); resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
			}
		}
	})
}
