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
	"linli/internal/pii"
	"linli/internal/visits"
)

// VolunteerRoles lists an activity's volunteer posts; public activities show them to anyone.
func (s *Service) VolunteerRoles(ctx context.Context, activityID int64) ([]VolunteerRole, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, activity_id, title, slots, taken FROM volunteer_roles
		WHERE activity_id = $1 ORDER BY id`, activityID)
	if err != nil {
		return nil, fmt.Errorf("list volunteer posts: %w", err)
	}
	defer rows.Close()
	var out []VolunteerRole
	for rows.Next() {
		var r VolunteerRole
		if err := rows.Scan(&r.ID, &r.ActivityID, &r.Title, &r.Slots, &r.Taken); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// VolunteerSignUp takes a volunteer for a post of a public activity (the public page) or of one
// the signed-in staff read, while the post has places.
func (s *Service) VolunteerSignUp(ctx context.Context, in VolunteerInput) (*Volunteer, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	p := auth.FromContext(ctx)
	var out *Volunteer
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var activityID int64
		var title string
		if err := tx.QueryRowContext(ctx, `SELECT activity_id, title FROM volunteer_roles WHERE id = $1`, in.RoleID).
			Scan(&activityID, &title); err != nil {
			return db.NotFound(err, "志愿岗位不存在")
		}
		a, err := loadActivity(ctx, tx, `a.id = $1`, activityID)
		if err != nil {
			return err
		}
		if !a.Public && (p == nil || !seeActivity(p, a)) {
			return errs.E(errs.NotFound, "志愿岗位不存在")
		}
		if !a.EndsAt.After(s.now()) || a.Status != "published" {
			return errs.E(errs.Conflict, "活动已结束，不能报名志愿岗位")
		}
		res, err := tx.ExecContext(ctx, `UPDATE volunteer_roles SET taken = taken + 1 WHERE id = $1 AND taken < slots`, in.RoleID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.Conflict, "志愿岗位「%s」已招满", title)
		}
		v := &Volunteer{RoleID: in.RoleID, RoleTitle: title, ActivityID: a.ID, ActivityTitle: a.Title, Name: in.Name,
			PhoneMasked: pii.MaskPhone(in.Phone), Status: "signed", Content: title}
		var idEnc []byte
		if in.IDNumber != "" {
			idEnc, v.IDMasked = s.sealer.Seal(in.IDNumber), pii.MaskID(in.IDNumber)
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO activity_volunteers (role_id, activity_id, region_id, name, phone_enc, phone_index,
			phone_masked, id_enc, id_masked, content, status, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,'signed',$11) RETURNING id`,
			in.RoleID, a.ID, a.RegionID, in.Name, s.sealer.Seal(in.Phone), s.sealer.Index(in.Phone), v.PhoneMasked, idEnc,
			v.IDMasked, title, s.now()).Scan(&v.ID)
		if db.IsUnique(err) {
			return errs.E(errs.Conflict, "%s已报名该志愿岗位", in.Name)
		}
		if err != nil {
			return fmt.Errorf("insert volunteer: %w", err)
		}
		out = v
		return audit.Record(ctx, tx, audit.Entry{Action: "volunteer.signup", ObjectType: "activity_volunteer",
			ObjectID: v.ID, RegionID: a.RegionID, After: v})
	})
	return out, err
}

const volunteerCols = `v.id, v.role_id, ro.title, v.activity_id, a.title, a.starts_at, a.organiser, v.name, v.phone_masked,
	v.id_masked, v.checked_in_at, v.checked_out_at, v.minutes, v.content, v.status, COALESCE(v.cert_no, ''), v.decided_at`

const volunteerFrom = ` FROM activity_volunteers v JOIN volunteer_roles ro ON ro.id = v.role_id JOIN activities a ON a.id = v.activity_id`

func scanVolunteer(sc scanner) (*Volunteer, error) {
	v := &Volunteer{}
	var starts time.Time
	var in, out, decided sql.NullTime
	if err := sc.Scan(&v.ID, &v.RoleID, &v.RoleTitle, &v.ActivityID, &v.ActivityTitle, &starts, &v.Organiser, &v.Name,
		&v.PhoneMasked, &v.IDMasked, &in, &out, &v.Minutes, &v.Content, &v.Status, &v.CertNo, &decided); err != nil {
		return nil, err
	}
	v.ServedOn, v.startsAt = clock.Date(starts), starts.UTC()
	for _, x := range []struct {
		n   sql.NullTime
		dst **time.Time
	}{{in, &v.CheckedInAt}, {out, &v.CheckedOutAt}, {decided, &v.DecidedAt}} {
		if x.n.Valid {
			t := x.n.Time.UTC()
			*x.dst = &t
		}
	}
	return v, nil
}

