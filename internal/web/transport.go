package web

import (
	"context"
	"net/http"
	"net/netip"
	"strings"
)

type secureKey struct{}

// Secure reports whether the browser reached Linli over HTTPS: Linli serves TLS itself, the
// deployment says so (Kit.CookieSecure, the --cookie-secure setting), or a trusted reverse proxy
// says X-Forwarded-Proto: https. Cookies set on such a request are marked Secure.
func Secure(r *http.Request) bool {
	if s, ok := r.Context().Value(secureKey{}).(bool); ok {
		return s
	}
	return r.TLS != nil
}

// secure decides Secure once per request, in Middleware. A client's own X-Forwarded-Proto is
// believed only from a trusted proxy, like its X-Forwarded-For.
func (k *Kit) secure(r *http.Request) bool {
	if k.CookieSecure || r.TLS != nil {
		return true
	}
	if len(k.TrustedProxies) == 0 || !strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https") {
		return false
	}
	addr, err := netip.ParseAddr(peerIP(r))
	return err == nil && k.trusted(addr)
}

// transportHeaders marks the request secure or not and sets the headers that depend on it: HSTS
// over HTTPS, and Cache-Control: no-store on every answer — pages and API answers carry personal
// data and must not stay in a shared computer's browser cache or a proxy. Static assets replace
// it with their own caching (Kit.Static).
func (k *Kit) transportHeaders(w http.ResponseWriter, r *http.Request) *http.Request {
	sec := k.secure(r)
	h := w.Header()
	if sec {
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
	h.Set("Cache-Control", "no-store")
	return r.WithContext(context.WithValue(r.Context(), secureKey{}, sec))
}
