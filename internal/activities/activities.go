package activities

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
)

const activityCols = `a.id, a.region_id, g.name, g.path, a.series_id, COALESCE(se.name, ''), a.title, a.kind, a.organiser_kind,
	a.organiser, a.venue_id, a.booking_id, a.place, a.starts_at, a.ends_at, a.audience, a.focus_tag, a.grid_id, a.capacity,
	a.registered, a.signup_opens, a.signup_closes, a.cost, a.contact_name, a.contact_phone, a.public, a.description,
	a.summary, a.status, a.checkin_token,
	(SELECT COUNT(*) FROM activity_registrations r WHERE r.activity_id = a.id AND r.status = 'waitlisted'),
	(SELECT COUNT(*) FROM activity_registrations r WHERE r.activity_id = a.id AND r.checked_in_at IS NOT NULL)`

const activityFrom = ` FROM activities a JOIN regions g ON g.id = a.region_id LEFT JOIN activity_series se ON se.id = a.series_id`

type activityRow struct {
	Activity
	path string
}

func scanActivity(sc scanner) (*activityRow, error) {
	a := &activityRow{}
	var series, venue, booking, grid sql.NullInt64
	var opens, closes sql.NullTime
	err := sc.Scan(&a.ID, &a.RegionID, &a.RegionName, &a.path, &series, &a.SeriesName, &a.Title, &a.Kind, &a.OrganiserKind,
		&a.Organiser, &venue, &booking, &a.Place, &a.StartsAt, &a.EndsAt, &a.Audience, &a.FocusTag, &grid, &a.Capacity,
		&a.Registered, &opens, &closes, &a.Cost, &a.ContactName, &a.ContactPhone, &a.Public, &a.Description, &a.Summary,
		&a.Status, &a.checkinToken, &a.Waitlisted, &a.CheckedIn)
	if err != nil {
		return nil, err
	}
	a.SeriesID, a.VenueID, a.BookingID, a.GridID = series.Int64, venue.Int64, booking.Int64, grid.Int64
	a.StartsAt, a.EndsAt = a.StartsAt.UTC(), a.EndsAt.UTC()
	if opens.Valid {
		t := opens.Time.UTC()
		a.SignupOpens = &t
	}
	if closes.Valid {
		t := closes.Time.UTC()
		a.SignupCloses = &t
	}
	a.KindLabel = a.Kind.Label()
	return a, nil
}

func loadActivity(ctx context.Context, q db.Querier, where string, arg any) (*activityRow, error) {
	a, err := scanActivity(q.QueryRowContext(ctx, `SELECT `+activityCols+activityFrom+` WHERE `+where, arg))
	if err != nil {
		return nil, db.NotFound(err, "活动不存在")
	}
	return a, nil
}

// seeActivity reports whether the principal reads the activity: its community's staff and those
// below, and those above it.
func seeActivity(p *auth.Principal, a *activityRow) bool {
	return p.Covers(a.path) || strings.HasPrefix(p.RegionPath, a.path)
}

