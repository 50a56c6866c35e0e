package cases

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"linli/internal/db"
	"linli/internal/db/dbtest"
)

// TestPageReadModels runs the queries the pages add on both databases.
func TestPageReadModels(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		b := w.f.AddBuilding(t, w.f.Grids[0], "3号楼", 100.45, 38.93)
		c := w.intake("漏水", "楼上漏水")
		w.toProgress(c)
		done := w.intake("又漏水", "还是漏水")
		w.toProgress(done)
		w.do("grid01", done.ID, ActReport, ActionInput{Note: "修好了"})
		w.do("admin", done.ID, ActVerify, ActionInput{Outcome: Resolved})
		admin := w.ctx("admin")

		t.Run("dispatch, merge and grid choices stay in scope", func(t *testing.T) {
			ch, err := w.svc.DispatchChoices(admin)
			if err != nil || len(ch.Grids) != 2 || len(ch.Users) == 0 {
				t.Fatalf("dispatch choices: %+v %v", ch, err)
			}
			for _, u := range ch.Users {
				if strings.Contains(u.Label, "北关") {
					t.Fatalf("a user of another community offered: %s", u.Label)
				}
			}
			merge, err := w.svc.MergeChoices(admin, done)
			if err != nil || len(merge) != 1 || merge[0].ID != c.ID {
				t.Fatalf("merge choices: %+v %v", merge, err)
			}
			if grids, err := w.svc.ScopeGrids(w.ctx("other")); err != nil || len(grids) != 1 {
				t.Fatalf("other's grids: %+v %v", grids, err)
			}
		})

		t.Run("the public form finds the building's community and similar open cases", func(t *testing.T) {
			pl, err := w.svc.ReportPlaces(context.Background(), 0, 0, b)
			if err != nil || pl.CommunityID != w.f.Community.ID || pl.GridID != w.f.Grids[0].ID || len(pl.Buildings) != 1 {
				t.Fatalf("places: %+v %v", pl, err)
			}
			lon, lat := 100.45, 38.93
			if _, err := w.svc.Submit(context.Background(), Intake{CategoryID: w.category("dispute.leak"), Description: "漏水",
				BuildingID: b, Lon: &lon, Lat: &lat}); err != nil {
				t.Fatal(err)
			}
			sim, err := w.svc.SimilarOpen(context.Background(), w.category("dispute.leak"), b, &lon, &lat, "wgs84")
			if err != nil || len(sim) != 1 {
				t.Fatalf("similar: %+v %v", sim, err)
			}
		})

		t.Run("dashboard series and export count the same cases as the figures", func(t *testing.T) {
			f := Filter{From: "2024-01-01", To: "2024-12-31", By: "accepted"}
			s, err := w.svc.DashboardSeries(admin, f)
			if err != nil || len(s.Months) != 12 || s.Months[2].Accepted != 2 || s.Months[2].Closed != 1 {
				t.Fatalf("series: %+v %v", s, err)
			}
			if len(s.Channels) != 1 || s.Channels[0].Accepted != 2 || len(s.Grids) != 1 || len(s.Categories) != 1 {
				t.Fatalf("buckets: %+v", s)
			}
			var data bytes.Buffer
			n, err := w.svc.ExportXLSX(admin, Filter{}, "", &data)
			if err != nil || n != 3 || data.Len() == 0 {
				t.Fatalf("export: %d %v", n, err)
			}
		})

		t.Run("a follower's code shows the status but not the reporter's title, and no staff name", func(t *testing.T) {
			lon, lat := 100.45, 38.93
			leak := w.category("dispute.leak")
			code, err := w.svc.Follow(context.Background(), c.ID, leak, 0, &lon, &lat, "wgs84")
			if err == nil {
				t.Fatalf("followed a case the form did not offer: %s", code)
			}
			sim, err := w.svc.SimilarOpen(context.Background(), leak, b, &lon, &lat, "wgs84")
			if err != nil || len(sim) == 0 {
				t.Fatalf("similar: %+v %v", sim, err)
			}
			if code, err = w.svc.Follow(context.Background(), sim[0].ID, leak, b, &lon, &lat, "wgs84"); err != nil {
				t.Fatal(err)
			}
			pc, err := w.svc.TrackAny(context.Background(), code)
			if err != nil || pc.Title != "" || pc.CanRate {
				t.Fatalf("follower's view: %+v %v", pc, err)
			}
			detail, err := w.svc.Get(admin, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			own, err := w.svc.Track(context.Background(), detail.TrackingCode)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range own.Events {
				if strings.Contains(e.Note, "测试") {
					t.Fatalf("a staff name on the public page: %q", e.Note)
				}
			}
		})

		t.Run("filters naming a region outside scope are refused, the handler choices stay in scope", func(t *testing.T) {
			grid01 := w.ctx("grid01")
			if err := w.svc.CheckFilterScope(grid01, Filter{GridID: w.f.Grids[1].ID}); err == nil {
				t.Fatal("grid01 filtered by grid 02")
			}
			if err := w.svc.CheckFilterScope(grid01, Filter{RegionID: w.f.Grids[0].ID}); err != nil {
				t.Fatal(err)
			}
			fc, err := w.svc.FilterChoices(admin)
			if err != nil || len(fc.Handlers) == 0 || len(fc.Grids) != 2 {
				t.Fatalf("filter choices: %+v %v", fc, err)
			}
			for _, h := range fc.Handlers {
				if strings.Contains(h.Label, "北关") {
					t.Fatalf("a handler of another community offered: %s", h.Label)
				}
			}
		})

		t.Run("QR targets are scoped", func(t *testing.T) {
			if _, err := w.svc.QRTarget(admin, "building", b); err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.QRTarget(w.ctx("other"), "grid", w.f.Grids[0].ID); err == nil {
				t.Fatal("another community's grid")
			}
		})
	})
}
