package activities

import (
	"context"
	"fmt"
	"strings"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/pii"
)

// onTheDay refuses check-in on any day but the activity's (Asia/Shanghai).
func (s *Service) onTheDay(a *activityRow) error {
	if a.Status != "published" {
		return errs.E(errs.Conflict, "活动已取消")
	}
	if today := clock.Date(s.now()); today != clock.Date(a.StartsAt) {
		return errs.E(errs.Conflict, "只能在活动当天（%s）签到", clock.Date(a.StartsAt))
	}
	return nil
}

// CheckIn records that a signed-up person came, from the organiser's list; co-building and the
// deliberation hall record their meetings' attendance through it.
func (s *Service) CheckIn(ctx context.Context, activityID, registrationID int64) (*Registration, error) {
	p, err := principal(ctx, auth.ActivitiesWrite)
	if err != nil {
		return nil, err
	}
	var out *Registration
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		a, err := s.runActivity(ctx, tx, p, activityID)
		if err != nil {
			return err
		}
		if err := s.onTheDay(a); err != nil {
			return err
		}
		out, err = s.checkIn(ctx, tx, a, `id = $2`, registrationID)
		return err
	})
	return out, err
}

func (s *Service) checkIn(ctx context.Context, tx *db.Tx, a *activityRow, where string, arg any) (*Registration, error) {
	var r Registration
	err := tx.QueryRowContext(ctx, `SELECT id, name, status, minor FROM activity_registrations WHERE activity_id = $1 AND `+where+`
		AND status <> 'cancelled' ORDER BY id LIMIT 1`, a.ID, arg).Scan(&r.ID, &r.Name, &r.Status, &r.Minor)
	if err != nil {
		return nil, db.NotFound(err, "报名记录不存在")
	}
	if r.Status == "waitlisted" {
		return nil, errs.E(errs.Conflict, "%s在候补名单中，请联系工作人员登记现场参加", r.Name)
	}
	now := s.now()
	res, err := tx.ExecContext(ctx, `UPDATE activity_registrations SET checked_in_at = $1 WHERE id = $2 AND checked_in_at IS NULL`, now, r.ID)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, errs.E(errs.Conflict, "%s已签到", r.Name)
	}
	r.ActivityID, r.CheckedInAt = a.ID, &now
	if err := RecordParticipants(ctx, tx, `x.id = $1`, r.ID); err != nil {
		return nil, err
	}
	return &r, audit.Record(ctx, tx, audit.Entry{Action: "activity.checkin", ObjectType: "activity_registration",
		ObjectID: r.ID, RegionID: a.RegionID})
}

// WalkIn records a person who came without signing up, checked in at once (staff at the door).
func (s *Service) WalkIn(ctx context.Context, in SignUpInput) (*Registration, error) {
	p, err := principal(ctx, auth.ActivitiesWrite)
	if err != nil {
		return nil, err
	}
	var out *Registration
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		a, err := s.runActivity(ctx, tx, p, in.ActivityID)
		if err != nil {
			return err
		}
		if err := s.onTheDay(a); err != nil {
			return err
		}
		out, err = s.register(ctx, tx, a, in, nil, p.UserID, true)
		return err
	})
	return out, err
}

// DoorCheckIn is the QR code at the door: whoever scans it gives their phone number and every
// place signed up under it is checked in; someone who did not sign up gives a name too and is
// recorded as a walk-in. The token is the activity's check-in secret.
func (s *Service) DoorCheckIn(ctx context.Context, tok string, in SignUpInput) ([]Registration, error) {
	phone, err := pii.NormalizePhone(in.Phone)
	if err != nil {
		return nil, errs.Field("phone", "请填写报名时的手机号码")
	}
	in.Phone = phone
	var out []Registration
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		a, err := loadActivity(ctx, tx, `a.checkin_token = $1`, tok)
		if err != nil {
			return errs.E(errs.NotFound, "签到码无效")
		}
		if err := s.onTheDay(a); err != nil {
			return err
		}
		index := s.sealer.Index(phone)
		rows, err := tx.QueryContext(ctx, `SELECT id FROM activity_registrations WHERE activity_id = $1 AND phone_index = $2
			AND status = 'registered' AND checked_in_at IS NULL ORDER BY id`, a.ID, index)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		for _, id := range ids {
			r, err := s.checkIn(ctx, tx, a, `id = $2`, id)
			if err != nil {
				return err
			}
			out = append(out, *r)
		}
		if len(out) > 0 {
			return nil
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM activity_registrations WHERE activity_id = $1 AND phone_index = $2
			AND status <> 'cancelled'`, a.ID, index).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errs.E(errs.Conflict, "该手机号码的报名已签到或在候补名单中，如有疑问请联系工作人员")
		}
		if strings.TrimSpace(in.Name) == "" {
			return errs.Field("name", "未找到该手机号码的报名，现场参加请填写姓名")
		}
		in.ActivityID = a.ID
		r, err := s.register(ctx, tx, a, in, nil, 0, true)
		if err != nil {
			return err
		}
		out = append(out, *r)
		return nil
	})
	return out, err
}

// RecordParticipants writes the activity_participants rows (migration 0031) of the check-ins
// that where selects (on activity_registrations x): one row per check-in of a published activity,
// what the figures count participants and reach by. Check-in and walk-in call it in their own
// transaction for the one registration they check in; the demo and the benchmarks once, after
// writing their sign-ups directly.
func RecordParticipants(ctx context.Context, tx *db.Tx, where string, args ...any) error {
	heldAt := `CAST(strftime('%s', a.starts_at) AS INTEGER)`
	if tx.Dialect == db.Postgres {
		heldAt = `CAST(EXTRACT(EPOCH FROM a.starts_at) AS BIGINT)`
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO activity_participants (registration_id, activity_id, region_id, grid_id, held_at, resident_id, guest)
		SELECT x.id, x.activity_id, a.region_id, CASE WHEN a.audience = 'grid' THEN a.grid_id END, `+heldAt+`,
			x.resident_id, CASE WHEN x.resident_id IS NULL THEN x.phone_index || x.name END
		FROM activity_registrations x JOIN activities a ON a.id = x.activity_id
		WHERE x.checked_in_at IS NOT NULL AND a.status = 'published' AND `+where, args...)
	if err != nil {
		return fmt.Errorf("record participants: %w", err)
	}
	return nil
}
