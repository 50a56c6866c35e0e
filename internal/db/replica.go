package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// FreshWindow is how long after a write its author's reads keep going to the primary, so that
// they see their own write however far the replica lags (on a healthy replica the lag is
// milliseconds; the window covers a replica catching up after a burst).
var FreshWindow = 10 * time.Second

// freshCookie marks a browser that wrote within FreshWindow.
const freshCookie = "linli_primary"

type primaryKey struct{}

// WithPrimary returns a context whose reads through d.R are served by the primary.
func WithPrimary(ctx context.Context) context.Context {
	return context.WithValue(ctx, primaryKey{}, true)
}

// OnPrimary reports whether reads in ctx go to the primary.
func OnPrimary(ctx context.Context) bool { v, _ := ctx.Value(primaryKey{}).(bool); return v }

// HasReplica reports whether reads go to a separate read replica.
func (d *DB) HasReplica() bool { return d.replica != nil }

// openRoutedReplica opens the read pool on the replica at rawURL: a query goes to the replica,
// unless its context says WithPrimary, then it runs on the primary pool; an Exec through the
// read pool always runs on the primary.
func openRoutedReplica(ctx context.Context, rawURL string, primary *sql.DB) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(customPlans(rawURL))
	if err != nil {
		return nil, err
	}
	r := sql.OpenDB(&routedConnector{replica: stdlib.GetConnector(*cfg), primary: primary})
	r.SetMaxOpenConns(20)
	r.SetMaxIdleConns(10)
	r.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := r.PingContext(pingCtx); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

type routedConnector struct {
	replica driver.Connector
	primary *sql.DB
}

func (c *routedConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.replica.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &routedConn{Conn: conn, primary: c.primary}, nil
}

func (c *routedConnector) Driver() driver.Driver { return c.replica.Driver() }

// routedConn is a replica connection that hands flagged queries to the primary pool.
type routedConn struct {
	driver.Conn
	primary *sql.DB
}

func anyArgs(args []driver.NamedValue) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if a.Name != "" {
			out[i] = sql.Named(a.Name, a.Value)
		} else {
			out[i] = a.Value
		}
	}
	return out
}

func (c *routedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if OnPrimary(ctx) {
		rows, err := c.primary.QueryContext(ctx, query, anyArgs(args)...)
		if err != nil {
			return nil, err
		}
		return newPrimaryRows(rows)
	}
	q, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	return q.QueryContext(ctx, query, args)
}

func (c *routedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.primary.ExecContext(ctx, query, anyArgs(args)...)
}

func (c *routedConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, query)
	}
	return c.Conn.Prepare(query)
}

func (c *routedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	return nil, errors.New("db: replica connection cannot begin a transaction")
}

func (c *routedConn) CheckNamedValue(v *driver.NamedValue) error {
	if n, ok := c.Conn.(driver.NamedValueChecker); ok {
		return n.CheckNamedValue(v)
	}
	return driver.ErrSkip
}

func (c *routedConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *routedConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *routedConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// primaryRows serves the rows of a query that ran on the primary pool as driver rows.
type primaryRows struct {
	rows *sql.Rows
	cols []string
	vals []any
	ptrs []any
}

func newPrimaryRows(rows *sql.Rows) (*primaryRows, error) {
	cols, err := rows.Columns()
	if err != nil {
		rows.Close()
		return nil, err
	}
	r := &primaryRows{rows: rows, cols: cols, vals: make([]any, len(cols)), ptrs: make([]any, len(cols))}
	for i := range r.vals {
		r.ptrs[i] = &r.vals[i]
	}
	return r, nil
}

func (r *primaryRows) Columns() []string { return r.cols }
func (r *primaryRows) Close() error      { return r.rows.Close() }

func (r *primaryRows) Next(dest []driver.Value) error {
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return io.EOF
	}
	if err := r.rows.Scan(r.ptrs...); err != nil {
		return err
	}
	for i, v := range r.vals {
		dest[i] = v
	}
	return nil
}

// RouteReads wraps an HTTP handler so that, with a replica, its reads are fresh for whoever just
// wrote: a request that may write (any method but GET and HEAD) reads from the primary and marks
// its author — a cookie for browsers, the Authorization header for API clients — so that their
// reads for the next FreshWindow go to the primary too. Everyone else reads from the replica.
// Without a replica it returns h unchanged.
func (d *DB) RouteReads(h http.Handler) http.Handler {
	if d.replica == nil {
		return h
	}
	var mu sync.Mutex
	writers := map[[32]byte]time.Time{} // API clients by hashed Authorization header
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		auth := r.Header.Get("Authorization")
		var key [32]byte
		if auth != "" {
			key = sha256.Sum256([]byte(auth))
		}
		fresh := false
		if c, err := r.Cookie(freshCookie); err == nil && c.Value == "1" {
			fresh = true
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			fresh = true
			http.SetCookie(w, &http.Cookie{Name: freshCookie, Value: "1", Path: "/", MaxAge: int(FreshWindow / time.Second),
				HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
			if auth != "" {
				mu.Lock()
				writers[key] = now.Add(FreshWindow)
				if len(writers) > 10000 {
					for k, until := range writers {
						if until.Before(now) {
							delete(writers, k)
						}
					}
				}
				mu.Unlock()
			}
		} else if auth != "" && !fresh {
			mu.Lock()
			until, ok := writers[key]
			mu.Unlock()
			fresh = ok && now.Before(until)
		}
		if fresh {
			r = r.WithContext(WithPrimary(r.Context()))
		}
		h.ServeHTTP(w, r)
	})
}
