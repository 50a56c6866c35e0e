// Package db opens Linli's database — SQLite embedded or PostgreSQL — and holds the few places
// where the two dialects differ: connection set-up, error mapping, full-text search and migrations.
//
// Every other package writes one SQL text for both, with $n placeholders, in their common subset.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"linli/internal/errs"
)

// Dialect names the SQL engine behind a DB.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open database: W takes every write (for SQLite a single connection), R serves reads.
// R is W itself unless a separate read pool or replica was opened.
type DB struct {
	W        *sql.DB
	R        *sql.DB
	Dialect  Dialect
	replica  *sql.DB  // the routed read pool when OpenReplica was called
	keyStmts sync.Map // SQLite: KeyRow's statements prepared on R, by query
	keyPool  *sql.DB  // PostgreSQL: the pool of KeyRow and InKeyTx, on PostgreSQL's default plan cache mode
}

// drivers are the database/sql driver names Open uses for each dialect.
var drivers = map[Dialect]string{SQLite: "sqlite", Postgres: "pgx"}

// UseDriver makes Open use the registered database/sql driver name for a dialect — a wrapper of the
// real driver that observes statements (the city benchmark records the statements a page runs to
// replay them bare) — and returns a function that restores the default. Not for serving: call it
// before Open, from one goroutine.
func UseDriver(d Dialect, name string) (restore func()) {
	old := drivers[d]
	drivers[d] = name
	return func() { drivers[d] = old }
}

// Open connects to "sqlite:path/to/file.db" or "postgres://…", checks that the database answers,
// and returns a DB with its pools configured. It does not migrate.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	switch {
	case strings.HasPrefix(rawURL, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite:"), "//"))
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return openPostgres(ctx, rawURL)
	default:
		return nil, fmt.Errorf("数据库地址应以 sqlite: 或 postgres:// 开头，收到 %q", Redact(rawURL))
	}
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlite: 数据库文件路径为空")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("创建数据目录 %s: %w", dir, err)
		}
	}
	// The file holds every resident's record: create it readable by the server's user only (SQLite
	// gives its -wal and -shm files the same mode). An existing file keeps the mode its owner chose.
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	} else if !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("创建 SQLite 数据库文件 %s: %w", path, err)
	}
	// synchronous=FULL: an acknowledged write survives power loss.
	pragmas := "?_time_format=sqlite&_txlock=immediate" +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)" +
		"&_pragma=foreign_keys(ON)&_pragma=cache_size(-32000)&_pragma=temp_store(MEMORY)"
	// The writer sorts in temporary files (cached in its page cache until they outgrow it): its
	// large sorts are a migration's index builds and the case tally's build, which with
	// temp_store(MEMORY) took 2.1 GB to upgrade the 1M-resident city. Readers sort in memory.
	w, err := sql.Open(drivers[SQLite], "file:"+path+strings.Replace(pragmas, "temp_store(MEMORY)", "temp_store(FILE)", 1))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	// Readers keep a smaller page cache each (8 MB, the writer 32 MB): the operating system caches
	// the file anyway, and four full 32 MB caches alone would take most of the 200 MB a server may
	// use (docs/performance.md, memory).
	readPragmas := strings.Replace(pragmas, "cache_size(-32000)", "cache_size(-8000)", 1)
	r, err := sql.Open(drivers[SQLite], "file:"+path+readPragmas+"&_pragma=query_only(ON)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	d := &DB{W: w, R: r, Dialect: SQLite}
	if err := w.PingContext(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("打开 SQLite 数据库 %s: %w", path, err)
	}
	return d, nil
}

