package activities

import (
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/register"
)

func TestARecordsFileListsTheActivitiesOfAResidentAndTheirHousehold(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d, "2024-10-08 10:00")
		grandchild := w.f.AddResident(t, register.ResidentInput{HouseholdID: w.household, Name: "张小宝", BirthDate: "2016-03-01",
			Relation: "孙子"})
		a := w.activity(ActivityInput{Title: "重阳敬老宴", StartsAt: at(t, "2024-10-11 09:00"), EndsAt: at(t, "2024-10-11 11:00"),
			Capacity: 20, VenueID: w.station.ID})
		elder, err := w.svc.SignUp(w.f.Ctx("admin"), SignUpInput{ActivityID: a.ID, ResidentID: w.elder})
		w.must(err)
		child, err := w.svc.SignUp(w.f.Ctx("admin"), SignUpInput{ActivityID: a.ID, ResidentID: grandchild, Consent: true,
			GuardianName: "张桂兰", GuardianRelation: "祖母"})
		w.must(err)
		w.setNow("2024-10-11 08:50")
		_, err = w.svc.CheckIn(w.f.Ctx("admin"), a.ID, elder.ID)
		w.must(err)

		t.Run("a resident's sign-up, checked in", func(t *testing.T) {
			list, n, err := w.svc.Participations(w.f.Ctx("admin"), ParticipationFilter{ResidentID: w.elder})
			w.must(err)
			if n.SignedUp != 1 || n.CheckedIn != 1 || len(list) != 1 || list[0].Title != "重阳敬老宴" || list[0].StatusLabel() != "已签到" {
				t.Errorf("counts %+v, list %+v", n, list)
			}
		})
		t.Run("a household's members, a child only for those who may see minors", func(t *testing.T) {
			_, n, err := w.svc.Participations(w.f.Ctx("admin"), ParticipationFilter{HouseholdID: w.household})
			w.must(err)
			if n.SignedUp != 2 || n.CheckedIn != 1 {
				t.Errorf("the admin counts %+v, want 2 sign-ups, 1 check-in", n)
			}
			list, n, err := w.svc.Participations(w.f.Ctx("worker01"), ParticipationFilter{HouseholdID: w.household})
			w.must(err)
			if n.SignedUp != 1 || len(list) != 1 || list[0].ResidentName != "张桂兰" {
				t.Errorf("worker01 (no minors permission) reads %+v, %+v", n, list)
			}
			if _, n, err := w.svc.Participations(w.f.Ctx("worker01"), ParticipationFilter{ResidentID: grandchild}); err != nil || n.SignedUp != 0 {
				t.Errorf("worker01 reads the child's sign-up: %+v, %v", n, err)
			}
		})
		t.Run("another community's admin reads nothing of this household", func(t *testing.T) {
			list, n, err := w.svc.Participations(w.f.Ctx("other"), ParticipationFilter{HouseholdID: w.household})
			w.must(err)
			if n.SignedUp != 0 || len(list) != 0 {
				t.Errorf("other reads %+v", list)
			}
		})
		t.Run("a cancelled sign-up is no participation", func(t *testing.T) {
			w.must(w.svc.CancelRegistration(w.f.Ctx("admin"), a.ID, child.ID))
			if _, n, err := w.svc.Participations(w.f.Ctx("admin"), ParticipationFilter{HouseholdID: w.household}); err != nil || n.SignedUp != 1 {
				t.Errorf("after cancelling: %+v, %v", n, err)
			}
		})
	})
}
