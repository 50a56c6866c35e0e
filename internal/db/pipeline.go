package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// A write transaction on PostgreSQL pays a round trip per statement: the server answers each
// before the next is sent. Pipelined writes are queued instead and sent together, in one round
// trip, just before the transaction's next query or its commit — for the trailing writes of a case
// intake (its tally, event, audit row, search tokens and reminders), whose results nobody reads.

// Pipelined returns a Querier on tx whose ExecContext queues the statement instead of running it:
// the queue is sent to PostgreSQL in one round trip (a pgx batch on the transaction's connection)
// before the next statement of the transaction — through this Querier or tx itself — or before the
// commit. Its QueryContext and QueryRowContext send the queue first and then run at once, so a
// read sees every write before it. The Result of a queued Exec knows no rows affected (an error):
// pass it only to writes that do not read their result, and let a write that returns a row run
// with ExecContext when Deferring says so (insertEvent, jobs.Enqueue). A queued statement's error
// is the transaction's: the statement after the batch fails on the aborted transaction, and the
// commit (InTx) returns the batch's error, so a deadlock is still retried.
//
// On SQLite, whose statements run in process, or on a connection that is not pgx's own (a tracing
// driver), Pipelined is tx itself: every statement runs at once, as before.
func (tx *Tx) Pipelined() Querier {
	if tx.conn == nil || tx.notPgx {
		return tx
	}
	if tx.pgx == nil {
		_ = tx.conn.Raw(func(c any) error {
			if sc, ok := c.(*stdlib.Conn); ok {
				tx.pgx = sc.Conn()
			}
			return nil
		})
		if tx.pgx == nil {
			tx.notPgx = true // not pgx's connection: every statement runs at once
			return tx
		}
	}
	return pipeline{tx}
}

// Deferring reports whether q queues its writes (Tx.Pipelined): a write returning a row must then
// run with ExecContext, and its row is not known.
func Deferring(q Querier) bool {
	_, ok := q.(pipeline)
	return ok
}

// pipeline is the Querier Pipelined returns.
type pipeline struct{ tx *Tx }

type queued struct {
	query string
	args  []any
}

// ExecContext queues the statement.
func (p pipeline) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if p.tx.sendErr != nil {
		return nil, p.tx.sendErr
	}
	p.tx.queue = append(p.tx.queue, queued{query, args})
	return queuedResult{}, nil
}

// QueryContext sends the queue, then runs the query.
func (p pipeline) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return p.tx.QueryContext(ctx, query, args...)
}

// QueryRowContext sends the queue, then runs the query.
func (p pipeline) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return p.tx.QueryRowContext(ctx, query, args...)
}

// queuedResult is the Result of a queued write.
type queuedResult struct{}

var errQueued = errors.New("db: a pipelined write's result is not known")

func (queuedResult) LastInsertId() (int64, error) { return 0, errQueued }
func (queuedResult) RowsAffected() (int64, error) { return 0, errQueued }

// ExecContext runs a statement of the transaction after the queued writes.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := tx.send(ctx); err != nil {
		return nil, err
	}
	return tx.Tx.ExecContext(ctx, query, args...)
}

// QueryContext runs a query of the transaction after the queued writes.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := tx.send(ctx); err != nil {
		return nil, err
	}
	return tx.Tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query of the transaction after the queued writes. When they failed, the
// query fails on the aborted transaction and the commit reports their error.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	_ = tx.send(ctx)
	return tx.Tx.QueryRowContext(ctx, query, args...)
}

// send runs the queued writes in one round trip; the first error stays the transaction's.
func (tx *Tx) send(ctx context.Context) error {
	if tx.sendErr != nil || len(tx.queue) == 0 {
		return tx.sendErr
	}
	q := tx.queue
	tx.queue = nil
	err := tx.conn.Raw(func(any) error {
		b := &pgx.Batch{}
		for _, s := range q {
			b.Queue(s.query, s.args...)
		}
		res := tx.pgx.SendBatch(ctx, b)
		for _, s := range q {
			if _, err := res.Exec(); err != nil {
				res.Close()
				return fmt.Errorf("%s: %w", statementHead(s.query), err)
			}
		}
		return res.Close()
	})
	if err != nil {
		tx.sendErr = err
	}
	return err
}

// statementHead is the start of a statement, to say which one failed.
func statementHead(q string) string {
	f := strings.Fields(q)
	return strings.Join(f[:min(len(f), 3)], " ")
}
