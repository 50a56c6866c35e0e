package activities

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
	"linli/internal/pii"
)

func TestBookingsNeverOverlap(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, "2024-09-26 10:00")
		// Eight requests at once for overlapping stretches of one room: 09:00–11:00, 09:30–11:30 …
		const n = 8
		var wg sync.WaitGroup
		errsOut := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				start := at(t, "2024-09-30 09:00").Add(time.Duration(i%3) * 30 * time.Minute)
				_, errsOut[i] = w.svc.Book(w.f.Ctx("admin"), BookingInput{VenueID: w.station.ID, StartsAt: start,
					EndsAt: start.Add(2 * time.Hour), Purpose: fmt.Sprintf("会议%d", i), Headcount: 10})
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errsOut {
			switch {
			case err == nil:
				won++
			case errs.CodeOf(err) != errs.Conflict:
				t.Errorf("a losing request failed otherwise: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d of %d overlapping bookings were taken, want 1", won, n)
		}
		if got := w.count(`SELECT COUNT(*) FROM venue_bookings`); got != 1 {
			t.Errorf("%d booking rows written, want the winner's only", got)
		}
		if got := w.count(`SELECT COUNT(*) FROM venue_slots`); got != 4 {
			t.Errorf("%d slots held, want 4 half hours", got)
		}
	})
}

func TestBooking(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, "2024-09-26 10:00")
		ctx := w.f.Ctx("unit01")
		in := BookingInput{VenueID: w.station.ID, StartsAt: at(t, "2024-09-30 14:00"), EndsAt: at(t, "2024-09-30 16:00"),
			Purpose: "共建单位党员学习", Headcount: 20}
		t.Run("a unit books a room that is then shown as taken", func(t *testing.T) {
			b, err := w.svc.Book(ctx, in)
			w.must(err)
			if b.Status != "approved" || b.BookerKind != BookerUnit {
				t.Fatalf("booking %+v", b)
			}
			week, err := w.svc.Bookings(w.f.Ctx("admin"), w.station.ID, at(t, "2024-09-30 00:00"), at(t, "2024-10-07 00:00"))
			w.must(err)
			if len(week) != 1 || week[0].ID != b.ID {
				t.Fatalf("week view %+v", week)
			}
			_, err = w.svc.Book(w.f.Ctx("unit02"), BookingInput{VenueID: w.station.ID, StartsAt: at(t, "2024-09-30 15:30"),
				EndsAt: at(t, "2024-09-30 16:30"), Purpose: "座谈", Headcount: 5})
			if errs.CodeOf(err) != errs.Conflict {
				t.Fatalf("a clashing booking: %v", err)
			}
		})
		t.Run("a cancelled booking frees its slots", func(t *testing.T) {
			week, _ := w.svc.Bookings(ctx, w.station.ID, at(t, "2024-09-30 00:00"), at(t, "2024-10-01 00:00"))
			_, err := w.svc.CancelBooking(ctx, week[0].ID, "")
			w.must(err)
			_, err = w.svc.Book(w.f.Ctx("unit02"), BookingInput{VenueID: w.station.ID, StartsAt: at(t, "2024-09-30 15:30"),
				EndsAt: at(t, "2024-09-30 16:30"), Purpose: "座谈", Headcount: 5})
			w.must(err)
		})
		t.Run("commercial use and too many people are refused with nothing written", func(t *testing.T) {
			before := w.count(`SELECT COUNT(*) FROM venue_bookings`)
			bad := in
			bad.StartsAt, bad.EndsAt, bad.Commercial = at(t, "2024-10-08 09:00"), at(t, "2024-10-08 10:00"), true
			if _, err := w.svc.Book(ctx, bad); errs.FieldsOf(err)["commercial"] == "" {
				t.Errorf("commercial use: %v", err)
			}
			bad.Commercial, bad.Headcount = false, 41
			if _, err := w.svc.Book(ctx, bad); errs.FieldsOf(err)["headcount"] == "" {
				t.Errorf("41 people in a room for 40: %v", err)
			}
			if got := w.count(`SELECT COUNT(*) FROM venue_bookings`); got != before {
				t.Errorf("refused bookings wrote rows: %d → %d", before, got)
			}
		})
		t.Run("the party room waits for approval", func(t *testing.T) {
			b, err := w.svc.Book(ctx, BookingInput{VenueID: w.party.ID, StartsAt: at(t, "2024-09-30 09:00"),
				EndsAt: at(t, "2024-09-30 10:00"), Purpose: "支部共建", Headcount: 10})
			w.must(err)
			if b.Status != "pending" {
				t.Fatalf("status %s", b.Status)
			}
			if _, err := w.svc.DecideBooking(ctx, b.ID, true, ""); errs.CodeOf(err) != errs.Forbidden {
				t.Errorf("the unit approves its own booking: %v", err)
			}
			b, err = w.svc.DecideBooking(w.f.Ctx("admin"), b.ID, true, "")
			w.must(err)
			if b.Status != "approved" {
				t.Errorf("status %s", b.Status)
			}
		})
		t.Run("another community's room is not found", func(t *testing.T) {
			if _, err := w.svc.Book(ctx, BookingInput{VenueID: w.otherRm.ID, StartsAt: at(t, "2024-09-30 09:00"),
				EndsAt: at(t, "2024-09-30 10:00"), Purpose: "x", Headcount: 1}); errs.CodeOf(err) != errs.NotFound {
				t.Errorf("booking 北关's room: %v", err)
			}
			if _, err := w.svc.Venue(w.f.Ctx("admin"), w.otherRm.ID); errs.CodeOf(err) != errs.NotFound {
				t.Errorf("reading 北关's room: %v", err)
			}
			if _, err := w.svc.Venue(w.f.Ctx("worker01"), w.station.ID); err != nil {
				t.Errorf("a grid worker reads the community's room: %v", err)
			}
		})
	})
}