// customPlans makes PostgreSQL plan every execution for its actual arguments. pgx prepares and
// caches statements, and after five runs PostgreSQL may switch a prepared statement to a generic
// plan that knows neither the user's scope nor the search term — for a scoped full-text search
// that walked every resident in scope (a city: 1.9 s instead of 13 ms).
//
// It also turns off PostgreSQL's JIT compilation: the figures aggregate a district's cases with a
// few dozen CASE expressions, which the planner's cost puts above the JIT thresholds, and
// compiling them took longer than the whole statement runs without it (a district-year on the
// 1M-resident city: 10.7 s of JIT in 11.1 s; docs/performance.md). An explicit plan_cache_mode
// or jit in the URL wins.
func customPlans(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	q := u.Query()
	if q.Get("plan_cache_mode") == "" {
		q.Set("plan_cache_mode", "force_custom_plan")
	}
	if q.Get("jit") == "" {
		q.Set("jit", "off")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func openPostgres(ctx context.Context, rawURL string) (*DB, error) {
	w, err := sql.Open(drivers[Postgres], customPlans(rawURL))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(20)
	w.SetMaxIdleConns(10)
	w.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := w.PingContext(pingCtx); err != nil {
		w.Close()
		return nil, fmt.Errorf("无法连接 PostgreSQL %s: %w", Redact(rawURL), err)
	}
	// The key pool serves statements that find their rows by their keys, whatever the arguments:
	// the principal of every request (KeyRow) and a case intake's transaction (InKeyTx). Its
	// connections keep PostgreSQL's default plan cache mode unless the URL names one, so such a
	// statement, after five runs planned for its arguments, runs on its cached generic plan — where
	// W's force_custom_plan (customPlans), which scoped and searched statements need, plans it anew
	// on every run: 0.3 ms of the server's CPU for the principal's join of three tables, 0.6 ms for
	// an intake's catalog read.
	u, err := url.Parse(rawURL)
	if err != nil {
		w.Close()
		return nil, err
	}
	q := u.Query()
	if q.Get("plan_cache_mode") == "" {
		q.Set("plan_cache_mode", "auto")
	}
	u.RawQuery = q.Encode()
	keys, err := sql.Open(drivers[Postgres], customPlans(u.String()))
	if err != nil {
		w.Close()
		return nil, err
	}
	// Four connections: each a backend beside the other pool's twenty, and on the 2-core benchmark
	// machine ten more backends slowed /residents under 50 clients from 0.82 to 0.53 of its bare
	// work (twenty more: 0.38); the lookups are short, and an intake waits on its community's
	// number counter anyway.
	keys.SetMaxOpenConns(4)
	keys.SetMaxIdleConns(4)
	keys.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{W: w, R: w, Dialect: Postgres, keyPool: keys}, nil
}

// OpenReplica points reads (d.R) at a PostgreSQL streaming replica; writes stay on the primary.
// A read whose context carries WithPrimary — set by RouteReads for whoever just wrote — is served
// by the primary, and an Exec through d.R runs on the primary.
func (d *DB) OpenReplica(ctx context.Context, rawURL string) error {
	if d.Dialect != Postgres {
		return errors.New("只读副本仅支持 PostgreSQL")
	}
	r, err := openRoutedReplica(ctx, rawURL, d.W)
	if err != nil {
		return fmt.Errorf("无法连接只读副本 %s: %w", Redact(rawURL), err)
	}
	if d.replica != nil {
		d.replica.Close()
	}
	d.R, d.replica = r, r
	return nil
}

// KeyRow runs a query that finds one row by a key and that every request makes — the session's
// or the API token's principal — so that it is neither parsed nor planned on every run. On SQLite
// it runs on the read pool through a statement prepared once (SQLite parses every other statement
// anew); on PostgreSQL on the key pool.
func (d *DB) KeyRow(ctx context.Context, query string, args ...any) *sql.Row {
	if d.Dialect != SQLite {
		if d.keyPool != nil {
			return d.keyPool.QueryRowContext(ctx, query, args...)
		}
		return d.R.QueryRowContext(ctx, query, args...)
	}
	st, ok := d.keyStmts.Load(query)
	if !ok {
		prepared, err := d.R.PrepareContext(ctx, query)
		if err != nil {
			return d.R.QueryRowContext(ctx, query, args...) // the error shows there
		}
		if st, ok = d.keyStmts.LoadOrStore(query, prepared); ok {
			prepared.Close()
		}
	}
	return st.(*sql.Stmt).QueryRowContext(ctx, args...)
}

// Close closes the pools.
func (d *DB) Close() error {
	err := d.W.Close()
	if d.keyPool != nil {
		d.keyPool.Close()
	}
	if d.R != d.W {
		if rerr := d.R.Close(); err == nil {
			err = rerr
		}
	}
	return err
}

// Ping checks that the database answers; /healthz uses it.
func (d *DB) Ping(ctx context.Context) error {
	var one int
	return d.W.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Redact hides the password in a database URL so it can be logged.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil {
		return rawURL
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Querier is what both *sql.DB and *Tx offer; store functions take it so they run inside or
// outside a transaction alike.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx is a write transaction with hooks that run only after it commits.
type Tx struct {
	*sql.Tx
	Dialect Dialect
	after   []func()
	// PostgreSQL: the connection the transaction runs on and its pgx connection (notPgx: the
	// driver's connection is not pgx's, a tracing driver's), for the writes Pipelined queues
	// (queue), and the error of the last batch sent (sendErr).
	conn    *sql.Conn
	pgx     *pgx.Conn
	notPgx  bool
	queue   []queued
	sendErr error
}

// AfterCommit registers f to run once the transaction has committed; it never runs on rollback.
func (tx *Tx) AfterCommit(f func()) { tx.after = append(tx.after, f) }

// InTx runs fn in a write transaction, commits it, then runs the after-commit hooks. It retries the
// whole of fn when the database reports a serialization failure or a busy lock, so fn must not have
// effects outside the transaction.
func (d *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	return d.inTx(ctx, d.W, fn)
}

// InKeyTx is InTx for a transaction whose every statement finds its rows by their keys (a case
// intake): on PostgreSQL it runs on the key pool.
func (d *DB) InKeyTx(ctx context.Context, fn func(tx *Tx) error) error {
	if d.keyPool != nil {
		return d.inTx(ctx, d.keyPool, fn)
	}
	return d.InTx(ctx, fn)
}

func (d *DB) inTx(ctx context.Context, pool *sql.DB, fn func(tx *Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempt*attempt*20) * time.Millisecond):
			}
		}
		err = d.tryTx(ctx, pool, fn)
		if !retryable(err) {
			return err
		}
	}
	return err
}

