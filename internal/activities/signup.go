package activities

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/pii"
)

// SignUp signs a person up for an activity the principal reads: a resident of the register (for
// the elderly without phones) or a person by name and phone. Past capacity the sign-up goes to the
// waitlist; the answer's Status says which.
func (s *Service) SignUp(ctx context.Context, in SignUpInput) (*Registration, error) {
	p, err := principal(ctx, auth.ActivitiesRead)
	if err != nil {
		return nil, err
	}
	var out *Registration
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		a, err := s.visibleActivity(ctx, tx, p, in.ActivityID)
		if err != nil {
			return err
		}
		var ph *phoneRec
		if in.ResidentID != 0 {
			if ph, err = s.fillResident(ctx, tx, p, a, &in); err != nil {
				return err
			}
		}
		out, err = s.register(ctx, tx, a, in, ph, p.UserID, false)
		return err
	})
	return out, err
}

// SignUpPublic signs a resident up on the public page by name and phone; only public activities
// open for sign-up take it.
func (s *Service) SignUpPublic(ctx context.Context, in SignUpInput) (*Registration, error) {
	in.ResidentID = 0
	var out *Registration
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		a, err := loadActivity(ctx, tx, `a.id = $1`, in.ActivityID)
		if err != nil || !a.Public {
			return errs.E(errs.NotFound, "活动不存在")
		}
		out, err = s.register(ctx, tx, a, in, nil, 0, false)
		return err
	})
	return out, err
}

// phoneRec is a phone number as stored: sealed, blind index and masked.
type phoneRec struct {
	enc           []byte
	index, masked string
}

// fillResident takes name and age from the register for a resident in the principal's scope; it
// returns the resident's stored phone.
func (s *Service) fillResident(ctx context.Context, tx *db.Tx, p *auth.Principal, a *activityRow, in *SignUpInput) (*phoneRec, error) {
	var birth, path string
	var index sql.NullString
	ph := &phoneRec{}
	err := tx.QueryRowContext(ctx, `SELECT r.name, r.birth_date, g.path, r.phone_enc, r.phone_index, r.phone_masked
		FROM residents r JOIN regions g ON g.id = r.region_id WHERE r.id = $1 AND r.status = 'active'`, in.ResidentID).
		Scan(&in.Name, &birth, &path, &ph.enc, &index, &ph.masked)
	if err != nil || !p.Covers(path) {
		return nil, errs.Field("resident_id", "居民不存在或不在您的管辖范围内")
	}
	if minorOn(birth, a.StartsAt) {
		if !p.Can(auth.MinorsRead) {
			return nil, errs.Field("resident_id", "居民不存在或不在您的管辖范围内")
		}
		in.Minor = true
	}
	// Without a phone the resident is told apart by their register id, so one person signs up once.
	ph.index = index.String
	if ph.index == "" {
		ph.index = fmt.Sprintf("resident:%d", in.ResidentID)
	}
	return ph, nil
}

// minorOn reports whether someone born on birth (YYYY-MM-DD) is under 18 on the day of t.
func minorOn(birth string, t time.Time) bool {
	b, err := time.Parse(time.DateOnly, birth)
	if err != nil {
		return false
	}
	return clock.Date(b.AddDate(18, 0, 0)) > clock.Date(t)
}

