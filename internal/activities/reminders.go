package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"linli/internal/clock"
	"linli/internal/db"
)

// JobReminder is the job kind that reminds, the day before an activity, its organiser and the
// staff who signed residents up on their behalf (so they can tell the elderly without phones).
const JobReminder = "activities.reminder"

// Notice is a notification the service asks to send; app turns it into internal/notify's.
type Notice struct {
	RegionID int64
	Title    string
	Body     string
	Link     string
}

// reminder is the payload of a JobReminder job.
type reminder struct {
	ActivityID int64     `json:"activity_id"`
	StartsAt   time.Time `json:"starts_at"`
}

// enqueueReminder schedules the reminder a day before the activity, in the activity's transaction.
func (s *Service) enqueueReminder(ctx context.Context, tx *db.Tx, id int64, starts time.Time) error {
	if s.opts.Enqueue == nil || !starts.Add(-24*time.Hour).After(s.now()) {
		return nil
	}
	return s.opts.Enqueue(ctx, tx, JobReminder, fmt.Sprintf("activity-reminder:%d", id), reminder{ActivityID: id, StartsAt: starts},
		starts.Add(-24*time.Hour))
}

// RunReminder sends the day-before reminder of a JobReminder job: to the activity's organiser and
// to each member of staff who signed someone up, with the numbers signed up and waiting.
func (s *Service) RunReminder(ctx context.Context, payload []byte) error {
	var r reminder
	if err := json.Unmarshal(payload, &r); err != nil {
		return fmt.Errorf("activity reminder payload: %w", err)
	}
	if s.opts.Notify == nil {
		return nil
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		a, err := loadActivity(ctx, tx, `a.id = $1`, r.ActivityID)
		if err != nil || a.Status != "published" || !a.StartsAt.Equal(r.StartsAt.UTC()) {
			return nil // gone, cancelled or moved: a newer reminder covers it
		}
		rows, err := tx.QueryContext(ctx, `SELECT DISTINCT u FROM (SELECT created_by AS u FROM activities WHERE id = $1
			UNION SELECT created_by FROM activity_registrations WHERE activity_id = $1 AND status <> 'cancelled') x WHERE u IS NOT NULL`, a.ID)
		if err != nil {
			return err
		}
		var users []int64
		for rows.Next() {
			var u int64
			if err := rows.Scan(&u); err != nil {
				rows.Close()
				return err
			}
			users = append(users, u)
		}
		rows.Close()
		n := Notice{RegionID: a.RegionID, Link: fmt.Sprintf("/activities/%d", a.ID),
			Title: fmt.Sprintf("明天的活动：%s", a.Title),
			Body: fmt.Sprintf("%s在%s举行，已报名%d人、候补%d人。请提醒代为报名的居民（特别是没有手机的老人）按时参加。",
				a.StartsAt.In(clock.Shanghai()).Format("1月2日 15:04"), a.Place, a.Registered, a.Waitlisted)}
		for _, u := range users {
			if err := s.opts.Notify(ctx, tx, u, n); err != nil {
				return err
			}
		}
		return nil
	})
}