func TestNoShowWarnsThenSuspends(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, "2024-09-02 10:00")
		book := func(day string) *Booking {
			b, err := w.svc.BookPublic(t.Context(), BookingInput{VenueID: w.station.ID, StartsAt: at(t, day+" 09:00"),
				EndsAt: at(t, day+" 10:00"), Purpose: "兴趣小组", Headcount: 6, Name: "赵敏", Phone: "13912345678"})
			w.must(err)
			return b
		}
		first, second := book("2024-09-04"), book("2024-09-05")
		w.setNow("2024-09-04 11:00")
		res, err := w.svc.MarkNoShow(w.f.Ctx("admin"), first.ID)
		w.must(err)
		if res.Suspended || res.NoShows != 1 {
			t.Fatalf("first no-show: %+v", res)
		}
		w.setNow("2024-09-05 11:00")
		res, err = w.svc.MarkNoShow(w.f.Ctx("admin"), second.ID)
		w.must(err)
		if !res.Suspended || res.SuspendUntil == nil {
			t.Fatalf("second no-show: %+v", res)
		}
		_, err = w.svc.BookPublic(t.Context(), BookingInput{VenueID: w.station.ID, StartsAt: at(t, "2024-09-10 09:00"),
			EndsAt: at(t, "2024-09-10 10:00"), Purpose: "兴趣小组", Headcount: 6, Name: "赵敏", Phone: "139 1234 5678"})
		if errs.CodeOf(err) != errs.Forbidden {
			t.Errorf("a suspended resident books again: %v", err)
		}
	})
}

