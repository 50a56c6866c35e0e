package activities

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

// Participation is one activity a resident of the register signed up for (or walked in to), for
// 一人一档 and 一户一档.
type Participation struct {
	ActivityID   int64     `json:"activity_id"`
	Title        string    `json:"title"`
	StartsAt     time.Time `json:"starts_at"`
	ResidentID   int64     `json:"resident_id"`
	ResidentName string    `json:"resident_name"`
	Status       string    `json:"status"` // registered, waitlisted
	CheckedIn    bool      `json:"checked_in"`
}

// StatusLabel names the sign-up's state: 已签到, 候补 or 已报名.
func (x Participation) StatusLabel() string {
	switch {
	case x.CheckedIn:
		return "已签到"
	case x.Status == "waitlisted":
		return "候补"
	}
	return "已报名"
}

// ParticipationFilter chooses whose sign-ups: one resident's, or a household's members'.
type ParticipationFilter struct {
	ResidentID  int64
	HouseholdID int64
	Limit       int
}

// ParticipationCounts sums a resident's or household's sign-ups (cancelled ones left out).
type ParticipationCounts struct {
	SignedUp  int `json:"signed_up"`
	CheckedIn int `json:"checked_in"`
}

// Participations lists the activities a resident, or the members of a household, signed up for,
// newest first, with the counts of all of them. Only residents in the principal's scope are
// read, only activities the principal reads, and — without the minors permission — no minor's
// sign-up (by the register's birth date or the sign-up's own minor mark).
func (s *Service) Participations(ctx context.Context, f ParticipationFilter) ([]Participation, ParticipationCounts, error) {
	var counts ParticipationCounts
	p, err := principal(ctx, auth.ActivitiesRead)
	if err != nil {
		return nil, counts, err
	}
	a := &db.Args{}
	where := `x.status <> 'cancelled' AND ` + db.InScope("r.region_id", a.Add(p.Scope())) + ` AND ` + visible("a.region_id", p, a)
	switch {
	case f.ResidentID > 0:
		where += ` AND x.resident_id = ` + a.Add(f.ResidentID)
	case f.HouseholdID > 0:
		where += ` AND r.household_id = ` + a.Add(f.HouseholdID)
	default:
		return nil, counts, errs.E(errs.Invalid, "请指定居民或住户")
	}
	if p.HidesMinors() {
		where += ` AND NOT x.minor` + p.AdultsOnly("r.birth_date", s.now(), a)
	}
	from := ` FROM activity_registrations x JOIN residents r ON r.id = x.resident_id JOIN activities a ON a.id = x.activity_id
		WHERE ` + where
	if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(x.checked_in_at)`+from, *a...).
		Scan(&counts.SignedUp, &counts.CheckedIn); err != nil {
		return nil, counts, fmt.Errorf("count participations: %w", err)
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 20
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT a.id, a.title, a.starts_at, r.id, r.name, x.status, x.checked_in_at`+from+
		` ORDER BY a.starts_at DESC, x.id DESC LIMIT `+a.Add(f.Limit), *a...)
	if err != nil {
		return nil, counts, fmt.Errorf("list participations: %w", err)
	}
	defer rows.Close()
	var out []Participation
	for rows.Next() {
		var x Participation
		var checked sql.NullTime
		if err := rows.Scan(&x.ActivityID, &x.Title, &x.StartsAt, &x.ResidentID, &x.ResidentName, &x.Status, &checked); err != nil {
			return nil, counts, err
		}
		x.StartsAt, x.CheckedIn = x.StartsAt.UTC(), checked.Valid
		out = append(out, x)
	}
	return out, counts, rows.Err()
}