// register writes a registration: a place while there is one (the conditional update on the
// activity row serializes concurrent sign-ups), else the waitlist. A walk-in is checked in at once.
func (s *Service) register(ctx context.Context, tx *db.Tx, a *activityRow, in SignUpInput, ph *phoneRec, by int64, walkIn bool) (*Registration, error) {
	now := s.now()
	if !walkIn && !a.SignupOpen(now) {
		return nil, errs.E(errs.Conflict, "「%s」当前不在报名时间内", a.Title)
	}
	if walkIn && a.Status != "published" {
		return nil, errs.E(errs.Conflict, "活动已取消")
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	r := &Registration{ActivityID: a.ID, ResidentID: in.ResidentID, Name: in.Name, Minor: in.Minor, WalkIn: walkIn, CreatedAt: now}
	if ph == nil {
		ph = &phoneRec{enc: s.sealer.Seal(in.Phone), index: s.sealer.Index(in.Phone), masked: pii.MaskPhone(in.Phone)}
	}
	r.PhoneMasked = ph.masked
	if in.Minor {
		r.GuardianName, r.GuardianRelation, r.ConsentAt = in.GuardianName, in.GuardianRelation, &now
	}
	if err := lockActivity(ctx, tx, a.ID); err != nil {
		return nil, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE activities SET registered = registered + 1 WHERE id = $1 AND (capacity = 0 OR registered < capacity)`, a.ID)
	if err != nil {
		return nil, err
	}
	r.Status = "registered"
	if n, _ := res.RowsAffected(); n == 0 {
		if walkIn {
			if _, err := tx.ExecContext(ctx, `UPDATE activities SET registered = registered + 1 WHERE id = $1`, a.ID); err != nil {
				return nil, err
			}
		} else {
			r.Status = "waitlisted"
		}
	}
	var checked any
	if walkIn {
		checked, r.CheckedInAt = now, &now
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO activity_registrations (activity_id, resident_id, name, phone_enc, phone_index,
		phone_masked, minor, guardian_name, guardian_relation, consent_at, status, walk_in, checked_in_at, created_by, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) RETURNING id`,
		a.ID, nullable(in.ResidentID), r.Name, ph.enc, ph.index, ph.masked, r.Minor, r.GuardianName, r.GuardianRelation, r.ConsentAt,
		r.Status, walkIn, checked, nullable(by), now).Scan(&r.ID)
	if db.IsUnique(err) {
		return nil, errs.E(errs.Conflict, "%s已报名「%s」，无需重复报名", r.Name, a.Title)
	}
	if err != nil {
		return nil, fmt.Errorf("insert registration: %w", err)
	}
	if walkIn {
		if err := RecordParticipants(ctx, tx, `x.id = $1`, r.ID); err != nil {
			return nil, err
		}
	}
	return r, audit.Record(ctx, tx, audit.Entry{Action: "activity.signup", ObjectType: "activity_registration",
		ObjectID: r.ID, RegionID: a.RegionID, After: r})
}

// CancelRegistration cancels a sign-up (staff); the first on the waitlist moves up into the place.
func (s *Service) CancelRegistration(ctx context.Context, activityID, id int64) error {
	p, err := principal(ctx, auth.ActivitiesRead)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		a, err := s.visibleActivity(ctx, tx, p, activityID)
		if err != nil {
			return err
		}
		return s.cancel(ctx, tx, a, `id = $2`, id)
	})
}

