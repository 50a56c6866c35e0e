package demo

import (
	"fmt"
	"strings"
	"time"

	"linli/internal/activities"
	"linli/internal/clock"
	"linli/internal/db"
)

// booking writes a booking and, while it holds the room, its half-hour slots.
func (s *actSeeder) booking(room *demoRoom, start, end time.Time, kind, key, name, org, purpose string, headcount int,
	status string, activityID int64, created time.Time) (int64, error) {
	var act, decided any
	if activityID != 0 {
		act = activityID
	}
	if status != "approved" && status != "pending" {
		decided = end.UTC()
	}
	var id int64
	err := s.tx.QueryRowContext(s.ctx, `INSERT INTO venue_bookings (venue_id, region_id, starts_at, ends_at, booker_kind, booker_key,
		booker_name, org_name, purpose, headcount, status, activity_id, created_at, decided_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) RETURNING id`, room.id, s.community, start.UTC(), end.UTC(), kind, key,
		name, org, purpose, min(headcount, room.capacity), status, act, created.UTC(), decided).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("demo booking: %w", err)
	}
	if status == "cancelled" || status == "rejected" {
		return id, nil
	}
	for t := start; t.Before(end); t = t.Add(30 * time.Minute) {
		s.slotRows = append(s.slotRows, []any{room.id, t.UTC(), id})
	}
	return id, nil
}

// pick draws n different people for an activity of a focus tag: children (with a guardian) for
// the children's groups, the elderly for theirs, anyone otherwise.
func (s *actSeeder) pick(focus string, n int) []demoPerson {
	var pool []demoPerson
	switch focus {
	case "left_behind_child", "child_in_distress", "minor":
		pool = s.children
	case "elderly_alone", "empty_nest", "aged_80", "disabled_care":
		pool = s.elders
	default:
		pool = append(append([]demoPerson{}, s.adults[:min(len(s.adults), 400)]...), s.elders[:min(len(s.elders), 200)]...)
	}
	seen := map[int64]bool{}
	var out []demoPerson
	for tries := 0; len(out) < n && tries < 4*n; tries++ {
		p := pool[s.rng.IntN(len(pool))]
		if !seen[p.id] {
			seen[p.id] = true
			out = append(out, p)
		}
	}
	return out
}

// signUps writes n sign-ups: for a held activity (held set) most are checked in; for an upcoming
// one the places fill up to capacity and the rest wait.
func (s *actSeeder) signUps(activityID int64, focus string, n, capacity int, held time.Time) error {
	registered := 0
	for i, p := range s.pick(focus, n) {
		status := "registered"
		if capacity > 0 && registered >= capacity {
			status = "waitlisted"
		} else {
			registered++
		}
		index, masked, enc := p.index, p.masked, p.enc
		var guardian, relation string
		var consent any
		created := s.now.AddDate(0, 0, -1-i%5)
		if !held.IsZero() {
			created = held.AddDate(0, 0, -2)
		}
		if p.child {
			g := s.adults[s.rng.IntN(len(s.adults))]
			guardian, relation, consent = g.name, guardianRels[s.rng.IntN(len(guardianRels))], created.UTC()
			index, masked, enc = g.index, g.masked, g.enc
		}
		if index == "" {
			index = fmt.Sprintf("resident:%d", p.id)
		}
		var checked any
		if !held.IsZero() && s.rng.IntN(100) < 88 {
			checked = held.Add(time.Duration(s.rng.IntN(15)) * time.Minute).UTC()
		}
		s.regRows = append(s.regRows, []any{activityID, p.id, p.name, enc, index, masked, p.child, guardian, relation, consent,
			status, checked, nullID(s.staffID), created.UTC()})
	}
	_, err := s.tx.ExecContext(s.ctx, `UPDATE activities SET registered = $1 WHERE id = $2`, registered, activityID)
	return err
}

