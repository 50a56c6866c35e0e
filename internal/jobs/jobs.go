// Package jobs is Linli's durable background work: SLA timers, reminders, webhook deliveries.
//
// A job is a row in the jobs table, written by Enqueue inside the transaction of the change that
// causes it, so the change and its job commit or roll back together. A Runner polls for due jobs,
// claims them (on PostgreSQL with FOR UPDATE SKIP LOCKED, so runners in several processes never
// take the same job; on SQLite inside the single writer), runs each with a timeout, and marks it
// done, or schedules a retry with exponential backoff and jitter until its attempts are used up,
// when it is marked failed with the last error. A job left running by a process that died is
// claimed again once its lease runs out. Handlers must therefore be idempotent: a job may run
// more than once (at least once delivery), never concurrently with itself.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"linli/internal/db"
)

// States of a job.
const (
	StatePending = "pending"
	StateRunning = "running"
	StateDone    = "done"
	StateFailed  = "failed"
)

// DefaultMaxAttempts is how many times a job runs before it is marked failed, unless Enqueue is
// given MaxAttempts.
const DefaultMaxAttempts = 10

// Job is a claimed job as its handler sees it.
type Job struct {
	ID          int64
	Kind        string
	UniqueKey   string
	Payload     json.RawMessage
	Attempt     int // 1 on the first run
	MaxAttempts int
	RunAt       time.Time // when it was due
	CreatedAt   time.Time
}

// Decode unmarshals the job's payload into v.
func (j *Job) Decode(v any) error {
	if err := json.Unmarshal(j.Payload, v); err != nil {
		return Permanent(fmt.Errorf("job %d (%s): bad payload: %w", j.ID, j.Kind, err))
	}
	return nil
}

// LastAttempt reports whether a failure of this run marks the job failed.
func (j *Job) LastAttempt() bool { return j.Attempt >= j.MaxAttempts }

type options struct {
	uniqueKey   string
	maxAttempts int
	replace     bool
}

// Option adjusts one Enqueue.
type Option func(*options)

// Unique deduplicates: while a pending job of the same kind and key exists, Enqueue adds no other
// and returns the existing job's ID. Once the job has started, the key is free again.
func Unique(key string) Option { return func(o *options) { o.uniqueKey = key } }

// Replace, with Unique, moves an existing pending job of the same kind and key to the new run time
// and payload instead of keeping it as it was — for a reminder whose deadline changed.
func Replace() Option { return func(o *options) { o.replace = true } }

// MaxAttempts sets how many times the job runs before it is marked failed (at least 1).
func MaxAttempts(n int) Option {
	return func(o *options) {
		if n < 1 {
			n = 1
		}
		o.maxAttempts = n
	}
}

// Enqueue adds a job of kind with payload (marshalled to JSON) due at runAt, through q — normally
// the business transaction, so that the job exists exactly when the change commits. It returns the
// job's ID; with Unique, the ID of the pending job that was already there; 0 when q queues its
// writes (db.Deferring), whose result is not known until they are sent.
func Enqueue(ctx context.Context, q db.Querier, kind string, payload any, runAt time.Time, opts ...Option) (int64, error) {
	if kind == "" {
		return 0, errors.New("jobs: empty kind")
	}
	o := options{maxAttempts: DefaultMaxAttempts}
	for _, opt := range opts {
		opt(&o)
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return 0, fmt.Errorf("jobs: marshal %s payload: %w", kind, err)
	}
	if payload == nil {
		body = []byte("{}")
	}
	now := stamp(time.Now())
	runAt = stamp(runAt)
	var key any
	if o.uniqueKey != "" {
		key = o.uniqueKey
	}
	onConflict := "ON CONFLICT (kind, unique_key) WHERE state = 'pending' AND unique_key IS NOT NULL DO NOTHING"
	if o.replace && o.uniqueKey != "" {
		onConflict = `ON CONFLICT (kind, unique_key) WHERE state = 'pending' AND unique_key IS NOT NULL
			DO UPDATE SET run_at = excluded.run_at, payload = excluded.payload, max_attempts = excluded.max_attempts`
	}
	var id int64
	insert := `INSERT INTO jobs (kind, unique_key, payload, state, run_at, attempts, max_attempts, created_at)
		VALUES ($1, $2, $3, 'pending', $4, 0, $5, $6) ` + onConflict + ` RETURNING id`
	args := []any{kind, key, string(body), runAt, o.maxAttempts, now}
	if db.Deferring(q) { // the write is queued (db.Tx.Pipelined): its ID is not known
		if _, err := q.ExecContext(ctx, insert, args...); err != nil {
			return 0, fmt.Errorf("jobs: enqueue %s: %w", kind, err)
		}
		return 0, nil
	}
	err = q.QueryRowContext(ctx, insert, args...).Scan(&id)
	if err == nil {
		return id, nil
	}
	if o.uniqueKey == "" || !isNoRows(err) {
		return 0, fmt.Errorf("jobs: enqueue %s: %w", kind, err)
	}
	err = q.QueryRowContext(ctx, `SELECT id FROM jobs WHERE kind = $1 AND unique_key = $2 AND state = 'pending'`,
		kind, o.uniqueKey).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("jobs: enqueue %s: find duplicate: %w", kind, err)
	}
	return id, nil
}