// CancelPublic cancels every sign-up under a phone number on the public page.
func (s *Service) CancelPublic(ctx context.Context, activityID int64, phone string) (int, error) {
	phone, err := pii.NormalizePhone(phone)
	if err != nil {
		return 0, errs.Field("phone", "请填写正确的手机号码")
	}
	n := 0
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		a, err := loadActivity(ctx, tx, `a.id = $1`, activityID)
		if err != nil || !a.Public {
			return errs.E(errs.NotFound, "活动不存在")
		}
		rows, err := tx.QueryContext(ctx, `SELECT id FROM activity_registrations WHERE activity_id = $1 AND phone_index = $2
			AND status <> 'cancelled'`, a.ID, s.sealer.Index(phone))
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
		if len(ids) == 0 {
			return errs.Field("phone", "未找到该手机号码的报名")
		}
		for _, id := range ids {
			if err := s.cancel(ctx, tx, a, `id = $2`, id); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	return n, err
}

// cancel cancels one registration and, when it held a place, gives the place to the first on the
// waitlist — or frees it.
func (s *Service) cancel(ctx context.Context, tx *db.Tx, a *activityRow, where string, id int64) error {
	if err := lockActivity(ctx, tx, a.ID); err != nil {
		return err
	}
	var status string
	var checked sql.NullTime
	err := tx.QueryRowContext(ctx, `SELECT status, checked_in_at FROM activity_registrations WHERE activity_id = $1 AND `+where,
		a.ID, id).Scan(&status, &checked)
	if err != nil {
		return db.NotFound(err, "报名记录不存在")
	}
	if status == "cancelled" {
		return errs.E(errs.Conflict, "该报名已取消")
	}
	if checked.Valid {
		return errs.E(errs.Conflict, "已签到的报名不能取消")
	}
	res, err := tx.ExecContext(ctx, `UPDATE activity_registrations SET status = 'cancelled' WHERE id = $1 AND status = $2
		AND checked_in_at IS NULL`, id, status)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.Conflict, "该报名已取消或已签到")
	}
	promoted := int64(0)
	if status == "registered" {
		err := tx.QueryRowContext(ctx, `SELECT id FROM activity_registrations WHERE activity_id = $1 AND status = 'waitlisted'
			ORDER BY id LIMIT 1`, a.ID).Scan(&promoted)
		switch {
		case err == nil:
			if _, err := tx.ExecContext(ctx, `UPDATE activity_registrations SET status = 'registered' WHERE id = $1`, promoted); err != nil {
				return err
			}
		case err == sql.ErrNoRows:
			if _, err := tx.ExecContext(ctx, `UPDATE activities SET registered = registered - 1 WHERE id = $1`, a.ID); err != nil {
				return err
			}
		default:
			return err
		}
	}
	detail := "取消报名"
	if promoted != 0 {
		detail = fmt.Sprintf("取消报名，候补报名 %d 递补", promoted)
	}
	return audit.Record(ctx, tx, audit.Entry{Action: "activity.signup_cancel", ObjectType: "activity_registration",
		ObjectID: id, RegionID: a.RegionID, Detail: detail})
}

// lockActivity takes the activity row's write lock until the transaction ends, so that a sign-up and
// a cancellation of one activity run one after the other: a place freed while someone joins the
// waitlist goes to them, and two cancellations never promote the same person or lose a place. (On
// SQLite the one writer already serializes them; on PostgreSQL the row lock does.)
func lockActivity(ctx context.Context, tx *db.Tx, id int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE activities SET registered = registered WHERE id = $1`, id)
	return err
}

// Registrations lists an activity's sign-ups for whoever reads it. Without the permission to see
// minors, a minor's name is masked and the guardian left out.
func (s *Service) Registrations(ctx context.Context, activityID int64) ([]Registration, error) {
	p, err := principal(ctx, auth.ActivitiesRead)
	if err != nil {
		return nil, err
	}
	if _, err := s.visibleActivity(ctx, s.db.R, p, activityID); err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, activity_id, resident_id, name, phone_masked, minor, guardian_name,
		guardian_relation, consent_at, status, walk_in, checked_in_at, created_at FROM activity_registrations
		WHERE activity_id = $1 AND status <> 'cancelled' ORDER BY status, id`, activityID)
	if err != nil {
		return nil, fmt.Errorf("list registrations: %w", err)
	}
	defer rows.Close()
	var out []Registration
	for rows.Next() {
		var r Registration
		var res sql.NullInt64
		var consent, checked sql.NullTime
		if err := rows.Scan(&r.ID, &r.ActivityID, &res, &r.Name, &r.PhoneMasked, &r.Minor, &r.GuardianName,
			&r.GuardianRelation, &consent, &r.Status, &r.WalkIn, &checked, &r.CreatedAt); err != nil {
			return nil, err
		}
		r.ResidentID = res.Int64
		if consent.Valid {
			t := consent.Time.UTC()
			r.ConsentAt = &t
		}
		if checked.Valid {
			t := checked.Time.UTC()
			r.CheckedInAt = &t
		}
		if r.Minor && !p.Can(auth.MinorsRead) {
			r.Name, r.GuardianName, r.GuardianRelation, r.ResidentID = maskName(r.Name), "", "", 0
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// maskName keeps a name's first character: 张**.
func maskName(n string) string {
	for _, c := range n {
		return string(c) + "**"
	}
	return ""
}
