package activities

import (
	"context"
	"sync"
	"testing"
	"time"

	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/fixture"
	"linli/internal/register"
)

// world is the fixture community with two rooms of 南关 (a practice station open to all, a party
// room that needs approval), a room of 北关, a unit contact, and a clock the test moves.
type world struct {
	t         *testing.T
	d         *db.DB
	f         *fixture.Community
	svc       *Service
	mu        sync.Mutex
	clock     time.Time
	station   *Venue
	party     *Venue
	otherRm   *Venue
	elder     int64 // 独居老人 in grid 01
	child     int64 // a left-behind child in grid 02
	household int64
}

func newWorld(t *testing.T, d *db.DB, now string) *world {
	t.Helper()
	f := fixture.New(t, d)
	f.AddUser(t, "unit01", auth.UnitContact, f.Community)
	f.AddUser(t, "unit02", auth.UnitContact, f.Community)
	w := &world{t: t, d: d, f: f, clock: at(t, now)}
	w.svc = NewService(d, f.Sealer, Options{Now: func() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return w.clock }})
	var err error
	w.station, err = w.svc.CreateVenue(f.Ctx("admin"), VenueInput{Name: "新时代文明实践站", Kind: KindPractice, Capacity: 40})
	w.must(err)
	w.party, err = w.svc.CreateVenue(f.Ctx("admin"), VenueInput{Name: "党群活动室", Kind: KindPartyRoom, Capacity: 30})
	w.must(err)
	w.otherRm, err = w.svc.CreateVenue(f.Ctx("other"), VenueInput{Name: "北关图书室", Kind: KindLibrary, Capacity: 20})
	w.must(err)
	b1 := f.AddBuilding(t, f.Grids[0], "1号楼", 100.451, 38.931)
	b2 := f.AddBuilding(t, f.Grids[1], "2号楼", 100.461, 38.931)
	w.household = f.AddHousehold(t, b1, "1", "101")
	w.elder = f.AddResident(t, register.ResidentInput{HouseholdID: w.household, Name: "张桂兰", Phone: "13800001111",
		BirthDate: "1950-02-03", Relation: "户主", Tags: []string{"elderly_alone"}})
	w.child = f.AddResident(t, register.ResidentInput{HouseholdID: f.AddHousehold(t, b2, "1", "101"), Name: "王小明",
		BirthDate: "2015-06-01", Relation: "户主", Tags: []string{"left_behind_child"}})
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

func (w *world) count(q string, a ...any) int {
	w.t.Helper()
	var n int
	if err := w.d.R.QueryRowContext(context.Background(), q, a...).Scan(&n); err != nil {
		w.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// activity publishes an activity of 南关 as the admin.
func (w *world) activity(in ActivityInput) *Activity {
	w.t.Helper()
	if in.Title == "" {
		in.Title = "重阳节包饺子"
	}
	if in.Kind == "" {
		in.Kind = "festival"
	}
	if in.Organiser == "" {
		in.Organiser = "南关社区居委会"
	}
	if in.Place == "" && in.VenueID == 0 {
		in.Place = "社区广场"
	}
	in.Public = true
	a, err := w.svc.CreateActivity(w.f.Ctx("admin"), in)
	w.must(err)
	return a
}
