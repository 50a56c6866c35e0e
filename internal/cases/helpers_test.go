package cases

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/fixture"
	"linli/internal/workday"
)

// world is a fixture community with a cases service on a clock the test moves.
type world struct {
	t   *testing.T
	f   *fixture.Community
	svc *Service
	cal *workday.Calendar

	mu      sync.Mutex
	now     time.Time
	jobs    []Reminder
	notices map[int64]int
}

// at is a moment in Asia/Shanghai.
func at(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, clock.Shanghai())
}

func newWorld(t *testing.T, d *db.DB) *world {
	w := &world{t: t, f: fixture.New(t, d), cal: workday.SeedCalendar(), now: at(2024, 3, 4, 9, 0), notices: map[int64]int{}}
	w.svc = NewService(d, w.f.Sealer, Options{
		DataDir:  t.TempDir(),
		Now:      func() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return w.now },
		Calendar: func(context.Context) (*workday.Calendar, error) { return w.cal, nil },
		Enqueue: func(_ context.Context, _ db.Querier, kind, _ string, payload any, _ time.Time) error {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.jobs = append(w.jobs, payload.(Reminder))
			return nil
		},
		Notify: func(_ context.Context, _ db.Querier, userID int64, _ Notice) error {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.notices[userID]++
			return nil
		},
	})
	return w
}

func (w *world) set(t time.Time) { w.mu.Lock(); w.now = t; w.mu.Unlock() }

func (w *world) ctx(user string) context.Context { return w.f.Ctx(user) }

// intake records a case in grid 01 as the community admin.
func (w *world) intake(title, text string) *Case {
	w.t.Helper()
	c, err := w.svc.Intake(w.ctx("admin"), Intake{Channel: "phone", CategoryID: w.category("dispute.leak"),
		Title: title, Description: text, Address: "南关社区3号楼2单元", GridID: w.f.Grids[0].ID,
		ReporterName: "张大爷", ReporterPhone: "13812345678"})
	if err != nil {
		w.t.Fatalf("intake: %v", err)
	}
	return c
}

func (w *world) category(code string) int64 {
	w.t.Helper()
	cats, err := w.svc.Categories(context.Background())
	if err != nil {
		w.t.Fatal(err)
	}
	for _, c := range cats {
		if c.Code == code {
			return c.ID
		}
	}
	w.t.Fatalf("no category %s", code)
	return 0
}

// do takes an action and fails the test on error.
func (w *world) do(user string, id int64, a Action, in ActionInput) *Case {
	w.t.Helper()
	c, err := w.svc.Act(w.ctx(user), id, a, in)
	if err != nil {
		w.t.Fatalf("%s %s: %v", user, a, err)
	}
	return c
}

// refuse takes an action that must fail with code and checks nothing changed.
func (w *world) refuse(user string, id int64, a Action, in ActionInput, code errs.Code) string {
	w.t.Helper()
	before := w.get(id)
	_, err := w.svc.Act(w.ctx(user), id, a, in)
	if !errs.Is(err, code) {
		w.t.Fatalf("%s %s: want %s, got %v", user, a, code, err)
	}
	after := w.get(id)
	if after.Version != before.Version || after.State != before.State || len(after.Events) != len(before.Events) {
		w.t.Fatalf("%s %s changed the case: v%d→v%d %s→%s", user, a, before.Version, after.Version, before.State, after.State)
	}
	return errs.MessageOf(err)
}

func (w *world) get(id int64) *Detail {
	w.t.Helper()
	d, err := w.svc.Get(w.ctx("admin"), id)
	if err != nil {
		w.t.Fatalf("get %d: %v", id, err)
	}
	return d
}

// toProgress takes a new case to in_progress with grid 01 as lead.
func (w *world) toProgress(c *Case) *Case {
	w.t.Helper()
	w.do("admin", c.ID, ActAccept, ActionInput{})
	w.do("admin", c.ID, ActDispatch, ActionInput{Lead: &Target{Kind: "grid", GridID: w.f.Grids[0].ID}})
	return w.do("grid01", c.ID, ActSign, ActionInput{})
}

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
