// Package app wires Linli together: it opens the database, builds every capability's service and
// handlers, and serves them. Main is what `linli serve` runs and what end-to-end tests start.
package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"linli/internal/auth"
	"linli/internal/cases"
	"linli/internal/db"
	"linli/internal/jobs"
	"linli/internal/notify"
	"linli/internal/pii"
	"linli/internal/workday"
)

// Config is everything Linli is configured with; cmd/linli fills it from flags and environment.
type Config struct {
	Addr      string // listen address, e.g. 127.0.0.1:8080
	DB        string // sqlite:path or postgres://…
	DBRead    string // optional PostgreSQL read replica
	DataDir   string // uploads and, in demo mode, the generated key file
	SecretKey string // the personal-data key; see LoadKey
	KeyFile   string
	Demo      bool   // seed the Nanguan demo into an empty database
	DemoPass  string // password of every demo account; random when empty
	TileURL   string // optional Leaflet tile URL template
	// CaseMaxExtensionDays is the most working days an extension (延期) may add to a case's
	// handle deadline; 0 means cases.DefaultMaxExtensionDays.
	CaseMaxExtensionDays int
	// TrustedProxies are reverse proxies whose X-Forwarded-For names the client (rate limits, audit).
	TrustedProxies []netip.Prefix
	// BaseURL is the public address QR codes and tracking links use; empty reads LINLI_BASE_URL,
	// and without it the request's host.
	BaseURL string
	// MetricsToken lets a scraper on another machine read /metrics with "Authorization: Bearer
	// <token>"; without it /metrics answers only direct requests from this machine.
	MetricsToken string
	// CookieSecure says browsers reach Linli over HTTPS only: cookies are Secure and HSTS is sent.
	// Without it, a trusted proxy's X-Forwarded-Proto: https does the same per request.
	CookieSecure bool
	Auth         auth.Config
	Webhook      notify.WebhookConfig // SMS/WeChat gateway for notifications; zero reads LINLI_WEBHOOK_URL
	Log          *slog.Logger
}

// Main is a built Linli: its database, services and HTTP handler.
type Main struct {
	Config  Config
	DB      *db.DB
	Handler http.Handler
	// Router is the routes behind Handler's middleware, for tests that walk every route.
	Router *http.ServeMux
	Sealer *pii.Sealer
	Auth   *auth.Service
	Log    *slog.Logger
	// DemoAccounts lists the demo usernames created at start, for the console.
	DemoAccounts []string
	// DemoPassword is the password of every demo account when the demo was seeded.
	DemoPassword string
	// DemoSeeded reports whether this start wrote the demo (rather than finding it there).
	DemoSeeded bool
	// Jobs runs background jobs; capabilities register their kinds on it in build.
	Jobs *jobs.Runner
	// Calendar is the working-day calendar every time limit is counted on.
	Calendar *workday.Service
	// Notify lists and marks users' in-app notifications.
	Notify   *notify.Service
	services services
	bg       background
}

// New opens and migrates the database, seeds the demo if asked, and builds the handler.
func New(ctx context.Context, cfg Config) (*Main, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	d, err := db.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	m := &Main{Config: cfg, DB: d, Log: cfg.Log}
	if err := m.init(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return m, nil
}

func (m *Main) init(ctx context.Context) error {
	cfg := m.Config
	if cfg.DBRead != "" {
		if err := m.DB.OpenReplica(ctx, cfg.DBRead); err != nil {
			return err
		}
	}
	if _, err := m.DB.Migrate(ctx); err != nil {
		return err
	}
	// A database upgraded from before the case tally builds it once (cases.EnsureTallies).
	if _, err := cases.EnsureTallies(ctx, m.DB); err != nil {
		return err
	}
	key, err := LoadKey(cfg)
	if err != nil {
		return err
	}
	if m.Sealer, err = pii.NewSealer(key); err != nil {
		return err
	}
	if err := m.build(); err != nil {
		return err
	}
	if cfg.Demo {
		if err := m.seedDemo(ctx); err != nil {
			return fmt.Errorf("演示数据: %w", err)
		}
	}
	return nil
}

// LoadKey returns the personal-data key: LINLI_SECRET_KEY, else the key file. In demo mode a
// missing key file is created with a random key, next to the database, never inside it.
func LoadKey(cfg Config) (string, error) {
	if cfg.SecretKey != "" {
		return cfg.SecretKey, nil
	}
	path := cfg.KeyFile
	if path == "" {
		path = filepath.Join(cfg.DataDir, "linli.key")
	}
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, os.ErrNotExist) || !cfg.Demo {
		return "", fmt.Errorf("缺少个人信息加密密钥：请设置 LINLI_SECRET_KEY 或 --key-file（读取 %s 失败：%v）", path, err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	key := hex.EncodeToString(raw)
	// The key's folder is the server user's alone: 0700, like the key itself 0600.
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("写入演示密钥 %s: %w", path, err)
	}
	return key, nil
}

// Run serves HTTP on cfg.Addr until ctx is cancelled, then shuts down gracefully.
func (m *Main) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return fmt.Errorf("无法监听 %s: %w", m.Config.Addr, err)
	}
	return m.Serve(ctx, ln)
}

// Serve serves HTTP on ln until ctx is cancelled.
func (m *Main) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           m.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // ledger uploads
		WriteTimeout:      5 * time.Minute, // ledger exports
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(m.Log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	m.startBackground(ctx)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// Close stops the background work and releases the database.
func (m *Main) Close() error {
	m.stopJobs()
	if m.services.ledger != nil {
		m.services.ledger.Wait() // a ledger commit in flight finishes (or rolls back) before the DB closes
	}
	return m.DB.Close()
}
