package deliberation_test

import (
	"context"
	"fmt"
	"regexp"
	"sync"
	"testing"
	"time"

	"linli/internal/activities"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/deliberation"
	"linli/internal/fixture"
	"linli/internal/register"
)

// world is the fixture community with the 居民议事厅 room, two buildings of grid 01 (1号楼 with
// households a1..a4, 2号楼 with b1) and one of grid 02 (c1), one resident per household with a
// phone, and a clock the test moves.
type world struct {
	t     *testing.T
	d     *db.DB
	f     *fixture.Community
	svc   *deliberation.Service
	rooms *activities.Service
	mu    sync.Mutex
	clock time.Time
	hall  *activities.Venue
	b1    int64
	hh    map[string]int64 // household by name
	who   map[string]deliberation.ResidentInput
	sms   *fakeSMS
}

// fakeSMS keeps the last text sent to each phone.
type fakeSMS struct {
	mu   sync.Mutex
	last map[string]string
}

func (f *fakeSMS) SendText(_ context.Context, phone, text string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.last == nil {
		f.last = map[string]string{}
	}
	f.last[phone] = text
	return nil
}

func (f *fakeSMS) code(phone string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return regexp.MustCompile(`\d{6}`).FindString(f.last[phone])
}

// verify asks for a code for the resident and verifies it, returning them with their token.
func (w *world) verify(in deliberation.ResidentInput) deliberation.ResidentInput {
	w.t.Helper()
	if _, err := w.svc.SendCode(context.Background(), in); err != nil {
		w.t.Fatalf("send code to %s: %v", in.Name, err)
	}
	tok, err := w.svc.Verify(context.Background(), in, w.sms.code(in.Phone))
	if err != nil {
		w.t.Fatalf("verify %s: %v", in.Name, err)
	}
	in.Token = tok
	return in
}

func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, clock.Shanghai())
	if err != nil {
		t.Fatal(err)
	}
	return v.UTC()
}

func newWorld(t *testing.T, d *db.DB) *world {
	t.Helper()
	f := fixture.New(t, d)
	w := &world{t: t, d: d, f: f, clock: at(t, "2026-06-15 10:00"), hh: map[string]int64{}, who: map[string]deliberation.ResidentInput{}}
	now := func() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return w.clock }
	w.rooms = activities.NewService(d, f.Sealer, activities.Options{Now: now})
	w.sms = &fakeSMS{}
	w.svc = deliberation.NewService(d, f.Sealer, w.rooms, deliberation.Options{Now: now, SMS: w.sms})
	var err error
	w.hall, err = w.rooms.CreateVenue(f.Ctx("admin"), activities.VenueInput{Name: "居民议事厅", Kind: activities.KindDeliberation, Capacity: 50})
	w.must(err)
	w.b1 = f.AddBuilding(t, f.Grids[0], "1号楼", 100.451, 38.931)
	b2 := f.AddBuilding(t, f.Grids[0], "2号楼", 100.452, 38.931)
	b3 := f.AddBuilding(t, f.Grids[1], "3号楼", 100.461, 38.931)
	add := func(name string, b int64, room string, i int) {
		h := f.AddHousehold(t, b, "1", room)
		rname := "居民" + name
		phone := fmt.Sprintf("1380000%04d", i)
		f.AddResident(t, register.ResidentInput{HouseholdID: h, Name: rname, Phone: phone, BirthDate: "1970-01-01", Relation: "户主"})
		w.hh[name], w.who[name] = h, w.verify(deliberation.ResidentInput{Name: rname, Phone: phone})
	}
	for i, n := range []string{"a1", "a2", "a3", "a4"} {
		add(n, w.b1, fmt.Sprintf("10%d", i+1), i+1)
	}
	add("b1", b2, "101", 11)
	add("c1", b3, "101", 21)
	return w
}

func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) setNow(s string) {
	w.t.Helper()
	c := at(w.t, s)
	w.mu.Lock()
	w.clock = c
	w.mu.Unlock()
}

func (w *world) ctx(user string) context.Context { return w.f.Ctx(user) }

func (w *world) count(q string, a ...any) int {
	w.t.Helper()
	var n int
	if err := w.d.R.QueryRowContext(context.Background(), q, a...).Scan(&n); err != nil {
		w.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// topic is a topic of grid 01 raised by staff, with the given threshold.
func (w *world) topic(threshold int) *deliberation.Topic {
	w.t.Helper()
	tp, err := w.svc.CreateTopic(w.ctx("grid01"), deliberation.TopicInput{Title: "一号院停车位划线",
		Description: "院内车辆乱停，消防通道被占，建议统一划线并分配车位。", RegionID: w.f.Grids[0].ID, Source: deliberation.SrcGrid,
		Threshold: threshold})
	w.must(err)
	return tp
}

// meetingFor accepts the topic and schedules a residents' meeting on 2026-06-17 14:00 with a1..a4
// and b1 invited as entitled representatives of their households.
func (w *world) meetingFor(tp *deliberation.Topic) *deliberation.Meeting {
	w.t.Helper()
	admin := w.ctx("admin")
	if tp.State == deliberation.Proposed || tp.State == deliberation.Queued {
		_, err := w.svc.Act(admin, tp.ID, deliberation.ActAccept, deliberation.ReviewInput{Owner: "第一网格", Plan: "征求意见后提交议事会"})
		w.must(err)
	}
	m, err := w.svc.CreateMeeting(admin, deliberation.MeetingInput{Title: "六月居民代表议事会", Body: deliberation.BodyRepresentatives,
		VenueID: w.hall.ID, StartsAt: at(w.t, "2026-06-17 14:00"), EndsAt: at(w.t, "2026-06-17 16:00"), Topics: []int64{tp.ID}})
	w.must(err)
	for _, n := range []string{"a1", "a2", "a3", "a4", "b1"} {
		_, err := w.svc.Invite(admin, m.ID, deliberation.ParticipantInput{Kind: "representative", Name: "代表" + n, HouseholdID: w.hh[n], Entitled: true})
		w.must(err)
	}
	return m
}
