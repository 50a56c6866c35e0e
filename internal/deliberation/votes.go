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

// Motion is a question put to the vote at a meeting.
type Motion struct {
	ID        int64      `json:"id"`
	MeetingID int64      `json:"meeting_id"`
	TopicID   int64      `json:"topic_id"`
	Text      string     `json:"text"`
	Method    string     `json:"method"` // hands or ballot
	Secret    bool       `json:"secret"`
	State     string     `json:"state"` // open or closed
	Count                // filled when closed
	QuorumMet bool       `json:"quorum_met"`
	Passed    bool       `json:"passed"`
	OpenedAt  time.Time  `json:"opened_at"`
	ClosedAt  *time.Time `json:"closed_at,omitempty"`
	Ballots   int        `json:"ballots"` // ballots cast so far
}

// ResultLabel is the outcome in Chinese.
func (m *Motion) ResultLabel() string {
	switch {
	case m.State == "open":
		return "表决中"
	case !m.QuorumMet:
		return "未达法定人数"
	case m.Passed:
		return "通过"
	}
	return "未通过"
}

// MethodLabel is how it is voted, in Chinese.
func (m *Motion) MethodLabel() string {
	s := "举手表决"
	if m.Method == "ballot" {
		s = "手机投票"
	}
	if m.Secret {
		s += "（不记名）"
	}
	return s
}

// MotionInput puts a topic's question to the vote.
type MotionInput struct {
	TopicID int64  `json:"topic_id"`
	Text    string `json:"text"`
	Method  string `json:"method"`
	Secret  bool   `json:"secret"`
}

const motionCols = `id, meeting_id, topic_id, text, method, secret, state, entitled, present, yes, no, abstain, quorum_met, passed,
	opened_at, closed_at, (SELECT COUNT(*) FROM delib_ballots b WHERE b.motion_id = delib_motions.id)`

func scanMotion(sc scanner) (*Motion, error) {
	var m Motion
	var closed sql.NullTime
	if err := sc.Scan(&m.ID, &m.MeetingID, &m.TopicID, &m.Text, &m.Method, &m.Secret, &m.State, &m.Entitled, &m.Present,
		&m.Yes, &m.No, &m.Abstain, &m.QuorumMet, &m.Passed, &m.OpenedAt, &closed, &m.Ballots); err != nil {
		return nil, err
	}
	m.ClosedAt = timePtr(closed)
	return &m, nil
}

func motions(ctx context.Context, q db.Querier, where string, arg any) ([]Motion, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+motionCols+` FROM delib_motions WHERE `+where+` ORDER BY id`, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Motion
	for rows.Next() {
		m, err := scanMotion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *m)
	}
	return out, rows.Err()
}

// Motions lists a meeting's motions (its meeting already read by the caller).
func (s *Service) Motions(ctx context.Context, meetingID int64) ([]Motion, error) {
	return motions(ctx, s.db.R, `meeting_id = $1`, meetingID)
}

// OpenMotion puts a question on an agenda topic to the vote.
func (s *Service) OpenMotion(ctx context.Context, meetingID int64, in MotionInput) (*Motion, error) {
	p, err := principal(ctx, auth.DeliberationManage)
	if err != nil {
		return nil, err
	}
	in.Text = strings.TrimSpace(in.Text)
	if n := utf8.RuneCountInString(in.Text); n < 4 || n > 500 {
		return nil, errs.Field("text", "请填写表决事项（4至500字）")
	}
	if in.Method != "hands" && in.Method != "ballot" {
		return nil, errs.Field("method", "请选择举手表决或手机投票")
	}
	var out *Motion
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		m, err := runMeeting(ctx, tx, p, meetingID)
		if err != nil {
			return err
		}
		if m.State != "scheduled" {
			return errs.E(errs.Conflict, "议事会%s，不能发起表决", m.StateLabel())
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM delib_agenda WHERE meeting_id = $1 AND topic_id = $2`, m.ID, in.TopicID).Scan(&n); err != nil || n == 0 {
			return errs.Field("topic_id", "表决的议题须在本次议程中")
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO delib_motions (meeting_id, topic_id, text, method, secret, state, opened_at)
			VALUES ($1,$2,$3,$4,$5,'open',$6) RETURNING id`, m.ID, in.TopicID, in.Text, in.Method, in.Secret, s.now()).Scan(&id); err != nil {
			return fmt.Errorf("insert motion: %w", err)
		}
		out, err = scanMotion(tx.QueryRowContext(ctx, `SELECT `+motionCols+` FROM delib_motions WHERE id = $1`, id))
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "deliberation.motion_open", ObjectType: "delib_motion", ObjectID: id,
			RegionID: m.RegionID, After: out})
	})
	return out, err
}

