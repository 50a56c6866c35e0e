package visits

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
)

func TestRecordVisit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		t.Run("an overdue resident leaves the due list once visited and counts as covered", func(t *testing.T) {
			if _, ok := w.due("worker01")[w.alone1]; !ok {
				t.Fatalf("张桂兰 (tagged 30 days ago, weekly) not on worker01's due list")
			}
			if c := w.gridCoverage(w.f.Grids[0].ID); c.OK != 0 || c.Overdue != 1 {
				t.Fatalf("coverage before the visit = %+v, want 0 of 1", c)
			}
			res, err := w.visit("worker01", w.hh1, w.alone1)
			if err != nil || !res.Created {
				t.Fatalf("record: %v (created %v)", err, res != nil && res.Created)
			}
			if _, ok := w.due("worker01")[w.alone1]; ok {
				t.Errorf("张桂兰 still due after today's visit")
			}
			if c := w.gridCoverage(w.f.Grids[0].ID); c.OK != 1 || c.Overdue != 0 {
				t.Errorf("coverage after the visit = %+v, want 1 of 1", c)
			}
			if len(res.Visit.Met) != 1 || !strings.Contains(res.Visit.Met[0].PhoneMasked, "****") {
				t.Errorf("resident met not shown masked: %+v", res.Visit.Met)
			}
		})
		t.Run("a worker cannot record a visit in another grid", func(t *testing.T) {
			_, err := w.visit("worker01", w.hh2, w.alone2)
			if errs.CodeOf(err) != errs.NotFound {
				t.Fatalf("visit in grid 02 by worker01: %v, want not found", err)
			}
			if _, ok := w.due("worker01")[w.alone2]; ok {
				t.Errorf("grid 02's resident on worker01's list")
			}
		})
		t.Run("only residents of the household can be met", func(t *testing.T) {
			_, err := w.visit("grid01", w.hh1c, w.alone1)
			if errs.CodeOf(err) != errs.Invalid {
				t.Fatalf("meeting a resident of another household: %v, want invalid", err)
			}
		})
		t.Run("replaying an offline draft makes one visit", func(t *testing.T) {
			in := VisitInput{ClientUUID: newUUID(), HouseholdID: w.hh1, Met: []int64{w.alone1}, Method: MethodPhone,
				Situation: "电话问候，一切安好"}
			first, err := w.svc.Record(w.f.Ctx("worker01"), in, nil)
			if err != nil {
				t.Fatal(err)
			}
			again, err := w.svc.Record(w.f.Ctx("worker01"), in, nil)
			if err != nil {
				t.Fatal(err)
			}
			if again.Created || again.Visit.ID != first.Visit.ID {
				t.Errorf("replay created %v, id %d vs %d", again.Created, again.Visit.ID, first.Visit.ID)
			}
			var n int
			_ = d.R.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM visits WHERE client_uuid = $1`, in.ClientUUID).Scan(&n)
			if n != 1 {
				t.Errorf("%d visits for one draft", n)
			}
			var audits int
			_ = d.R.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'visit.create'
				AND object_id = $1`, fmt.Sprint(first.Visit.ID)).Scan(&audits)
			if audits != 1 {
				t.Errorf("%d audit entries for one visit", audits)
			}
			if _, err := w.svc.Record(w.f.Ctx("grid01"), in, nil); errs.CodeOf(err) != errs.Conflict {
				t.Errorf("another user's replay of the draft id: %v, want conflict", err)
			}
		})
		t.Run("a need found becomes a case of channel visit linked both ways", func(t *testing.T) {
			var cat int64
			_ = d.R.QueryRowContext(context.Background(), `SELECT id FROM case_categories WHERE code = 'care.meal'`).Scan(&cat)
			res, err := w.svc.Record(w.f.Ctx("worker01"), VisitInput{ClientUUID: newUUID(), HouseholdID: w.hh1,
				Met: []int64{w.alone1}, Situation: "行动不便", Needs: "希望社区助餐送餐上门", NeedCategoryID: cat}, nil)
			if err != nil || res.CaseErr != nil {
				t.Fatalf("record: %v, case: %v", err, res.CaseErr)
			}
			if res.Visit.CaseID == nil || res.Visit.CaseNumber == "" {
				t.Fatalf("visit not linked to a case: %+v", res.Visit)
			}
			var channel, desc string
			_ = d.R.QueryRowContext(context.Background(), `SELECT channel, description FROM cases WHERE id = $1`,
				*res.Visit.CaseID).Scan(&channel, &desc)
			if channel != "visit" || !strings.Contains(desc, "/visits/") || !strings.Contains(desc, "助餐") {
				t.Errorf("case channel %q, description %q", channel, desc)
			}
			again, err := w.svc.ToCase(w.f.Ctx("worker01"), res.Visit.ID, cat)
			if err != nil || *again.CaseID != *res.Visit.CaseID {
				t.Errorf("asking again made another case: %v", err)
			}
		})
	})
}

