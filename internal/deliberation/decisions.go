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
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
)

var shanghai = clock.Shanghai()

// Decision is what a residents' meeting resolved on a topic, and its implementation.
type Decision struct {
	ID          int64      `json:"id"`
	TopicID     int64      `json:"topic_id"`
	MotionID    int64      `json:"motion_id"`
	RegionID    int64      `json:"region_id"`
	Text        string     `json:"text"`
	OwnerKind   string     `json:"owner_kind"`
	OwnerName   string     `json:"owner_name"`
	DueOn       string     `json:"due_on"`
	CaseID      int64      `json:"case_id,omitempty"`
	ProjectID   int64      `json:"project_id,omitempty"`
	PublishDays int        `json:"publish_days"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	Progress    int        `json:"progress"`
	DoneAt      *time.Time `json:"done_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

// OwnerLabel names the owner's kind in Chinese.
func (d *Decision) OwnerLabel() string { return OwnerLabel(d.OwnerKind) }

// PublishedUntil is the end of the publication, or nil before it.
func (d *Decision) PublishedUntil() *time.Time {
	if d.PublishedAt == nil {
		return nil
	}
	t := PublishedUntil(*d.PublishedAt, d.PublishDays)
	return &t
}

// OnTime reports whether it was carried out by its due day.
func (d *Decision) OnTime() bool {
	return d.DoneAt != nil && clock.Date(*d.DoneAt) <= d.DueOn
}

const decisionCols = `id, topic_id, motion_id, region_id, text, owner_kind, owner_name, due_on, COALESCE(case_id, 0),
	COALESCE(project_id, 0), publish_days, published_at, progress, done_at, created_at`

func loadDecision(ctx context.Context, q db.Querier, topicID int64) (*Decision, error) {
	var d Decision
	var pub, done sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT `+decisionCols+` FROM delib_decisions WHERE topic_id = $1`, topicID).Scan(&d.ID,
		&d.TopicID, &d.MotionID, &d.RegionID, &d.Text, &d.OwnerKind, &d.OwnerName, &d.DueOn, &d.CaseID, &d.ProjectID,
		&d.PublishDays, &pub, &d.Progress, &done, &d.CreatedAt)
	if err != nil {
		return nil, db.NotFound(err, "该议题尚未形成决议")
	}
	d.PublishedAt, d.DoneAt = timePtr(pub), timePtr(done)
	return &d, nil
}

// Decide records the decision of a topic whose motion passed at a residents' (representatives')
// meeting: its text, owner and due day, linked cases or projects.
func (s *Service) Decide(ctx context.Context, topicID int64, in DecisionInput) (*Decision, error) {
	p, err := principal(ctx, auth.DeliberationManage)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var out *Decision
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		t, err := manage(ctx, tx, p, topicID)
		if err != nil {
			return err
		}
		if _, err := Next(t.State, ActDecide); err != nil {
			return err
		}
		var motion int64
		err = tx.QueryRowContext(ctx, `SELECT mo.id FROM delib_motions mo JOIN delib_meetings m ON m.id = mo.meeting_id
			WHERE mo.topic_id = $1 AND mo.state = 'closed' AND mo.passed AND m.body <> 'party' ORDER BY mo.closed_at DESC LIMIT 1`,
			t.ID).Scan(&motion)
		if err != nil {
			return errs.E(errs.Conflict, "该议题没有经居民（代表）会议表决通过，不能形成决议")
		}
		now := s.now()
		var id int64
		err = tx.QueryRowContext(ctx, `INSERT INTO delib_decisions (topic_id, motion_id, region_id, text, owner_kind, owner_name,
			due_on, case_id, project_id, publish_days, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING id`,
			t.ID, motion, t.RegionID, in.Text, in.OwnerKind, in.OwnerName, in.DueOn, nullable(in.CaseID), nullable(in.ProjectID),
			in.PublishDays, now).Scan(&id)
		if db.IsForeignKey(err) {
			return errs.Field("case_id", "关联的诉求或共建项目不存在")
		}
		if err != nil {
			return fmt.Errorf("insert decision: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE delib_topics SET state = 'decided', decided_at = $1, updated_at = $1 WHERE id = $2`,
			now, t.ID); err != nil {
			return err
		}
		out, err = loadDecision(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "deliberation.decide", ObjectType: "delib_topic", ObjectID: t.ID,
			RegionID: t.RegionID, After: out})
	})
	return out, err
}

