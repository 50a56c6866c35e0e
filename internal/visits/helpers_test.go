package visits

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"linli/internal/cases"
	"linli/internal/db"
	"linli/internal/fixture"
	"linli/internal/register"
)

// world is the fixture community with one focus resident per grid and a party liaison chain in
// grid 01: member01's household (liaison) covers household hh1.
type world struct {
	t     *testing.T
	d     *db.DB
	f     *fixture.Community
	svc   *Service
	today string

	hh1, hh1b, hh1c, hh2 int64 // grid 01: hh1 (covered), hh1b (liaison), hh1c (not covered); grid 02: hh2
	alone1, alone2       int64 // 独居老人 in hh1 and hh2
	liaisonID, memberID  int64
}

func newWorld(t *testing.T, d *db.DB) *world {
	t.Helper()
	f := fixture.New(t, d)
	w := &world{t: t, d: d, f: f}
	dir := t.TempDir()
	cs := cases.NewService(d, f.Sealer, cases.Options{DataDir: dir})
	w.svc = NewService(d, Options{DataDir: dir, Cases: cs, Sealer: f.Sealer})
	w.today = w.svc.Today()
	b1 := f.AddBuilding(t, f.Grids[0], "1号楼", 100.451, 38.931)
	b2 := f.AddBuilding(t, f.Grids[1], "2号楼", 100.461, 38.931)
	w.hh1, w.hh1b, w.hh1c = f.AddHousehold(t, b1, "1", "101"), f.AddHousehold(t, b1, "1", "102"), f.AddHousehold(t, b1, "2", "201")
	w.hh2 = f.AddHousehold(t, b2, "1", "101")
	w.alone1 = f.AddResident(t, register.ResidentInput{HouseholdID: w.hh1, Name: "张桂兰", Phone: "13800001111",
		BirthDate: "1950-02-03", Relation: "户主", Tags: []string{"elderly_alone"}})
	w.alone2 = f.AddResident(t, register.ResidentInput{HouseholdID: w.hh2, Name: "李秀英", Phone: "13800002222",
		BirthDate: "1952-04-05", Relation: "户主", Tags: []string{"elderly_alone"}})
	w.tagSince(w.alone1, "elderly_alone", w.daysAgo(30))
	w.tagSince(w.alone2, "elderly_alone", w.daysAgo(30))
	w.partyChain()
	return w
}

func (w *world) daysAgo(n int) string { return subDays(w.today, n) }

func (w *world) exec(q string, a ...any) {
	w.t.Helper()
	if _, err := w.d.W.ExecContext(context.Background(), q, a...); err != nil {
		w.t.Fatalf("%s: %v", q, err)
	}
}

func (w *world) tagSince(resident int64, tag, since string) {
	w.exec(`UPDATE resident_tags SET since = $1 WHERE resident_id = $2 AND tag = $3`, since, resident, tag)
}

// partyChain writes grid 01's branch, member01 as a member living in hh1b, hh1b as a liaison
// household covering hh1.
func (w *world) partyChain() {
	ctx := context.Background()
	now := time.Now().UTC()
	g := w.f.Grids[0].ID
	var org int64
	must := func(err error) {
		if err != nil {
			w.t.Fatal(err)
		}
	}
	must(w.d.W.QueryRowContext(ctx, `INSERT INTO party_orgs (region_id, kind, name, grid_id, created_at, updated_at)
		VALUES ($1, 'branch', '第一网格党支部', $1, $2, $2) RETURNING id`, g, now).Scan(&org))
	must(w.d.W.QueryRowContext(ctx, `INSERT INTO party_members (region_id, org_id, user_id, name, kind, created_at, updated_at)
		VALUES ($1, $2, $3, '王建国', 'in_service', $4, $4) RETURNING id`, g, org, w.f.Users["member01"].UserID, now).Scan(&w.memberID))
	must(w.d.W.QueryRowContext(ctx, `INSERT INTO liaison_households (region_id, org_id, member_id, household_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, g, org, w.memberID, w.hh1b, now).Scan(&w.liaisonID))
	w.exec(`INSERT INTO liaison_covers (liaison_id, household_id, region_id, created_at) VALUES ($1, $2, $3, $4)`,
		w.liaisonID, w.hh1, g, now)
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// visit records a home visit of household as user, meeting the given residents.
func (w *world) visit(user string, household int64, met ...int64) (*Recorded, error) {
	return w.svc.Record(w.f.Ctx(user), VisitInput{ClientUUID: newUUID(), HouseholdID: household, Met: met,
		Method: MethodHome, Situation: "老人身体尚可，独自在家"}, nil)
}

// due returns the residents on user's due list.
func (w *world) due(user string) map[int64]Care {
	w.t.Helper()
	list, _, err := w.svc.CarePlan(w.f.Ctx(user), CareFilter{State: "due", Limit: 1000})
	if err != nil {
		w.t.Fatal(err)
	}
	out := map[int64]Care{}
	for _, r := range list {
		out[r.ResidentID] = r.Care
	}
	return out
}

// gridCoverage returns the coverage of grid g as the community admin sees it.
func (w *world) gridCoverage(g int64) Coverage {
	w.t.Helper()
	rep, err := w.svc.Coverage(w.f.Ctx("admin"))
	if err != nil {
		w.t.Fatal(err)
	}
	for _, c := range rep.Grids {
		if c.RegionID == g {
			return c
		}
	}
	return Coverage{RegionID: g}
}

func registerInput(household int64, name, birth string) register.ResidentInput {
	return register.ResidentInput{HouseholdID: household, Name: name, BirthDate: birth, Relation: "户主"}
}