func TestContacts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		t.Run("a party member logs a contact with a covered household", func(t *testing.T) {
			res, err := w.visit("member01", w.hh1)
			if err != nil {
				t.Fatal(err)
			}
			if res.Visit.Kind != KindContact || res.Visit.LiaisonID == nil || *res.Visit.LiaisonID != w.liaisonID {
				t.Errorf("recorded as %s for liaison %v", res.Visit.Kind, res.Visit.LiaisonID)
			}
		})
		t.Run("households the liaison household does not cover are not found", func(t *testing.T) {
			for _, hh := range []int64{w.hh1c, w.hh2} {
				if _, err := w.visit("member01", hh); errs.CodeOf(err) != errs.NotFound {
					t.Errorf("contact with household %d: %v, want not found", hh, err)
				}
			}
		})
		t.Run("a contact does not count as a care-plan visit", func(t *testing.T) {
			if _, ok := w.due("admin")[w.alone1]; !ok {
				t.Errorf("a party member's contact took 张桂兰 off the care-plan list")
			}
		})
		t.Run("monthly coverage counts covered households contacted this month", func(t *testing.T) {
			list, err := w.svc.ContactCoverage(w.f.Ctx("admin"), 0, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 1 || list[0].Covered != 1 || list[0].Contacted != 1 || list[0].Contacts != 1 {
				t.Fatalf("coverage = %+v, want 1 of 1 with 1 contact", list)
			}
			last, err := w.svc.ContactCoverage(w.f.Ctx("admin"), 0, "2020-01")
			if err != nil || last[0].Contacted != 0 {
				t.Errorf("January 2020: %+v, %v", last, err)
			}
			other, err := w.svc.ContactCoverage(w.f.Ctx("other"), 0, "")
			if err != nil || len(other) != 0 {
				t.Errorf("北关's admin sees 南关's liaison households: %+v, %v", other, err)
			}
		})
	})
}

func TestCarePlanChanges(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		g1, g2 := w.f.Grids[0].ID, w.f.Grids[1].ID
		t.Run("a new tag is not counted until its first visit is due", func(t *testing.T) {
			w.tagSince(w.alone2, "elderly_alone", w.daysAgo(2))
			if c := w.gridCoverage(g2); c.New != 1 || c.Counted() != 0 {
				t.Errorf("grid 02 = %+v, want one new resident and none counted", c)
			}
			w.tagSince(w.alone2, "elderly_alone", w.daysAgo(30))
		})
		t.Run("a resident moved to another grid takes their last visit along", func(t *testing.T) {
			if _, err := w.visit("worker01", w.hh1, w.alone1); err != nil {
				t.Fatal(err)
			}
			w.exec(`UPDATE residents SET household_id = $1, region_id = $2 WHERE id = $3`, w.hh2, g2, w.alone1)
			w.exec(`UPDATE resident_tags SET region_id = $1 WHERE resident_id = $2`, g2, w.alone1)
			if c := w.gridCoverage(g1); c.Counted() != 0 {
				t.Errorf("grid 01 still counts the resident who moved: %+v", c)
			}
			if c := w.gridCoverage(g2); c.OK != 1 || c.Overdue != 1 {
				t.Errorf("grid 02 = %+v, want the visited newcomer and its own overdue resident", c)
			}
			if _, ok := w.due("worker02")[w.alone1]; ok {
				t.Errorf("the newcomer visited today is due again in grid 02")
			}
		})
		t.Run("a removed tag takes the resident out of the plan", func(t *testing.T) {
			w.exec(`DELETE FROM resident_tags WHERE resident_id = $1`, w.alone2)
			if _, ok := w.due("worker02")[w.alone2]; ok {
				t.Errorf("resident without tags still due")
			}
			if c := w.gridCoverage(g2); c.Counted() != 1 {
				t.Errorf("grid 02 = %+v, want only the newcomer", c)
			}
		})
		t.Run("derived 高龄 residents are in the plan from their birth date", func(t *testing.T) {
			old := w.f.AddResident(t, registerInput(w.hh1c, "赵老汉", subYears(w.today, 85)))
			c, ok := w.due("worker01")[old]
			if !ok || c.Tag != "aged_80" {
				t.Fatalf("85-year-old never visited not due: %+v", c)
			}
		})
		t.Run("coverage matches the lists it links to", func(t *testing.T) {
			rep, err := w.svc.Coverage(w.f.Ctx("admin"))
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range rep.Grids {
				for state, want := range map[string]int{"ok": g.OK, "overdue": g.Overdue, "counted": g.Counted(), "new": g.New} {
					_, n, err := w.svc.CarePlan(w.f.Ctx("admin"), CareFilter{GridID: g.RegionID, State: state})
					if err != nil || n != want {
						t.Errorf("grid %s %s: list has %d, figure says %d (%v)", g.Name, state, n, want, err)
					}
				}
			}
		})
		t.Run("an admin changes a cadence and a worker may not", func(t *testing.T) {
			if _, err := w.svc.SetCadences(w.f.Ctx("worker01"), Cadences{"elderly_alone": 60}); errs.CodeOf(err) != errs.Forbidden {
				t.Errorf("worker changed cadences: %v", err)
			}
			if _, err := w.svc.SetCadences(w.f.Ctx("admin"), Cadences{"elderly_alone": 60}); err != nil {
				t.Fatal(err)
			}
			if c := w.gridCoverage(g2); c.Overdue != 0 {
				t.Errorf("with a 60-day cadence nobody tagged 30 days ago is overdue: %+v", c)
			}
		})
	})
}