// visibleActivity loads an activity the principal reads; others are not found.
func (s *Service) visibleActivity(ctx context.Context, q db.Querier, p *auth.Principal, id int64) (*activityRow, error) {
	a, err := loadActivity(ctx, q, `a.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if !seeActivity(p, a) {
		return nil, errs.E(errs.NotFound, "活动不存在")
	}
	return a, nil
}

// runActivity loads an activity the principal runs (ActivitiesWrite over its region).
func (s *Service) runActivity(ctx context.Context, q db.Querier, p *auth.Principal, id int64) (*activityRow, error) {
	a, err := s.visibleActivity(ctx, q, p, id)
	if err != nil {
		return nil, err
	}
	if !canRun(p, a.path) {
		return nil, errs.E(errs.Forbidden, "只有活动所在社区的工作人员可以办理此项")
	}
	return a, nil
}

// CreateActivity publishes an activity; with a venue it books the room for the activity's time in
// the same transaction, so an activity never sits in a room someone else holds.
func (s *Service) CreateActivity(ctx context.Context, in ActivityInput) (*Activity, error) {
	p, err := principal(ctx, auth.ActivitiesWrite)
	if err != nil {
		return nil, err
	}
	if in.RegionID == 0 {
		in.RegionID = p.RegionID
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	var out *Activity
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		var path string
		if err := tx.QueryRowContext(ctx, `SELECT path FROM regions WHERE id = $1`, in.RegionID).Scan(&path); err != nil || !p.Covers(path) {
			return errs.Field("region_id", "所选社区不在您的管辖范围内")
		}
		if in.SeriesID != 0 {
			var sp string
			if err := tx.QueryRowContext(ctx, `SELECT g.path FROM activity_series s JOIN regions g ON g.id = s.region_id
				WHERE s.id = $1`, in.SeriesID).Scan(&sp); err != nil || !strings.HasPrefix(path, sp) {
				return errs.Field("series_id", "所选活动品牌不存在")
			}
		}
		if in.GridID != 0 {
			var gp string
			if err := tx.QueryRowContext(ctx, `SELECT path FROM regions WHERE id = $1 AND level = 'grid'`, in.GridID).Scan(&gp); err != nil || !strings.HasPrefix(gp, path) {
				return errs.Field("grid_id", "所选网格不在本社区")
			}
		}
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO activities (region_id, series_id, title, kind, organiser_kind, organiser,
			venue_id, place, starts_at, ends_at, audience, focus_tag, grid_id, capacity, signup_opens, signup_closes, cost,
			contact_name, contact_phone, public, description, status, checkin_token, created_by, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,'published',$22,$23,$24) RETURNING id`,
			in.RegionID, nullable(in.SeriesID), in.Title, in.Kind, in.OrganiserKind, in.Organiser, nullable(in.VenueID), in.Place,
			in.StartsAt.UTC(), in.EndsAt.UTC(), in.Audience, in.FocusTag, nullable(in.GridID), in.Capacity, utcPtr(in.SignupOpens),
			utcPtr(in.SignupCloses), in.Cost, in.ContactName, strings.TrimSpace(in.ContactPhone), in.Public, in.Description,
			token(), p.UserID, s.now()).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert activity: %w", err)
		}
		if in.VenueID != 0 {
			b, err := s.BookTx(ctx, tx, cal, BookingInput{VenueID: in.VenueID, StartsAt: in.StartsAt, EndsAt: in.EndsAt,
				Purpose: in.Title, Headcount: max(1, in.Capacity)}, id)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE activities SET booking_id = $1, place = $2 WHERE id = $3`, b.ID, b.VenueName, id); err != nil {
				return err
			}
		}
		for _, r := range in.Volunteers {
			if _, err := tx.ExecContext(ctx, `INSERT INTO volunteer_roles (activity_id, title, slots) VALUES ($1, $2, $3)`,
				id, r.Title, r.Slots); err != nil {
				return fmt.Errorf("insert volunteer post: %w", err)
			}
		}
		if err := s.enqueueReminder(ctx, tx, id, in.StartsAt.UTC()); err != nil {
			return err
		}
		a, err := loadActivity(ctx, tx, `a.id = $1`, id)
		if err != nil {
			return err
		}
		out = &a.Activity
		return audit.Record(ctx, tx, audit.Entry{Action: "activity.create", ObjectType: "activity", ObjectID: id,
			RegionID: in.RegionID, After: out})
	})
	return out, err
}

func utcPtr(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return t.UTC()
}

// Filter selects activities: by series, kind, period (start date, Asia/Shanghai, inclusive), and
// upcoming only.
type Filter struct {
	RegionID int64
	SeriesID int64
	Kind     string
	From, To string // YYYY-MM-DD
	Upcoming bool
	Featured bool // only activities of a featured series
	// Held lists what the figures count: the activities held in the period that count for the
	// region (those organised in it and those above it meant for its people), not cancelled.
	Held   bool
	Limit  int
	Offset int
	held   *heldSet
}

// heldSet is a Held filter's region and period, resolved in the principal's scope.
type heldSet struct {
	r        *regionRef
	from, to time.Time
}

// resolveHeld resolves a Held filter's region (the principal's own when none) and period the way
// Figures does.
func (f *Filter) resolveHeld(ctx context.Context, d *db.DB, p *auth.Principal, now time.Time) error {
	if !f.Held {
		return nil
	}
	ff := FigureFilter{RegionID: f.RegionID, From: f.From, To: f.To}
	from, to, err := ff.period(now)
	if err != nil {
		return err
	}
	r, err := figureRegion(ctx, d, p, f.RegionID)
	if err != nil {
		return err
	}
	f.held = &heldSet{r: r, from: from, to: to}
	return nil
}

func (f *Filter) where(a *db.Args, now time.Time) (string, error) {
	var w []string
	if f.held != nil {
		w = append(w, activitySet(f.held.r, a, f.held.from, f.held.to, now))
	}
	if f.RegionID != 0 && f.held == nil {
		w = append(w, `a.region_id IN (SELECT id FROM regions WHERE path LIKE (SELECT path FROM regions WHERE id = `+a.Add(f.RegionID)+`) || '%')`)
	}
	if f.SeriesID != 0 {
		w = append(w, `a.series_id = `+a.Add(f.SeriesID))
	}
	if f.Featured {
		w = append(w, `se.featured`)
	}
	if f.Kind != "" {
		w = append(w, `a.kind = `+a.Add(f.Kind))
	}
	if f.From != "" && f.held == nil {
		t, err := time.ParseInLocation(time.DateOnly, f.From, clock.Shanghai())
		if err != nil {
			return "", errs.Field("from", "开始日期格式应为 YYYY-MM-DD")
		}
		w = append(w, `a.starts_at >= `+a.Add(t.UTC()))
	}
	if f.To != "" && f.held == nil {
		t, err := time.ParseInLocation(time.DateOnly, f.To, clock.Shanghai())
		if err != nil {
			return "", errs.Field("to", "结束日期格式应为 YYYY-MM-DD")
		}
		w = append(w, `a.starts_at < `+a.Add(t.AddDate(0, 0, 1).UTC()))
	}
	if f.Upcoming {
		w = append(w, `a.ends_at > `+a.Add(now)+` AND a.status = 'published'`)
	}
	if len(w) == 0 {
		return "1=1", nil
	}
	return strings.Join(w, " AND "), nil
}

// ListActivities lists the activities the principal reads, newest first (upcoming: soonest first).
func (s *Service) ListActivities(ctx context.Context, f Filter) ([]Activity, int, error) {
	p, err := principal(ctx, auth.ActivitiesRead)
	if err != nil {
		return nil, 0, err
	}
	if err := f.resolveHeld(ctx, s.db, p, s.now()); err != nil {
		return nil, 0, err
	}
	a := &db.Args{}
	where, err := f.where(a, s.now())
	if err != nil {
		return nil, 0, err
	}
	where += ` AND ` + visible("a.region_id", p, a)
	return s.activities(ctx, where, f, a)
}

// PublicActivities lists the public activities, soonest first, for residents without signing in.
func (s *Service) PublicActivities(ctx context.Context, f Filter) ([]Activity, int, error) {
	a := &db.Args{}
	where, err := f.where(a, s.now())
	if err != nil {
		return nil, 0, err
	}
	return s.activities(ctx, where+` AND a.public AND a.status = 'published'`, f, a)
}

func (s *Service) activities(ctx context.Context, where string, f Filter, a *db.Args) ([]Activity, int, error) {
	var total int
	if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*)`+activityFrom+` WHERE `+where, *a...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count activities: %w", err)
	}
	order := `a.starts_at DESC, a.id DESC`
	if f.Upcoming {
		order = `a.starts_at, a.id`
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+activityCols+activityFrom+` WHERE `+where+` ORDER BY `+order+
		` LIMIT `+a.Add(f.Limit)+` OFFSET `+a.Add(max(0, f.Offset)), *a...)
	if err != nil {
		return nil, 0, fmt.Errorf("list activities: %w", err)
	}
	defer rows.Close()
	var out []Activity
	for rows.Next() {
		r, err := scanActivity(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r.Activity)
	}
	return out, total, rows.Err()
}

