package deliberation

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"linli/internal/db"
	"linli/internal/jobs"
	"linli/internal/notify"
)

// QuestionSweepJob is the job kind that flags the questions raised during a decision's publication
// still unanswered when due (AnswerDays after they were asked) and notifies the community's staff.
// It runs every QuestionSweepEvery and schedules its next run itself.
const (
	QuestionSweepJob   = "deliberation.question_sweep"
	QuestionSweepEvery = 15 * time.Minute
)

// The answer's deadline is AnswerDays calendar days, not working days: the issue promises residents
// an answer "within 3 days" of a question raised during a publication that itself lasts a number of
// calendar days (7 by default), and the answer is only useful while the decision is still on the
// notice board — counting working days would let a question asked before a long holiday be
// answered after the publication has ended.

// RegisterJobs registers the hall's jobs on the runner.
func (s *Service) RegisterJobs(r *jobs.Runner) { r.Register(QuestionSweepJob, s.runQuestionSweep) }

// EnqueueQuestionSweep schedules the sweep at runAt, unless one is already pending.
func EnqueueQuestionSweep(ctx context.Context, q db.Querier, runAt time.Time) error {
	_, err := jobs.Enqueue(ctx, q, QuestionSweepJob, struct{}{}, runAt, jobs.Unique("sweep"))
	return err
}

func (s *Service) runQuestionSweep(ctx context.Context, _ *jobs.Job) error {
	if _, err := s.SweepOverdueQuestions(ctx); err != nil {
		return err
	}
	return EnqueueQuestionSweep(ctx, s.db.W, s.now().Add(QuestionSweepEvery))
}

// overdueQuestion is a question the sweep newly flagged.
type overdueQuestion struct {
	id, topicID, community, region int64
	title                          string
}

// SweepOverdueQuestions flags every question raised during a publication that is unanswered past
// its due instant and not flagged yet, and sends each community administrator of the topic's
// community one notification per topic naming how many of its questions are overdue. A flagged
// question is never flagged or notified again, so a second run (or a concurrent one) sends
// nothing more. It returns how many questions it flagged.
func (s *Service) SweepOverdueQuestions(ctx context.Context) (int, error) {
	now := s.now()
	flagged := 0
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		flagged = 0
		rows, err := tx.QueryContext(ctx, `SELECT q.id, t.id, t.community_id, t.region_id, t.title FROM delib_questions q
			JOIN delib_decisions d ON d.id = q.decision_id JOIN delib_topics t ON t.id = d.topic_id
			WHERE q.answered_at IS NULL AND q.overdue_at IS NULL AND q.due_at <= $1 ORDER BY t.id, q.id`, now)
		if err != nil {
			return fmt.Errorf("overdue questions: %w", err)
		}
		var due []overdueQuestion
		for rows.Next() {
			var o overdueQuestion
			if err := rows.Scan(&o.id, &o.topicID, &o.community, &o.region, &o.title); err != nil {
				rows.Close()
				return err
			}
			due = append(due, o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// Per topic, in order: the questions this run flags (a concurrent run flags each only once).
		var topics []overdueQuestion
		count := map[int64]int{}
		for _, o := range due {
			res, err := tx.ExecContext(ctx, `UPDATE delib_questions SET overdue_at = $1 WHERE id = $2 AND overdue_at IS NULL
				AND answered_at IS NULL`, now, o.id)
			if err != nil {
				return fmt.Errorf("flag question %d: %w", o.id, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue
			}
			flagged++
			if count[o.topicID] == 0 {
				topics = append(topics, o)
			}
			count[o.topicID]++
		}
		for _, t := range topics {
			users, err := db.QueryIDs(ctx, tx, `SELECT id FROM users WHERE active AND role = 'community_admin' AND region_id = $1
				ORDER BY id`, t.community)
			if err != nil {
				return fmt.Errorf("question recipients: %w", err)
			}
			for _, u := range users {
				if err := notify.Notify(ctx, tx, u, notify.Notification{RegionID: t.region, Kind: QuestionSweepJob,
					Title: "公示期疑问逾期未答复：" + truncateRunes(t.title, 40),
					Body: fmt.Sprintf("议题「%s」的决议公示期间，有%d条居民疑问超过%d天未答复，请尽快答复；答复前不能开始执行。",
						t.title, count[t.topicID], AnswerDays),
					Link: "/deliberation/topics/" + strconv.FormatInt(t.topicID, 10) + "#decision"}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return flagged, err
}

func truncateRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return strings.TrimSpace(string(r[:n])) + "…"
	}
	return s
}
