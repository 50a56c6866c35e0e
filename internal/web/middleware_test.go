package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

func TestClientIP(t *testing.T) {
	kit, err := NewKit(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	var got string
	h := kit.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = ClientIP(r) }))
	do := func(remote, xff string) string {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = remote
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		h.ServeHTTP(httptest.NewRecorder(), req)
		return got
	}
	if ip := do("203.0.113.9:5000", "198.51.100.1"); ip != "203.0.113.9" {
		t.Errorf("without trusted proxies a client's own X-Forwarded-For was believed: %s", ip)
	}
	kit.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	if ip := do("10.0.0.2:5000", "198.51.100.1, 192.0.2.7"); ip != "192.0.2.7" {
		t.Errorf("behind a trusted proxy the client is the right-most forwarded address, got %s", ip)
	}
	if ip := do("203.0.113.9:5000", "192.0.2.7"); ip != "203.0.113.9" {
		t.Errorf("an untrusted peer's X-Forwarded-For was believed: %s", ip)
	}
	if ip := do("10.0.0.2:5000", ""); ip != "10.0.0.2" {
		t.Errorf("a trusted proxy without the header is the client itself, got %s", ip)
	}
}

func TestAccessLogHidesTrackingCodes(t *testing.T) {
	var logs strings.Builder
	kit, err := NewKit(slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	h := kit.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for _, path := range []string{"/track/Xk3secretCode9", "/api/v1/public/cases/Xk3secretCode9/rating"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	if strings.Contains(logs.String(), "Xk3secretCode9") {
		t.Fatalf("a tracking code reached the access log:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "/api/v1/public/cases/…/rating") {
		t.Errorf("the redacted path should keep its shape:\n%s", logs.String())
	}
}
