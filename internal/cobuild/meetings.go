package cobuild

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

// MeetingFilter narrows the meetings list; From/To select by the meeting day.
type MeetingFilter struct {
	RegionID int64
	State    string
	From, To string
	Limit    int
	Offset   int
}

// Meetings lists the joint meetings in the viewer's region (every member unit sees its 大党委's
// meetings), latest first, and the total.
func (s *Service) Meetings(ctx context.Context, f MeetingFilter) ([]Meeting, int, error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return nil, 0, err
	}
	w, err := s.meetingWhere(ctx, v, f)
	if err != nil {
		return nil, 0, err
	}
	return listMeetings(ctx, s.db.R, w, f.Limit, f.Offset)
}

// meetingWhere builds the conditions of the meeting list for the viewer and filter; the list and the
// figures both count through it, so a figure is always the total of its list.
func (s *Service) meetingWhere(ctx context.Context, v viewer, f MeetingFilter) (*where, error) {
	within, err := s.within(ctx, v, f.RegionID)
	if err != nil {
		return nil, err
	}
	w := &where{}
	w.add(db.InScope("m.region_id", "?"), v.scope)
	w.add(db.InScope("m.region_id", "?"), within)
	if f.State != "" {
		w.add("m.state = ?", f.State)
	}
	if f.From != "" {
		w.add("m.held_on >= ?", f.From)
	}
	if f.To != "" {
		w.add("m.held_on <= ?", f.To)
	}
	return w, nil
}

func listMeetings(ctx context.Context, q db.Querier, w *where, limit, offset int) ([]Meeting, int, error) {
	total, err := count(ctx, q, "cobuild_meetings m", w)
	if err != nil {
		return nil, 0, err
	}
	rows, err := q.QueryContext(ctx, `SELECT m.id, m.region_id, m.title, m.cadence, m.starts_at, m.held_on, m.place,
		m.topics_due_on, m.notice_on, m.state, m.chair, m.minute_taker, m.minutes, m.created_at FROM cobuild_meetings m`+
		w.sql()+` ORDER BY m.starts_at DESC, m.id DESC`+page(w, limit, offset), w.args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []Meeting{}
	for rows.Next() {
		var m Meeting
		if err := rows.Scan(&m.ID, &m.RegionID, &m.Title, &m.Cadence, &m.StartsAt, &m.HeldOn, &m.Place, &m.TopicsDueOn,
			&m.NoticeOn, &m.State, &m.Chair, &m.MinuteTaker, &m.Minutes, &m.CreatedAt); err != nil {
			return nil, 0, err
		}
		m.Topics, m.Attendance, m.Decisions = []Topic{}, []Attendee{}, []Decision{}
		out = append(out, m)
	}
	return out, total, rows.Err()
}

// Meeting returns one meeting with its agenda — topics, and while it is still to be held the open
// decisions of earlier meetings carried onto it — attendance by unit and decisions.
func (s *Service) Meeting(ctx context.Context, id int64) (*Meeting, error) {
	v, err := s.viewer(ctx, s.db.R, auth.CobuildRead)
	if err != nil {
		return nil, err
	}
	return meetingFor(ctx, s.db.R, v, id)
}

func meetingFor(ctx context.Context, q db.Querier, v viewer, id int64) (*Meeting, error) {
	w := &where{}
	w.add(db.InScope("m.region_id", "?"), v.scope)
	w.add("m.id = ?", id)
	out, _, err := listMeetings(ctx, q, w, 1, 0)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errs.E(errs.NotFound, "联席会议不存在")
	}
	m := &out[0]
	if m.Topics, err = meetingTopics(ctx, q, m); err != nil {
		return nil, err
	}
	if m.Attendance, err = attendance(ctx, q, m); err != nil {
		return nil, err
	}
	dw := &where{}
	dw.add("d.meeting_id = ?", id)
	m.Decisions, _, err = listDecisions(ctx, q, dw, 0, 0)
	return m, err
}

