package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
)

// bookingFor loads a booking the principal may act on: staff who run its community, or its own
// booker. Anyone else gets not found.
func (s *Service) bookingFor(ctx context.Context, q db.Querier, p *auth.Principal, id int64, staffOnly bool) (*Booking, error) {
	b, err := scanBooking(q.QueryRowContext(ctx, `SELECT `+bookingCols+` FROM venue_bookings b JOIN venues v ON v.id = b.venue_id
		WHERE b.id = $1`, id))
	if err != nil {
		return nil, db.NotFound(err, "预约不存在")
	}
	var path string
	if err := q.QueryRowContext(ctx, `SELECT path FROM regions WHERE id = $1`, b.RegionID).Scan(&path); err != nil {
		return nil, err
	}
	own := b.bookerKey == fmt.Sprintf("user:%d", p.UserID)
	if canRun(p, path) || (own && !staffOnly) {
		return b, nil
	}
	if own || p.Covers(path) || strings.HasPrefix(p.RegionPath, path) {
		return nil, errs.E(errs.Forbidden, "只有社区工作人员可以办理此项")
	}
	return nil, errs.E(errs.NotFound, "预约不存在")
}

// Booking returns one booking the principal runs or made.
func (s *Service) Booking(ctx context.Context, id int64) (*Booking, error) {
	p, err := principal(ctx, auth.ActivitiesRead)
	if err != nil {
		return nil, err
	}
	return s.bookingFor(ctx, s.db.R, p, id, false)
}

// CancelBooking cancels a booking that has not started, by its booker or the community, and frees
// its slots.
func (s *Service) CancelBooking(ctx context.Context, id int64, reason string) (*Booking, error) {
	p, err := principal(ctx, "")
	if err != nil {
		return nil, err
	}
	return s.changeBooking(ctx, p, id, false, func(b *Booking) (string, error) {
		if !b.Live() {
			return "", errs.E(errs.Conflict, "该预约已%s，不能取消", b.StatusLabel())
		}
		if !b.StartsAt.After(s.now()) {
			return "", errs.E(errs.Conflict, "预约时段已开始，不能取消")
		}
		b.Reason = strings.TrimSpace(reason)
		return "cancelled", nil
	})
}

// DecideBooking approves or rejects a booking waiting for approval; a rejection frees its slots.
func (s *Service) DecideBooking(ctx context.Context, id int64, approve bool, reason string) (*Booking, error) {
	p, err := principal(ctx, auth.ActivitiesWrite)
	if err != nil {
		return nil, err
	}
	return s.changeBooking(ctx, p, id, true, func(b *Booking) (string, error) {
		if b.Status != "pending" {
			return "", errs.E(errs.Conflict, "该预约不在待审批状态")
		}
		if approve {
			return "approved", nil
		}
		if strings.TrimSpace(reason) == "" {
			return "", errs.Field("reason", "请填写不予通过的理由")
		}
		b.Reason = strings.TrimSpace(reason)
		return "rejected", nil
	})
}

// NoShowResult says what a recorded no-show means for the booker.
type NoShowResult struct {
	Booking      *Booking   `json:"booking"`
	NoShows      int        `json:"no_shows"` // in the past year, this one included
	Suspended    bool       `json:"suspended"`
	SuspendUntil *time.Time `json:"suspend_until,omitempty"`
	Message      string     `json:"message"`
}

// MarkNoShow records that a unit or resident did not come to a booking that has started: a warning,
// and at the venue's limit a suspension of their booking rights.
func (s *Service) MarkNoShow(ctx context.Context, id int64) (*NoShowResult, error) {
	p, err := principal(ctx, auth.ActivitiesWrite)
	if err != nil {
		return nil, err
	}
	var res NoShowResult
	var bookerKey string
	var venueID int64
	b, err := s.changeBooking(ctx, p, id, true, func(b *Booking) (string, error) {
		if b.Status != "approved" {
			return "", errs.E(errs.Conflict, "只有已预约的场地可以登记未到场")
		}
		if b.BookerKind == BookerStaff {
			return "", errs.E(errs.Conflict, "社区自用预约不登记爽约")
		}
		if b.StartsAt.After(s.now()) {
			return "", errs.E(errs.Conflict, "预约时段尚未开始，不能登记未到场")
		}
		bookerKey, venueID = b.bookerKey, b.VenueID
		return "no_show", nil
	})
	if err != nil {
		return nil, err
	}
	res.Booking = b
	v, err := loadVenue(ctx, s.db.R, venueID)
	if err != nil {
		return nil, err
	}
	req := RuleRequest{}
	if err := bookerHistory(ctx, s.db.R, v, bookerKey, &req); err != nil {
		return nil, err
	}
	now := s.now()
	for _, t := range req.NoShows {
		if t.After(now.AddDate(-1, 0, 0)) {
			res.NoShows++
		}
	}
	if until, ok := suspended(v.Rules, req.NoShows, now); ok {
		res.Suspended, res.SuspendUntil = true, &until
		res.Message = fmt.Sprintf("已登记未到场（一年内第%d次），预约资格暂停至%s", res.NoShows, until.In(clock.Shanghai()).Format("2006年1月2日"))
	} else {
		res.Message = fmt.Sprintf("已登记未到场并警告（一年内第%d次，满%d次将暂停预约资格%d天）", res.NoShows, v.Rules.NoShowLimit, v.Rules.SuspendDays)
	}
	return &res, nil
}

// changeBooking moves a booking to the state change returns, freeing the slots of a booking that
// no longer holds them, with its audit row, in one transaction.
func (s *Service) changeBooking(ctx context.Context, p *auth.Principal, id int64, staffOnly bool,
	change func(b *Booking) (string, error)) (*Booking, error) {
	var out *Booking
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		b, err := s.bookingFor(ctx, tx, p, id, staffOnly)
		if err != nil {
			return err
		}
		before := *b
		to, err := change(b)
		if err != nil {
			return err
		}
		b.Status = to
		if _, err := tx.ExecContext(ctx, `UPDATE venue_bookings SET status = $1, reason = $2, decided_by = $3, decided_at = $4
			WHERE id = $5`, to, b.Reason, p.UserID, s.now(), b.ID); err != nil {
			return fmt.Errorf("update booking: %w", err)
		}
		if !b.Live() && to != "no_show" {
			if _, err := tx.ExecContext(ctx, `DELETE FROM venue_slots WHERE booking_id = $1`, b.ID); err != nil {
				return fmt.Errorf("free slots: %w", err)
			}
		}
		out = b
		return audit.Record(ctx, tx, audit.Entry{Action: "venue.booking_" + to, ObjectType: "venue_booking", ObjectID: b.ID,
			RegionID: b.RegionID, Before: before, After: b})
	})
	return out, err
}
