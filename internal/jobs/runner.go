package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"linli/internal/db"
)

// HandlerFunc runs one job. A nil error marks it done; an error schedules a retry (or fails it,
// at once when wrapped with Permanent). Its context ends at the runner's Timeout.
type HandlerFunc func(ctx context.Context, job *Job) error

// Runner claims and runs due jobs. Set its fields before Run; Register handlers before Run too.
type Runner struct {
	// Poll is how often Run looks for due jobs (default 1 s).
	Poll time.Duration
	// Timeout bounds one run of a job (default 1 min).
	Timeout time.Duration
	// Lease is how long a claimed job stays claimed; a job still running after it, because its
	// process died, is claimed again (default 5 min, always more than Timeout).
	Lease time.Duration
	// Workers is how many jobs Run runs at once (default 4).
	Workers int
	// Backoff returns the delay before retry number attempt (1 after the first failure).
	// The default doubles from 5 s up to 1 h, with jitter.
	Backoff func(attempt int) time.Duration
	// Keep is how long done jobs are kept before Run deletes them (default 7 days); failed jobs
	// are kept for operators.
	Keep time.Duration
	// Now is the clock (default time.Now); tests move it.
	Now func() time.Time

	d        *db.DB
	log      *slog.Logger
	handlers map[string]HandlerFunc
}

// NewRunner returns a runner over d with the default settings and no handlers.
func NewRunner(d *db.DB, log *slog.Logger) *Runner {
	if log == nil {
		log = slog.Default()
	}
	return &Runner{Poll: time.Second, Timeout: time.Minute, Lease: 5 * time.Minute, Workers: 4,
		Backoff: DefaultBackoff, Keep: 7 * 24 * time.Hour, Now: time.Now, d: d, log: log,
		handlers: map[string]HandlerFunc{}}
}

// Register sets the handler of a kind of job. Only kinds with a handler are claimed, so a runner
// never takes a job it cannot run.
func (r *Runner) Register(kind string, fn HandlerFunc) { r.handlers[kind] = fn }

// DefaultBackoff waits base·2^(attempt−1) — 5 s, 10 s, 20 s … up to 1 h — of which a random half
// is jitter, so that many jobs failing together do not all retry at once. Delays never shrink from
// one attempt to the next.
func DefaultBackoff(attempt int) time.Duration {
	return backoff(attempt, 5*time.Second, time.Hour)
}

func backoff(attempt int, base, max time.Duration) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := base
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}

func (r *Runner) now() time.Time { return stamp(r.Now()) }

func (r *Runner) lease() time.Duration {
	if r.Lease <= r.Timeout {
		return r.Timeout + time.Minute
	}
	return r.Lease
}