func meetingTopics(ctx context.Context, q db.Querier, m *Meeting) ([]Topic, error) {
	rows, err := q.QueryContext(ctx, `SELECT t.id, t.unit_id, COALESCE(u.name, ''), t.decision_id, t.title FROM cobuild_topics t
		LEFT JOIN cobuild_units u ON u.id = t.unit_id WHERE t.meeting_id = $1 ORDER BY t.id`, m.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Topic{}
	for rows.Next() {
		var t Topic
		var unit, decision sql.NullInt64
		if err := rows.Scan(&t.ID, &unit, &t.UnitName, &decision, &t.Title); err != nil {
			return nil, err
		}
		t.UnitID, t.DecisionID, t.Carried = idPtr(unit), idPtr(decision), decision.Valid
		out = append(out, t)
	}
	if err := rows.Err(); err != nil || m.State != "scheduled" {
		return out, err
	}
	carried, err := carriedDecisions(ctx, q, m)
	for _, d := range carried {
		id, unit := d.ID, d.UnitID
		out = append(out, Topic{UnitID: &unit, UnitName: d.UnitName, DecisionID: &id, Carried: true,
			Title: "督办上次会议决议：" + d.Text + "（时限" + d.DueOn + "）"})
	}
	return out, err
}

// carriedDecisions are the open decisions of the community's earlier meetings, which go on the
// agenda of its next meeting until closed.
func carriedDecisions(ctx context.Context, q db.Querier, m *Meeting) ([]Decision, error) {
	w := &where{}
	w.add("d.region_id = ?", m.RegionID)
	w.conds = append(w.conds, "d.state = 'open'")
	w.add("d.meeting_id <> ?", m.ID)
	w.add("d.meeting_id IN (SELECT id FROM cobuild_meetings WHERE starts_at < ?)", m.StartsAt)
	out, _, err := listDecisions(ctx, q, w, 0, 0)
	return out, err
}

// attendance lists every member unit of the meeting's community with whether it attended.
func attendance(ctx context.Context, q db.Querier, m *Meeting) ([]Attendee, error) {
	rows, err := q.QueryContext(ctx, `SELECT u.id, u.name, COALESCE(a.present, FALSE), COALESCE(a.attendee, '')
		FROM cobuild_units u LEFT JOIN cobuild_attendance a ON a.unit_id = u.id AND a.meeting_id = $1
		WHERE u.region_id = $2 AND (u.active = TRUE OR a.unit_id IS NOT NULL) ORDER BY u.id`, m.ID, m.RegionID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Attendee{}
	for rows.Next() {
		var a Attendee
		if err := rows.Scan(&a.UnitID, &a.UnitName, &a.Present, &a.Attendee); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// leadDays reads a lead time from settings, or def.
func leadDays(ctx context.Context, q db.Querier, key string, def int) int {
	var v string
	if err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v); err != nil {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 90 {
		return def
	}
	return n
}

// ScheduleMeeting schedules a joint meeting; its topic deadline and notice day follow from the
// lead times (15 and 3 days before by default).
func (s *Service) ScheduleMeeting(ctx context.Context, in MeetingInput) (*Meeting, error) {
	return inTx(ctx, s.db, func(tx *db.Tx) (*Meeting, error) {
		v, err := s.viewer(ctx, tx, auth.CobuildWrite)
		if err != nil {
			return nil, err
		}
		if err := in.Validate(); err != nil {
			return nil, err
		}
		regionID, level, err := community(ctx, tx, v.p, in.RegionID, "region_id")
		if err != nil {
			return nil, err
		}
		if level != "community" {
			return nil, errs.Field("region_id", "联席会议由社区大党委召开")
		}
		day := in.StartsAt.In(shanghai)
		topics := day.AddDate(0, 0, -leadDays(ctx, tx, "cobuild.topic_days", DefaultTopicDays)).Format(time.DateOnly)
		notice := day.AddDate(0, 0, -leadDays(ctx, tx, "cobuild.notice_days", DefaultNoticeDays)).Format(time.DateOnly)
		now := s.now().UTC()
		var id int64
		err = tx.QueryRowContext(ctx, `INSERT INTO cobuild_meetings (region_id, title, cadence, starts_at, held_on, place,
			topics_due_on, notice_on, chair, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
			regionID, in.Title, in.Cadence, in.StartsAt.UTC(), day.Format(time.DateOnly), in.Place, topics, notice, in.Chair,
			now).Scan(&id)
		if err != nil {
			return nil, err
		}
		m, err := meetingFor(ctx, tx, v, id)
		if err != nil {
			return nil, err
		}
		if err := EnqueueNotice(ctx, tx, m.ID, m.NoticeOn, s.now()); err != nil {
			return nil, err
		}
		return m, record(ctx, tx, "cobuild.meeting.schedule", "cobuild_meeting", id, regionID, "安排联席会议："+m.Title, m)
	})
}

// ProposeTopic adds an agenda topic. A unit contact proposes for their unit until the topic
// deadline; the community adds topics until the meeting is held.
func (s *Service) ProposeTopic(ctx context.Context, meetingID int64, in TopicInput) (*Meeting, error) {
	return inTx(ctx, s.db, func(tx *db.Tx) (*Meeting, error) {
		v, err := s.viewer(ctx, tx, s.actPerm(ctx))
		if err != nil {
			return nil, err
		}
		m, err := meetingFor(ctx, tx, v, meetingID)
		if err != nil {
			return nil, err
		}
		in.Title = clean(in.Title)
		if in.Title == "" || tooLong(in.Title, 200) {
			return nil, errs.Field("title", "请填写议题（200字以内）")
		}
		if m.State != "scheduled" {
			return nil, errs.E(errs.Conflict, "会议已召开或已取消，不能再提交议题")
		}
		if !v.staff() {
			in.UnitID = v.unitID
			if s.today() > m.TopicsDueOn {
				return nil, errs.E(errs.Conflict, "议题征集已于%s截止", m.TopicsDueOn)
			}
		} else if in.UnitID > 0 {
			if u, err := s.unitFor(ctx, tx, v, in.UnitID); err != nil || u.RegionID != m.RegionID {
				return nil, errs.Field("unit_id", "共建单位不存在")
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO cobuild_topics (meeting_id, unit_id, title, created_at) VALUES ($1, $2, $3, $4)`,
			meetingID, nullID(in.UnitID), in.Title, s.now().UTC()); err != nil {
			return nil, err
		}
		if err := record(ctx, tx, "cobuild.meeting.topic", "cobuild_meeting", meetingID, m.RegionID, "提交议题："+in.Title, in); err != nil {
			return nil, err
		}
		return meetingFor(ctx, tx, v, meetingID)
	})
}

// RecordMinutes records a meeting as held: attendance by unit, the minutes and who took them. The
// open decisions carried onto its agenda are kept on it as topics.
func (s *Service) RecordMinutes(ctx context.Context, meetingID int64, in MinutesInput) (*Meeting, error) {
	return inTx(ctx, s.db, func(tx *db.Tx) (*Meeting, error) {
		v, err := s.viewer(ctx, tx, auth.CobuildWrite)
		if err != nil {
			return nil, err
		}
		m, err := meetingFor(ctx, tx, v, meetingID)
		if err != nil {
			return nil, err
		}
		if err := in.Validate(); err != nil {
			return nil, err
		}
		if m.State != "scheduled" {
			return nil, errs.E(errs.Conflict, "会议纪要已记录")
		}
		present := map[int64]bool{}
		for _, id := range in.Present {
			present[id] = true
		}
		now := s.now().UTC()
		for _, a := range m.Attendance {
			if _, err := tx.ExecContext(ctx, `INSERT INTO cobuild_attendance (meeting_id, unit_id, present, attendee) VALUES ($1, $2, $3, $4)`,
				meetingID, a.UnitID, present[a.UnitID], clean(in.Attendees[strconv.FormatInt(a.UnitID, 10)])); err != nil {
				return nil, err
			}
			delete(present, a.UnitID)
		}
		if len(present) > 0 {
			return nil, errs.Field("present", "出席单位须为本社区大党委成员单位")
		}
		for _, t := range m.Topics {
			if t.ID == 0 && t.DecisionID != nil {
				if _, err := tx.ExecContext(ctx, `INSERT INTO cobuild_topics (meeting_id, unit_id, decision_id, title, created_at)
					VALUES ($1, $2, $3, $4, $5)`, meetingID, nullID(derefID(t.UnitID)), *t.DecisionID, t.Title, now); err != nil {
					return nil, err
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cobuild_meetings SET state = 'held', minute_taker = $1, minutes = $2, updated_at = $3
			WHERE id = $4`, in.MinuteTaker, in.Minutes, now, meetingID); err != nil {
			return nil, err
		}
		if m, err = meetingFor(ctx, tx, v, meetingID); err != nil {
			return nil, err
		}
		return m, record(ctx, tx, "cobuild.meeting.minutes", "cobuild_meeting", meetingID, m.RegionID,
			"记录会议纪要："+m.Title+"，记录人"+m.MinuteTaker, in)
	})
}

func derefID(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// AddDecision records a decision of a held meeting; it needs an owner unit and a due date.
func (s *Service) AddDecision(ctx context.Context, meetingID int64, in DecisionInput) (*Decision, error) {
	return inTx(ctx, s.db, func(tx *db.Tx) (*Decision, error) {
		v, err := s.viewer(ctx, tx, auth.CobuildWrite)
		if err != nil {
			return nil, err
		}
		m, err := meetingFor(ctx, tx, v, meetingID)
		if err != nil {
			return nil, err
		}
		if err := in.Validate(); err != nil {
			return nil, err
		}
		if m.State != "held" {
			return nil, errs.E(errs.Conflict, "请先记录会议纪要，再登记决议事项")
		}
		if in.DueOn < m.HeldOn {
			return nil, errs.Field("due_on", "完成时限不能早于会议日期（"+m.HeldOn+"）")
		}
		if u, err := s.unitFor(ctx, tx, v, in.UnitID); err != nil || u.RegionID != m.RegionID {
			return nil, errs.Field("unit_id", "牵头单位须为本社区大党委成员单位")
		}
		now := s.now().UTC()
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO cobuild_decisions (region_id, meeting_id, text, unit_id, due_on, created_at,
			updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, m.RegionID, meetingID, in.Text, in.UnitID, in.DueOn,
			now).Scan(&id); err != nil {
			return nil, err
		}
		d, err := decisionFor(ctx, tx, v, id)
		if err != nil {
			return nil, err
		}
		return d, record(ctx, tx, "cobuild.decision.add", "cobuild_decision", id, d.RegionID, "决议事项："+d.Text, d)
	})
}