func TestSignUp(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, "2024-10-08 10:00")
		a := w.activity(ActivityInput{StartsAt: at(t, "2024-10-11 09:00"), EndsAt: at(t, "2024-10-11 11:00"), Capacity: 2,
			VenueID: w.station.ID, Volunteers: []RoleInput{{Title: "秩序维护", Slots: 2}}})
		sign := func(name, phone string) *Registration {
			r, err := w.svc.SignUpPublic(t.Context(), SignUpInput{ActivityID: a.ID, Name: name, Phone: phone})
			w.must(err)
			return r
		}
		r1, _, r3 := sign("甲", "13900000001"), sign("乙", "13900000002"), sign("丙", "13900000003")
		t.Run("past capacity the sign-up goes to the waitlist", func(t *testing.T) {
			if r1.Status != "registered" || r3.Status != "waitlisted" {
				t.Fatalf("statuses %s, %s", r1.Status, r3.Status)
			}
		})
		t.Run("a cancellation moves the waitlist up", func(t *testing.T) {
			w.must(w.svc.CancelRegistration(w.f.Ctx("admin"), a.ID, r1.ID))
			regs, err := w.svc.Registrations(w.f.Ctx("admin"), a.ID)
			w.must(err)
			for _, r := range regs {
				if r.Name == "丙" && r.Status != "registered" {
					t.Errorf("丙 is %s after 甲 cancelled", r.Status)
				}
			}
			got, _ := w.svc.Activity(w.f.Ctx("admin"), a.ID)
			if got.Registered != 2 || got.Waitlisted != 0 {
				t.Errorf("places %d, waitlist %d", got.Registered, got.Waitlisted)
			}
		})
		t.Run("the same person signs up once", func(t *testing.T) {
			if _, err := w.svc.SignUpPublic(t.Context(), SignUpInput{ActivityID: a.ID, Name: "乙", Phone: "13900000002"}); errs.CodeOf(err) != errs.Conflict {
				t.Errorf("second sign-up: %v", err)
			}
		})
		t.Run("a minor needs the guardian's consent, and nothing is written without it", func(t *testing.T) {
			before := w.count(`SELECT COUNT(*) FROM activity_registrations`)
			_, err := w.svc.SignUpPublic(t.Context(), SignUpInput{ActivityID: a.ID, Name: "小红", Phone: "13900000009", Minor: true,
				GuardianName: "李梅", GuardianRelation: "母亲"})
			if errs.FieldsOf(err)["consent"] == "" {
				t.Fatalf("without consent: %v", err)
			}
			if got := w.count(`SELECT COUNT(*) FROM activity_registrations`); got != before {
				t.Errorf("a refused sign-up wrote a row")
			}
			r, err := w.svc.SignUpPublic(t.Context(), SignUpInput{ActivityID: a.ID, Name: "小红", Phone: "13900000009", Minor: true,
				GuardianName: "李梅", GuardianRelation: "母亲", Consent: true})
			w.must(err)
			if r.ConsentAt == nil || r.GuardianName != "李梅" {
				t.Errorf("consent not recorded: %+v", r)
			}
		})
		t.Run("staff sign up a child from the register only with consent", func(t *testing.T) {
			_, err := w.svc.SignUp(w.f.Ctx("admin"), SignUpInput{ActivityID: a.ID, ResidentID: w.child})
			if errs.FieldsOf(err)["consent"] == "" {
				t.Fatalf("a minor from the register without consent: %v", err)
			}
			if _, err := w.svc.SignUp(w.f.Ctx("worker01"), SignUpInput{ActivityID: a.ID, ResidentID: w.child, Consent: true,
				GuardianName: "王大海", GuardianRelation: "父亲"}); errs.FieldsOf(err)["resident_id"] == "" {
				t.Errorf("a grid worker of another grid, without the minors permission, signs up the child: %v", err)
			}
		})
		t.Run("a grid worker without the minors permission sees a child's name masked", func(t *testing.T) {
			regs, err := w.svc.Registrations(w.f.Ctx("worker01"), a.ID)
			w.must(err)
			for _, r := range regs {
				if r.Minor && (r.Name != "小**" || r.GuardianName != "") {
					t.Errorf("minor shown as %q / %q", r.Name, r.GuardianName)
				}
			}
		})
		t.Run("check-in only on the activity's day", func(t *testing.T) {
			tok, err := w.svc.CheckinToken(w.f.Ctx("admin"), a.ID)
			w.must(err)
			if _, err := w.svc.DoorCheckIn(t.Context(), tok, SignUpInput{Phone: "13900000002"}); errs.CodeOf(err) != errs.Conflict {
				t.Errorf("check-in three days early: %v", err)
			}
			w.setNow("2024-10-11 08:50")
			got, err := w.svc.DoorCheckIn(t.Context(), tok, SignUpInput{Phone: "13900000002"})
			w.must(err)
			if len(got) != 1 || got[0].Name != "乙" {
				t.Errorf("checked in %+v", got)
			}
			walk, err := w.svc.DoorCheckIn(t.Context(), tok, SignUpInput{Phone: "13900000077", Name: "路人丁"})
			w.must(err)
			if len(walk) != 1 || walk[0].CheckedInAt == nil {
				t.Errorf("walk-in %+v", walk)
			}
		})
	})
}

