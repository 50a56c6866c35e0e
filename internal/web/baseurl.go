package web

import (
	"net/http"
	"strings"
)

// BaseURL is the address residents reach the server at, for QR codes and calendar links: the
// configured one when set, else the scheme and host of the request.
func BaseURL(r *http.Request, configured string) string {
	if configured != "" {
		return strings.TrimRight(configured, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
