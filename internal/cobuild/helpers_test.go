package cobuild_test

import (
	"context"
	"testing"
	"time"

	"linli/internal/auth"
	"linli/internal/cobuild"
	"linli/internal/db"
	"linli/internal/errs"
	"linli/internal/fixture"
)

// world is a fixture community with a co-building service on a fixed clock and two member units,
// each with a unit contact account (unit01 for the school, unit02 for the hospital).
type world struct {
	*fixture.Community
	svc            *cobuild.Service
	school, clinic *cobuild.Unit
}

// today is the fixed clock's day: 2026-06-15 in Asia/Shanghai.
var clock = time.Date(2026, 6, 15, 2, 0, 0, 0, time.UTC)

// code returns a valid unified social credit code ending in the given serial.
func code(serial string) string {
	first := "12620702" + serial
	return first + string(cobuild.CreditCheckChar(first))
}

func newWorld(t *testing.T, d *db.DB) *world {
	t.Helper()
	f := fixture.New(t, d)
	w := &world{Community: f, svc: cobuild.NewService(d, cobuild.Options{Now: func() time.Time { return clock }})}
	u1 := f.AddUser(t, "unit01", auth.UnitContact, f.Community)
	u2 := f.AddUser(t, "unit02", auth.UnitContact, f.Community)
	w.school = w.mustUnit(t, cobuild.UnitInput{Name: "南关小学", Kind: "school", CreditCode: code("000000001"),
		SignedOn: "2026-01-10", TermYears: 3, ContactUserID: u1.UserID})
	w.clinic = w.mustUnit(t, cobuild.UnitInput{Name: "南关社区卫生服务中心", Kind: "hospital", CreditCode: code("000000002"),
		ContactUserID: u2.UserID})
	return w
}

func (w *world) mustUnit(t *testing.T, in cobuild.UnitInput) *cobuild.Unit {
	t.Helper()
	u, err := w.svc.CreateUnit(w.Ctx("admin"), in)
	if err != nil {
		t.Fatalf("unit %s: %v", in.Name, err)
	}
	return u
}

// need raises a need as the named user.
func (w *world) need(t *testing.T, as string, in cobuild.NeedInput) *cobuild.Need {
	t.Helper()
	if in.Category == "" {
		in.Category = "助老"
	}
	if in.Title == "" {
		in.Title = "独居老人助餐"
	}
	if in.WantPeople == 0 && in.WantMoney == 0 && !in.WantRoom && in.WantSkill == "" {
		in.WantPeople = 2
	}
	n, err := w.svc.RaiseNeed(w.Ctx(as), in)
	if err != nil {
		t.Fatalf("raise need: %v", err)
	}
	return n
}

func wantCode(t *testing.T, err error, code errs.Code) {
	t.Helper()
	if errs.CodeOf(err) != code {
		t.Fatalf("err = %v, want code %s", err, code)
	}
}

func count(t *testing.T, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.R.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func errsField(err error, field string) string { return errs.FieldsOf(err)[field] }
