package deliberation

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/activities"
	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/errs"
)

// Meeting is a deliberation meeting 议事会 in a booked room.
type Meeting struct {
	ID            int64      `json:"id"`
	RegionID      int64      `json:"region_id"`
	Title         string     `json:"title"`
	Body          Body       `json:"body"`
	VoteBy        string     `json:"vote_by"` // household or representative
	VenueID       int64      `json:"venue_id"`
	VenueName     string     `json:"venue_name"`
	BookingID     int64      `json:"booking_id,omitempty"`
	StartsAt      time.Time  `json:"starts_at"`
	EndsAt        time.Time  `json:"ends_at"`
	SpeakingRules string     `json:"speaking_rules"`
	State         string     `json:"state"` // scheduled, closed, cancelled
	Minutes       string     `json:"minutes"`
	ClosedAt      *time.Time `json:"closed_at,omitempty"`
	Invited       int        `json:"invited"`
	Attended      int        `json:"attended"`

	token string
	path  string
}

// StateLabel is the meeting's state in Chinese.
func (m *Meeting) StateLabel() string {
	switch m.State {
	case "closed":
		return "已结束"
	case "cancelled":
		return "已取消"
	}
	return "待召开"
}

// BodyLabel is who votes, in Chinese.
func (m *Meeting) BodyLabel() string { return m.Body.Label() }

// Token is the meeting's check-in and ballot code, for the QR code staff show in the room.
func (m *Meeting) Token() string { return m.token }

// MeetingInput schedules a meeting.
type MeetingInput struct {
	Title         string    `json:"title"`
	Body          Body      `json:"body"`
	VoteBy        string    `json:"vote_by"`
	VenueID       int64     `json:"venue_id"`
	StartsAt      time.Time `json:"starts_at"`
	EndsAt        time.Time `json:"ends_at"`
	SpeakingRules string    `json:"speaking_rules"`
	Headcount     int       `json:"headcount"`
	Topics        []int64   `json:"topics"`
}

// DefaultSpeakingRules are the 南塘 rules' turns: 2 minutes a turn, 2 turns a motion.
const DefaultSpeakingRules = "每人每次发言不超过2分钟，每人每项动议发言不超过2次"

// Validate checks a meeting.
func (in *MeetingInput) Validate() error {
	f := errs.Fields{}
	in.Title = strings.TrimSpace(in.Title)
	if n := utf8.RuneCountInString(in.Title); n < 4 || n > 60 {
		f.Add("title", "请填写会议名称（4至60字）")
	}
	if in.Body.Label() == "" {
		f.Add("body", "请选择表决机构")
	}
	if in.VoteBy == "" {
		in.VoteBy = "household"
	}
	if in.VoteBy != "household" && in.VoteBy != "representative" {
		f.Add("vote_by", "表决方式应为一户一票或按代表表决")
	}
	if in.VenueID == 0 {
		f.Add("venue_id", "请选择会议场地")
	}
	if in.StartsAt.IsZero() || !in.EndsAt.After(in.StartsAt) {
		f.Add("starts_at", "请填写会议时间")
	}
	if len(in.Topics) == 0 {
		f.Add("topics", "请至少列入一个议题")
	}
	if in.SpeakingRules = strings.TrimSpace(in.SpeakingRules); in.SpeakingRules == "" {
		in.SpeakingRules = DefaultSpeakingRules
	}
	if in.Headcount <= 0 {
		in.Headcount = 20
	}
	return f.Err()
}

const meetingCols = `m.id, m.region_id, m.title, m.body, m.vote_by, m.venue_id, v.name, COALESCE(m.booking_id, 0), m.starts_at,
	m.ends_at, m.speaking_rules, m.state, m.minutes, m.closed_at, m.checkin_token, g.path,
	(SELECT COUNT(*) FROM delib_participants x WHERE x.meeting_id = m.id),
	(SELECT COUNT(*) FROM delib_participants x WHERE x.meeting_id = m.id AND x.attended_at IS NOT NULL)`

const meetingFrom = ` FROM delib_meetings m JOIN venues v ON v.id = m.venue_id JOIN regions g ON g.id = m.region_id`

func scanMeeting(sc scanner) (*Meeting, error) {
	var m Meeting
	var closed sql.NullTime
	if err := sc.Scan(&m.ID, &m.RegionID, &m.Title, &m.Body, &m.VoteBy, &m.VenueID, &m.VenueName, &m.BookingID, &m.StartsAt,
		&m.EndsAt, &m.SpeakingRules, &m.State, &m.Minutes, &closed, &m.token, &m.path, &m.Invited, &m.Attended); err != nil {
		return nil, err
	}
	m.ClosedAt = timePtr(closed)
	return &m, nil
}

func loadMeeting(ctx context.Context, q db.Querier, p *auth.Principal, where string, arg any) (*Meeting, error) {
	var a db.Args
	w := where + a.Add(arg)
	if p != nil {
		w += ` AND ` + visible("m.region_id", p, &a)
	}
	m, err := scanMeeting(q.QueryRowContext(ctx, `SELECT `+meetingCols+meetingFrom+` WHERE `+w, a...))
	if err != nil {
		return nil, db.NotFound(err, "议事会不存在")
	}
	return m, nil
}

