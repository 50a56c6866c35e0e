package activities

import (
	"testing"
	"time"

	"linli/internal/clock"
	"linli/internal/errs"
	"linli/internal/workday"
)

// at is a time on a date in Asia/Shanghai: at("2024-09-30 09:00").
func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, clock.Shanghai())
	if err != nil {
		t.Fatal(err)
	}
	return v.UTC()
}

func room(kind VenueKind, bookers ...BookerKind) *Venue {
	if len(bookers) == 0 {
		bookers = []BookerKind{BookerStaff, BookerUnit, BookerResident}
	}
	return &Venue{Name: "测试活动室", Kind: kind, Capacity: 30, Opens: "08:30", Closes: "17:30", OpenDays: "workdays",
		Bookers: bookers, Rules: DefaultRules(kind)}
}

// The clock of these cases is Thursday 2024-09-26 10:00: Saturday 28 is a day off, Sunday 29 a
// make-up working day (国庆节调休上班), 1–7 October the National Day holiday, Saturday 12 October a
// make-up working day — all from the real calendar data.
func TestCheckRules(t *testing.T) {
	cal := workday.SeedCalendar()
	now := at(t, "2024-09-26 10:00")
	type tc struct {
		name       string
		venue      *Venue
		kind       BookerKind
		start, end string
		held       []Span
		month      time.Duration
		noShows    []time.Time
		field      string // the field the refusal names; "" means allowed
		code       errs.Code
	}
	h := func(a, b string) Span { return Span{at(t, a), at(t, b)} }
	cases := []tc{
		{name: "a unit books a working Monday", venue: room(KindPractice), kind: BookerUnit, start: "2024-09-30 09:00", end: "2024-09-30 11:00"},
		{name: "tomorrow is one day ahead", venue: room(KindPractice), kind: BookerUnit, start: "2024-09-27 09:00", end: "2024-09-27 10:00"},
		{name: "today is too late for a unit", venue: room(KindPractice), kind: BookerUnit, start: "2024-09-26 15:00", end: "2024-09-26 16:00", field: "starts_at"},
		{name: "today is fine for staff", venue: room(KindPractice), kind: BookerStaff, start: "2024-09-26 15:00", end: "2024-09-26 16:00"},
		{name: "the party room wants two days", venue: room(KindPartyRoom), kind: BookerUnit, start: "2024-09-27 09:00", end: "2024-09-27 10:00", field: "starts_at"},
		{name: "the party room on the make-up Sunday, three days ahead", venue: room(KindPartyRoom), kind: BookerUnit, start: "2024-09-29 09:00", end: "2024-09-29 10:00"},
		{name: "an ordinary Saturday is closed", venue: room(KindPractice), kind: BookerUnit, start: "2024-09-28 09:00", end: "2024-09-28 10:00", field: "starts_at"},
		{name: "National Day is closed, even for staff", venue: room(KindPractice), kind: BookerStaff, start: "2024-10-01 09:00", end: "2024-10-01 10:00", field: "starts_at"},
		{name: "the make-up Saturday after National Day is open", venue: room(KindPractice), kind: BookerUnit, start: "2024-10-12 14:00", end: "2024-10-12 16:00"},
		{name: "a room open every day takes a holiday", venue: func() *Venue { v := room(KindLibrary); v.OpenDays = "all"; return v }(), kind: BookerResident, start: "2024-10-02 09:00", end: "2024-10-02 10:00"},
		{name: "exactly four hours", venue: room(KindPractice), kind: BookerUnit, start: "2024-09-30 09:00", end: "2024-09-30 13:00"},
		{name: "four and a half hours", venue: room(KindPractice), kind: BookerUnit, start: "2024-09-30 09:00", end: "2024-09-30 13:30", field: "ends_at"},
		{name: "staff may book a whole day", venue: room(KindPractice), kind: BookerStaff, start: "2024-09-30 08:30", end: "2024-09-30 17:30"},
		{name: "before opening", venue: room(KindPractice), kind: BookerUnit, start: "2024-09-30 08:00", end: "2024-09-30 09:00", field: "starts_at"},
		{name: "until closing", venue: room(KindPractice), kind: BookerUnit, start: "2024-09-30 16:30", end: "2024-09-30 17:30"},
		{name: "past closing", venue: room(KindPractice), kind: BookerUnit, start: "2024-09-30 17:00", end: "2024-09-30 18:00", field: "ends_at"},
		{name: "not on the half hour", venue: room(KindPractice), kind: BookerUnit, start: "2024-09-30 09:15", end: "2024-09-30 10:15", field: "starts_at"},
		{name: "end before start", venue: room(KindPractice), kind: BookerUnit, start: "2024-09-30 10:00", end: "2024-09-30 09:00", field: "ends_at"},
		{name: "in the past", venue: room(KindPractice), kind: BookerStaff, start: "2024-09-25 10:00", end: "2024-09-25 11:00", field: "starts_at"},
		{name: "second booking back to back", venue: room(KindPractice), kind: BookerUnit, start: "2024-09-30 10:00", end: "2024-09-30 11:00",
			held: []Span{h("2024-09-30 09:00", "2024-09-30 10:00")}},
		{name: "third booking back to back", venue: room(KindPractice), kind: BookerUnit, start: "2024-09-30 11:00", end: "2024-09-30 12:00",
			held: []Span{h("2024-09-30 09:00", "2024-09-30 10:00"), h("2024-09-30 10:00", "2024-09-30 11:00")}, field: "starts_at"},
		{name: "a gap breaks the chain", venue: room(KindPractice), kind: BookerUnit, start: "2024-09-30 11:30", end: "2024-09-30 12:00",
			held: []Span{h("2024-09-30 09:00", "2024-09-30 10:00"), h("2024-09-30 10:00", "2024-09-30 11:00")}},
		{name: "the month's twentieth hour", venue: room(KindPractice), kind: BookerUnit, start: "2024-09-30 09:00", end: "2024-09-30 11:00", month: 18 * time.Hour},
		{name: "past twenty hours a month", venue: room(KindPractice), kind: BookerUnit, start: "2024-09-30 09:00", end: "2024-09-30 11:30", month: 18 * time.Hour, field: "ends_at"},
		{name: "one no-show only warns", venue: room(KindPractice), kind: BookerResident, start: "2024-09-30 09:00", end: "2024-09-30 10:00",
			noShows: []time.Time{at(t, "2024-09-16 10:00")}},
		{name: "the second no-show suspends for thirty days", venue: room(KindPractice), kind: BookerResident, start: "2024-09-30 09:00", end: "2024-09-30 10:00",
			noShows: []time.Time{at(t, "2024-06-01 10:00"), at(t, "2024-09-16 10:00")}, code: errs.Forbidden},
		{name: "the suspension runs out", venue: room(KindPractice), kind: BookerResident, start: "2024-09-30 09:00", end: "2024-09-30 10:00",
			noShows: []time.Time{at(t, "2024-06-01 10:00"), at(t, "2024-08-20 10:00")}},
		{name: "a room not open to residents", venue: room(KindMediation, BookerStaff), kind: BookerResident, start: "2024-09-30 09:00", end: "2024-09-30 10:00", code: errs.Forbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckRules(c.venue, cal, RuleRequest{Span: Span{at(t, c.start), at(t, c.end)}, Kind: c.kind, Now: now,
				Held: c.held, MonthHeld: c.month, NoShows: c.noShows})
			switch {
			case c.field == "" && c.code == "":
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
			case c.code != "":
				if errs.CodeOf(err) != c.code {
					t.Fatalf("want %s, got %v", c.code, err)
				}
			default:
				if _, ok := errs.FieldsOf(err)[c.field]; !ok {
					t.Fatalf("want a message on %s, got %v", c.field, err)
				}
			}
		})
	}
}

func TestCheckHours(t *testing.T) {
	if err := CheckHours(120, 2*time.Hour); err != nil {
		t.Errorf("the whole activity refused: %v", err)
	}
	if err := CheckHours(121, 2*time.Hour); err == nil {
		t.Error("a minute more than the activity accepted")
	}
	if err := CheckHours(0, 2*time.Hour); err == nil {
		t.Error("no time accepted")
	}
}