// Run polls for due jobs and runs them until ctx ends, then waits for the jobs in hand to finish
// (each is bounded by Timeout) and returns.
func (r *Runner) Run(ctx context.Context) {
	workers := max(r.Workers, 1)
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	tick := time.NewTicker(max(r.Poll, 10*time.Millisecond))
	defer tick.Stop()
	lastPrune := time.Time{}
	for {
		free := workers - len(sem)
		if free > 0 {
			claimed, err := r.claim(context.WithoutCancel(ctx), free)
			if err != nil {
				r.log.Error("jobs: claim", "err", err)
			}
			for _, j := range claimed {
				sem <- struct{}{}
				wg.Add(1)
				go func() {
					defer func() { <-sem; wg.Done() }()
					r.run(context.WithoutCancel(ctx), j)
				}()
			}
		}
		if time.Since(lastPrune) > time.Hour {
			lastPrune = time.Now()
			if err := r.Prune(ctx); err != nil && ctx.Err() == nil {
				r.log.Error("jobs: prune", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// RunDue runs every job that is due now, one after another, including those that fall due again
// during the call because a retry's backoff has already passed; it returns how many runs it made.
// Tests and the CLI use it instead of Run.
func (r *Runner) RunDue(ctx context.Context) (int, error) {
	n := 0
	for {
		claimed, err := r.claim(ctx, 10)
		if err != nil {
			return n, err
		}
		if len(claimed) == 0 {
			return n, nil
		}
		for _, j := range claimed {
			r.run(ctx, j)
			n++
		}
	}
}

func (r *Runner) kinds() []string {
	kinds := make([]string, 0, len(r.handlers))
	for k := range r.handlers {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return kinds
}

// claim marks up to limit due jobs as running and returns them. A job is due when it is pending
// and its run time has come, or running with an expired lease. On PostgreSQL SKIP LOCKED keeps
// concurrent runners off each other's rows; on SQLite the single writer serialises claims.
func (r *Runner) claim(ctx context.Context, limit int) ([]*Job, error) {
	kinds := r.kinds()
	if len(kinds) == 0 {
		return nil, nil
	}
	now := r.now()
	// Most polls find nothing due: they ask with a read, for the claim's UPDATE takes SQLite's
	// single writer (3–40 ms every second on the 1M-resident city, while intakes waited).
	a := &db.Args{}
	var one int
	err := r.d.R.QueryRowContext(ctx, `SELECT 1 FROM jobs WHERE `+dueCond(a, now, kinds)+` LIMIT 1`, *a...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: claim: %w", err)
	}
	lock := ""
	if r.d.Dialect == db.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	a = &db.Args{}
	query := `UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = ` + a.Add(now.Add(r.lease())) + `
		WHERE id IN (SELECT id FROM jobs WHERE ` + dueCond(a, now, kinds) + `
			ORDER BY run_at, id LIMIT ` + a.Add(limit) + lock + `)
		RETURNING id, kind, COALESCE(unique_key, ''), payload, attempts, max_attempts, run_at, created_at`
	rows, err := r.d.W.QueryContext(ctx, query, *a...)
	if err != nil {
		return nil, fmt.Errorf("jobs: claim: %w", err)
	}
	defer rows.Close()
	var out []*Job
	for rows.Next() {
		j := &Job{}
		var payload string
		if err := rows.Scan(&j.ID, &j.Kind, &j.UniqueKey, &payload, &j.Attempt, &j.MaxAttempts, &j.RunAt, &j.CreatedAt); err != nil {
			return nil, fmt.Errorf("jobs: claim: %w", err)
		}
		j.Payload = []byte(payload)
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("jobs: claim: %w", err)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].RunAt.Before(out[b].RunAt) })
	return out, nil
}

// dueCond is the condition that a job of one of kinds is due at now: pending with its run time
// come, or running with an expired lease.
func dueCond(a *db.Args, now time.Time, kinds []string) string {
	ph := make([]string, len(kinds))
	for i, k := range kinds {
		ph[i] = a.Add(k)
	}
	at := a.Add(now)
	return `((state = 'pending' AND run_at <= ` + at + `) OR (state = 'running' AND locked_until < ` + at + `))
		AND kind IN (` + strings.Join(ph, ", ") + `)`
}

// run runs one claimed job and records how it went.
func (r *Runner) run(ctx context.Context, j *Job) {
	var err error
	if j.Attempt > j.MaxAttempts {
		// Claimed again after its lease ran out on the last attempt: the process running it died.
		err = Permanent(errors.New("任务执行超时或进程中断，已达最大尝试次数"))
	} else {
		err = r.call(ctx, j)
	}
	if ferr := r.finish(ctx, j, err); ferr != nil {
		r.log.Error("jobs: record result", "job", j.ID, "kind", j.Kind, "err", ferr)
	}
}

func (r *Runner) call(ctx context.Context, j *Job) (err error) {
	fn := r.handlers[j.Kind]
	tctx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return fn(tctx, j)
}

func (r *Runner) finish(ctx context.Context, j *Job, err error) error {
	now := r.now()
	// attempts = the claim's attempt: if the lease ran out and another runner took the job,
	// this (late) result is dropped rather than overwriting the newer run.
	var res sql.Result
	var qerr error
	switch {
	case err == nil:
		res, qerr = r.d.W.ExecContext(ctx, `UPDATE jobs SET state = 'done', finished_at = $1, locked_until = NULL,
			last_error = '' WHERE id = $2 AND state = 'running' AND attempts = $3`, now, j.ID, j.Attempt)
	case IsPermanent(err) || j.Attempt >= j.MaxAttempts:
		r.log.Error("jobs: failed", "job", j.ID, "kind", j.Kind, "attempt", j.Attempt, "err", err)
		res, qerr = r.d.W.ExecContext(ctx, `UPDATE jobs SET state = 'failed', finished_at = $1, locked_until = NULL,
			last_error = $2 WHERE id = $3 AND state = 'running' AND attempts = $4`, now, truncate(err.Error()), j.ID, j.Attempt)
	default:
		next := stamp(now.Add(r.Backoff(j.Attempt)))
		r.log.Warn("jobs: will retry", "job", j.ID, "kind", j.Kind, "attempt", j.Attempt, "next", next, "err", err)
		res, qerr = r.d.W.ExecContext(ctx, `UPDATE jobs SET state = 'pending', run_at = $1, locked_until = NULL,
			last_error = $2 WHERE id = $3 AND state = 'running' AND attempts = $4`, next, truncate(err.Error()), j.ID, j.Attempt)
	}
	if qerr != nil {
		return qerr
	}
	if n, _ := res.RowsAffected(); n == 0 {
		r.log.Warn("jobs: result dropped, job was reclaimed after its lease expired", "job", j.ID, "kind", j.Kind)
	}
	return nil
}

func truncate(s string) string {
	if len(s) <= 2000 {
		return s
	}
	s = s[:2000]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// Prune deletes done jobs finished longer than Keep ago.
func (r *Runner) Prune(ctx context.Context) error {
	_, err := r.d.W.ExecContext(ctx, `DELETE FROM jobs WHERE state = 'done' AND finished_at < $1`, r.now().Add(-r.Keep))
	return err
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
