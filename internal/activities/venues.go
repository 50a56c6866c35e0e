package activities

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/audit"
	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/pii"
	"linli/internal/workday"
)

// CreateVenue adds a room to a community in the principal's scope.
func (s *Service) CreateVenue(ctx context.Context, in VenueInput) (*Venue, error) {
	p, err := principal(ctx, auth.ActivitiesWrite)
	if err != nil {
		return nil, err
	}
	if in.RegionID == 0 {
		in.RegionID = p.RegionID
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var out *Venue
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		var path string
		if err := tx.QueryRowContext(ctx, `SELECT path FROM regions WHERE id = $1`, in.RegionID).Scan(&path); err != nil || !p.Covers(path) {
			return errs.Field("region_id", "所选社区不在您的管辖范围内")
		}
		r := in.Rules
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO venues (region_id, name, kind, capacity, facilities, place, opens, closes,
			open_days, bookers, max_hours, max_consecutive, month_hours, lead_days, needs_approval, noshow_limit, suspend_days,
			active, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,TRUE,$18) RETURNING id`,
			in.RegionID, in.Name, in.Kind, in.Capacity, in.Facilities, in.Place, in.Opens, in.Closes, in.OpenDays,
			joinBookers(in.Bookers), r.MaxHours, r.MaxConsecutive, r.MonthHours, r.LeadDays, r.NeedsApproval, r.NoShowLimit,
			r.SuspendDays, s.now()).Scan(&id)
		if db.IsUnique(err) {
			return errs.Field("name", "本社区已有同名场地")
		}
		if err != nil {
			return fmt.Errorf("insert venue: %w", err)
		}
		v, err := loadVenue(ctx, tx, id)
		if err != nil {
			return err
		}
		out = &v.Venue
		return audit.Record(ctx, tx, audit.Entry{Action: "venue.create", ObjectType: "venue", ObjectID: id,
			RegionID: in.RegionID, After: out})
	})
	return out, err
}

// ListVenues lists the active rooms the principal may see: their own and their community's.
func (s *Service) ListVenues(ctx context.Context) ([]Venue, error) {
	p, err := principal(ctx, auth.ActivitiesRead)
	if err != nil {
		return nil, err
	}
	a := &db.Args{}
	return s.venues(ctx, `v.active AND `+visible("v.region_id", p, a), *a...)
}

// PublicVenues lists the active rooms of a community that residents may book, for the public page.
func (s *Service) PublicVenues(ctx context.Context) ([]Venue, error) {
	return s.venues(ctx, `v.active AND v.bookers LIKE '%resident%'`)
}

func (s *Service) venues(ctx context.Context, where string, args ...any) ([]Venue, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+venueCols+` FROM venues v JOIN regions g ON g.id = v.region_id
		WHERE `+where+` ORDER BY v.region_id, v.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list venues: %w", err)
	}
	defer rows.Close()
	var out []Venue
	for rows.Next() {
		v, err := scanVenue(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v.Venue)
	}
	return out, rows.Err()
}

// PublicVenue returns an active room for the public pages and feeds (no personal data).
func (s *Service) PublicVenue(ctx context.Context, id int64) (*Venue, error) {
	v, err := loadVenue(ctx, s.db.R, id)
	if err != nil || !v.Active {
		return nil, errs.E(errs.NotFound, "场地不存在")
	}
	return &v.Venue, nil
}

// Venue returns one room the principal may see; any other is not found.
func (s *Service) Venue(ctx context.Context, id int64) (*Venue, error) {
	p, err := principal(ctx, auth.ActivitiesRead)
	if err != nil {
		return nil, err
	}
	v, err := s.visibleVenue(ctx, s.db.R, p, id)
	if err != nil {
		return nil, err
	}
	return &v.Venue, nil
}