// stamp is how times are stored: UTC, to the microsecond PostgreSQL keeps, so that SQLite, which
// compares the stored text, orders them the same way.
func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Cancel deletes the pending jobs of kind with the unique key (a reminder no longer needed because
// the case was closed) and returns how many there were. Running jobs are left to finish.
func Cancel(ctx context.Context, q db.Querier, kind, uniqueKey string) (int64, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM jobs WHERE kind = $1 AND unique_key = $2 AND state = 'pending'`,
		kind, uniqueKey)
	if err != nil {
		return 0, fmt.Errorf("jobs: cancel %s %s: %w", kind, uniqueKey, err)
	}
	return res.RowsAffected()
}

// CancelPrefix deletes the pending jobs of kind whose unique key starts with prefix — every
// reminder of one case, say "case:42:" — and returns how many there were.
func CancelPrefix(ctx context.Context, q db.Querier, kind, prefix string) (int64, error) {
	res, err := q.ExecContext(ctx, `DELETE FROM jobs WHERE kind = $1 AND unique_key LIKE $2 ESCAPE '\' AND state = 'pending'`,
		kind, db.EscapeLike(prefix)+"%")
	if err != nil {
		return 0, fmt.Errorf("jobs: cancel %s %s*: %w", kind, prefix, err)
	}
	return res.RowsAffected()
}

// Info is a job as operators and tests see it.
type Info struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"kind"`
	UniqueKey   string     `json:"unique_key"`
	Payload     string     `json:"payload"`
	State       string     `json:"state"`
	RunAt       time.Time  `json:"run_at"`
	Attempts    int        `json:"attempts"`
	MaxAttempts int        `json:"max_attempts"`
	LastError   string     `json:"last_error"`
	CreatedAt   time.Time  `json:"created_at"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
}

const infoColumns = `id, kind, COALESCE(unique_key, ''), payload, state, run_at, attempts, max_attempts, last_error,
	created_at, finished_at`

func scanInfo(sc interface{ Scan(...any) error }) (Info, error) {
	var i Info
	var finished *time.Time
	err := sc.Scan(&i.ID, &i.Kind, &i.UniqueKey, &i.Payload, &i.State, &i.RunAt, &i.Attempts, &i.MaxAttempts,
		&i.LastError, &i.CreatedAt, &finished)
	i.FinishedAt = finished
	return i, err
}

// Get returns one job by ID.
func Get(ctx context.Context, q db.Querier, id int64) (Info, error) {
	i, err := scanInfo(q.QueryRowContext(ctx, "SELECT "+infoColumns+" FROM jobs WHERE id = $1", id))
	if err != nil {
		return i, fmt.Errorf("jobs: get %d: %w", id, err)
	}
	return i, nil
}

// List returns the jobs of kind (every kind when empty) in state (every state when empty), oldest
// first, at most limit.
func List(ctx context.Context, q db.Querier, kind, state string, limit int) ([]Info, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+infoColumns+` FROM jobs
		WHERE ($1 = '' OR kind = $1) AND ($2 = '' OR state = $2) ORDER BY id LIMIT $3`, kind, state, limit)
	if err != nil {
		return nil, fmt.Errorf("jobs: list: %w", err)
	}
	defer rows.Close()
	var out []Info
	for rows.Next() {
		i, err := scanInfo(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// permanentError marks a failure that retrying cannot fix.
type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

// Permanent wraps err so that the job is marked failed at once instead of being retried — for a
// malformed payload or a record that no longer exists.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err was wrapped with Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}