func TestSignUpsUnderConcurrencyKeepCapacity(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, "2024-10-08 10:00")
		a := w.activity(ActivityInput{StartsAt: at(t, "2024-10-11 09:00"), EndsAt: at(t, "2024-10-11 11:00"), Capacity: 3})
		var wg sync.WaitGroup
		for i := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := w.svc.SignUpPublic(t.Context(), SignUpInput{ActivityID: a.ID, Name: fmt.Sprintf("居民%d", i),
					Phone: fmt.Sprintf("1390000%04d", i)})
				if err != nil {
					t.Errorf("sign-up %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		if got := w.count(`SELECT COUNT(*) FROM activity_registrations WHERE status = 'registered'`); got != 3 {
			t.Errorf("%d places taken of 3", got)
		}
		if got := w.count(`SELECT COUNT(*) FROM activity_registrations WHERE status = 'waitlisted'`); got != 7 {
			t.Errorf("%d on the waitlist, want 7", got)
		}
	})
}

func TestVolunteerHours(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, "2024-10-08 10:00")
		a := w.activity(ActivityInput{StartsAt: at(t, "2024-10-11 09:00"), EndsAt: at(t, "2024-10-11 11:00"),
			Volunteers: []RoleInput{{Title: "助老服务", Slots: 1}}})
		roles, err := w.svc.VolunteerRoles(t.Context(), a.ID)
		w.must(err)
		v, err := w.svc.VolunteerSignUp(t.Context(), VolunteerInput{RoleID: roles[0].ID, Name: "刘洋", Phone: "13700001234",
			IDNumber: "62070219900101123" + string(pii.IDCheckDigit("62070219900101123"))})
		w.must(err)
		if v.IDMasked == "" || v.PhoneMasked != "137****1234" {
			t.Errorf("numbers kept as %q, %q", v.IDMasked, v.PhoneMasked)
		}
		if _, err := w.svc.VolunteerSignUp(t.Context(), VolunteerInput{RoleID: roles[0].ID, Name: "陈晨", Phone: "13700005678"}); errs.CodeOf(err) != errs.Conflict {
			t.Errorf("a second volunteer for one place: %v", err)
		}
		w.setNow("2024-10-11 12:00")
		t.Run("hours beyond the activity's duration are refused", func(t *testing.T) {
			if _, err := w.svc.RecordHours(w.f.Ctx("admin"), v.ID, HoursInput{Minutes: 150}); errs.FieldsOf(err)["minutes"] == "" {
				t.Errorf("150 minutes of a two-hour activity: %v", err)
			}
		})
		t.Run("approved hours give a proof with a number", func(t *testing.T) {
			_, err := w.svc.RecordHours(w.f.Ctx("admin"), v.ID, HoursInput{Minutes: 120, Content: "陪伴老人包饺子"})
			w.must(err)
			if _, err := w.svc.Proof(w.f.Ctx("admin"), v.ID); errs.CodeOf(err) != errs.Conflict {
				t.Errorf("a proof before approval: %v", err)
			}
			if _, err := w.svc.DecideHours(w.f.Ctx("other"), v.ID, true); errs.CodeOf(err) != errs.NotFound {
				t.Errorf("北关's admin approves 南关's hours: %v", err)
			}
			_, err = w.svc.DecideHours(w.f.Ctx("admin"), v.ID, true)
			w.must(err)
			p, err := w.svc.Proof(w.f.Ctx("admin"), v.ID)
			w.must(err)
			if p.Volunteer.CertNo == "" || p.Volunteer.Minutes != 120 || p.Issuer != "南关社区居民委员会" {
				t.Errorf("proof %+v", p)
			}
		})
		t.Run("the export for the national system has full numbers only when asked for with a reason", func(t *testing.T) {
			id := "62070219900101123" + string(pii.IDCheckDigit("62070219900101123"))
			cells := func(b []byte) string {
				x, err := excelize.OpenReader(bytes.NewReader(b))
				w.must(err)
				defer x.Close()
				rows, err := x.GetRows("志愿服务时长")
				w.must(err)
				if len(rows) != 2 {
					t.Fatalf("%d rows, want the header and 刘洋", len(rows))
				}
				return strings.Join(rows[1], "|")
			}
			export := func(req HoursExport) ([]byte, int, error) {
				var buf bytes.Buffer
				n, err := w.svc.ExportHoursXLSX(w.f.Ctx("admin"), req, &buf)
				return buf.Bytes(), n, err
			}
			f := VolunteerFilter{From: "2024-10-01", To: "2024-10-31"}
			b, n, err := export(HoursExport{Filter: f})
			w.must(err)
			if row := cells(b); n != 1 || strings.Contains(row, id) || !strings.Contains(row, "137****1234") {
				t.Errorf("masked export row %q", row)
			}
			before := w.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'pii.export'`)
			if _, _, err := export(HoursExport{Filter: f, Unmask: true, Reason: " "}); errs.FieldsOf(err)["reason"] == "" {
				t.Errorf("full numbers without a reason: %v", err)
			}
			b, _, err = export(HoursExport{Filter: f, Unmask: true, Reason: "录入全国志愿服务信息系统"})
			w.must(err)
			if row := cells(b); !strings.Contains(row, id) || !strings.Contains(row, "13700001234") || !strings.Contains(row, "2") {
				t.Errorf("full export row %q", row)
			}
			if got := w.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'pii.export' AND detail LIKE '%录入全国志愿服务信息系统%'`); got != before+1 {
				t.Errorf("full export audited %d times", got-before)
			}
		})
	})
}

func TestScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, "2024-10-08 10:00")
		a := w.activity(ActivityInput{StartsAt: at(t, "2024-10-11 09:00"), EndsAt: at(t, "2024-10-11 11:00")})
		if _, err := w.svc.Activity(w.f.Ctx("other"), a.ID); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("北关's admin reads 南关's activity: %v", err)
		}
		if _, err := w.svc.Activity(w.f.Ctx("worker02"), a.ID); err != nil {
			t.Errorf("a grid worker reads the community's activity: %v", err)
		}
		if _, err := w.svc.CheckinToken(w.f.Ctx("worker02"), a.ID); errs.CodeOf(err) != errs.Forbidden {
			t.Errorf("a grid worker runs the check-in: %v", err)
		}
		list, total, err := w.svc.ListActivities(w.f.Ctx("street"), Filter{})
		w.must(err)
		if total != 1 || len(list) != 1 {
			t.Errorf("the street sees %d activities", total)
		}
		private := w.activity(ActivityInput{Title: "支委会", StartsAt: at(t, "2024-10-12 09:00"), EndsAt: at(t, "2024-10-12 10:00")})
		w.must(w.d.InTx(t.Context(), func(tx *db.Tx) error {
			_, err := tx.ExecContext(t.Context(), `UPDATE activities SET public = FALSE WHERE id = $1`, private.ID)
			return err
		}))
		pub, _, err := w.svc.PublicActivities(t.Context(), Filter{Upcoming: true})
		w.must(err)
		if len(pub) != 1 || pub[0].ID != a.ID {
			t.Errorf("public list %+v", pub)
		}
		if _, err := w.svc.PublicActivity(t.Context(), private.ID); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("a non-public activity on the public page: %v", err)
		}
	})
}

