package cases

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"linli/internal/db"
)

// maxCachedStmts bounds the statement cache; the service's write paths use a few dozen texts.
const maxCachedStmts = 256

// stmtCache keeps the statements of the write paths prepared on SQLite's single writer connection,
// so a case intake parses no SQL once the process is warm (parsing was a fifth of its CPU). A
// statement is learnt the first time a committed transaction runs it, and prepared after that
// commit, when the writer connection is free again. PostgreSQL needs none of this: its driver
// keeps its own per-connection statement cache.
type stmtCache struct {
	mu sync.Mutex
	w  *sql.DB
	m  map[string]*sql.Stmt
}

// cached returns tx as a querier whose statements use the service's prepared statements where it
// can (SQLite), or tx itself.
func (s *Service) cached(tx *db.Tx) db.Querier {
	if s.stmts == nil || tx.Dialect != db.SQLite {
		return tx
	}
	return &cachedTx{Tx: tx, c: s.stmts}
}

// cachedTx is a write transaction that runs known statements through their prepared form.
type cachedTx struct {
	*db.Tx
	c      *stmtCache
	missed []string
}

func (t *cachedTx) stmt(ctx context.Context, query string) *sql.Stmt {
	t.c.mu.Lock()
	st, ok := t.c.m[query]
	t.c.mu.Unlock()
	if ok {
		return t.Tx.StmtContext(ctx, st)
	}
	if t.missed == nil {
		t.Tx.AfterCommit(t.learn)
	}
	t.missed = append(t.missed, query)
	return nil
}

// learn prepares the statements the transaction ran unprepared; it runs after the commit.
func (t *cachedTx) learn() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, q := range t.missed {
		t.c.mu.Lock()
		_, have := t.c.m[q]
		full := len(t.c.m) >= maxCachedStmts
		t.c.mu.Unlock()
		if have || full {
			continue
		}
		st, err := t.c.w.PrepareContext(ctx, q)
		if err != nil {
			continue // the statement still runs unprepared
		}
		t.c.mu.Lock()
		if _, have := t.c.m[q]; have {
			st.Close()
		} else {
			t.c.m[q] = st
		}
		t.c.mu.Unlock()
	}
}

// ExecContext runs a statement of the transaction.
func (t *cachedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

// QueryContext runs a query of the transaction.
func (t *cachedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query of the transaction that returns at most one row.
func (t *cachedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}
