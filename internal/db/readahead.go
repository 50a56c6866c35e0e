package db

import (
	"context"
	"fmt"
)

// ReadAhead runs read in a goroutine of its own while the caller's goroutine runs write on what it
// sends, so that reading the next batch (the database's work and the scanning of its rows) overlaps
// writing the one before (an export's encoding and compression): on two cores an export then
// takes about the longer of the two instead of their sum. send hands a batch over, waiting while
// ahead batches are already waiting for write (memory stays bounded: at most ahead+2 batches exist
// at once); it fails once write has failed or ctx is done, and read should then return. read and
// write share nothing but the batches.
//
// A panic in read is raised again in the caller's goroutine.
//
// write's error wins over read's (which may then be only that send failed). ReadAhead returns
// only after read has.
func ReadAhead[T any](ctx context.Context, ahead int, read func(ctx context.Context, send func(T) error) error, write func(T) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan T, ahead)
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		defer func() {
			if v := recover(); v != nil { // raised again in the caller's goroutine, whose recovery handles it
				readErr <- readPanic{v}
			}
		}()
		readErr <- read(ctx, func(b T) error {
			select {
			case batches <- b:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	var werr error
	for b := range batches {
		if werr != nil {
			continue // drained, so that read is never left waiting
		}
		if werr = write(b); werr != nil {
			cancel()
		}
	}
	rerr := <-readErr
	if p, ok := rerr.(readPanic); ok {
		panic(p.v)
	}
	if werr != nil {
		return werr
	}
	return rerr
}

// readPanic carries a panic of read to the caller's goroutine.
type readPanic struct{ v any }

func (p readPanic) Error() string { return fmt.Sprint("read ahead: panic: ", p.v) }