func TestVolunteerHoursCreditedToInServiceMembers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, "2024-10-08 10:00")
		ctx := t.Context()
		var org, member int64
		w.must(w.d.InTx(ctx, func(tx *db.Tx) error {
			now := time.Now().UTC()
			if err := tx.QueryRowContext(ctx, `INSERT INTO party_orgs (region_id, kind, name, created_at, updated_at)
				VALUES ($1, 'committee', '南关社区党委', $2, $2) RETURNING id`, w.f.Community.ID, now).Scan(&org); err != nil {
				return err
			}
			return tx.QueryRowContext(ctx, `INSERT INTO party_members (region_id, org_id, name, phone_enc, phone_index, phone_masked,
				kind, employment, workplace, created_at, updated_at) VALUES ($1, $2, '赵明', $3, $4, '139****0001', 'in_service',
				'employed', '区供电公司', $5, $5) RETURNING id`, w.f.Community.ID, org, w.f.Sealer.Seal("13900000001"),
				w.f.Sealer.Index("13900000001"), now).Scan(&member)
		}))
		a := w.activity(ActivityInput{StartsAt: at(t, "2024-10-11 09:00"), EndsAt: at(t, "2024-10-11 11:00"),
			Volunteers: []RoleInput{{Title: "秩序维护", Slots: 3}}})
		roles, err := w.svc.VolunteerRoles(ctx, a.ID)
		w.must(err)
		mem, err := w.svc.VolunteerSignUp(ctx, VolunteerInput{RoleID: roles[0].ID, Name: "赵明", Phone: "13900000001"})
		w.must(err)
		res, err := w.svc.VolunteerSignUp(ctx, VolunteerInput{RoleID: roles[0].ID, Name: "居民志愿者", Phone: "13900000002"})
		w.must(err)
		w.setNow("2024-10-11 12:00")
		for _, v := range []*Volunteer{mem, res} {
			_, err := w.svc.RecordHours(w.f.Ctx("admin"), v.ID, HoursInput{Minutes: 90, Content: "维护秩序"})
			w.must(err)
		}
		t.Run("pending hours are not credited", func(t *testing.T) {
			if n := w.count(`SELECT COUNT(*) FROM service_hours`); n != 0 {
				t.Fatalf("%d service hours before approval", n)
			}
		})
		t.Run("the member's approved hours count in their service hours", func(t *testing.T) {
			got, err := w.svc.DecideHours(w.f.Ctx("admin"), mem.ID, true)
			w.must(err)
			if !got.CreditedMember {
				t.Error("the approval does not say the hours were credited")
			}
			var mins int
			var status, served string
			w.must(w.d.R.QueryRowContext(ctx, `SELECT minutes, status, served_on FROM service_hours WHERE member_id = $1`, member).
				Scan(&mins, &status, &served))
			if mins != 90 || status != "approved" || served != "2024-10-11" {
				t.Errorf("credited %d minutes, %s, on %s", mins, status, served)
			}
		})
		t.Run("a resident who is no member keeps the hours with the activity only", func(t *testing.T) {
			got, err := w.svc.DecideHours(w.f.Ctx("admin"), res.ID, true)
			w.must(err)
			if got.CreditedMember || w.count(`SELECT COUNT(*) FROM service_hours`) != 1 {
				t.Error("a resident's hours were credited to a member")
			}
		})
	})
}

func TestWaitlistMovesUpUnderConcurrentCancellations(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, "2024-10-08 10:00")
		a := w.activity(ActivityInput{StartsAt: at(t, "2024-10-11 09:00"), EndsAt: at(t, "2024-10-11 11:00"), Capacity: 3})
		var held []int64
		for i := range 7 { // three places, four waiting
			r, err := w.svc.SignUpPublic(t.Context(), SignUpInput{ActivityID: a.ID, Name: fmt.Sprintf("居民%d", i), Phone: fmt.Sprintf("1390000%04d", i)})
			w.must(err)
			if i < 3 {
				held = append(held, r.ID)
			}
		}
		// Each place is cancelled twice at once, while two more people sign up.
		var wg sync.WaitGroup
		var mu sync.Mutex
		cancelled := 0
		for i := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := w.svc.CancelRegistration(w.f.Ctx("admin"), a.ID, held[i%3])
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					cancelled++
				case errs.CodeOf(err) != errs.Conflict:
					t.Errorf("cancel %d: %v", held[i%3], err)
				}
			}()
		}
		for i := 7; i < 9; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := w.svc.SignUpPublic(t.Context(), SignUpInput{ActivityID: a.ID, Name: fmt.Sprintf("居民%d", i),
					Phone: fmt.Sprintf("1390000%04d", i)}); err != nil {
					t.Errorf("sign-up %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		if cancelled != 3 {
			t.Errorf("%d cancellations went through for 3 places", cancelled)
		}
		registered := w.count(`SELECT COUNT(*) FROM activity_registrations WHERE activity_id = $1 AND status = 'registered'`, a.ID)
		stored := w.count(`SELECT registered FROM activities WHERE id = $1`, a.ID)
		waiting := w.count(`SELECT COUNT(*) FROM activity_registrations WHERE activity_id = $1 AND status = 'waitlisted'`, a.ID)
		if registered != 3 || stored != 3 || waiting != 3 {
			t.Errorf("%d in places (activity says %d), %d waiting; want 3, 3, 3", registered, stored, waiting)
		}
		// The first three who waited moved up, in the order they signed up.
		for i := 3; i < 6; i++ {
			if got := w.count(`SELECT COUNT(*) FROM activity_registrations WHERE activity_id = $1 AND name = $2 AND status = 'registered'`,
				a.ID, fmt.Sprintf("居民%d", i)); got != 1 {
				t.Errorf("居民%d did not move up", i)
			}
		}
	})
}