// publish starts the decision's publication now.
func (s *Service) publish(ctx context.Context, tx *db.Tx, t *Topic) error {
	d, err := loadDecision(ctx, tx, t.ID)
	if err != nil {
		return errs.E(errs.Conflict, "尚未形成决议，不能公开")
	}
	_, err = tx.ExecContext(ctx, `UPDATE delib_decisions SET published_at = $1 WHERE id = $2`, s.now(), d.ID)
	return err
}

// startImplementing refuses to start before the publication's end.
func (s *Service) startImplementing(ctx context.Context, tx *db.Tx, t *Topic) error {
	d, err := loadDecision(ctx, tx, t.ID)
	if err != nil {
		return err
	}
	if until := d.PublishedUntil(); until == nil || s.now().Before(*until) {
		return errs.E(errs.Conflict, "公示期未满（至%s），不能开始执行", until.In(shanghai).Format("2006年1月2日15:04"))
	}
	var late int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM delib_questions WHERE decision_id = $1 AND answered_at IS NULL`, d.ID).Scan(&late); err != nil {
		return err
	}
	if late > 0 {
		return errs.E(errs.Conflict, "公示期间还有%d条居民疑问未答复", late)
	}
	return nil
}

// finish requires the implementation at 100 %.
func (s *Service) finish(ctx context.Context, tx *db.Tx, t *Topic) error {
	d, err := loadDecision(ctx, tx, t.ID)
	if err != nil {
		return err
	}
	if d.Progress < 100 {
		return errs.E(errs.Conflict, "决议落实进度为%d%%，完成后才能进入评议", d.Progress)
	}
	_, err = tx.ExecContext(ctx, `UPDATE delib_decisions SET done_at = $1 WHERE id = $2`, s.now(), d.ID)
	return err
}

// Update is one progress report of a decision.
type Update struct {
	Progress  int       `json:"progress"`
	Note      string    `json:"note"`
	CreatedAt time.Time `json:"created_at"`
}

// ReportProgress records the implementation's progress (never going back) with a note.
func (s *Service) ReportProgress(ctx context.Context, topicID int64, progress int, note string) (*Decision, error) {
	p, err := principal(ctx, auth.DeliberationManage)
	if err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) < 2 {
		return nil, errs.Field("note", "请填写进展情况")
	}
	var out *Decision
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		t, err := manage(ctx, tx, p, topicID)
		if err != nil {
			return err
		}
		if t.State != Implementing {
			return errs.E(errs.Conflict, "议题处于“%s”，不能更新落实进度", t.State.Label())
		}
		d, err := loadDecision(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		if progress < d.Progress || progress > 100 {
			return errs.Field("progress", fmt.Sprintf("进度应在%d%%至100%%之间", d.Progress))
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO delib_updates (decision_id, progress, note, created_by, created_at)
			VALUES ($1,$2,$3,$4,$5)`, d.ID, progress, note, p.UserID, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE delib_decisions SET progress = $1 WHERE id = $2`, progress, d.ID); err != nil {
			return err
		}
		before := *d
		d.Progress = progress
		out = d
		return audit.Record(ctx, tx, audit.Entry{Action: "deliberation.progress", ObjectType: "delib_topic", ObjectID: t.ID,
			RegionID: t.RegionID, Before: before, After: d})
	})
	return out, err
}

// Question is a resident's question during a decision's publication and its answer.
type Question struct {
	ID         int64      `json:"id"`
	AskerLabel string     `json:"asker_label"`
	Question   string     `json:"question"`
	Answer     string     `json:"answer"`
	AskedAt    time.Time  `json:"asked_at"`
	DueAt      time.Time  `json:"due_at"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
	// OverdueAt is when the sweep found it unanswered past its due instant (kept once answered).
	OverdueAt *time.Time `json:"overdue_at,omitempty"`
}