// VolunteerFilter selects volunteer records: of one activity, in one state, in a period.
type VolunteerFilter struct {
	ActivityID int64
	Status     string
	From, To   string // YYYY-MM-DD of the activity
	// RegionID and Held: the volunteers of the activities the figures count for the region (see
	// Filter.Held) — the list behind the figures' volunteer hours.
	RegionID int64
	Held     bool
	Limit    int // a page of the list: 50 unless set, at most 500
	Offset   int
}

// volunteerWhere is the condition selecting f's records among the activities the principal reads.
func (s *Service) volunteerWhere(ctx context.Context, p *auth.Principal, f VolunteerFilter, a *db.Args) (string, error) {
	where := visible("a.region_id", p, a)
	if f.ActivityID != 0 {
		where += ` AND v.activity_id = ` + a.Add(f.ActivityID)
	}
	if f.Status != "" {
		where += ` AND v.status = ` + a.Add(f.Status)
	}
	af := Filter{From: f.From, To: f.To, RegionID: f.RegionID, Held: f.Held}
	if err := af.resolveHeld(ctx, s.db, p, s.now()); err != nil {
		return "", err
	}
	w, err := af.where(a, s.now())
	if err != nil {
		return "", err
	}
	return where + ` AND ` + w, nil
}

// volunteerOrder is the lists' order: latest activity first, then as recorded.
const volunteerOrder = ` ORDER BY a.starts_at DESC, v.id`

