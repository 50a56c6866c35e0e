package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

// from returns a request as the kit's middleware sees it from remote, through X-Forwarded-For xff.
func from(t *testing.T, kit *Kit, remote, xff string) *http.Request {
	t.Helper()
	var seen *http.Request
	h := kit.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = r }))
	req := httptest.NewRequest("POST", "/report", nil)
	req.RemoteAddr = remote
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	h.ServeHTTP(httptest.NewRecorder(), req)
	return seen
}

func TestLimiterCountsEachClientAddressApart(t *testing.T) {
	kit, err := NewKit(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	kit.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	now := time.Date(2026, 12, 1, 8, 30, 0, 0, time.UTC)
	l := NewLimiter(20*time.Second, 2)
	a := from(t, kit, "10.0.0.1:1000", "198.51.100.1")        // through the trusted proxy
	b := from(t, kit, "10.0.0.1:1001", "198.51.100.2")        // another client, same proxy
	spoof := from(t, kit, "203.0.113.9:5000", "198.51.100.1") // names a's address itself

	for i, want := range []bool{true, true, false} {
		if got := l.Allow(a, now); got != want {
			t.Fatalf("a's attempt %d: allowed %v, want %v", i+1, got, want)
		}
	}
	if !l.Allow(b, now) {
		t.Fatal("another client behind the same proxy was refused for a's attempts")
	}
	if !l.Allow(spoof, now) {
		t.Fatal("an untrusted peer was keyed by the address it sent in X-Forwarded-For")
	}
	if l.Allow(a, now.Add(19*time.Second)) {
		t.Fatal("a was allowed again before a token refilled")
	}
	if !l.Allow(a, now.Add(21*time.Second)) {
		t.Fatal("a was refused after a token refilled")
	}
}

func TestLimiterBlockedTellsTheWaitAndReportsTheFirstRefusalOnce(t *testing.T) {
	kit, err := NewKit(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	r := from(t, kit, "203.0.113.9:5000", "")
	now := time.Date(2026, 12, 1, 8, 30, 0, 0, time.UTC)
	l := NewLimiter(6*time.Second, 1)
	if blocked, _, _ := l.Blocked(r, now); blocked {
		t.Fatal("blocked before any attempt")
	}
	if blocked, _, _ := l.Blocked(r, now); blocked {
		t.Fatal("Blocked took a token")
	}
	l.Allow(r, now)
	blocked, wait, first := l.Blocked(r, now.Add(2*time.Second))
	if !blocked || !first || wait != 4*time.Second {
		t.Fatalf("after the burst: blocked %v first %v wait %s, want true true 4s", blocked, first, wait)
	}
	if _, _, first := l.Blocked(r, now.Add(3*time.Second)); first {
		t.Fatal("a second refusal within the minute was reported as first")
	}
	rec := httptest.NewRecorder()
	RetryAfter(rec, wait)
	if got := rec.Header().Get("Retry-After"); got != "5" {
		t.Fatalf("Retry-After %q, want 5", got)
	}
}

func TestLimiterForgetsIdleAddressesAndNilAllowsAll(t *testing.T) {
	kit, err := NewKit(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 8, 30, 0, 0, time.UTC)
	l := NewLimiter(time.Second, 1)
	for i := range 3 {
		l.Allow(from(t, kit, netip.AddrFrom4([4]byte{203, 0, 113, byte(i)}).String()+":1", ""), now)
	}
	l.Allow(from(t, kit, "198.51.100.7:1", ""), now.Add(5*time.Minute))
	if len(l.byAddr) != 1 {
		t.Fatalf("%d addresses held after the others idled out, want 1", len(l.byAddr))
	}
	var none *Limiter
	if !none.Allow(from(t, kit, "203.0.113.9:1", ""), now) {
		t.Fatal("a nil limiter refused")
	}
	if blocked, _, _ := none.Blocked(from(t, kit, "203.0.113.9:1", ""), now); blocked {
		t.Fatal("a nil limiter blocked")
	}
}
