package metrics_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"linli/internal/metrics"
)

func get(t *testing.T, url string, header ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestMetrics(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /residents/{id}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotFound) })
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	m := metrics.New("s3cret-token", metrics.Pool{Name: "write", DB: sql.OpenDB(nopConnector{})})
	srv := httptest.NewServer(m.Handler(mux, mux))
	defer srv.Close()

	get(t, srv.URL+"/residents/12345")
	get(t, srv.URL+"/residents/67890")
	get(t, srv.URL+"/healthz")
	get(t, srv.URL+"/no/such/page")

	t.Run("counts requests by route pattern and status, never by raw path", func(t *testing.T) {
		code, body := get(t, srv.URL+"/metrics")
		if code != http.StatusOK {
			t.Fatalf("loopback scrape: %d", code)
		}
		for _, want := range []string{
			`linli_http_requests_total{code="404",method="GET",route="/residents/{id}"} 2`,
			`linli_http_requests_total{code="200",method="GET",route="/healthz"} 1`,
			`route="unmatched"`,
			`linli_http_request_duration_seconds_bucket`,
			`go_goroutines`,
			`go_sql_open_connections{db_name="write"}`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("missing %s", want)
			}
		}
		if strings.Contains(body, "12345") || strings.Contains(body, "/no/such/page") {
			t.Error("a raw path is a label")
		}
	})

	t.Run("a request relayed by a proxy needs the token", func(t *testing.T) {
		if code, _ := get(t, srv.URL+"/metrics", "X-Forwarded-For", "203.0.113.9"); code != http.StatusNotFound {
			t.Errorf("proxied without token: %d", code)
		}
		if code, _ := get(t, srv.URL+"/metrics", "X-Forwarded-For", "203.0.113.9", "Authorization", "Bearer wrong"); code != http.StatusNotFound {
			t.Errorf("proxied with a wrong token: %d", code)
		}
		if code, _ := get(t, srv.URL+"/metrics", "X-Forwarded-For", "203.0.113.9", "Authorization", "Bearer s3cret-token"); code != http.StatusOK {
			t.Errorf("proxied with the token: %d", code)
		}
	})
}

func TestMetricsMethodLabel(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	m := metrics.New("", metrics.Pool{Name: "write", DB: sql.OpenDB(nopConnector{})})
	srv := httptest.NewServer(m.Handler(mux, mux))
	defer srv.Close()

	t.Run("unknown HTTP methods share one OTHER label (L2)", func(t *testing.T) {
		for i := 0; i < 50; i++ {
			req, _ := http.NewRequest(fmt.Sprintf("X%dRANDOM", i), srv.URL+"/healthz", nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
		_, body := get(t, srv.URL+"/metrics")
		if strings.Contains(body, "RANDOM") {
			t.Error("a client's made-up method name became a label")
		}
		if !strings.Contains(body, `linli_http_requests_total{code="200",method="OTHER",route="/healthz"} 50`) {
			t.Errorf("made-up methods not counted under OTHER")
		}
	})
}

// nopConnector is a database that is never connected to; the pool collector only reads its stats.
type nopConnector struct{}

func (nopConnector) Connect(context.Context) (driver.Conn, error) {
	return nil, errors.New("no database")
}
func (nopConnector) Driver() driver.Driver { return nil }
