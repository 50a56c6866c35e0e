package bench

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"sync"
)

// Statement is one statement a request ran, with its arguments.
type Statement struct {
	Query string
	Args  []any
	Exec  bool // an INSERT/UPDATE/DELETE run with Exec
}

// Recorder collects the statements run under a context made by Record.
type Recorder struct {
	mu    sync.Mutex
	Stmts []Statement
}

type recordKey struct{}

// Record returns a context under which every statement run through a traced driver is added to rec.
func Record(ctx context.Context, rec *Recorder) context.Context {
	return context.WithValue(ctx, recordKey{}, rec)
}

func note(ctx context.Context, query string, args []driver.NamedValue, exec bool) {
	rec, ok := ctx.Value(recordKey{}).(*Recorder)
	if !ok {
		return
	}
	vals := make([]any, len(args))
	for i, a := range args {
		vals[i] = a.Value
	}
	rec.mu.Lock()
	rec.Stmts = append(rec.Stmts, Statement{Query: query, Args: vals, Exec: exec})
	rec.mu.Unlock()
}

var registerOnce sync.Once

// TracedDrivers registers "linli-trace-sqlite" and "linli-trace-pgx": the real drivers, recording
// what runs under Record. Use them with db.UseDriver.
func TracedDrivers() (sqliteName, pgxName string) {
	registerOnce.Do(func() {
		for name, real := range map[string]string{"linli-trace-sqlite": "sqlite", "linli-trace-pgx": "pgx"} {
			d, err := sql.Open(real, "")
			if err != nil {
				panic(err)
			}
			sql.Register(name, tdriver{d.Driver()})
			d.Close()
		}
	})
	return "linli-trace-sqlite", "linli-trace-pgx"
}

type tdriver struct{ d driver.Driver }

func (t tdriver) Open(name string) (driver.Conn, error) {
	c, err := t.d.Open(name)
	if err != nil {
		return nil, err
	}
	return &tconn{c}, nil
}

type tconn struct{ c driver.Conn }

func (t *tconn) Prepare(q string) (driver.Stmt, error) {
	return t.PrepareContext(context.Background(), q)
}

func (t *tconn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	var s driver.Stmt
	var err error
	if p, ok := t.c.(driver.ConnPrepareContext); ok {
		s, err = p.PrepareContext(ctx, q)
	} else {
		s, err = t.c.Prepare(q)
	}
	if err != nil {
		return nil, err
	}
	return &tstmt{s, q}, nil
}

func (t *tconn) Close() error { return t.c.Close() }

func (t *tconn) Begin() (driver.Tx, error) {
	return t.BeginTx(context.Background(), driver.TxOptions{})
}

func (t *tconn) BeginTx(ctx context.Context, o driver.TxOptions) (driver.Tx, error) {
	if b, ok := t.c.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, o)
	}
	return t.c.Begin() //nolint:staticcheck // drivers without BeginTx
}

func (t *tconn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	qc, ok := t.c.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	note(ctx, q, args, false)
	return qc.QueryContext(ctx, q, args)
}

func (t *tconn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	ec, ok := t.c.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	note(ctx, q, args, true)
	return ec.ExecContext(ctx, q, args)
}

func (t *tconn) Ping(ctx context.Context) error {
	if p, ok := t.c.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (t *tconn) ResetSession(ctx context.Context) error {
	if r, ok := t.c.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (t *tconn) IsValid() bool {
	if v, ok := t.c.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (t *tconn) CheckNamedValue(nv *driver.NamedValue) error {
	if c, ok := t.c.(driver.NamedValueChecker); ok {
		return c.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

type tstmt struct {
	s driver.Stmt
	q string
}

func (t *tstmt) Close() error  { return t.s.Close() }
func (t *tstmt) NumInput() int { return t.s.NumInput() }

func (t *tstmt) Exec(args []driver.Value) (driver.Result, error) {
	return t.s.Exec(args) //nolint:staticcheck // database/sql calls ExecContext
}

func (t *tstmt) Query(args []driver.Value) (driver.Rows, error) {
	return t.s.Query(args) //nolint:staticcheck // database/sql calls QueryContext
}

func (t *tstmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	note(ctx, t.q, args, true)
	if e, ok := t.s.(driver.StmtExecContext); ok {
		return e.ExecContext(ctx, args)
	}
	return nil, driver.ErrSkip
}

func (t *tstmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	note(ctx, t.q, args, false)
	if q, ok := t.s.(driver.StmtQueryContext); ok {
		return q.QueryContext(ctx, args)
	}
	return nil, driver.ErrSkip
}

func (t *tstmt) CheckNamedValue(nv *driver.NamedValue) error {
	if c, ok := t.s.(driver.NamedValueChecker); ok {
		return c.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// Replay runs the recorded reads on q and reads every row, as bare as database/sql allows.
func Replay(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, stmts []Statement) error {
	for _, s := range stmts {
		if s.Exec {
			continue
		}
		rows, err := q.QueryContext(ctx, s.Query, s.Args...)
		if err != nil {
			return err
		}
		cols, err := rows.Columns()
		if err != nil {
			rows.Close()
			return err
		}
		vals := make([]any, len(cols))
		for i := range vals {
			vals[i] = new(any)
		}
		for rows.Next() {
			if err := rows.Scan(vals...); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}