// Activity returns one activity the principal reads.
func (s *Service) Activity(ctx context.Context, id int64) (*Activity, error) {
	p, err := principal(ctx, auth.ActivitiesRead)
	if err != nil {
		return nil, err
	}
	a, err := s.visibleActivity(ctx, s.db.R, p, id)
	if err != nil {
		return nil, err
	}
	return &a.Activity, nil
}

// PublicActivity returns a public activity for residents; any other is not found.
func (s *Service) PublicActivity(ctx context.Context, id int64) (*Activity, error) {
	a, err := loadActivity(ctx, s.db.R, `a.id = $1`, id)
	if err != nil || !a.Public {
		return nil, errs.E(errs.NotFound, "活动不存在")
	}
	return &a.Activity, nil
}

// CheckinToken returns the secret of an activity's door QR code, for those who run it.
func (s *Service) CheckinToken(ctx context.Context, id int64) (string, error) {
	p, err := principal(ctx, auth.ActivitiesWrite)
	if err != nil {
		return "", err
	}
	a, err := s.runActivity(ctx, s.db.R, p, id)
	if err != nil {
		return "", err
	}
	return a.checkinToken, nil
}

// CanRun reports whether the signed-in user runs the activity (check-in, hours, summary).
func (s *Service) CanRun(ctx context.Context, a *Activity) bool {
	p := auth.FromContext(ctx)
	var path string
	if s.db.R.QueryRowContext(ctx, `SELECT path FROM regions WHERE id = $1`, a.RegionID).Scan(&path) != nil {
		return false
	}
	return canRun(p, path)
}

