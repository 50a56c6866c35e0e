package mediation

import (
	"context"
	"testing"
	"time"

	"linli/internal/cases"
	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/fixture"
	"linli/internal/workday"
)

// world is a fixture community with the mediation and cases services on a fixed clock
// (2026-12-05 10:00 in Asia/Shanghai).
type world struct {
	t     *testing.T
	d     *db.DB
	f     *fixture.Community
	svc   *Service
	cases *cases.Service
	hh    int64 // a household of grid 01
}

func newWorld(t *testing.T, d *db.DB) *world {
	t.Helper()
	w := &world{t: t, d: d, f: fixture.New(t, d)}
	now := func() time.Time { return time.Date(2026, 12, 5, 10, 0, 0, 0, clock.Shanghai()) }
	cal := func(context.Context) (*workday.Calendar, error) { return workday.SeedCalendar(), nil }
	w.cases = cases.NewService(d, w.f.Sealer, cases.Options{DataDir: t.TempDir(), Now: now, Calendar: cal})
	w.svc = NewService(d, w.f.Sealer, Options{Now: now, Calendar: cal, Cases: w.cases})
	b := w.f.AddBuilding(t, w.f.Grids[0], "3号楼", 100.45, 38.93)
	w.hh = w.f.AddHousehold(t, b, "2", "301")
	return w
}

func (w *world) ctx(user string) context.Context { return w.f.Ctx(user) }

// neighbours is a registration of a noise dispute in grid 01 with both parties willing and told
// their rights on 2026-11-20.
func (w *world) neighbours() Registration {
	return Registration{Source: SourceApplyOral, TypeCode: "neighbour", Title: "楼上噪音纠纷", Facts: "楼上住户夜间噪音影响休息",
		RegisteredOn: "2026-11-20", HouseholdID: w.hh, Parties: []PartyInput{
			{Side: "applicant", Name: "张桂兰", Phone: "13812345678", IDNumber: fixture.IDNumber("19560312", "123"),
				Consent: "agreed", ConsentOn: "2026-11-20", ConsentHow: "书面", NotifiedOn: "2026-11-20"},
			{Side: "respondent", Name: "李建军", Phone: "13987654321",
				Consent: "agreed", ConsentOn: "2026-11-20", ConsentHow: "口头", NotifiedOn: "2026-11-20"},
		}}
}

// register registers as mediator01 and fails the test on error.
func (w *world) register(r Registration) *Detail {
	w.t.Helper()
	d, err := w.svc.Register(w.ctx("mediator01"), r)
	if err != nil {
		w.t.Fatalf("register: %v", err)
	}
	return d
}

// act takes an action as mediator01 and fails the test on error.
func (w *world) act(id int64, a Action, in ActionInput) *Detail {
	w.t.Helper()
	d, err := w.svc.Act(w.ctx("mediator01"), id, a, in)
	if err != nil {
		w.t.Fatalf("%s: %v", a, err)
	}
	return d
}

// mediating is an accepted case with one session record on 2026-11-24.
func (w *world) mediating() *Detail {
	w.t.Helper()
	d := w.register(w.neighbours())
	w.act(d.ID, ActAccept, ActionInput{On: "2026-11-21"})
	return w.act(d.ID, ActRecord, ActionInput{Record: &Record{Kind: "session", HeldOn: "2026-11-24", Place: "人民调解室",
		Attendees: "双方当事人、调解员", Content: "双方陈述并协商"}})
}

func (w *world) count(query string, args ...any) int {
	w.t.Helper()
	var n int
	if err := w.d.R.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// wantErr checks err carries code and, when field is not empty, a message for that field.
func wantErr(t *testing.T, err error, code errs.Code, field string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s error, got none", code)
	}
	if errs.CodeOf(err) != code {
		t.Fatalf("want %s, got %s: %v", code, errs.CodeOf(err), err)
	}
	if field != "" {
		if _, ok := errs.FieldsOf(err)[field]; !ok {
			t.Fatalf("want a message for %s, got %v", field, errs.FieldsOf(err))
		}
	}
}

var written = Agreement{Facts: "李建军夜间在家活动产生噪音，影响张桂兰休息，李建军负主要责任。", Amount: 500, SignedOn: "2026-11-28",
	Terms: []Term{{Content: "李建军每晚22时后不再进行产生噪音的活动", Method: "自行履行", DueOn: "2026-11-28"},
		{Content: "李建军铺设地垫并赔偿张桂兰500元", Method: "现金当面交付", DueOn: "2026-12-01"}}}
