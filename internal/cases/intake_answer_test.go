package cases

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"linli/internal/db"
	"linli/internal/db/dbtest"
)

// The intake answers with the case as it wrote it, without reading it back: every field must be
// what reading the case gives.
func TestIntakeAnswersWhatGETSays(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := context.Background()
		if _, err := d.W.ExecContext(ctx, `INSERT INTO case_prefixes (community_id, prefix) VALUES ($1, 'BG')`, w.f.Other.ID); err != nil {
			t.Fatal(err)
		}
		lon, lat := 100.45, 38.93
		old := w.now.Add(-72 * time.Hour)
		due := w.now.Add(48 * time.Hour)
		for _, c := range []struct {
			name, user string
			in         Intake
		}{
			{"a grid's case with the caller", "admin", Intake{Channel: "phone", CategoryID: w.category("dispute.leak"),
				Description: "楼上卫生间漏水", Address: "3号楼", GridID: w.f.Grids[0].ID, ReporterName: "张大爷", ReporterPhone: "13812345678"}},
			{"the community alone, 特急 with its own accept limit", "admin", Intake{Channel: "walk_in", CategoryID: w.category("env.garbage"),
				Priority: Critical, Title: "垃圾堆积", Description: "门口垃圾三天没人清", Address: "南关社区东门", CommunityID: w.f.Community.ID}},
			{"a hotline order received days ago at a point", "admin", Intake{Channel: "hotline_12345", CategoryID: w.category("dispute.leak"),
				Description: "热线转来：漏水", GridID: w.f.Grids[1].ID, Lon: &lon, Lat: &lat, CoordSystem: "gcj02",
				ReceivedAt: &old, ExternalNo: "12345-0001", ExternalDeadline: &due, Anonymous: true}},
			{"a community with its own number prefix", "other", Intake{Channel: "phone", CategoryID: w.category("env.garbage"),
				Description: "垃圾桶坏了", Address: "北关1号楼", GridID: w.f.OtherGrid.ID}},
			{"the grid leader's own grid", "grid01", Intake{Channel: "patrol", CategoryID: w.category("env.garbage"),
				Description: "巡查发现垃圾", Address: "5号楼"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				got, err := w.svc.Intake(w.ctx(c.user), c.in)
				if err != nil {
					t.Fatal(err)
				}
				want, err := loadCase(ctx, d.R, got.ID)
				if err != nil {
					t.Fatal(err)
				}
				want.ComputeSLA(w.cal, w.now.UTC().Truncate(time.Second))
				a, _ := json.Marshal(got)
				b, _ := json.Marshal(want)
				if string(a) != string(b) || got.regionPath != want.regionPath || got.residentBorn != want.residentBorn {
					t.Errorf("intake answers\n%s\nreading the case gives\n%s", a, b)
				}
			})
		}
	})
}