// SetSummary records the short summary written after the activity (the briefing quotes it).
func (s *Service) SetSummary(ctx context.Context, id int64, summary string) error {
	p, err := principal(ctx, auth.ActivitiesWrite)
	if err != nil {
		return err
	}
	summary = strings.TrimSpace(summary)
	if n := utf8.RuneCountInString(summary); n == 0 || n > 2000 {
		return errs.Field("summary", "请填写活动小结（不超过2000字）")
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		a, err := s.runActivity(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if a.StartsAt.After(s.now()) {
			return errs.Field("summary", "活动开始后才能填写小结")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE activities SET summary = $1 WHERE id = $2`, summary, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "activity.summary", ObjectType: "activity", ObjectID: id,
			RegionID: a.RegionID, Before: a.Summary, After: summary})
	})
}

// ListSeries lists the featured series of the principal's communities with the activities held.
func (s *Service) ListSeries(ctx context.Context) ([]Series, error) {
	p, err := principal(ctx, auth.ActivitiesRead)
	if err != nil {
		return nil, err
	}
	a := &db.Args{}
	now := a.Add(s.now())
	rows, err := s.db.R.QueryContext(ctx, `SELECT s.id, s.region_id, s.name, s.description, s.featured,
		(SELECT COUNT(*) FROM activities x WHERE x.series_id = s.id AND x.status = 'published' AND x.starts_at <= `+now+`)
		FROM activity_series s WHERE `+visible("s.region_id", p, a)+` ORDER BY s.id`, *a...)
	if err != nil {
		return nil, fmt.Errorf("list series: %w", err)
	}
	defer rows.Close()
	var out []Series
	for rows.Next() {
		var x Series
		if err := rows.Scan(&x.ID, &x.RegionID, &x.Name, &x.Description, &x.Featured, &x.Held); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// CreateSeries adds a featured series 活动品牌 to a community in scope.
func (s *Service) CreateSeries(ctx context.Context, in Series) (*Series, error) {
	p, err := principal(ctx, auth.ActivitiesWrite)
	if err != nil {
		return nil, err
	}
	in.Name, in.Description = strings.TrimSpace(in.Name), strings.TrimSpace(in.Description)
	if n := utf8.RuneCountInString(in.Name); n == 0 || n > 40 {
		return nil, errs.Field("name", "请填写品牌名称（不超过40字）")
	}
	if in.RegionID == 0 {
		in.RegionID = p.RegionID
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		var path string
		if err := tx.QueryRowContext(ctx, `SELECT path FROM regions WHERE id = $1`, in.RegionID).Scan(&path); err != nil || !p.Covers(path) {
			return errs.Field("region_id", "所选社区不在您的管辖范围内")
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO activity_series (region_id, name, description, featured, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, in.RegionID, in.Name, in.Description, in.Featured, s.now()).Scan(&in.ID)
		if db.IsUnique(err) {
			return errs.Field("name", "已有同名活动品牌")
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "activity_series.create", ObjectType: "activity_series",
			ObjectID: in.ID, RegionID: in.RegionID, After: in})
	})
	if err != nil {
		return nil, err
	}
	return &in, nil
}