func (s *Service) visibleVenue(ctx context.Context, q db.Querier, p *auth.Principal, id int64) (*venueRow, error) {
	v, err := loadVenue(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if !p.Covers(v.path) && !strings.HasPrefix(p.RegionPath, v.path) {
		return nil, errs.E(errs.NotFound, "场地不存在")
	}
	return v, nil
}

// Bookings lists the bookings of the rooms the principal sees (one room when venueID is set)
// that overlap [from, to): the week view. Cancelled and rejected bookings are left out.
func (s *Service) Bookings(ctx context.Context, venueID int64, from, to time.Time) ([]Booking, error) {
	p, err := principal(ctx, auth.ActivitiesRead)
	if err != nil {
		return nil, err
	}
	a := &db.Args{}
	where := visible("b.region_id", p, a) + ` AND b.status IN ('pending','approved','no_show') AND b.starts_at < ` +
		a.Add(to.UTC()) + ` AND b.ends_at > ` + a.Add(from.UTC())
	if venueID != 0 {
		where += ` AND b.venue_id = ` + a.Add(venueID)
	}
	out, err := queryBookings(ctx, s.db.R, where, *a...)
	if err != nil {
		return nil, fmt.Errorf("list bookings: %w", err)
	}
	// Only the community's staff and the booker see whom to call.
	for i := range out {
		if !p.Can(auth.ActivitiesWrite) && out[i].bookerKey != fmt.Sprintf("user:%d", p.UserID) {
			out[i].PhoneMasked = ""
		}
	}
	return out, nil
}

// TakenSlots lists the busy stretches of a public room in [from, to), without who booked them,
// for the public booking page and the iCalendar feed.
func (s *Service) TakenSlots(ctx context.Context, venueID int64, from, to time.Time) ([]Booking, error) {
	out, err := queryBookings(ctx, s.db.R, `b.venue_id = $1 AND b.status IN ('pending','approved') AND b.starts_at < $2
		AND b.ends_at > $3`, venueID, to.UTC(), from.UTC())
	for i := range out {
		out[i].BookerName, out[i].PhoneMasked, out[i].OrgName = "", "", ""
		if out[i].BookerKind != BookerStaff {
			out[i].Purpose = "已预约"
		}
	}
	return out, err
}

// BookingInput is a booking request. Name and Phone identify a resident booking on the public
// page; staff and unit contacts are who they signed in as.
type BookingInput struct {
	VenueID    int64     `json:"venue_id"`
	StartsAt   time.Time `json:"starts_at"`
	EndsAt     time.Time `json:"ends_at"`
	Purpose    string    `json:"purpose"`
	Headcount  int       `json:"headcount"`
	Commercial bool      `json:"commercial"`
	Name       string    `json:"name"`
	Phone      string    `json:"phone"`
}

func (in *BookingInput) validate() error {
	f := errs.Fields{}
	in.Purpose = strings.TrimSpace(in.Purpose)
	if n := utf8.RuneCountInString(in.Purpose); n == 0 || n > 200 {
		f.Add("purpose", "请填写使用事由（不超过200字）")
	}
	if in.Headcount < 1 {
		f.Add("headcount", "请填写使用人数")
	}
	if in.Commercial {
		f.Add("commercial", "阵地场地仅用于公益活动，不得用于商业经营")
	}
	if in.StartsAt.IsZero() || in.EndsAt.IsZero() {
		f.Add("starts_at", "请填写预约时段")
	}
	return f.Err()
}

// Book books a room for the signed-in user: staff (the community's own work) or a unit's contact.
// Two bookings of one room never overlap: the slots are claimed in the booking's transaction.
func (s *Service) Book(ctx context.Context, in BookingInput) (*Booking, error) {
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	var out *Booking
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		var err error
		out, err = s.BookTx(ctx, tx, cal, in, 0)
		return err
	})
	return out, err
}

// Calendar returns the working-day calendar the opening hours follow. Read it before a
// transaction that books: loading it may need the database's one writer.
func (s *Service) Calendar(ctx context.Context) (*workday.Calendar, error) {
	return s.opts.Calendar(ctx)
}

// BookTx books a room inside the caller's transaction, on the calendar from Calendar (read before
// the transaction), linking it to an activity when activityID is set; co-building and deliberation
// book their meetings' rooms through it.
func (s *Service) BookTx(ctx context.Context, tx *db.Tx, cal *workday.Calendar, in BookingInput, activityID int64) (*Booking, error) {
	p, err := principal(ctx, auth.VenuesBook)
	if err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	v, err := s.visibleVenue(ctx, tx, p, in.VenueID)
	if err != nil {
		return nil, err
	}
	kind := BookerStaff
	if p.Role == auth.UnitContact {
		kind = BookerUnit
	}
	b := &Booking{VenueID: v.ID, RegionID: v.RegionID, StartsAt: in.StartsAt.UTC(), EndsAt: in.EndsAt.UTC(), BookerKind: kind,
		BookerName: p.Name, OrgName: p.OrgName, Purpose: in.Purpose, Headcount: in.Headcount, ActivityID: activityID,
		bookerKey: fmt.Sprintf("user:%d", p.UserID)}
	if err := s.book(ctx, tx, cal, v, b, nil); err != nil {
		return nil, err
	}
	return b, nil
}

