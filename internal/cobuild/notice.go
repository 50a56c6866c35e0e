package cobuild

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"linli/internal/db"
	"linli/internal/jobs"
	"linli/internal/notify"
)

// NoticeJob is the job kind that sends a joint meeting's notice to every member unit's contacts on
// the meeting's notice day.
const NoticeJob = "cobuild.meeting_notice"

type noticePayload struct {
	MeetingID int64 `json:"meeting_id"`
}

// RegisterJobs registers the co-building jobs on the runner.
func (s *Service) RegisterJobs(r *jobs.Runner) { r.Register(NoticeJob, s.sendNotice) }

// EnqueueNotice schedules a meeting's notice for 09:00 (Asia/Shanghai) of its notice day, or now
// when that has passed, through q — the transaction that schedules the meeting.
func EnqueueNotice(ctx context.Context, q db.Querier, meetingID int64, noticeOn string, now time.Time) error {
	day, err := time.ParseInLocation(time.DateOnly, noticeOn, shanghai)
	if err != nil {
		return err
	}
	at := day.Add(9 * time.Hour)
	if at.Before(now) {
		at = now
	}
	_, err = jobs.Enqueue(ctx, q, NoticeJob, noticePayload{MeetingID: meetingID}, at, jobs.Unique("meeting:"+strconv.FormatInt(meetingID, 10)))
	return err
}

// sendNotice notifies the contacts of every active member unit of a meeting still to be held.
func (s *Service) sendNotice(ctx context.Context, job *jobs.Job) error {
	var p noticePayload
	if err := job.Decode(&p); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		var title, state, place string
		var regionID int64
		var starts time.Time
		err := tx.QueryRowContext(ctx, `SELECT title, state, place, region_id, starts_at FROM cobuild_meetings WHERE id = $1`,
			p.MeetingID).Scan(&title, &state, &place, &regionID, &starts)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && state != "scheduled") {
			return nil // held, cancelled or gone: no notice to send
		}
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT c.user_id FROM cobuild_unit_contacts c JOIN cobuild_units u ON u.id = c.unit_id
			WHERE u.region_id = $1 AND u.active = TRUE ORDER BY c.user_id`, regionID)
		if err != nil {
			return err
		}
		var users []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			users = append(users, id)
		}
		rows.Close()
		for _, u := range users {
			if err := notify.Notify(ctx, tx, u, notify.Notification{RegionID: regionID, Kind: NoticeJob,
				Title: "关于召开" + title + "的通知",
				Body:  fmt.Sprintf("定于%s在%s召开，请贵单位党组织书记或联络人准时参会。", starts.In(shanghai).Format("2006年1月2日 15:04"), place),
				Link:  "/cobuild/meetings/" + strconv.FormatInt(p.MeetingID, 10) + "/notice"}); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}