// Volunteers lists a page of the volunteer records of the activities the principal reads, and
// how many the filter selects in all.
func (s *Service) Volunteers(ctx context.Context, f VolunteerFilter) ([]Volunteer, int, error) {
	p, err := principal(ctx, auth.ActivitiesRead)
	if err != nil {
		return nil, 0, err
	}
	a := &db.Args{}
	where, err := s.volunteerWhere(ctx, p, f, a)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*)`+volunteerFrom+` WHERE `+where, *a...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count volunteers: %w", err)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	out, err := s.readVolunteers(ctx, `SELECT `+volunteerCols+volunteerFrom+` WHERE `+where+volunteerOrder+
		` LIMIT `+a.Add(f.Limit)+` OFFSET `+a.Add(max(0, f.Offset)), *a...)
	return out, total, err
}

func (s *Service) readVolunteers(ctx context.Context, q string, args ...any) ([]Volunteer, error) {
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list volunteers: %w", err)
	}
	defer rows.Close()
	out := []Volunteer{}
	for rows.Next() {
		v, err := scanVolunteer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, rows.Err()
}

// volunteerFor loads a volunteer record of an activity the principal runs.
func (s *Service) volunteerFor(ctx context.Context, q db.Querier, p *auth.Principal, id int64) (*Volunteer, *activityRow, error) {
	v, err := scanVolunteer(q.QueryRowContext(ctx, `SELECT `+volunteerCols+volunteerFrom+` WHERE v.id = $1`, id))
	if err != nil {
		return nil, nil, db.NotFound(err, "志愿服务记录不存在")
	}
	a, err := s.runActivity(ctx, q, p, v.ActivityID)
	if err != nil {
		return nil, nil, err
	}
	return v, a, nil
}

// VolunteerClock records a volunteer's check-in (out false) or check-out (out true) on the day of
// the activity; checking out proposes the time served, at most the activity's duration, for approval.
func (s *Service) VolunteerClock(ctx context.Context, id int64, out bool) (*Volunteer, error) {
	p, err := principal(ctx, auth.ActivitiesWrite)
	if err != nil {
		return nil, err
	}
	var res *Volunteer
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		v, a, err := s.volunteerFor(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := s.onTheDay(a); err != nil {
			return err
		}
		now := s.now()
		action := "volunteer.checkin"
		switch {
		case !out && v.CheckedInAt != nil:
			return errs.E(errs.Conflict, "%s已签到", v.Name)
		case !out:
			_, err = tx.ExecContext(ctx, `UPDATE activity_volunteers SET checked_in_at = $1 WHERE id = $2`, now, id)
			v.CheckedInAt = &now
		case v.CheckedInAt == nil:
			return errs.E(errs.Conflict, "%s尚未签到，不能签退", v.Name)
		case v.CheckedOutAt != nil:
			return errs.E(errs.Conflict, "%s已签退", v.Name)
		default:
			action = "volunteer.checkout"
			from := maxTime(*v.CheckedInAt, a.StartsAt)
			to := minTime(now, a.EndsAt)
			v.Minutes = max(0, int(to.Sub(from).Minutes()))
			v.CheckedOutAt, v.Status = &now, "pending"
			_, err = tx.ExecContext(ctx, `UPDATE activity_volunteers SET checked_out_at = $1, minutes = $2, status = 'pending'
				WHERE id = $3`, now, v.Minutes, id)
		}
		if err != nil {
			return err
		}
		res = v
		return audit.Record(ctx, tx, audit.Entry{Action: action, ObjectType: "activity_volunteer", ObjectID: id, RegionID: a.RegionID})
	})
	return res, err
}

// HoursInput is the organiser's record of a volunteer's service: minutes and what was done.
type HoursInput struct {
	Minutes int    `json:"minutes"`
	Content string `json:"content"`
}

// RecordHours sets a volunteer's service time (at most the activity's duration) and content, for
// approval.
func (s *Service) RecordHours(ctx context.Context, id int64, in HoursInput) (*Volunteer, error) {
	p, err := principal(ctx, auth.ActivitiesWrite)
	if err != nil {
		return nil, err
	}
	in.Content = strings.TrimSpace(in.Content)
	if utf8.RuneCountInString(in.Content) > 200 {
		return nil, errs.Field("content", "服务内容不能超过200字")
	}
	var out *Volunteer
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		v, a, err := s.volunteerFor(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if v.Status == "approved" {
			return errs.E(errs.Conflict, "服务时长已审核通过，不能修改")
		}
		if a.StartsAt.After(s.now()) {
			return errs.Field("minutes", "活动开始后才能登记服务时长")
		}
		if err := CheckHours(in.Minutes, a.Duration()); err != nil {
			return err
		}
		before := *v
		if in.Content != "" {
			v.Content = in.Content
		}
		v.Minutes, v.Status = in.Minutes, "pending"
		if _, err := tx.ExecContext(ctx, `UPDATE activity_volunteers SET minutes = $1, content = $2, status = 'pending' WHERE id = $3`,
			v.Minutes, v.Content, id); err != nil {
			return err
		}
		out = v
		return audit.Record(ctx, tx, audit.Entry{Action: "volunteer.hours", ObjectType: "activity_volunteer", ObjectID: id,
			RegionID: a.RegionID, Before: before, After: v})
	})
	return out, err
}

// DecideHours approves or rejects a volunteer's pending hours; approval gives the record its
// proof-of-service number.
func (s *Service) DecideHours(ctx context.Context, id int64, approve bool) (*Volunteer, error) {
	p, err := principal(ctx, auth.ActivitiesWrite)
	if err != nil {
		return nil, err
	}
	var out *Volunteer
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		v, a, err := s.volunteerFor(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if v.Status != "pending" {
			return errs.E(errs.Conflict, "该记录没有待审核的服务时长")
		}
		if err := CheckHours(v.Minutes, a.Duration()); err != nil {
			return err
		}
		now := s.now()
		v.Status, v.DecidedAt = "rejected", &now
		var cert any
		if approve {
			var code string
			if err := tx.QueryRowContext(ctx, `SELECT code FROM regions WHERE id = $1`, a.RegionID).Scan(&code); err != nil {
				return err
			}
			v.Status, v.CertNo = "approved", CertNo(code, now.In(clock.Shanghai()).Year(), id)
			cert = v.CertNo
		}
		if _, err := tx.ExecContext(ctx, `UPDATE activity_volunteers SET status = $1, cert_no = $2, decided_by = $3, decided_at = $4
			WHERE id = $5`, v.Status, cert, p.UserID, now, id); err != nil {
			return err
		}
		out = v
		if approve {
			var phoneIndex string
			if err := tx.QueryRowContext(ctx, `SELECT phone_index FROM activity_volunteers WHERE id = $1`, id).Scan(&phoneIndex); err != nil {
				return err
			}
			member, err := visits.CreditActivityHours(ctx, tx, visits.ActivityCredit{VolunteerID: id, CommunityID: a.RegionID,
				PhoneIndex: phoneIndex, ServedOn: clock.Date(a.StartsAt), Minutes: v.Minutes, Note: a.Title + "：" + v.Content,
				By: p.UserID, At: now})
			if err != nil {
				return err
			}
			v.CreditedMember = member != 0
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "volunteer.hours_" + v.Status, ObjectType: "activity_volunteer",
			ObjectID: id, RegionID: a.RegionID, After: v})
	})
	return out, err
}

// Proof is a proof of volunteer service 志愿服务证明 (志愿服务条例; 民政部 2020 办法): who, masked ID,
// hours, content, issuer, certificate number and date.
type Proof struct {
	Volunteer Volunteer `json:"volunteer"`
	Issuer    string    `json:"issuer"`
	IssuedOn  string    `json:"issued_on"`
}

// Proof returns the proof of an approved volunteer record of an activity the principal runs.
func (s *Service) Proof(ctx context.Context, id int64) (*Proof, error) {
	p, err := principal(ctx, auth.ActivitiesWrite)
	if err != nil {
		return nil, err
	}
	v, a, err := s.volunteerFor(ctx, s.db.R, p, id)
	if err != nil {
		return nil, err
	}
	if v.Status != "approved" {
		return nil, errs.E(errs.Conflict, "服务时长审核通过后才能开具志愿服务证明")
	}
	return &Proof{Volunteer: *v, Issuer: a.RegionName + "居民委员会", IssuedOn: clock.Date(*v.DecidedAt)}, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
