package cases

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/workday"
)

// JobReminder is the job kind of a deadline reminder: at 80 % of a limit and when it runs out.
const JobReminder = "cases.reminder"

// JobSweep is the job kind of the periodic overdue sweep.
const JobSweep = "cases.sweep"

// Reminder is the payload of a JobReminder job. A reminder whose deadline has moved since it was
// enqueued (the case moved on, was resumed or extended) does nothing.
type Reminder struct {
	CaseID   int64     `json:"case_id"`
	Kind     string    `json:"kind"` // accept, sign, handle, callback
	Deadline time.Time `json:"deadline"`
	Stage    string    `json:"stage"` // warn (80 %) or due
}

// schedule enqueues the two reminders of a deadline in tx: at 80 % of the limit and at the
// deadline itself.
func (s *Service) schedule(ctx context.Context, tx db.Querier, cal *workday.Calendar, c *Case, kind string, start, due time.Time, working bool) error {
	if s.opts.Enqueue == nil {
		return nil
	}
	for _, r := range []struct {
		stage string
		at    time.Time
	}{{"warn", warnAt(cal, start, due, working)}, {"due", due}} {
		key := fmt.Sprintf("%d:%s:%s", c.ID, kind, r.stage)
		err := s.opts.Enqueue(ctx, tx, JobReminder, key, Reminder{CaseID: c.ID, Kind: kind, Deadline: due, Stage: r.stage}, r.at)
		if err != nil {
			return fmt.Errorf("enqueue reminder: %w", err)
		}
	}
	return nil
}

// RunReminder is the JobReminder handler: it notifies the case's assignees and their supervisors
// (the community's administrators) that a deadline is near or has passed, unless the deadline no
// longer stands.
func (s *Service) RunReminder(ctx context.Context, payload []byte) error {
	var r Reminder
	if err := json.Unmarshal(payload, &r); err != nil {
		return fmt.Errorf("reminder payload: %w", err)
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		c, err := loadCase(ctx, tx, r.CaseID)
		if err != nil {
			return nil // the case is gone: nothing to remind
		}
		kind, _, due := c.running()
		if kind != r.Kind || due == nil || !due.Equal(r.Deadline.UTC()) || c.State == Suspended {
			return nil
		}
		if r.Stage == "due" && s.now().Before(*due) {
			return nil
		}
		users, err := s.recipients(ctx, tx, c, kind)
		if err != nil {
			return err
		}
		n := Notice{Kind: "case." + r.Stage, Link: fmt.Sprintf("/cases/%d", c.ID), RegionID: c.RegionID}
		local := due.In(clock.Shanghai()).Format("01-02 15:04")
		if r.Stage == "due" {
			n.Title = fmt.Sprintf("案件%s已超出%s", c.Number, slaLabels[kind])
			n.Body = fmt.Sprintf("“%s”的%s已于%s届满，请尽快处理。", c.Title, slaLabels[kind], local)
		} else {
			n.Title = fmt.Sprintf("案件%s即将超出%s", c.Number, slaLabels[kind])
			n.Body = fmt.Sprintf("“%s”的%s将于%s届满，已用去八成时间。", c.Title, slaLabels[kind], local)
		}
		if r.Stage == "due" && !c.Overdue {
			if _, err := tx.ExecContext(ctx, `UPDATE cases SET overdue = TRUE WHERE id = $1`, c.ID); err != nil {
				return err
			}
		}
		for _, u := range users {
			if s.opts.Notify == nil {
				break
			}
			if err := s.opts.Notify(ctx, tx, u, n); err != nil {
				return fmt.Errorf("notify %d: %w", u, err)
			}
		}
		return nil
	})
}

// recipients are the users a reminder goes to: for acceptance and callback the administrators of
// the level that holds the case (the community of a grid's case; the street or district a case was
// escalated to); otherwise whoever holds an active task (the user, the grid's leader and workers,
// the unit's or department's contacts) and, as their supervisors, those administrators.
func (s *Service) recipients(ctx context.Context, q db.Querier, c *Case, kind string) ([]int64, error) {
	query := `SELECT id FROM users WHERE active AND role IN ('community_admin','street_admin','district_admin') AND region_id = $1`
	if kind == "sign" || kind == "handle" {
		query += ` UNION SELECT u.id FROM case_assignments a JOIN users u ON u.active AND (
				(a.target_kind = 'user' AND u.id = a.target_user_id)
				OR (a.target_kind = 'grid' AND u.region_id = a.target_grid_id AND u.role IN ('grid_leader','grid_worker'))
				OR (a.target_kind = 'unit' AND u.role = 'unit_contact' AND u.org_name = a.target_name)
				OR (a.target_kind = 'department' AND u.role = 'department' AND u.org_name = a.target_name))
			WHERE a.case_id = $2 AND a.status IN ('pending','signed')
			UNION SELECT handler_id FROM cases WHERE id = $2 AND handler_id IS NOT NULL`
	} else {
		query += ` AND CAST($2 AS BIGINT) > 0` // keep both arguments bound
	}
	holder := c.RegionID
	if c.GridID != nil && *c.GridID == c.RegionID {
		holder = c.CommunityID
	}
	out, err := db.QueryIDs(ctx, q, query, holder, c.ID)
	if err != nil {
		return nil, fmt.Errorf("reminder recipients: %w", err)
	}
	return out, nil
}

// SweepOverdue flags every case whose running deadline has passed at now, with one UPDATE per
// kind of deadline (not per case); a suspended case's clock stands, so the sweep never flags it.
// The sweep only sets flags: whatever moves a deadline (resuming, an approved extension, a new
// state) is an action, and every action recomputes the case's flag in its own transaction
// (overdueAt). It returns how many cases it newly flagged.
func (s *Service) SweepOverdue(ctx context.Context) (int64, error) {
	now := s.now()
	var total int64
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		total = 0
		for _, q := range []string{
			`UPDATE cases SET overdue = TRUE WHERE state = 'received' AND NOT overdue AND accept_deadline < $1`,
			`UPDATE cases SET overdue = TRUE WHERE state = 'dispatched' AND NOT overdue AND sign_deadline < $1`,
			`UPDATE cases SET overdue = TRUE WHERE state IN ('accepted','dispatched','in_progress','reported') AND NOT overdue
				AND handle_deadline < $1`,
			`UPDATE cases SET overdue = TRUE WHERE state = 'closed' AND callback_at IS NULL AND NOT overdue
				AND callback_deadline < $1`,
		} {
			res, err := tx.ExecContext(ctx, q, now)
			if err != nil {
				return fmt.Errorf("overdue sweep: %w", err)
			}
			n, _ := res.RowsAffected()
			total += n
		}
		return nil
	})
	return total, err
}
