package db_test

import (
	"context"
	"errors"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
)

// Pipelined writes on PostgreSQL are queued, sent before the transaction's next read and before
// its commit, and a queued write's failure is the transaction's error (what InTx retries on).
func TestPipelinedWritesAreSentBeforeReadsAndCommit(t *testing.T) {
	d := dbtest.Postgres(t)
	ctx := context.Background()
	if _, err := d.W.ExecContext(ctx, `CREATE TABLE pipe_t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		var n int
		if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM pipe_t`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	err := d.InTx(ctx, func(tx *db.Tx) error {
		q := tx.Pipelined()
		if !db.Deferring(q) {
			t.Fatal("Pipelined on PostgreSQL does not queue")
		}
		for i := 1; i <= 3; i++ {
			res, err := q.ExecContext(ctx, `INSERT INTO pipe_t (id, v) VALUES ($1, $2)`, i, "x")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := res.RowsAffected(); err == nil {
				t.Error("a queued write's result claims to know its rows")
			}
		}
		var n int // a read sees the writes queued before it
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM pipe_t`).Scan(&n); err != nil || n != 3 {
			t.Fatalf("read after queued writes: %d, %v", n, err)
		}
		_, err := q.ExecContext(ctx, `INSERT INTO pipe_t (id, v) VALUES ($1, $2)`, 4, "y")
		return err // the last write is sent with the commit
	})
	if err != nil || count() != 4 {
		t.Fatalf("after commit: %d rows, %v", count(), err)
	}

	// A queued write that fails: the statement after it fails on the aborted transaction, but InTx
	// reports the write's own error, and nothing of the transaction is kept.
	err = d.InTx(ctx, func(tx *db.Tx) error {
		q := tx.Pipelined()
		for _, id := range []int{5, 1} { // 1 exists
			if _, err := q.ExecContext(ctx, `INSERT INTO pipe_t (id, v) VALUES ($1, 'z')`, id); err != nil {
				return err
			}
		}
		var n int
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM pipe_t`).Scan(&n)
	})
	if !db.IsUnique(err) {
		t.Fatalf("a failed queued write: InTx returned %v, want the unique violation", err)
	}
	// Sent at the commit: the same.
	err = d.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.Pipelined().ExecContext(ctx, `INSERT INTO pipe_t (id, v) VALUES (2, 'z')`)
		return err
	})
	if !db.IsUnique(err) {
		t.Fatalf("a write failing at the commit: InTx returned %v, want the unique violation", err)
	}
	if count() != 4 {
		t.Fatalf("failed transactions kept rows: %d", count())
	}
	// A panic in the transaction gives its connection back, rolled back.
	func() {
		defer func() { _ = recover() }()
		_ = d.InTx(ctx, func(tx *db.Tx) error {
			_, _ = tx.Pipelined().ExecContext(ctx, `INSERT INTO pipe_t (id, v) VALUES (9, 'p')`)
			panic(errors.New("boom"))
		})
	}()
	if count() != 4 {
		t.Fatalf("a panicking transaction kept rows: %d", count())
	}
}

// On SQLite every statement runs at once.
func TestPipelinedIsTheTransactionOnSQLite(t *testing.T) {
	d := dbtest.SQLite(t)
	err := d.InTx(context.Background(), func(tx *db.Tx) error {
		if db.Deferring(tx.Pipelined()) {
			t.Error("Pipelined on SQLite queues")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