// Late reports whether it was answered after its due instant.
func (q *Question) Late() bool { return q.AnsweredAt != nil && q.AnsweredAt.After(q.DueAt) }

// AskPublic records a resident's question on a published decision; it is due in AnswerDays.
func (s *Service) AskPublic(ctx context.Context, topicID int64, who ResidentInput, question string) error {
	question = strings.TrimSpace(question)
	if n := utf8.RuneCountInString(question); n < 4 || n > 500 {
		return errs.Field("question", "请填写疑问（4至500字）")
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		t, err := loadTopic(ctx, tx, nil, topicID)
		if err != nil {
			return err
		}
		if t.State != Published {
			return errs.E(errs.Conflict, "决议不在公示期，不能提出疑问")
		}
		r, err := s.verified(ctx, tx, who.Token)
		if err != nil {
			return err
		}
		d, err := loadDecision(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO delib_questions (decision_id, asker_label, question, asked_at, due_at)
			VALUES ($1,$2,$3,$4,$5)`, d.ID, r.Label, question, now, now.AddDate(0, 0, AnswerDays)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "deliberation.question", ObjectType: "delib_topic", ObjectID: t.ID,
			RegionID: t.RegionID, Detail: question})
	})
}

// Answer answers a question raised during publication.
func (s *Service) Answer(ctx context.Context, topicID, questionID int64, answer string) error {
	p, err := principal(ctx, auth.DeliberationManage)
	if err != nil {
		return err
	}
	answer = strings.TrimSpace(answer)
	if utf8.RuneCountInString(answer) < 2 {
		return errs.Field("answer", "请填写答复")
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		t, err := manage(ctx, tx, p, topicID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE delib_questions SET answer = $1, answered_at = $2 WHERE id = $3 AND answered_at IS NULL
			AND decision_id IN (SELECT id FROM delib_decisions WHERE topic_id = $4)`, answer, s.now(), questionID, t.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "疑问不存在或已答复")
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "deliberation.answer", ObjectType: "delib_topic", ObjectID: t.ID,
			RegionID: t.RegionID, Detail: answer})
	})
}

// RatePublic records a household's rating (1–5) of a carried-out decision, once per household.
func (s *Service) RatePublic(ctx context.Context, topicID int64, who ResidentInput, score int, comment string) error {
	if score < 1 || score > 5 {
		return errs.Field("score", "请选择1至5分的评价")
	}
	comment = strings.TrimSpace(comment)
	if utf8.RuneCountInString(comment) > 300 {
		return errs.Field("comment", "评价意见不超过300字")
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		t, err := loadTopic(ctx, tx, nil, topicID)
		if err != nil {
			return err
		}
		if t.State != Evaluating {
			return errs.E(errs.Conflict, "议题处于“%s”，现在不能评议", t.State.Label())
		}
		r, err := s.verified(ctx, tx, who.Token)
		if err != nil {
			return err
		}
		if !t.inScope(r) {
			return errs.Field("phone", "只有议题范围（"+t.ScopeLabel()+"）内的居民户可以评议")
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO delib_ratings (topic_id, household_id, score, comment, created_at)
			VALUES ($1,$2,$3,$4,$5)`, t.ID, r.HouseholdID, score, comment, s.now())
		if db.IsUnique(err) {
			return errs.E(errs.Conflict, "本户已评议过，每户限评一次")
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Action: "deliberation.rate", ObjectType: "delib_topic", ObjectID: t.ID,
			RegionID: t.RegionID, Detail: fmt.Sprintf("%s评价%d分", r.Label, score)})
	})
}
