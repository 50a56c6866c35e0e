package mediation

import (
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
)

func TestScreening(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		sc, err := w.svc.RecordScreening(w.ctx("worker01"), ScreeningInput{GridID: w.f.Grids[0].ID, HeldOn: "2026-12-01",
			Items: []ScreeningItem{{Description: "3号楼两户因楼道堆物发生口角", TypeCode: "neighbour", HouseholdID: &w.hh}}})
		if err != nil || sc.Found != 1 || len(sc.Items) != 1 {
			t.Fatalf("record: %+v %v", sc, err)
		}
		t.Run("a_grid_without_a_round_in_ten_days_is_flagged", func(t *testing.T) {
			grids, days, err := w.svc.GridStatus(w.ctx("admin"))
			if err != nil || days != ScreeningDays || len(grids) != 2 {
				t.Fatalf("status %+v %v", grids, err)
			}
			if grids[0].Flagged || !grids[1].Flagged || grids[0].LastOn != "2026-12-01" {
				t.Fatalf("flags %+v", grids)
			}
		})
		t.Run("a_worker_records_only_their_grid_and_not_in_the_future", func(t *testing.T) {
			_, err := w.svc.RecordScreening(w.ctx("worker01"), ScreeningInput{GridID: w.f.Grids[1].ID})
			wantErr(t, err, errs.Invalid, "grid_id")
			_, err = w.svc.RecordScreening(w.ctx("worker01"), ScreeningInput{GridID: w.f.Grids[0].ID, HeldOn: "2026-12-06"})
			wantErr(t, err, errs.Invalid, "held_on")
			_, err = w.svc.RecordScreening(w.ctx("mediator01"), ScreeningInput{GridID: w.f.Grids[0].ID})
			wantErr(t, err, errs.Forbidden, "")
		})
		t.Run("a_dispute_found_becomes_a_mediation_once", func(t *testing.T) {
			var r Registration
			if err := w.svc.FromScreening(w.ctx("mediator01"), sc.Items[0].ID, &r); err != nil {
				t.Fatal(err)
			}
			if r.Source != SourceVisit || r.HouseholdID != w.hh || r.TypeCode != "neighbour" {
				t.Fatalf("prefilled %+v", r)
			}
			r.Parties, r.RegisteredOn = w.neighbours().Parties, "2026-12-02"
			for i := range r.Parties {
				r.Parties[i].ConsentOn, r.Parties[i].NotifiedOn = "2026-12-02", "2026-12-02"
			}
			m := w.register(r)
			list, _, _ := w.svc.Screenings(w.ctx("worker01"), 0, 10, 0)
			if list[0].Items[0].MediationID == nil || *list[0].Items[0].MediationID != m.ID {
				t.Fatal("the item does not link its mediation")
			}
			_, err := w.svc.Register(w.ctx("mediator01"), r)
			wantErr(t, err, errs.Invalid, "screening_item_id")
		})
	})
}