// volunteers gives an activity a volunteer post with two or three volunteers: approved hours (with
// their proof number) for a held activity, pending ones for the past week, sign-ups ahead.
func (s *actSeeder) volunteers(activityID int64, start, end time.Time) error {
	if s.rng.IntN(3) == 0 {
		return nil
	}
	var roleID int64
	n := 2 + s.rng.IntN(2)
	if err := s.tx.QueryRowContext(s.ctx, `INSERT INTO volunteer_roles (activity_id, title, slots, taken) VALUES ($1, '秩序维护与服务保障', 4, $2)
		RETURNING id`, activityID, n).Scan(&roleID); err != nil {
		return err
	}
	year := start.In(clock.Shanghai()).Year()
	for _, p := range s.pick("", n) {
		status, minutes := "signed", 0
		var in, out, decided, decider any
		if start.Before(s.now) {
			in, out = start.Add(-10*time.Minute).UTC(), end.UTC()
			minutes = int(end.Sub(start).Minutes())
			status = "approved"
			if s.now.Sub(start) < 7*24*time.Hour {
				status = "pending"
			} else {
				decided, decider = end.Add(24*time.Hour).UTC(), nullID(s.staffID)
			}
		}
		var id int64
		if err := s.tx.QueryRowContext(s.ctx, `INSERT INTO activity_volunteers (role_id, activity_id, region_id, name, phone_enc, phone_index,
			phone_masked, checked_in_at, checked_out_at, minutes, content, status, decided_by, decided_at, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,'秩序维护、引导服务',$11,$12,$13,$14) RETURNING id`, roleID, activityID, s.community,
			p.name, p.enc, p.index, p.masked, in, out, minutes, status, decider, decided, start.AddDate(0, 0, -3).UTC()).Scan(&id); err != nil {
			return fmt.Errorf("demo volunteer: %w", err)
		}
		if status == "approved" {
			if _, err := s.tx.ExecContext(s.ctx, `UPDATE activity_volunteers SET cert_no = $1 WHERE id = $2`,
				activities.CertNo(s.code, year, id), id); err != nil {
				return err
			}
		}
	}
	return nil
}

// bookings writes the year's bookings by units and residents: most used, a few cancelled, a few
// no-shows, and two party-room requests ahead waiting for approval.
func (s *actSeeder) bookings() error {
	loc := clock.Shanghai()
	var open []*demoRoom
	for _, r := range demoRooms {
		if strings.Contains(r.bookers, "unit") {
			open = append(open, r)
		}
	}
	d := s.now.In(loc).AddDate(-1, 0, 0)
	for i := 0; d.Before(s.now.In(loc).AddDate(0, 0, 20)); i++ {
		room := open[s.rng.IntN(len(open))]
		day := s.openDay(room, d)
		start := time.Date(day.Year(), day.Month(), day.Day(), 9+s.rng.IntN(7), 30*s.rng.IntN(2), 0, 0, loc)
		end := start.Add(time.Duration(1+s.rng.IntN(3)) * time.Hour)
		d = d.AddDate(0, 0, 1+s.rng.IntN(4))
		if end.Hour() > 17 || (end.Hour() == 17 && end.Minute() > 30) {
			continue
		}
		kind, key, name, org := "unit", "", "联络员", unitNames[s.rng.IntN(len(unitNames))]
		if strings.Contains(room.bookers, "resident") && s.rng.IntN(3) == 0 {
			p := s.adults[s.rng.IntN(len(s.adults))]
			kind, key, name, org = "resident", "phone:"+p.index, p.name, ""
		} else {
			key = "unit:" + org
		}
		status := "approved"
		switch {
		case start.After(s.now) && room.kind == activities.KindPartyRoom:
			status = "pending"
		case start.Before(s.now) && i%17 == 5:
			status = "no_show"
		case i%11 == 3:
			status = "cancelled"
		}
		if status != "cancelled" && !s.free(room, start, end) {
			continue
		}
		if _, err := s.booking(room, start, end, kind, key, name, org, bookingReasons[s.rng.IntN(len(bookingReasons))],
			5+s.rng.IntN(20), status, 0, start.AddDate(0, 0, -3)); err != nil {
			return err
		}
	}
	return nil
}

// flush writes the sign-ups (with their check-ins' participants rows) and booking slots gathered so far with multi-row INSERTs.
func (s *actSeeder) flush() error {
	if err := db.InsertRows(s.ctx, s.tx, "activity_registrations", []string{"activity_id", "resident_id", "name", "phone_enc",
		"phone_index", "phone_masked", "minor", "guardian_name", "guardian_relation", "consent_at", "status", "checked_in_at",
		"created_by", "created_at"}, nil, s.regRows); err != nil {
		return fmt.Errorf("demo sign-ups: %w", err)
	}
	if err := activities.RecordParticipants(s.ctx, s.tx, "1=1"); err != nil {
		return err
	}
	if err := db.InsertRows(s.ctx, s.tx, "venue_slots", []string{"venue_id", "slot_start", "booking_id"}, nil, s.slotRows); err != nil {
		return fmt.Errorf("demo slots: %w", err)
	}
	s.regRows, s.slotRows = nil, nil
	return nil
}