// GenericPlans runs fn with a reader on which PostgreSQL plans each statement once, for any
// arguments (plan_cache_mode force_generic_plan, in a read-only transaction of the read pool), and
// reuses the plan on every later run of it. It is for a statement run many times whose arguments do
// not change its best plan — an export's chunks of ids, where a custom plan costs more to make than
// to run (13 ms planning and 52 ms running 1,000 visits, against 0.1 ms and 21 ms) and the estimate
// of a thousand ids could tip it into hash joins over whole tables. Not for scoped or searched
// statements, whose plans depend on their arguments (customPlans). On SQLite fn gets the read pool.
func (d *DB) GenericPlans(ctx context.Context, fn func(q Querier) error) error {
	if d.Dialect != Postgres {
		return fn(d.R)
	}
	tx, err := d.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to keep
	if _, err := tx.ExecContext(ctx, "SET LOCAL plan_cache_mode = force_generic_plan"); err != nil {
		return err
	}
	return fn(tx)
}

func (d *DB) tryTx(ctx context.Context, pool *sql.DB, fn func(tx *Tx) error) error {
	tx := &Tx{Dialect: d.Dialect}
	var err error
	if d.Dialect == Postgres { // on a connection of its own, which Pipelined can reach
		if tx.conn, err = pool.Conn(ctx); err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		defer tx.conn.Close()
		tx.Tx, err = tx.conn.BeginTx(ctx, nil)
	} else {
		tx.Tx, err = pool.BeginTx(ctx, nil)
	}
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Tx.Rollback() // after a panic in fn, before the connection goes back; else a no-op
	if err := fn(tx); err != nil {
		if tx.sendErr != nil { // the queued writes failed first: theirs is the cause (a deadlock is retried)
			err = tx.sendErr
		}
		return err
	}
	if err := tx.send(ctx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if tx.conn != nil {
		tx.conn.Close() // back to the pool before the hooks run (the deferred Close is then a no-op)
	}
	for _, f := range tx.after {
		f()
	}
	return nil
}

func retryable(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "40001" || pgErr.Code == "40P01"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		c := sqErr.Code() & 0xff
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
	}
	return false
}

// IsUnique reports whether err is a unique-constraint violation, in either dialect.
func IsUnique(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// IsForeignKey reports whether err is a foreign-key violation, in either dialect.
func IsForeignKey(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23503"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}

// NotFound turns sql.ErrNoRows into a not_found domain error with the given Chinese message and
// wraps any other error with what was being done.
func NotFound(err error, message string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.NotFound, "%s", message)
	}
	return err
}

// MatchFTS returns the predicate that matches rows of the full-text table ftsTable against the
// query in placeholder ph (built by search.Query). SQLite uses FTS5, PostgreSQL a tsvector column.
func (d Dialect) MatchFTS(ftsTable, ph string) string {
	if d == Postgres {
		return ftsTable + ".tokens @@ to_tsquery('simple', " + ph + ")"
	}
	return ftsTable + " MATCH " + ph
}

// FTSValue wraps the placeholder of a token string (built by search.Tokens) for insertion into a
// full-text table's tokens column.
func (d Dialect) FTSValue(ph string) string {
	if d == Postgres {
		return "to_tsvector('simple', " + ph + ")"
	}
	return ph
}

// FTSQuery builds the full-text query for terms that must all occur (see search.Terms); with
// prefix the last term matches any token it begins. Terms hold only letters and digits.
func (d Dialect) FTSQuery(terms []string, prefix bool) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		last := prefix && i == len(terms)-1
		if d == Postgres {
			parts[i] = "'" + t + "'"
			if last {
				parts[i] += ":*"
			}
		} else {
			parts[i] = `"` + t + `"`
			if last {
				parts[i] += "*"
			}
		}
	}
	if d == Postgres {
		return strings.Join(parts, " & ")
	}
	return strings.Join(parts, " AND ")
}