// openMotion loads an open motion and its meeting.
func openMotion(ctx context.Context, q db.Querier, id int64) (*Motion, error) {
	mo, err := scanMotion(q.QueryRowContext(ctx, `SELECT `+motionCols+` FROM delib_motions WHERE id = $1`, id))
	if err != nil {
		return nil, db.NotFound(err, "表决事项不存在")
	}
	if mo.State != "open" {
		return nil, errs.E(errs.Conflict, "表决已结束，不能再投票")
	}
	return mo, nil
}

// Ballot records a participant's ballot, entered by staff for them.
func (s *Service) Ballot(ctx context.Context, motionID, participantID int64, c Choice) error {
	p, err := principal(ctx, auth.DeliberationManage)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		mo, err := openMotion(ctx, tx, motionID)
		if err != nil {
			return err
		}
		m, err := runMeeting(ctx, tx, p, mo.MeetingID)
		if err != nil {
			return err
		}
		return s.ballot(ctx, tx, m, mo, `id = $2`, participantID, c)
	})
}

// BallotPublic is a ballot on a resident's phone in the room: the meeting's code, name and phone.
func (s *Service) BallotPublic(ctx context.Context, tok string, motionID int64, who ResidentInput, c Choice) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		m, err := loadMeeting(ctx, tx, nil, `m.checkin_token = `, tok)
		if err != nil {
			return err
		}
		mo, err := openMotion(ctx, tx, motionID)
		if err != nil {
			return err
		}
		if mo.MeetingID != m.ID {
			return errs.E(errs.NotFound, "表决事项不存在")
		}
		r, err := s.verified(ctx, tx, who.Token)
		if err != nil {
			return err
		}
		return s.ballot(ctx, tx, m, mo, `household_id = $2`, r.HouseholdID, c)
	})
}

