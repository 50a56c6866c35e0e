package activities

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"linli/internal/db"
)

const venueCols = `v.id, v.region_id, g.name, g.path, v.name, v.kind, v.capacity, v.facilities, v.place, v.opens, v.closes,
	v.open_days, v.bookers, v.max_hours, v.max_consecutive, v.month_hours, v.lead_days, v.needs_approval, v.noshow_limit,
	v.suspend_days, v.active`

type scanner interface{ Scan(dest ...any) error }

// venueRow is a venue and its region's path.
type venueRow struct {
	Venue
	path string
}

func scanVenue(sc scanner) (*venueRow, error) {
	v := &venueRow{}
	var bookers string
	err := sc.Scan(&v.ID, &v.RegionID, &v.RegionName, &v.path, &v.Name, &v.Kind, &v.Capacity, &v.Facilities, &v.Place,
		&v.Opens, &v.Closes, &v.OpenDays, &bookers, &v.Rules.MaxHours, &v.Rules.MaxConsecutive, &v.Rules.MonthHours,
		&v.Rules.LeadDays, &v.Rules.NeedsApproval, &v.Rules.NoShowLimit, &v.Rules.SuspendDays, &v.Active)
	if err != nil {
		return nil, err
	}
	for _, b := range strings.Split(bookers, ",") {
		if b != "" {
			v.Bookers = append(v.Bookers, BookerKind(b))
		}
	}
	v.KindLabel = v.Kind.Label()
	return v, nil
}

func loadVenue(ctx context.Context, q db.Querier, id int64) (*venueRow, error) {
	v, err := scanVenue(q.QueryRowContext(ctx, `SELECT `+venueCols+` FROM venues v JOIN regions g ON g.id = v.region_id
		WHERE v.id = $1`, id))
	if err != nil {
		return nil, db.NotFound(err, "场地不存在")
	}
	return v, nil
}

func joinBookers(b []BookerKind) string {
	s := make([]string, len(b))
	for i, k := range b {
		s[i] = string(k)
	}
	return strings.Join(s, ",")
}

// Booking is one booking of a venue. The booker's phone is masked.
type Booking struct {
	ID          int64      `json:"id"`
	VenueID     int64      `json:"venue_id"`
	VenueName   string     `json:"venue_name"`
	RegionID    int64      `json:"region_id"`
	StartsAt    time.Time  `json:"starts_at"`
	EndsAt      time.Time  `json:"ends_at"`
	BookerKind  BookerKind `json:"booker_kind"`
	BookerName  string     `json:"booker_name"`
	OrgName     string     `json:"org_name"`
	PhoneMasked string     `json:"phone_masked"`
	Purpose     string     `json:"purpose"`
	Headcount   int        `json:"headcount"`
	Status      string     `json:"status"` // pending, approved, rejected, cancelled, no_show
	Reason      string     `json:"reason"`
	ActivityID  int64      `json:"activity_id,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	bookerKey   string
}

var bookingStatusLabels = map[string]string{"pending": "待审批", "approved": "已预约", "rejected": "未通过",
	"cancelled": "已取消", "no_show": "未到场"}

// StatusLabel names the booking's state in Chinese.
func (b *Booking) StatusLabel() string { return bookingStatusLabels[b.Status] }

// Live reports whether the booking holds its slots.
func (b *Booking) Live() bool { return b.Status == "pending" || b.Status == "approved" }

const bookingCols = `b.id, b.venue_id, v.name, b.region_id, b.starts_at, b.ends_at, b.booker_kind, b.booker_name, b.org_name,
	b.phone_masked, b.purpose, b.headcount, b.status, b.reason, b.activity_id, b.created_at, b.booker_key`

func scanBooking(sc scanner) (*Booking, error) {
	b := &Booking{}
	var act sql.NullInt64
	if err := sc.Scan(&b.ID, &b.VenueID, &b.VenueName, &b.RegionID, &b.StartsAt, &b.EndsAt, &b.BookerKind, &b.BookerName,
		&b.OrgName, &b.PhoneMasked, &b.Purpose, &b.Headcount, &b.Status, &b.Reason, &act, &b.CreatedAt, &b.bookerKey); err != nil {
		return nil, err
	}
	b.ActivityID = act.Int64
	b.StartsAt, b.EndsAt, b.CreatedAt = b.StartsAt.UTC(), b.EndsAt.UTC(), b.CreatedAt.UTC()
	return b, nil
}

func queryBookings(ctx context.Context, q db.Querier, where string, args ...any) ([]Booking, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+bookingCols+` FROM venue_bookings b JOIN venues v ON v.id = b.venue_id
		WHERE `+where+` ORDER BY b.starts_at, b.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Booking
	for rows.Next() {
		b, err := scanBooking(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *b)
	}
	return out, rows.Err()
}

// bookerHistory reads what the rules need to know of a booker: their live bookings of the venue on
// the request's day, their booked time in its month across the community, and their no-shows.
func bookerHistory(ctx context.Context, q db.Querier, v *venueRow, key string, r *RuleRequest) error {
	day := r.Start.Add(-24 * time.Hour)
	held, err := queryBookings(ctx, q, `b.venue_id = $1 AND b.booker_key = $2 AND b.status IN ('pending','approved')
		AND b.starts_at >= $3 AND b.starts_at < $4`, v.ID, key, day, r.Start.Add(48*time.Hour))
	if err != nil {
		return err
	}
	for _, h := range held {
		r.Held = append(r.Held, Span{h.StartsAt, h.EndsAt})
	}
	ms := monthStart(r.Start)
	month, err := queryBookings(ctx, q, `b.region_id = $1 AND b.booker_key = $2 AND b.status IN ('pending','approved')
		AND b.starts_at >= $3 AND b.starts_at < $4`, v.RegionID, key, ms.UTC(), ms.AddDate(0, 1, 0).UTC())
	if err != nil {
		return err
	}
	for _, h := range month {
		r.MonthHeld += h.EndsAt.Sub(h.StartsAt)
	}
	rows, err := q.QueryContext(ctx, `SELECT decided_at FROM venue_bookings WHERE booker_key = $1 AND status = 'no_show'
		AND decided_at IS NOT NULL`, key)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var t time.Time
		if err := rows.Scan(&t); err != nil {
			return err
		}
		r.NoShows = append(r.NoShows, t.UTC())
	}
	return rows.Err()
}
