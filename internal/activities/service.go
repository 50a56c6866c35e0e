package activities

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/pii"
	"linli/internal/workday"
)

// Options are the service's collaborators.
type Options struct {
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Calendar returns the working-day calendar; the built-in one when nil.
	Calendar func(ctx context.Context) (*workday.Calendar, error)
	// Enqueue writes a durable job in the caller's transaction (the day-before reminders); none when nil.
	Enqueue func(ctx context.Context, q db.Querier, kind, key string, payload any, runAt time.Time) error
	// Notify sends a notification to a user in the caller's transaction; none when nil.
	Notify func(ctx context.Context, q db.Querier, userID int64, n Notice) error
}

// Service is venues and activities: bookings, sign-ups, check-in, volunteers and figures.
type Service struct {
	db     *db.DB
	sealer *pii.Sealer
	opts   Options
}

// NewService returns the venues and activities service.
func NewService(d *db.DB, sealer *pii.Sealer, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Calendar == nil {
		cal := workday.SeedCalendar()
		opts.Calendar = func(context.Context) (*workday.Calendar, error) { return cal, nil }
	}
	return &Service{db: d, sealer: sealer, opts: opts}
}

func (s *Service) now() time.Time { return s.opts.Now().UTC().Truncate(time.Second) }

// Now is the service's clock, for pages that show what is upcoming.
func (s *Service) Now() time.Time { return s.now() }

func principal(ctx context.Context, perm auth.Permission) (*auth.Principal, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, errs.E(errs.Unauthorized, "请先登录")
	}
	if perm != "" {
		if err := p.Require(perm); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// visible is the condition that the region in col is one the principal reads: their subtree, and
// the regions above them (a grid's staff use their community's rooms and see its activities).
func visible(col string, p *auth.Principal, a *db.Args) string {
	return `(` + db.InScope(col, a.Add(p.Scope())) + ` OR ` + col + ` IN (SELECT id FROM regions WHERE ` + a.Add(p.RegionPath) +
		` LIKE path || '%'))`
}

// canRun reports whether the principal runs the venues and activities of a region (by its path):
// staff with ActivitiesWrite whose scope covers it.
func canRun(p *auth.Principal, path string) bool {
	return p != nil && p.Can(auth.ActivitiesWrite) && p.Covers(path)
}

func token() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// monthStart is the first instant of t's month in Asia/Shanghai.
func monthStart(t time.Time) time.Time {
	t = t.In(clock.Shanghai())
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, clock.Shanghai())
}

func nullable(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