// runMeeting loads a meeting the principal runs.
func runMeeting(ctx context.Context, q db.Querier, p *auth.Principal, id int64) (*Meeting, error) {
	m, err := loadMeeting(ctx, q, p, `m.id = `, id)
	if err != nil {
		return nil, err
	}
	if !p.Can(auth.DeliberationManage) || !p.Covers(m.path) {
		return nil, errs.E(errs.Forbidden, "只有议事会所在社区的工作人员可以办理此项")
	}
	return m, nil
}

// CreateMeeting schedules a meeting: it books the room through the venues' rules in the same
// transaction and puts the topics on its agenda; topics for a residents' meeting move to 决议.
func (s *Service) CreateMeeting(ctx context.Context, in MeetingInput) (*Meeting, error) {
	p, err := principal(ctx, auth.DeliberationManage)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	cal, err := s.rooms.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	var out *Meeting
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		b, err := s.rooms.BookTx(ctx, tx, cal, activities.BookingInput{VenueID: in.VenueID, StartsAt: in.StartsAt,
			EndsAt: in.EndsAt, Purpose: in.Title, Headcount: in.Headcount}, 0)
		if err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO delib_meetings (region_id, title, body, vote_by, venue_id, booking_id,
			starts_at, ends_at, speaking_rules, state, checkin_token, created_by, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,'scheduled',$10,$11,$12) RETURNING id`, b.RegionID, in.Title, in.Body, in.VoteBy,
			in.VenueID, b.ID, in.StartsAt.UTC(), in.EndsAt.UTC(), in.SpeakingRules, token(), p.UserID, s.now()).Scan(&id); err != nil {
			return fmt.Errorf("insert meeting: %w", err)
		}
		for i, tid := range in.Topics {
			if err := s.agenda(ctx, tx, p, id, in.Body, tid, i+1); err != nil {
				return err
			}
		}
		m, err := loadMeeting(ctx, tx, nil, `m.id = `, id)
		if err != nil {
			return err
		}
		out = m
		return audit.Record(ctx, tx, audit.Entry{Action: "deliberation.meeting_create", ObjectType: "delib_meeting", ObjectID: id,
			RegionID: m.RegionID, After: m})
	})
	return out, err
}

// agenda puts a topic on a meeting's agenda: a party review takes topics under review, a residents'
// meeting topics under discussion or review, which move to 决议.
func (s *Service) agenda(ctx context.Context, tx *db.Tx, p *auth.Principal, meetingID int64, body Body, topicID int64, pos int) error {
	t, err := manage(ctx, tx, p, topicID)
	if err != nil {
		return errs.Field("topics", "所选议题不存在")
	}
	if body == BodyParty {
		if t.State != Reviewing {
			return errs.Field("topics", "党员大会审议的议题须处于审议中：“"+t.Title+"”")
		}
	} else {
		to, err := Next(t.State, ActSchedule)
		if err != nil {
			return errs.Field("topics", "议题“"+t.Title+"”处于“"+t.State.Label()+"”，不能列入议程")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE delib_topics SET state = $1, updated_at = $2 WHERE id = $3`, to, s.now(), t.ID); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO delib_agenda (meeting_id, topic_id, position) VALUES ($1, $2, $3)`, meetingID, t.ID, pos)
	if db.IsUnique(err) {
		return errs.Field("topics", "同一议题不能重复列入议程")
	}
	return err
}

// Meetings lists the meetings the principal sees (nil: the public), upcoming first then the past.
//
// regionID, when not 0, keeps the meetings of that region's subtree: the figures' drill-down.
func (s *Service) Meetings(ctx context.Context, from, to time.Time, regionID int64) ([]Meeting, error) {
	p, err := principal(ctx, auth.DeliberationRead)
	if err != nil {
		return nil, err
	}
	var a db.Args
	where := visible("m.region_id", p, &a) + ` AND m.starts_at >= ` + a.Add(from) + ` AND m.starts_at < ` + a.Add(to)
	if regionID != 0 {
		where += ` AND m.region_id IN (SELECT id FROM regions WHERE path LIKE (SELECT path FROM regions WHERE id = ` +
			a.Add(regionID) + `) || '%')`
	}
	return s.meetings(ctx, where, a)
}

// PublicMeetings lists meetings for the public page.
func (s *Service) PublicMeetings(ctx context.Context, from, to time.Time) ([]Meeting, error) {
	var a db.Args
	return s.meetings(ctx, `m.state <> 'cancelled' AND m.starts_at >= `+a.Add(from)+` AND m.starts_at < `+a.Add(to), a)
}

func (s *Service) meetings(ctx context.Context, where string, a db.Args) ([]Meeting, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+meetingCols+meetingFrom+` WHERE `+where+` ORDER BY m.starts_at DESC LIMIT 200`, a...)
	if err != nil {
		return nil, fmt.Errorf("list meetings: %w", err)
	}
	defer rows.Close()
	var out []Meeting
	for rows.Next() {
		m, err := scanMeeting(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *m)
	}
	return out, rows.Err()
}

// Meeting returns one meeting the principal sees.
func (s *Service) Meeting(ctx context.Context, id int64) (*Meeting, error) {
	p, err := principal(ctx, auth.DeliberationRead)
	if err != nil {
		return nil, err
	}
	return loadMeeting(ctx, s.db.R, p, `m.id = `, id)
}

// CanRun reports whether the principal in ctx runs the meeting.
func (s *Service) CanRun(ctx context.Context, m *Meeting) bool {
	p := auth.FromContext(ctx)
	return p != nil && p.Can(auth.DeliberationManage) && p.Covers(m.path)
}

// SetMinutes records the meeting's minutes.
func (s *Service) SetMinutes(ctx context.Context, meetingID int64, minutes string) error {
	p, err := principal(ctx, auth.DeliberationManage)
	if err != nil {
		return err
	}
	minutes = strings.TrimSpace(minutes)
	if utf8.RuneCountInString(minutes) < 10 {
		return errs.Field("minutes", "请填写会议纪要（不少于10字）")
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		m, err := runMeeting(ctx, tx, p, meetingID)
		if err != nil {
			return err
		}
		if m.State == "cancelled" {
			return errs.E(errs.Conflict, "议事会已取消")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE delib_meetings SET minutes = $1 WHERE id = $2`, minutes, m.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "deliberation.minutes", ObjectType: "delib_meeting", ObjectID: m.ID,
			RegionID: m.RegionID, Before: m.Minutes, After: minutes})
	})
}

