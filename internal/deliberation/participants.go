package deliberation

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

// Participant is one person invited to a meeting.
type Participant struct {
	ID           int64      `json:"id"`
	Kind         string     `json:"kind"`
	Name         string     `json:"name"`
	Label        string     `json:"label"`
	HouseholdID  int64      `json:"household_id,omitempty"`
	Entitled     bool       `json:"entitled"`
	RegisteredAt *time.Time `json:"registered_at,omitempty"`
	AttendedAt   *time.Time `json:"attended_at,omitempty"`
}

// KindLabel is the participant's kind in Chinese.
func (x *Participant) KindLabel() string { return ParticipantLabel(x.Kind) }

// ParticipantInput invites one person.
type ParticipantInput struct {
	Kind        string `json:"kind"`
	Name        string `json:"name"`
	HouseholdID int64  `json:"household_id"`
	Entitled    bool   `json:"entitled"`
}

// Invite adds a participant; residents, representatives and building leaders come with their
// household (one seat per household), stakeholders without one and never vote.
func (s *Service) Invite(ctx context.Context, meetingID int64, in ParticipantInput) (*Participant, error) {
	p, err := principal(ctx, auth.DeliberationManage)
	if err != nil {
		return nil, err
	}
	in.Name = strings.TrimSpace(in.Name)
	if ParticipantLabel(in.Kind) == "" {
		return nil, errs.Field("kind", "请选择参会人类别")
	}
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 30 {
		return nil, errs.Field("name", "请填写参会人姓名")
	}
	var out *Participant
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		m, err := runMeeting(ctx, tx, p, meetingID)
		if err != nil {
			return err
		}
		if m.State != "scheduled" {
			return errs.E(errs.Conflict, "议事会%s，不能再邀请参会人", m.StateLabel())
		}
		x := Participant{Kind: in.Kind, Name: in.Name, Entitled: in.Entitled && in.Kind != "stakeholder", Label: ParticipantLabel(in.Kind)}
		if in.Kind != "stakeholder" {
			if in.HouseholdID == 0 {
				return errs.Field("household_id", "居民参会人须选择所在户")
			}
			r, err := householdResident(ctx, tx, in.HouseholdID)
			if err != nil {
				return err
			}
			if !strings.HasPrefix(r.RegionPath, m.path) {
				return errs.Field("household_id", "所选户不在本社区")
			}
			x.HouseholdID, x.Label = r.HouseholdID, strings.TrimSuffix(r.Label, "居民")+ParticipantLabel(in.Kind)
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO delib_participants (meeting_id, kind, name, household_id, label, entitled)
			VALUES ($1,$2,$3,$4,$5,$6) RETURNING id`, m.ID, x.Kind, x.Name, nullable(x.HouseholdID), x.Label, x.Entitled).Scan(&x.ID)
		if db.IsUnique(err) {
			return errs.Field("household_id", "该户已在参会名单中（一户一席）")
		}
		if err != nil {
			return fmt.Errorf("insert participant: %w", err)
		}
		out = &x
		return audit.Record(ctx, tx, audit.Entry{Action: "deliberation.invite", ObjectType: "delib_meeting", ObjectID: m.ID,
			RegionID: m.RegionID, After: x})
	})
	return out, err
}

// Participants lists a meeting's participants (names for staff who read the meeting).
func (s *Service) Participants(ctx context.Context, meetingID int64) ([]Participant, error) {
	p, err := principal(ctx, auth.DeliberationRead)
	if err != nil {
		return nil, err
	}
	if _, err := loadMeeting(ctx, s.db.R, p, `m.id = `, meetingID); err != nil {
		return nil, err
	}
	return participants(ctx, s.db.R, meetingID)
}

func participants(ctx context.Context, q db.Querier, meetingID int64) ([]Participant, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, kind, name, label, COALESCE(household_id, 0), entitled, registered_at, attended_at
		FROM delib_participants WHERE meeting_id = $1 ORDER BY id`, meetingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Participant
	for rows.Next() {
		var x Participant
		var reg, att sql.NullTime
		if err := rows.Scan(&x.ID, &x.Kind, &x.Name, &x.Label, &x.HouseholdID, &x.Entitled, &reg, &att); err != nil {
			return nil, err
		}
		x.RegisteredAt, x.AttendedAt = timePtr(reg), timePtr(att)
		out = append(out, x)
	}
	return out, rows.Err()
}

// Attend records that a participant came (staff at the door); registration is implied.
func (s *Service) Attend(ctx context.Context, meetingID, participantID int64) error {
	p, err := principal(ctx, auth.DeliberationManage)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		m, err := runMeeting(ctx, tx, p, meetingID)
		if err != nil {
			return err
		}
		return s.attend(ctx, tx, m, `id = $2`, participantID)
	})
}

// CheckInPublic is the QR check-in on a resident's phone: the meeting's code, their name and phone;
// their household must be on the list.
func (s *Service) CheckInPublic(ctx context.Context, tok string, who ResidentInput) (*Meeting, error) {
	var out *Meeting
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		m, err := loadMeeting(ctx, tx, nil, `m.checkin_token = `, tok)
		if err != nil {
			return err
		}
		r, err := s.verified(ctx, tx, who.Token)
		if err != nil {
			return err
		}
		out = m
		return s.attend(ctx, tx, m, `household_id = $2`, r.HouseholdID)
	})
	return out, err
}

func (s *Service) attend(ctx context.Context, tx *db.Tx, m *Meeting, where string, arg any) error {
	if m.State != "scheduled" {
		return errs.E(errs.Conflict, "议事会%s，不能签到", m.StateLabel())
	}
	now := s.now()
	if now.Before(m.StartsAt.Add(-2*time.Hour)) || now.After(m.EndsAt) {
		return errs.E(errs.Conflict, "签到在会议开始前2小时至会议结束之间进行")
	}
	res, err := tx.ExecContext(ctx, `UPDATE delib_participants SET attended_at = COALESCE(attended_at, $3),
		registered_at = COALESCE(registered_at, $3) WHERE meeting_id = $1 AND `+where, m.ID, arg, now)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.E(errs.NotFound, "您不在本次议事会的参会名单中")
	}
	return audit.Record(ctx, tx, audit.Entry{Action: "deliberation.attend", ObjectType: "delib_meeting", ObjectID: m.ID,
		RegionID: m.RegionID, Detail: fmt.Sprintf("签到：%v", arg)})
}
