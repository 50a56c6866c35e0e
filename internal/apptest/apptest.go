// Package apptest starts a whole Linli on a temporary database for HTTP tests, with the fixture
// community, and gives clients that sign in as fixture users through the real sign-in form.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"linli/internal/app"
	"linli/internal/db"
	"linli/internal/fixture"
)

// Env is a running Linli with the fixture community.
type Env struct {
	Main    *app.Main
	Server  *httptest.Server
	Fixture *fixture.Community
	// Log holds everything the server logged, so tests can assert no personal number leaked.
	Log *SyncBuffer
}

// SyncBuffer is a goroutine-safe buffer for log output.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// New starts Linli on a fresh SQLite database with the fixture community.
func New(t testing.TB) *Env {
	t.Helper()
	return NewWithDB(t, "sqlite:"+filepath.Join(t.TempDir(), "linli.db"))
}

// NewWithDB starts Linli on the given database URL with the fixture community.
func NewWithDB(t testing.TB, dbURL string) *Env {
	t.Helper()
	logs := &SyncBuffer{}
	m, err := app.New(context.Background(), app.Config{DB: dbURL, DataDir: t.TempDir(), SecretKey: fixture.SecretKey,
		Log: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return Start(t, m, fixture.New(t, m.DB), logs)
}

// NewDemo starts Linli on a fresh SQLite file seeded with the Nanguan demo (internal/demo); every
// demo account (admin, grid01, worker01 …) signs in with fixture.Password. Fixture is nil.
func NewDemo(t testing.TB) *Env {
	t.Helper()
	logs := &SyncBuffer{}
	m, err := app.New(context.Background(), app.Config{DB: "sqlite:" + filepath.Join(t.TempDir(), "linli.db"),
		DataDir: t.TempDir(), SecretKey: fixture.SecretKey, Demo: true, DemoPass: fixture.Password,
		Log: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return Start(t, m, nil, logs)
}

// Start serves an already built Main over httptest.
func Start(t testing.TB, m *app.Main, f *fixture.Community, logs *SyncBuffer) *Env {
	srv := httptest.NewServer(m.Handler)
	t.Cleanup(srv.Close)
	return &Env{Main: m, Server: srv, Fixture: f, Log: logs}
}

// DB returns the environment's database.
func (e *Env) DB() *db.DB { return e.Main.DB }

// Client is a browser-like client: a cookie jar and no automatic redirects.
type Client struct {
	t     testing.TB
	env   *Env
	HTTP  *http.Client
	Token string // when set, requests carry it as a bearer token instead of cookies
}

// Anonymous returns a client that has not signed in.
func (e *Env) Anonymous(t testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{t: t, env: e, HTTP: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// Login signs in through the sign-in form as a fixture user and returns the client.
func (e *Env) Login(t testing.TB, username string) *Client {
	t.Helper()
	c, resp := e.SignIn(t, username, fixture.Password)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: status %d: %s", username, resp.StatusCode, resp.Body)
	}
	return c
}

// SignIn posts the sign-in form as a new browser and returns the browser and the answer,
// whatever it is: for tests of refused, throttled or locked sign-ins.
func (e *Env) SignIn(t testing.TB, username, password string) (*Client, *Response) {
	c := e.Anonymous(t)
	return c, c.PostForm("/login", url.Values{"username": {username}, "password": {password}})
}

// APIClient gets a bearer token for a fixture user through POST /api/v1/auth/token.
func (e *Env) APIClient(t testing.TB, username string) *Client {
	t.Helper()
	c := e.Anonymous(t)
	resp := c.JSON("POST", "/api/v1/auth/token", map[string]string{"username": username, "password": fixture.Password})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("token %s: status %d: %s", username, resp.StatusCode, resp.Body)
	}
	var tok struct{ Token string }
	resp.Decode(t, &tok)
	c.Token = tok.Token
	return c
}

// Response is a read response.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       string
}

// Decode unmarshals the JSON body.
func (r *Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatalf("decode %q: %v", r.Body, err)
	}
}

// Do sends a request. Same-origin requests carry the Origin header a browser would send. Every
// answer under /api/v1 is checked against the API document; a mismatch fails the test.
func (c *Client) Do(req *http.Request) *Response {
	c.t.Helper()
	if req.Method != http.MethodGet && req.Method != http.MethodHead && req.Header.Get("Origin") == "" {
		req.Header.Set("Origin", c.env.Server.URL)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	c.checkAPI(req, resp, b)
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// Get fetches a path.
func (c *Client) Get(path string) *Response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.env.Server.URL+path, nil)
	return c.Do(req)
}

// PostForm posts a url-encoded form.
func (c *Client) PostForm(path string, form url.Values) *Response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.env.Server.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(req)
}

// JSON sends v as a JSON body (nil for none).
func (c *Client) JSON(method, path string, v any) *Response {
	c.t.Helper()
	var body io.Reader
	if v != nil {
		b, _ := json.Marshal(v)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.env.Server.URL+path, body)
	if v != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	return c.Do(req)
}

// ServerURL is the address of the server the client talks to.
func (c *Client) ServerURL() string { return c.env.Server.URL }
