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

// Comment is one contribution to a topic's discussion.
type Comment struct {
	ID          int64     `json:"id"`
	AuthorLabel string    `json:"author_label"`
	Kind        string    `json:"kind"` // comment, stakeholder
	Body        string    `json:"body"`
	Hidden      bool      `json:"hidden"`
	HideReason  string    `json:"hide_reason,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

func checkComment(body string) (string, error) {
	body = strings.TrimSpace(body)
	if n := utf8.RuneCountInString(body); n < 2 || n > 1000 {
		return "", errs.Field("body", "请填写意见（2至1000字）")
	}
	return body, nil
}

func discussable(t *Topic) error {
	if t.State != Proposed && t.State != Queued && t.State != Discussing && t.State != Reviewing {
		return errs.E(errs.Conflict, "议题处于“%s”，讨论已结束", t.State.Label())
	}
	return nil
}

// CommentPublic adds a resident's comment: only households in the topic's scope may comment.
func (s *Service) CommentPublic(ctx context.Context, topicID int64, who ResidentInput, body string) error {
	body, err := checkComment(body)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		t, err := loadTopic(ctx, tx, nil, topicID)
		if err != nil {
			return err
		}
		if err := discussable(t); err != nil {
			return err
		}
		r, err := s.verified(ctx, tx, who.Token)
		if err != nil {
			return err
		}
		if !t.inScope(r) {
			return errs.Field("phone", "只有议题范围（"+t.ScopeLabel()+"）内的居民可以发表意见")
		}
		return s.insertComment(ctx, tx, t, r.HouseholdID, 0, r.Label, "comment", body)
	})
}

// Comment adds staff's or a stakeholder's answer to the discussion (stakeholder: a property
// company, a unit, a department answering as invited).
func (s *Service) Comment(ctx context.Context, topicID int64, body string, stakeholder bool) error {
	p, err := principal(ctx, auth.DeliberationRead)
	if err != nil {
		return err
	}
	body, err = checkComment(body)
	if err != nil {
		return err
	}
	if !p.Can(auth.DeliberationRaise) && !(stakeholder && p.Role == auth.UnitContact) {
		return errs.E(errs.Forbidden, "您没有发表意见的权限")
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		t, err := loadTopic(ctx, tx, p, topicID)
		if err != nil {
			return err
		}
		if err := discussable(t); err != nil {
			return err
		}
		kind := "comment"
		if stakeholder {
			kind = "stakeholder"
		}
		return s.insertComment(ctx, tx, t, 0, p.UserID, roleLabel(p), kind, body)
	})
}

func (s *Service) insertComment(ctx context.Context, tx *db.Tx, t *Topic, household, user int64, label, kind, body string) error {
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO delib_comments (topic_id, household_id, user_id, author_label, kind, body, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`, t.ID, nullable(household), nullable(user), label, kind, body, s.now()).Scan(&id); err != nil {
		return fmt.Errorf("insert comment: %w", err)
	}
	return audit.Record(ctx, tx, audit.Entry{Action: "deliberation.comment", ObjectType: "delib_comment", ObjectID: id,
		RegionID: t.RegionID, Detail: body})
}