// BookPublic books a room for a resident on the public page, known by name and phone.
func (s *Service) BookPublic(ctx context.Context, in BookingInput) (*Booking, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	name := strings.TrimSpace(in.Name)
	phone, err := pii.NormalizePhone(in.Phone)
	if name == "" || utf8.RuneCountInString(name) > 30 || err != nil {
		return nil, errs.Field("phone", "请填写姓名和正确的手机号码")
	}
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	var out *Booking
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		v, err := loadVenue(ctx, tx, in.VenueID)
		if err != nil || !v.Active {
			return errs.E(errs.NotFound, "场地不存在")
		}
		b := &Booking{VenueID: v.ID, RegionID: v.RegionID, StartsAt: in.StartsAt.UTC(), EndsAt: in.EndsAt.UTC(),
			BookerKind: BookerResident, BookerName: name, PhoneMasked: pii.MaskPhone(phone), Purpose: in.Purpose,
			Headcount: in.Headcount, bookerKey: "phone:" + s.sealer.Index(phone)}
		out = b
		return s.book(ctx, tx, cal, v, b, s.sealer.Seal(phone))
	})
	return out, err
}

// book checks the rules, writes the booking and claims its slots; a slot already held fails the
// whole transaction with a conflict.
func (s *Service) book(ctx context.Context, tx *db.Tx, cal *workday.Calendar, v *venueRow, b *Booking, phoneEnc []byte) error {
	if !v.Active {
		return errs.E(errs.Conflict, "%s已停用", v.Name)
	}
	if b.Headcount > v.Capacity {
		return errs.Field("headcount", fmt.Sprintf("使用人数超过%s的容纳人数（%d人）", v.Name, v.Capacity))
	}
	req := RuleRequest{Span: Span{b.StartsAt, b.EndsAt}, Kind: b.BookerKind, Now: s.now()}
	if b.BookerKind != BookerStaff {
		if err := bookerHistory(ctx, tx, v, b.bookerKey, &req); err != nil {
			return err
		}
	}
	if err := CheckRules(&v.Venue, cal, req); err != nil {
		return err
	}
	var err error
	b.Status = "approved"
	if v.Rules.NeedsApproval && b.BookerKind != BookerStaff {
		b.Status = "pending"
	}
	b.VenueName, b.CreatedAt = v.Name, s.now()
	var phoneIndex any
	if phoneEnc != nil {
		phoneIndex = strings.TrimPrefix(b.bookerKey, "phone:")
	}
	var createdBy any
	if p := auth.FromContext(ctx); p != nil {
		createdBy = p.UserID
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO venue_bookings (venue_id, region_id, starts_at, ends_at, booker_kind, booker_key,
		booker_name, org_name, phone_enc, phone_index, phone_masked, purpose, headcount, status, activity_id, created_by, created_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17) RETURNING id`,
		b.VenueID, b.RegionID, b.StartsAt, b.EndsAt, b.BookerKind, b.bookerKey, b.BookerName, b.OrgName, phoneEnc, phoneIndex,
		b.PhoneMasked, b.Purpose, b.Headcount, b.Status, nullable(b.ActivityID), createdBy, b.CreatedAt).Scan(&b.ID)
	if err != nil {
		return fmt.Errorf("insert booking: %w", err)
	}
	if err := claimSlots(ctx, tx, b); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Entry{Action: "venue.book", ObjectType: "venue_booking", ObjectID: b.ID,
		RegionID: b.RegionID, After: b})
}

// claimSlots writes one row per half hour of the booking; the primary key refuses a slot that
// another booking holds, even one committed a moment ago by a concurrent request.
func claimSlots(ctx context.Context, tx *db.Tx, b *Booking) error {
	for _, t := range slots(Span{b.StartsAt, b.EndsAt}) {
		_, err := tx.ExecContext(ctx, `INSERT INTO venue_slots (venue_id, slot_start, booking_id) VALUES ($1, $2, $3)`,
			b.VenueID, t, b.ID)
		if db.IsUnique(err) {
			return errs.E(errs.Conflict, "%s在 %s 已被预约，请选择其他时段", b.VenueName,
				t.In(clock.Shanghai()).Format("1月2日 15:04"))
		}
		if err != nil {
			return fmt.Errorf("claim slot: %w", err)
		}
	}
	return nil
}