// The hours list pages like the other lists, the pages together hold every record once, and the
// export writes all of them (read in chunks from the last one written), the figures' hours their sum.
func TestVolunteerHoursListPagesAndExportsEveryRecord(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, "2024-10-08 10:00")
		ctx := w.f.Ctx("admin")
		var ids []int64
		for _, day := range []string{"2024-10-11", "2024-10-14"} {
			a := w.activity(ActivityInput{StartsAt: at(t, day+" 09:00"), EndsAt: at(t, day+" 11:00"),
				Volunteers: []RoleInput{{Title: "助老服务", Slots: 4}}})
			roles, err := w.svc.VolunteerRoles(t.Context(), a.ID)
			w.must(err)
			for i := 0; i < 4; i++ {
				v, err := w.svc.VolunteerSignUp(t.Context(), VolunteerInput{RoleID: roles[0].ID, Name: fmt.Sprintf("志愿者%s-%d", day, i),
					Phone: fmt.Sprintf("13700%s000%d", day[8:], i)})
				w.must(err)
				ids = append(ids, v.ID)
			}
		}
		w.setNow("2024-10-15 12:00")
		for _, id := range ids[:7] { // the last one's hours never approved
			_, err := w.svc.RecordHours(ctx, id, HoursInput{Minutes: 60, Content: "陪伴老人"})
			w.must(err)
			_, err = w.svc.DecideHours(ctx, id, true)
			w.must(err)
		}
		f := VolunteerFilter{Status: "approved", From: "2024-10-01", To: "2024-10-31", Held: true, Limit: 3}
		seen := map[int64]bool{}
		minutes := 0
		for page := 0; page < 3; page++ {
			f.Offset = page * 3
			items, total, err := w.svc.Volunteers(ctx, f)
			w.must(err)
			if total != 7 || len(items) != min(3, 7-page*3) {
				t.Fatalf("page %d: %d items of %d", page+1, len(items), total)
			}
			for _, v := range items {
				if seen[v.ID] {
					t.Errorf("record %d on two pages", v.ID)
				}
				seen[v.ID] = true
				minutes += v.Minutes
			}
		}
		fig, err := w.svc.Figures(ctx, FigureFilter{From: "2024-10-01", To: "2024-10-31"})
		w.must(err)
		if fig.VolunteerHours != 7 || float64(minutes)/60 != fig.VolunteerHours {
			t.Errorf("figures %v hours, the list %d minutes", fig.VolunteerHours, minutes)
		}
		defer func(n int) { hoursExportChunk = n }(hoursExportChunk)
		hoursExportChunk = 2
		var buf bytes.Buffer
		n, err := w.svc.ExportHoursXLSX(ctx, HoursExport{Filter: VolunteerFilter{From: "2024-10-01", To: "2024-10-31"}}, &buf)
		w.must(err)
		x, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
		w.must(err)
		defer x.Close()
		rows, err := x.GetRows("志愿服务时长")
		w.must(err)
		names := map[string]bool{}
		for _, r := range rows[1:] {
			names[r[0]] = true
		}
		if n != 7 || len(rows) != 8 || len(names) != 7 {
			t.Errorf("export: %d written, %d rows, %d names; want the 7 approved", n, len(rows)-1, len(names))
		}
	})
}
