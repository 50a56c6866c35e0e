package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"linli/internal/db"
	"linli/internal/errs"
)

type requestIDKey struct{}

// RequestID returns the ID given to the current request, for logs and error pages.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

type clientIPKey struct{}

// ClientIP returns the address the request came from: the peer's address, or — when the peer is
// a trusted reverse proxy (Kit.TrustedProxies) — the last address it appended to X-Forwarded-For.
// Rate limits, lockout and the audit log all key on it.
func ClientIP(r *http.Request) string {
	if ip, ok := r.Context().Value(clientIPKey{}).(string); ok {
		return ip
	}
	return peerIP(r)
}

func peerIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// clientIP resolves the client address once per request. Only a trusted proxy's
// X-Forwarded-For is believed, and only its right-most entry (the address that proxy saw), so a
// client cannot pick its own address by sending the header itself.
func (k *Kit) clientIP(r *http.Request) string {
	peer := peerIP(r)
	if len(k.TrustedProxies) == 0 {
		return peer
	}
	addr, err := netip.ParseAddr(peer)
	if err != nil || !k.trusted(addr) {
		return peer
	}
	xff := r.Header.Values("X-Forwarded-For")
	if len(xff) == 0 {
		return peer
	}
	parts := strings.Split(xff[len(xff)-1], ",")
	if ip, err := netip.ParseAddr(strings.TrimSpace(parts[len(parts)-1])); err == nil {
		return ip.String()
	}
	return peer
}

func (k *Kit) trusted(addr netip.Addr) bool {
	for _, p := range k.TrustedProxies {
		if p.Contains(addr.Unmap()) {
			return true
		}
	}
	return false
}

// logPath is the path written to the access log: a public tracking code is the resident's key to
// their case, so it is cut out.
func logPath(path string) string {
	for _, prefix := range []string{"/track/", "/api/v1/public/cases/"} {
		if rest, ok := strings.CutPrefix(path, prefix); ok && rest != "" {
			code, tail, _ := strings.Cut(rest, "/")
			if code != "" {
				tail = strings.TrimPrefix("/"+tail, "/")
				if tail != "" {
					tail = "/" + tail
				}
				return prefix + "…" + tail
			}
		}
	}
	return path
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Middleware wraps the whole router: request ID, access log (path only — query strings may hold
// personal numbers), panic recovery, security headers, and cross-origin protection for every
// state-changing request.
func (k *Kit) Middleware(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := errs.E(errs.Forbidden, "跨站请求已被拒绝")
		if strings.HasPrefix(r.URL.Path, "/api/") {
			k.APIErr(w, r, err)
			return
		}
		k.Error(w, r, err)
	}))
	inner := cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id := hex.EncodeToString(b)
		ctx := context.WithValue(r.Context(), requestIDKey{}, id)
		ctx = context.WithValue(ctx, clientIPKey{}, k.clientIP(r))
		r = k.transportHeaders(w, r.WithContext(ctx))
		sw := &statusWriter{ResponseWriter: w}
		h := sw.Header()
		h.Set("X-Request-ID", id)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		img := "'self' data: blob:"
		if k.TileURL != "" {
			if u, err := url.Parse(strings.ReplaceAll(k.TileURL, "{s}", "a")); err == nil && u.Host != "" {
				img += " " + u.Scheme + "://" + strings.TrimPrefix(u.Host, "a.")
				img += " " + u.Scheme + "://*." + strings.TrimPrefix(u.Host, "a.")
			}
		}
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src "+img+
			"; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				k.Log.ErrorContext(ctx, "panic", "request_id", id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if sw.status == 0 {
					k.Error(sw, r, fmt.Errorf("panic: %v", p))
				}
			}
			k.Log.LogAttrs(ctx, slog.LevelInfo, "http",
				slog.String("request_id", id), slog.String("method", r.Method), slog.String("path", logPath(r.URL.Path)),
				slog.Int("status", sw.status), slog.Int("bytes", sw.bytes),
				slog.Duration("dur", time.Since(start)), slog.String("ip", ClientIP(r)))
		}()
		inner.ServeHTTP(sw, r)
	})
}

// SetFlash stores a one-time message shown on the next page.
func SetFlash(w http.ResponseWriter, msg string) {
	http.SetCookie(w, &http.Cookie{Name: "linli_flash", Value: url.QueryEscape(msg), Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: 60, Secure: secureWriter(w)})
}

// secureWriter reports whether the response w answers a request Middleware found secure; SetFlash
// has only the writer. Middleware sets HSTS exactly then.
func secureWriter(w http.ResponseWriter) bool {
	return w.Header().Get("Strict-Transport-Security") != ""
}

// TakeFlash returns and clears the one-time message.
func TakeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie("linli_flash")
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: "linli_flash", Path: "/", MaxAge: -1})
	msg, _ := url.QueryUnescape(c.Value)
	return msg
}

// Redirect answers a successful form post: 303 to url, with a flash message.
func Redirect(w http.ResponseWriter, r *http.Request, to, flash string) {
	if flash != "" {
		SetFlash(w, flash)
	}
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", to)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// PathID parses the {name} path value as a positive ID; anything else is not found.
func PathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.E(errs.NotFound, "记录不存在")
	}
	return id, nil
}

// QueryInt64 returns an integer query or form value, 0 when absent or malformed.
func QueryInt64(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(r.FormValue(name)), 10, 64)
	return n
}

// FormInt returns an integer form or query value, 0 when absent or malformed.
func FormInt(r *http.Request, name string) int { return int(QueryInt64(r, name)) }

// Pager is limit/offset paging with the total, for lists in pages and the API.
type Pager struct {
	Limit  int
	Offset int
	Total  int
	More   bool // the list holds more than Total, which is where its count stopped ("超过 N 条")
}

// PagerFrom reads limit and offset (or page) from the query; limit defaults to def and is capped at 500.
func PagerFrom(r *http.Request, def int) Pager {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 {
		limit = def
	}
	if limit > 500 {
		limit = 500
	}
	offset, _ := strconv.Atoi(q.Get("offset"))
	if page, _ := strconv.Atoi(q.Get("page")); page > 1 {
		offset = (page - 1) * limit
	}
	if offset < 0 {
		offset = 0
	}
	return Pager{Limit: limit, Offset: offset}
}

// Count sets the total from a capped count (db.CountUpTo): past db.CountCap the pager says
// "超过 10000 条" and More.
func (p *Pager) Count(n int) { p.Total, p.More = db.Capped(n) }

// Page is the current page number, from 1.
func (p Pager) Page() int { return p.Offset/p.Limit + 1 }

// Pages is the number of pages.
func (p Pager) Pages() int {
	if p.Total == 0 {
		return 1
	}
	return (p.Total + p.Limit - 1) / p.Limit
}

// HasPrev reports whether there is a page before this one.
func (p Pager) HasPrev() bool { return p.Offset > 0 }

// HasNext reports whether there is a page after this one.
func (p Pager) HasNext() bool { return p.Offset+p.Limit < p.Total }
