package mediation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/jobs"
	"linli/internal/notify"
)

// FollowupJob is the job kind that reminds a case's mediators, on the morning a performance
// follow-up 回访 falls due, to make it.
const FollowupJob = "mediation.followup"

type followupPayload struct {
	MediationID int64  `json:"mediation_id"`
	Due         string `json:"due"`
}

// RegisterJobs registers the mediation jobs on the runner.
func (s *Service) RegisterJobs(r *jobs.Runner) { r.Register(FollowupJob, s.remindFollowup) }

// enqueueFollowup schedules the follow-up reminder for 09:00 (Asia/Shanghai) of the due date, in
// the transaction that set it; a later due date of the same case moves the pending reminder.
func enqueueFollowup(ctx context.Context, q db.Querier, id int64, due string, now time.Time) error {
	day, err := time.ParseInLocation(time.DateOnly, due, clock.Shanghai())
	if err != nil {
		return fmt.Errorf("follow-up due %q: %w", due, err)
	}
	at := day.Add(9 * time.Hour)
	if at.Before(now) {
		at = now
	}
	_, err = jobs.Enqueue(ctx, q, FollowupJob, followupPayload{MediationID: id, Due: due}, at,
		jobs.Unique("mediation-followup:"+strconv.FormatInt(id, 10)), jobs.Replace())
	return err
}

// remindFollowup notifies the mediators of a case whose follow-up is still due on the date the job
// was scheduled for; a case followed up, reopened or rescheduled since needs no reminder.
func (s *Service) remindFollowup(ctx context.Context, job *jobs.Job) error {
	var p followupPayload
	if err := job.Decode(&p); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		var number, title, state, due string
		var community int64
		err := tx.QueryRowContext(ctx, `SELECT number, title, state, followup_due, community_id FROM mediation_cases WHERE id = $1`,
			p.MediationID).Scan(&number, &title, &state, &due, &community)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && (state != string(Agreed) || due != p.Due)) {
			return nil
		}
		if err != nil {
			return err
		}
		users, err := db.QueryIDs(ctx, tx, `SELECT user_id FROM mediation_mediators WHERE mediation_id = $1 ORDER BY user_id`, p.MediationID)
		if err != nil {
			return err
		}
		for _, u := range users {
			if err := notify.Notify(ctx, tx, u, notify.Notification{RegionID: community, Kind: FollowupJob,
				Title: "调解协议回访到期：" + number,
				Body:  fmt.Sprintf("「%s」的调解协议应于%s前回访，请了解履行情况和当事人满意度并登记回访记录。", title, due),
				Link:  "/mediation/cases/" + strconv.FormatInt(p.MediationID, 10)}); err != nil {
				return err
			}
		}
		return nil
	})
}