// ballot writes one ballot of an entitled participant who signed in; the key (motion, participant)
// makes a second ballot — concurrent or not — fail, so every household or representative counts once.
func (s *Service) ballot(ctx context.Context, tx *db.Tx, m *Meeting, mo *Motion, where string, arg any, c Choice) error {
	if !c.Valid() {
		return errs.Field("choice", "请选择赞成、反对或弃权")
	}
	if mo.Method != "ballot" {
		return errs.E(errs.Conflict, "本项为举手表决，由主持人登记结果")
	}
	var pid int64
	var entitled bool
	var attended sql.NullTime
	err := tx.QueryRowContext(ctx, `SELECT id, entitled, attended_at FROM delib_participants WHERE meeting_id = $1 AND `+where,
		m.ID, arg).Scan(&pid, &entitled, &attended)
	if err != nil || !entitled {
		return errs.E(errs.Forbidden, "您不是本次议事会有表决权的参会人")
	}
	if !attended.Valid {
		return errs.E(errs.Conflict, "请先签到再投票")
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO delib_ballots (motion_id, participant_id, choice, created_at) VALUES ($1,$2,$3,$4)`,
		mo.ID, pid, c, s.now())
	if db.IsUnique(err) {
		return errs.E(errs.Conflict, "已投过票，每户（每位代表）限投一票")
	}
	if err != nil {
		return fmt.Errorf("insert ballot: %w", err)
	}
	detail := "投票"
	if !mo.Secret {
		detail = "投票：" + string(c)
	}
	return audit.Record(ctx, tx, audit.Entry{Action: "deliberation.ballot", ObjectType: "delib_motion", ObjectID: mo.ID,
		RegionID: m.RegionID, Detail: detail})
}

// CloseMotion ends a vote and records its result under the meeting body's rule: for a ballot the
// ballots are counted; for a show of hands hands holds what the chair counted. Those entitled and
// present are the meeting's entitled participants and those of them who signed in. A residents'
// motion that fails ends its topic as 表决未通过 with the counts as the public reason.
func (s *Service) CloseMotion(ctx context.Context, motionID int64, hands Count) (*Motion, error) {
	p, err := principal(ctx, auth.DeliberationManage)
	if err != nil {
		return nil, err
	}
	var out *Motion
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		mo, err := openMotion(ctx, tx, motionID)
		if err != nil {
			return err
		}
		m, err := runMeeting(ctx, tx, p, mo.MeetingID)
		if err != nil {
			return err
		}
		c, err := s.count(ctx, tx, m, mo, hands)
		if err != nil {
			return err
		}
		rule := RuleOf(m.Body)
		mo.Count, mo.QuorumMet, mo.Passed, mo.State = c, rule.Quorum(c), rule.Passes(c), "closed"
		now := s.now()
		mo.ClosedAt = &now
		if _, err := tx.ExecContext(ctx, `UPDATE delib_motions SET state = 'closed', entitled = $1, present = $2, yes = $3, no = $4,
			abstain = $5, quorum_met = $6, passed = $7, closed_at = $8 WHERE id = $9`, c.Entitled, c.Present, c.Yes, c.No, c.Abstain,
			mo.QuorumMet, mo.Passed, now, mo.ID); err != nil {
			return fmt.Errorf("close motion: %w", err)
		}
		if !mo.Passed && m.Body != BodyParty {
			reason := fmt.Sprintf("%s表决%s：应到%d，实到%d，赞成%d，反对%d，弃权%d", m.Body.Label(), mo.ResultLabel(),
				c.Entitled, c.Present, c.Yes, c.No, c.Abstain)
			if _, err := tx.ExecContext(ctx, `UPDATE delib_topics SET state = 'rejected', reason = $1, updated_at = $2
				WHERE id = $3 AND state = 'resolving'`, reason, now, mo.TopicID); err != nil {
				return err
			}
		}
		out = mo
		return audit.Record(ctx, tx, audit.Entry{Action: "deliberation.motion_close", ObjectType: "delib_motion", ObjectID: mo.ID,
			RegionID: m.RegionID, After: mo})
	})
	return out, err
}

// count gathers a motion's figures from the attendance and the ballots (or the chair's hands).
func (s *Service) count(ctx context.Context, tx *db.Tx, m *Meeting, mo *Motion, hands Count) (Count, error) {
	var c Count
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(attended_at) FROM delib_participants WHERE meeting_id = $1 AND entitled`,
		m.ID).Scan(&c.Entitled, &c.Present); err != nil {
		return c, err
	}
	if mo.Method == "hands" {
		c.Yes, c.No, c.Abstain = hands.Yes, hands.No, hands.Abstain
	} else {
		rows, err := tx.QueryContext(ctx, `SELECT choice, COUNT(*) FROM delib_ballots WHERE motion_id = $1 GROUP BY choice`, mo.ID)
		if err != nil {
			return c, err
		}
		defer rows.Close()
		for rows.Next() {
			var ch string
			var n int
			if err := rows.Scan(&ch, &n); err != nil {
				return c, err
			}
			switch Choice(ch) {
			case Yes:
				c.Yes = n
			case No:
				c.No = n
			case Abstain:
				c.Abstain = n
			}
		}
		if err := rows.Err(); err != nil {
			return c, err
		}
	}
	if c.Entitled == 0 {
		return c, errs.E(errs.Conflict, "参会名单中没有有表决权的人，不能表决")
	}
	return c, c.Validate()
}
