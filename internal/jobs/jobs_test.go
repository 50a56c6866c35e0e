package jobs_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/jobs"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// clock is a settable time for runners under test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func enqueue(t *testing.T, d *db.DB, kind string, payload any, at time.Time, opts ...jobs.Option) int64 {
	t.Helper()
	var id int64
	err := d.InTx(context.Background(), func(tx *db.Tx) error {
		var err error
		id, err = jobs.Enqueue(context.Background(), tx, kind, payload, at, opts...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func info(t *testing.T, d *db.DB, id int64) jobs.Info {
	t.Helper()
	i, err := jobs.Get(context.Background(), d.R, id)
	if err != nil {
		t.Fatal(err)
	}
	return i
}

func TestEnqueue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		t.Run("a job enqueued in a rolled-back transaction does not exist", func(t *testing.T) {
			boom := errors.New("business rule failed")
			err := d.InTx(ctx, func(tx *db.Tx) error {
				if _, err := jobs.Enqueue(ctx, tx, "rollback.test", map[string]int{"case": 1}, time.Now()); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("err = %v", err)
			}
			list, err := jobs.List(ctx, d.R, "rollback.test", "", 10)
			if err != nil || len(list) != 0 {
				t.Fatalf("jobs after rollback = %v, %v; want none", list, err)
			}
		})
		t.Run("a unique key keeps one pending job and returns its id", func(t *testing.T) {
			at := time.Now().Add(time.Hour)
			a := enqueue(t, d, "remind", map[string]int{"n": 1}, at, jobs.Unique("case:7:handle"))
			b := enqueue(t, d, "remind", map[string]int{"n": 2}, at.Add(time.Hour), jobs.Unique("case:7:handle"))
			c := enqueue(t, d, "remind", nil, at, jobs.Unique("case:8:handle"))
			if a != b || a == c {
				t.Fatalf("ids %d %d %d: want the first two equal, the third different", a, b, c)
			}
			if got := info(t, d, a); !strings.Contains(got.Payload, `"n":1`) || !got.RunAt.Equal(at.UTC().Truncate(time.Microsecond)) {
				t.Errorf("deduplicated job changed: %+v", got)
			}
		})
		t.Run("replace moves the pending job to the new time and payload", func(t *testing.T) {
			at := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
			a := enqueue(t, d, "remind", map[string]int{"n": 1}, at, jobs.Unique("case:9:handle"))
			b := enqueue(t, d, "remind", map[string]int{"n": 2}, at.Add(2*time.Hour), jobs.Unique("case:9:handle"), jobs.Replace())
			got := info(t, d, a)
			if a != b || !strings.Contains(got.Payload, `"n":2`) || !got.RunAt.Equal(at.Add(2*time.Hour)) {
				t.Fatalf("after replace: ids %d %d, job %+v", a, b, got)
			}
		})
		t.Run("cancel deletes pending jobs by key and by key prefix", func(t *testing.T) {
			at := time.Now().Add(time.Hour)
			enqueue(t, d, "remind", nil, at, jobs.Unique("case:10:sign"))
			enqueue(t, d, "remind", nil, at, jobs.Unique("case:10:handle"))
			enqueue(t, d, "remind", nil, at, jobs.Unique("case:100:handle"))
			if n, err := jobs.Cancel(ctx, d.W, "remind", "case:10:sign"); err != nil || n != 1 {
				t.Fatalf("Cancel = %d, %v", n, err)
			}
			if n, err := jobs.CancelPrefix(ctx, d.W, "remind", "case:10:"); err != nil || n != 1 {
				t.Fatalf("CancelPrefix = %d, %v; want only case 10's remaining job", n, err)
			}
		})
	})
}

func TestRunner(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		t.Run("a job due while no runner was running runs when a new runner starts", func(t *testing.T) {
			id := enqueue(t, d, "restart.test", map[string]string{"msg": "提醒"}, time.Now().Add(-time.Hour))
			var got string
			r := jobs.NewRunner(d, quiet) // a fresh process: nothing in memory but the database
			r.Register("restart.test", func(ctx context.Context, j *jobs.Job) error {
				var p struct{ Msg string }
				if err := j.Decode(&p); err != nil {
					return err
				}
				got = p.Msg
				return nil
			})
			if n, err := r.RunDue(ctx); err != nil || n != 1 {
				t.Fatalf("RunDue = %d, %v", n, err)
			}
			if got != "提醒" || info(t, d, id).State != jobs.StateDone {
				t.Fatalf("payload %q, state %s", got, info(t, d, id).State)
			}
			if n, _ := r.RunDue(ctx); n != 0 {
				t.Errorf("a done job ran again")
			}
		})
		t.Run("a job not yet due waits", func(t *testing.T) {
			id := enqueue(t, d, "later.test", nil, time.Now().Add(time.Hour))
			r := jobs.NewRunner(d, quiet)
			r.Register("later.test", func(context.Context, *jobs.Job) error { return nil })
			if n, _ := r.RunDue(ctx); n != 0 || info(t, d, id).State != jobs.StatePending {
				t.Fatalf("a job due in an hour ran now")
			}
		})
		t.Run("a job left running by a crashed process is run again after its lease", func(t *testing.T) {
			id := enqueue(t, d, "crash.test", nil, time.Now().Add(-time.Minute))
			clk := &clock{t: time.Now()}
			crashed := jobs.NewRunner(d, quiet)
			crashed.Now = clk.Now
			crashed.Register("crash.test", func(context.Context, *jobs.Job) error { panic("unreachable") })
			if err := crashed.ClaimForTest(ctx); err != nil { // claims, then "dies" before finishing
				t.Fatal(err)
			}
			runs := 0
			next := jobs.NewRunner(d, quiet)
			next.Now = clk.Now
			next.Register("crash.test", func(context.Context, *jobs.Job) error { runs++; return nil })
			if n, _ := next.RunDue(ctx); n != 0 {
				t.Fatal("a job inside its lease was taken by another runner")
			}
			clk.Set(clk.Now().Add(next.Lease + time.Second))
			if n, err := next.RunDue(ctx); err != nil || n != 1 || runs != 1 {
				t.Fatalf("after the lease: RunDue = %d, %v, runs %d", n, err, runs)
			}
			if got := info(t, d, id); got.State != jobs.StateDone || got.Attempts != 2 {
				t.Errorf("job %+v: want done on attempt 2", got)
			}
		})
		t.Run("a failing job is retried with growing delays and then marked failed", func(t *testing.T) {
			start := time.Now().UTC()
			clk := &clock{t: start}
			id := enqueue(t, d, "fail.test", nil, start.Add(-time.Second), jobs.MaxAttempts(5))
			r := jobs.NewRunner(d, quiet)
			r.Now = clk.Now
			calls := 0
			r.Register("fail.test", func(context.Context, *jobs.Job) error { calls++; return errors.New("网关不可用") })
			var delays []time.Duration
			for attempt := 1; attempt <= 5; attempt++ {
				if n, err := r.RunDue(ctx); err != nil || n != 1 {
					t.Fatalf("attempt %d: RunDue = %d, %v", attempt, n, err)
				}
				got := info(t, d, id)
				if attempt < 5 {
					if got.State != jobs.StatePending || got.Attempts != attempt {
						t.Fatalf("after attempt %d: %+v", attempt, got)
					}
					delay := got.RunAt.Sub(clk.Now())
					if n, _ := r.RunDue(ctx); n != 0 {
						t.Fatalf("retry ran before its backoff of %s", delay)
					}
					delays = append(delays, delay)
					clk.Set(got.RunAt)
				} else if got.State != jobs.StateFailed || got.LastError != "网关不可用" || got.FinishedAt == nil {
					t.Fatalf("after the last attempt: %+v", got)
				}
			}
			for i := 1; i < len(delays); i++ {
				if delays[i] < delays[i-1] || delays[i] <= 0 {
					t.Errorf("delays %v do not grow", delays)
				}
			}
			if delays[0] < 2500*time.Millisecond || delays[3] > 40*time.Second {
				t.Errorf("delays %v outside 5 s·2^n with jitter", delays)
			}
			clk.Set(clk.Now().Add(24 * time.Hour))
			if n, _ := r.RunDue(ctx); n != 0 || calls != 5 {
				t.Errorf("a failed job ran again (calls %d)", calls)
			}
		})
		t.Run("a permanent error fails the job at once", func(t *testing.T) {
			id := enqueue(t, d, "perm.test", "not an object", time.Now().Add(-time.Second))
			r := jobs.NewRunner(d, quiet)
			r.Register("perm.test", func(ctx context.Context, j *jobs.Job) error {
				var p struct{ ID int64 }
				return j.Decode(&p)
			})
			r.RunDue(ctx)
			if got := info(t, d, id); got.State != jobs.StateFailed || got.Attempts != 1 {
				t.Errorf("job %+v: want failed after one attempt", got)
			}
		})
		t.Run("a job that outlives its timeout or panics is retried", func(t *testing.T) {
			slow := enqueue(t, d, "slow.test", nil, time.Now().Add(-time.Second))
			bad := enqueue(t, d, "panic.test", nil, time.Now().Add(-time.Second))
			r := jobs.NewRunner(d, quiet)
			r.Timeout = 50 * time.Millisecond
			r.Register("slow.test", func(ctx context.Context, j *jobs.Job) error { <-ctx.Done(); return ctx.Err() })
			r.Register("panic.test", func(ctx context.Context, j *jobs.Job) error { panic("nil map") })
			r.RunDue(ctx)
			if got := info(t, d, slow); got.State != jobs.StatePending || !strings.Contains(got.LastError, "deadline") {
				t.Errorf("slow job %+v", got)
			}
			if got := info(t, d, bad); got.State != jobs.StatePending || !strings.Contains(got.LastError, "panic") {
				t.Errorf("panicking job %+v", got)
			}
		})
		t.Run("Run picks up jobs as they fall due and stops with its context", func(t *testing.T) {
			r := jobs.NewRunner(d, quiet)
			r.Poll = 20 * time.Millisecond
			done := make(chan int64, 1)
			r.Register("live.test", func(ctx context.Context, j *jobs.Job) error { done <- j.ID; return nil })
			runCtx, cancel := context.WithCancel(ctx)
			stopped := make(chan struct{})
			go func() { r.Run(runCtx); close(stopped) }()
			id := enqueue(t, d, "live.test", nil, time.Now())
			select {
			case got := <-done:
				if got != id {
					t.Errorf("ran job %d, want %d", got, id)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Run did not run a due job within 5 s")
			}
			cancel()
			select {
			case <-stopped:
			case <-time.After(5 * time.Second):
				t.Fatal("Run did not stop when its context ended")
			}
		})
	})
}

func TestTwoRunnersNeverRunTheSameJobTwice(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		const total = 150
		err := d.InTx(ctx, func(tx *db.Tx) error {
			for i := 0; i < total; i++ {
				if _, err := jobs.Enqueue(ctx, tx, "race.test", map[string]int{"i": i}, time.Now().Add(-time.Second)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		runs := map[int64]int{}
		var concurrent, peak atomic.Int32
		handler := func(ctx context.Context, j *jobs.Job) error {
			n := concurrent.Add(1)
			defer concurrent.Add(-1)
			if n > peak.Load() {
				peak.Store(n)
			}
			mu.Lock()
			runs[j.ID]++
			mu.Unlock()
			time.Sleep(time.Millisecond)
			return nil
		}
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			r := jobs.NewRunner(d, quiet)
			r.Register("race.test", handler)
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := r.RunDue(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if len(runs) != total {
			t.Fatalf("%d distinct jobs ran, want %d", len(runs), total)
		}
		for id, n := range runs {
			if n != 1 {
				t.Errorf("job %d ran %d times", id, n)
			}
		}
		t.Logf("peak concurrent handlers: %d", peak.Load())
	})
}