// CloseMeeting ends a meeting: its minutes are required and every motion must be closed.
func (s *Service) CloseMeeting(ctx context.Context, meetingID int64) error {
	p, err := principal(ctx, auth.DeliberationManage)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		m, err := runMeeting(ctx, tx, p, meetingID)
		if err != nil {
			return err
		}
		if m.State != "scheduled" {
			return errs.E(errs.Conflict, "议事会%s", m.StateLabel())
		}
		if strings.TrimSpace(m.Minutes) == "" {
			return errs.Field("minutes", "会议纪要未填写，不能结束议事会")
		}
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM delib_motions WHERE meeting_id = $1 AND state = 'open'`, m.ID).Scan(&open); err != nil {
			return err
		}
		if open > 0 {
			return errs.E(errs.Conflict, "还有%d项表决未结束", open)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE delib_meetings SET state = 'closed', closed_at = $1 WHERE id = $2`, s.now(), m.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "deliberation.meeting_close", ObjectType: "delib_meeting", ObjectID: m.ID,
			RegionID: m.RegionID})
	})
}

// CancelMeeting cancels a meeting that has not started and frees its room.
func (s *Service) CancelMeeting(ctx context.Context, meetingID int64, reason string) error {
	p, err := principal(ctx, auth.DeliberationManage)
	if err != nil {
		return err
	}
	m, err := runMeeting(ctx, s.db.R, p, meetingID)
	if err != nil {
		return err
	}
	if m.State != "scheduled" {
		return errs.E(errs.Conflict, "议事会%s", m.StateLabel())
	}
	if m.BookingID != 0 {
		if _, err := s.rooms.CancelBooking(ctx, m.BookingID, reason); err != nil {
			return err
		}
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE delib_meetings SET state = 'cancelled' WHERE id = $1`, m.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE delib_topics SET state = 'discussing' WHERE state = 'resolving'
			AND id IN (SELECT topic_id FROM delib_agenda WHERE meeting_id = $1)`, m.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "deliberation.meeting_cancel", ObjectType: "delib_meeting", ObjectID: m.ID,
			RegionID: m.RegionID, Detail: reason})
	})
}

// AgendaItem is a topic on a meeting's agenda.
type AgendaItem struct {
	TopicID int64  `json:"topic_id"`
	Title   string `json:"title"`
	State   State  `json:"state"`
}

// Agenda lists the meeting's topics in order.
func (s *Service) Agenda(ctx context.Context, meetingID int64) ([]AgendaItem, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT t.id, t.title, t.state FROM delib_agenda a JOIN delib_topics t ON t.id = a.topic_id
		WHERE a.meeting_id = $1 ORDER BY a.position`, meetingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AgendaItem
	for rows.Next() {
		var x AgendaItem
		if err := rows.Scan(&x.TopicID, &x.Title, &x.State); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// PublicMeeting returns the meeting a room's QR code names, for check-in and ballots on phones.
func (s *Service) PublicMeeting(ctx context.Context, tok string) (*Meeting, error) {
	if tok == "" {
		return nil, errs.E(errs.NotFound, "议事会不存在")
	}
	return loadMeeting(ctx, s.db.R, nil, `m.checkin_token = `, tok)
}
