// Package metrics exposes Linli's operational figures at /metrics in the Prometheus text format:
// HTTP requests by route pattern and status, their durations, the database pools and the Go
// runtime.
//
// /metrics answers requests from the machine itself that did not pass through a proxy, and any
// request that carries the configured token as "Authorization: Bearer <token>". Everything else
// gets 404, so the endpoint is invisible from outside unless an operator opts in.
package metrics

import (
	"crypto/subtle"
	"database/sql"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Path is where the figures are served.
const Path = "/metrics"

// Metrics holds the collectors of one running Linli.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	token    string
	page     http.Handler
}

// Pool is a database connection pool to report, named by its role ("write", "read").
type Pool struct {
	Name string
	DB   *sql.DB
}

// New returns the metrics of a Linli whose database pools are pools. token, when not empty, lets
// a scraper from another machine read /metrics with "Authorization: Bearer <token>".
func New(token string, pools ...Pool) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg:   reg,
		token: token,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "linli_http_requests_total",
			Help: "HTTP requests answered, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "linli_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route pattern and method.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	seen := map[*sql.DB]bool{}
	for _, p := range pools {
		if p.DB == nil || seen[p.DB] {
			continue
		}
		seen[p.DB] = true
		reg.MustRegister(collectors.NewDBStatsCollector(p.DB, p.Name))
	}
	m.page = promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	return m
}

// Registry is where the figures are collected; other packages may register their own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler wraps the whole application: it serves /metrics to those allowed to read it and counts
// and times every other request under the route pattern mux matched — never the raw path, which
// holds record IDs.
func (m *Metrics) Handler(next http.Handler, mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == Path {
			m.serve(w, r)
			return
		}
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		route := "unmatched"
		if _, pattern := mux.Handler(r); pattern != "" {
			route = pattern
		}
		// Patterns carry the method already ("GET /residents/{id}"); keep the label to the path.
		if _, path, ok := strings.Cut(route, " "); ok {
			route = path
		}
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		method := methodLabel(r.Method)
		m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
		m.duration.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
	})
}

// methodLabel keeps the method label to the methods HTTP defines: any other name a client sends
// becomes "OTHER", so random method names cannot grow one time series each.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete,
		http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

func (m *Metrics) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if !m.allowed(r) {
		http.NotFound(w, r)
		return
	}
	m.page.ServeHTTP(w, r)
}

// allowed admits a scraper on this machine that came straight in (a request relayed by a reverse
// proxy on the same machine carries forwarding headers and is treated as remote), or anyone with
// the configured token.
func (m *Metrics) allowed(r *http.Request) bool {
	if m.token != "" {
		if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok &&
			subtle.ConstantTimeCompare([]byte(strings.TrimSpace(bearer)), []byte(m.token)) == 1 {
			return true
		}
	}
	if r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" || r.Header.Get("X-Real-IP") != "" {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

type statusWriter struct {
	http.ResponseWriter
	status int
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
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
