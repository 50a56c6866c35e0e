package db_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"linli/internal/db"
)

func TestReadAheadWritesEveryBatchInOrder(t *testing.T) {
	var got []int
	err := db.ReadAhead(context.Background(), 2, func(ctx context.Context, send func(int) error) error {
		for i := range 100 {
			if err := send(i); err != nil {
				return err
			}
		}
		return nil
	}, func(b int) error { got = append(got, b); return nil })
	if err != nil || len(got) != 100 || !slices.IsSorted(got) {
		t.Fatalf("err %v, got %v", err, got)
	}
}

// A failed write stops the reading (its send fails) and is the error returned; a failed read is
// returned after the batches sent before it are written.
func TestReadAheadStopsOnEitherError(t *testing.T) {
	full := errors.New("disk full")
	sent, readDone := 0, false
	err := db.ReadAhead(context.Background(), 1, func(ctx context.Context, send func(int) error) error {
		defer func() { readDone = true }()
		for i := 0; ; i++ {
			if err := send(i); err != nil {
				return err
			}
			sent++
		}
	}, func(b int) error {
		if b == 3 {
			return full
		}
		return nil
	})
	if !errors.Is(err, full) || !readDone || sent > 3+3 {
		t.Fatalf("err %v, read done %v, %d sent", err, readDone, sent)
	}

	broken := errors.New("no such table")
	var written []int
	err = db.ReadAhead(context.Background(), 1, func(ctx context.Context, send func(int) error) error {
		for i := range 3 {
			if err := send(i); err != nil {
				return err
			}
		}
		return broken
	}, func(b int) error { written = append(written, b); return nil })
	if !errors.Is(err, broken) || len(written) != 3 {
		t.Fatalf("err %v, written %v", err, written)
	}
}

// A panic while reading is raised in the caller's goroutine (where a handler's recovery catches
// it), not left to end the process.
func TestReadAheadRaisesReadPanicsInTheCaller(t *testing.T) {
	defer func() {
		if v := recover(); v != "bad row" {
			t.Fatalf("recovered %v, want the read's panic", v)
		}
	}()
	_ = db.ReadAhead(context.Background(), 1, func(ctx context.Context, send func(int) error) error {
		_ = send(1)
		panic("bad row")
	}, func(int) error { return nil })
	t.Fatal("ReadAhead returned")
}