// HideComment hides a comment with a public reason (moderation), audited.
func (s *Service) HideComment(ctx context.Context, topicID, commentID int64, reason string) error {
	p, err := principal(ctx, auth.DeliberationManage)
	if err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) < 2 {
		return errs.Field("reason", "请填写隐藏的公开理由")
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		t, err := manage(ctx, tx, p, topicID)
		if err != nil {
			return err
		}
		var body string
		if err := tx.QueryRowContext(ctx, `SELECT body FROM delib_comments WHERE id = $1 AND topic_id = $2 AND NOT hidden`,
			commentID, t.ID).Scan(&body); err != nil {
			return db.NotFound(err, "意见不存在")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE delib_comments SET hidden = TRUE, hide_reason = $1 WHERE id = $2`, reason, commentID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "deliberation.comment_hide", ObjectType: "delib_comment", ObjectID: commentID,
			RegionID: t.RegionID, Before: body, Detail: reason})
	})
}

// Path is a topic's whole public path: proposal, supports, discussion, meetings, votes, decision,
// implementation and rating.
type Path struct {
	Topic       *Topic       `json:"topic"`
	Attachments []Attachment `json:"attachments"`
	Supports    []Support    `json:"supports"`
	Comments    []Comment    `json:"comments"`
	Meetings    []Meeting    `json:"meetings"`
	Motions     []Motion     `json:"motions"`
	Decision    *Decision    `json:"decision,omitempty"`
	Updates     []Update     `json:"updates"`
	Questions   []Question   `json:"questions"`
	Ratings     RatingStats  `json:"ratings"`
}

// Support is one supporting household, as shown (the building, never a name).
type Support struct {
	Label     string    `json:"label"`
	CreatedAt time.Time `json:"created_at"`
}

// RatingStats sums up the residents' ratings.
type RatingStats struct {
	Count   int     `json:"count"`
	Average float64 `json:"average"`
	Content int     `json:"content"` // ratings of 4 or 5
}

// TopicPath returns the path of a topic the principal sees.
func (s *Service) TopicPath(ctx context.Context, id int64) (*Path, error) {
	t, err := s.Topic(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.path(ctx, t)
}

// PublicPath returns a topic's path for the public page.
func (s *Service) PublicPath(ctx context.Context, id int64) (*Path, error) {
	t, err := s.PublicTopic(ctx, id)
	if err != nil {
		return nil, err
	}
	pa, err := s.path(ctx, t)
	if err != nil {
		return nil, err
	}
	for i := range pa.Attachments {
		pa.Attachments[i].Name = ""
	}
	for i := range pa.Comments {
		if pa.Comments[i].Hidden {
			pa.Comments[i].Body = ""
		}
	}
	return pa, nil
}

func (s *Service) path(ctx context.Context, t *Topic) (*Path, error) {
	pa := &Path{Topic: t}
	var err error
	if pa.Attachments, err = s.attachments(ctx, t.ID); err != nil {
		return nil, err
	}
	if pa.Supports, err = s.supports(ctx, t.ID); err != nil {
		return nil, err
	}
	if pa.Comments, err = s.comments(ctx, t.ID); err != nil {
		return nil, err
	}
	if pa.Meetings, err = s.meetings(ctx, `m.id IN (SELECT meeting_id FROM delib_agenda WHERE topic_id = $1)`, db.Args{t.ID}); err != nil {
		return nil, err
	}
	if pa.Motions, err = motions(ctx, s.db.R, `topic_id = $1`, t.ID); err != nil {
		return nil, err
	}
	d, err := loadDecision(ctx, s.db.R, t.ID)
	if err == nil {
		pa.Decision = d
		if pa.Updates, pa.Questions, err = s.implementation(ctx, d.ID); err != nil {
			return nil, err
		}
	} else if errs.CodeOf(err) != errs.NotFound {
		return nil, err
	}
	var avg sql.NullFloat64
	if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*), AVG(CAST(score AS DOUBLE PRECISION)), COUNT(CASE WHEN score >= 4 THEN 1 END)
		FROM delib_ratings WHERE topic_id = $1`, t.ID).Scan(&pa.Ratings.Count, &avg, &pa.Ratings.Content); err != nil {
		return nil, err
	}
	pa.Ratings.Average = float64(int(avg.Float64*10+0.5)) / 10
	return pa, nil
}

func (s *Service) supports(ctx context.Context, topicID int64) ([]Support, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT b.name, s.created_at FROM delib_supports s JOIN households h ON h.id = s.household_id
		JOIN buildings b ON b.id = h.building_id WHERE s.topic_id = $1 ORDER BY s.created_at DESC`, topicID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Support
	for rows.Next() {
		var x Support
		if err := rows.Scan(&x.Label, &x.CreatedAt); err != nil {
			return nil, err
		}
		x.Label += "居民"
		out = append(out, x)
	}
	return out, rows.Err()
}

func (s *Service) comments(ctx context.Context, topicID int64) ([]Comment, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, author_label, kind, body, hidden, hide_reason, created_at FROM delib_comments
		WHERE topic_id = $1 ORDER BY created_at, id`, topicID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Comment
	for rows.Next() {
		var c Comment
		if err := rows.Scan(&c.ID, &c.AuthorLabel, &c.Kind, &c.Body, &c.Hidden, &c.HideReason, &c.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *Service) implementation(ctx context.Context, decisionID int64) ([]Update, []Question, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT progress, note, created_at FROM delib_updates WHERE decision_id = $1
		ORDER BY created_at, id`, decisionID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var ups []Update
	for rows.Next() {
		var u Update
		if err := rows.Scan(&u.Progress, &u.Note, &u.CreatedAt); err != nil {
			return nil, nil, err
		}
		ups = append(ups, u)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	qrows, err := s.db.R.QueryContext(ctx, `SELECT id, asker_label, question, answer, asked_at, due_at, answered_at, overdue_at
		FROM delib_questions WHERE decision_id = $1 ORDER BY asked_at, id`, decisionID)
	if err != nil {
		return nil, nil, err
	}
	defer qrows.Close()
	var qs []Question
	for qrows.Next() {
		var q Question
		var ans, late sql.NullTime
		if err := qrows.Scan(&q.ID, &q.AskerLabel, &q.Question, &q.Answer, &q.AskedAt, &q.DueAt, &ans, &late); err != nil {
			return nil, nil, err
		}
		q.AnsweredAt, q.OverdueAt = timePtr(ans), timePtr(late)
		qs = append(qs, q)
	}
	return ups, qs, qrows.Err()
}
