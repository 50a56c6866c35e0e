package register_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
	"linli/internal/fixture"
	"linli/internal/register"
)

// world is the fixture community with one building and household in each 南关 grid.
type world struct {
	f      *fixture.Community
	svc    *register.Service
	b1, b2 int64 // buildings in grid 01 and grid 02
	h1, h2 int64 // households in them
}

func newWorld(t *testing.T, d *db.DB) *world {
	f := fixture.New(t, d)
	w := &world{f: f, svc: register.NewService(d, f.Sealer)}
	w.b1 = f.AddBuilding(t, f.Grids[0], "1号楼", 100.4420, 38.9250)
	w.b2 = f.AddBuilding(t, f.Grids[1], "2号楼", 100.4550, 38.9250)
	w.h1 = f.AddHousehold(t, w.b1, "1", "101")
	w.h2 = f.AddHousehold(t, w.b2, "2", "202")
	return w
}

func adult(name string, household int64) register.ResidentInput {
	return register.ResidentInput{HouseholdID: household, Name: name, IDNumber: fixture.IDNumber("19650308", "123"),
		Phone: "13800138000", Relation: "户主"}
}

func TestResidentScope(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		other := w.f.AddResident(t, register.ResidentInput{HouseholdID: w.h2, Name: "李娜"})
		ctx := w.f.Ctx("worker01")
		t.Run("a grid worker cannot read another grid's resident", func(t *testing.T) {
			if _, err := w.svc.Resident(ctx, other); !errs.Is(err, errs.NotFound) {
				t.Fatalf("Resident = %v, want not found", err)
			}
		})
		t.Run("a grid worker cannot edit another grid's resident", func(t *testing.T) {
			_, err := w.svc.UpdateResident(ctx, other, register.ResidentUpdate{ResidentInput: register.ResidentInput{Name: "改名"}})
			if !errs.Is(err, errs.NotFound) {
				t.Fatalf("UpdateResident = %v, want not found", err)
			}
		})
		t.Run("a grid worker cannot register someone in another grid's household", func(t *testing.T) {
			_, err := w.svc.CreateResident(ctx, register.ResidentInput{HouseholdID: w.h2, Name: "王强"})
			if errs.FieldsOf(err)["household_id"] == "" {
				t.Fatalf("CreateResident = %v, want a household_id error", err)
			}
		})
		t.Run("a grid worker's list holds only their grid", func(t *testing.T) {
			w.f.AddResident(t, register.ResidentInput{HouseholdID: w.h1, Name: "赵磊"})
			list, total, err := w.svc.Residents(ctx, register.ResidentFilter{})
			if err != nil || total != 1 || list[0].Name != "赵磊" {
				t.Fatalf("Residents = %v, %d, %v", list, total, err)
			}
		})
	})
}

func TestResidentSearch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		zhang := w.f.AddResident(t, adult("张伟", w.h1))
		w.f.AddResident(t, register.ResidentInput{HouseholdID: w.h1, Name: "张丽", Phone: "13912345678", Tags: []string{"独居老人"}})
		w.f.AddResident(t, register.ResidentInput{HouseholdID: w.h2, Name: "王伟民", BirthDate: "1940-01-01"})
		ctx := w.f.Ctx("admin")
		names := func(f register.ResidentFilter) string {
			t.Helper()
			list, total, err := w.svc.Residents(ctx, f)
			if err != nil {
				t.Fatalf("Residents(%+v): %v", f, err)
			}
			var out []string
			for _, r := range list {
				out = append(out, r.Name)
			}
			if total != len(list) {
				t.Fatalf("total %d for %d rows", total, len(list))
			}
			return strings.Join(out, ",")
		}
		cases := []struct {
			name string
			f    register.ResidentFilter
			want string
		}{
			{"a two-character name hits", register.ResidentFilter{Q: "张伟"}, "张伟"},
			{"one character of a given name hits", register.ResidentFilter{Q: "伟"}, "张伟,王伟民"},
			{"a surname hits everyone who has it", register.ResidentFilter{Q: "张"}, "张伟,张丽"},
			{"an address hits its residents", register.ResidentFilter{Q: "2号楼"}, "王伟民"},
			{"a full phone number hits through the blind index", register.ResidentFilter{Q: "139 1234 5678"}, "张丽"},
			{"a phone's last four digits hit", register.ResidentFilter{Q: "5678"}, "张丽"},
			{"a full ID number hits through the blind index", register.ResidentFilter{Q: fixture.IDNumber("19650308", "123")}, "张伟"},
			{"a stored tag filters", register.ResidentFilter{Tag: "elderly_alone"}, "张丽"},
			{"the derived aged-80 tag filters by birth date", register.ResidentFilter{Tag: "aged_80"}, "王伟民"},
			{"a grid filters", register.ResidentFilter{GridID: w.f.Grids[1].ID}, "王伟民"},
			{"a name nobody has finds nothing", register.ResidentFilter{Q: "欧阳"}, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if got := names(c.f); got != c.want {
					t.Errorf("got %q, want %q", got, c.want)
				}
			})
		}
		t.Run("a renamed resident is found by the new name only", func(t *testing.T) {
			r, _ := w.svc.Resident(ctx, zhang)
			upd := register.ResidentUpdate{ResidentInput: register.ResidentInput{Name: "张卫国", Relation: r.Relation}}
			if _, err := w.svc.UpdateResident(ctx, zhang, upd); err != nil {
				t.Fatal(err)
			}
			if got := names(register.ResidentFilter{Q: "张伟"}); got != "" {
				t.Errorf("old name still hits: %q", got)
			}
			if got := names(register.ResidentFilter{Q: "卫国"}); got != "张卫国" {
				t.Errorf("new name: %q", got)
			}
		})
		t.Run("a partial number is refused with a Chinese hint", func(t *testing.T) {
			_, _, err := w.svc.Residents(ctx, register.ResidentFilter{Q: "1380013"})
			if !strings.Contains(errs.FieldsOf(err)["q"], "后四位") {
				t.Errorf("err = %v", err)
			}
		})
	})
}

func TestMinors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		birth := time.Now().AddDate(-10, 0, 0).Format("20060102")
		child := w.f.AddResident(t, register.ResidentInput{HouseholdID: w.h1, Name: "张小宝", IDNumber: fixture.IDNumber(birth, "012"),
			Relation: "儿子", Tags: []string{"留守儿童"}})
		w.f.AddResident(t, adult("张伟", w.h1))
		t.Run("a grid worker without the minors permission does not see them in lists", func(t *testing.T) {
			list, total, err := w.svc.Residents(w.f.Ctx("worker01"), register.ResidentFilter{Q: "张"})
			if err != nil || total != 1 || list[0].Name != "张伟" {
				t.Fatalf("Residents = %v, %d, %v", list, total, err)
			}
		})
		t.Run("nor by id", func(t *testing.T) {
			if _, err := w.svc.Resident(w.f.Ctx("worker01"), child); !errs.Is(err, errs.NotFound) {
				t.Fatalf("Resident = %v, want not found", err)
			}
		})
		t.Run("nor in the counts of their household, building and grid, which match the lists", func(t *testing.T) {
			ctx := w.f.Ctx("worker01")
			h, err := w.svc.Household(ctx, w.h1)
			if err != nil || h.Members != 1 {
				t.Errorf("Household members = %+v, %v; want 1 (the adult)", h, err)
			}
			hs, _, err := w.svc.Households(ctx, register.HouseholdFilter{BuildingID: w.b1})
			if err != nil || len(hs) != 1 || hs[0].Members != 1 {
				t.Errorf("Households = %+v, %v; want one with 1 member", hs, err)
			}
			b, err := w.svc.Building(ctx, w.b1)
			if err != nil || b.Residents != 1 {
				t.Errorf("Building residents = %+v, %v; want 1", b, err)
			}
			bs, _, err := w.svc.Buildings(ctx, register.BuildingFilter{GridID: w.f.Grids[0].ID})
			if err != nil || len(bs) != 1 || bs[0].Residents != 1 {
				t.Errorf("Buildings = %+v, %v; want one with 1 resident", bs, err)
			}
			g, err := w.svc.Grid(ctx, w.f.Grids[0].ID)
			if err != nil || g.Residents != 1 {
				t.Errorf("Grid residents = %+v, %v; want 1", g, err)
			}
			gs, err := w.svc.Grids(ctx)
			if err != nil || len(gs) != 1 || gs[0].Residents != 1 {
				t.Errorf("Grids = %+v, %v; want one with 1 resident", gs, err)
			}
			if h, _ := w.svc.Household(w.f.Ctx("grid01"), w.h1); h == nil || h.Members != 2 {
				t.Errorf("the grid leader's household count = %+v, want 2", h)
			}
		})
		t.Run("a grid leader with the permission sees them, tagged as minors", func(t *testing.T) {
			r, err := w.svc.Resident(w.f.Ctx("grid01"), child)
			if err != nil || !r.HasTag(register.TagMinor) || !r.HasTag(register.TagLeftBehindChild) {
				t.Fatalf("Resident = %+v, %v", r, err)
			}
		})
	})
}

func TestReveal(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		id := w.f.AddResident(t, adult("张伟", w.h1))
		ctx := w.f.Ctx("worker01")
		t.Run("refused without a reason", func(t *testing.T) {
			_, err := w.svc.Reveal(ctx, id, "phone", "  ")
			if !strings.Contains(errs.FieldsOf(err)["reason"], "请填写查看原因") {
				t.Fatalf("Reveal = %v", err)
			}
		})
		t.Run("shows the number and audits the reason", func(t *testing.T) {
			got, err := w.svc.Reveal(ctx, id, "phone", "入户走访需电话联系")
			if err != nil || got != "13800138000" {
				t.Fatalf("Reveal = %q, %v", got, err)
			}
			var n int
			err = d.R.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'pii.reveal'
				AND object_id = $1 AND detail LIKE '%入户走访需电话联系%'`, strconv.FormatInt(id, 10)).Scan(&n)
			if err != nil || n != 1 {
				t.Fatalf("audit rows = %d, %v", n, err)
			}
		})
		t.Run("another grid's resident is not found", func(t *testing.T) {
			if _, err := w.svc.Reveal(w.f.Ctx("worker02"), id, "id_number", "核实身份"); !errs.Is(err, errs.NotFound) {
				t.Fatalf("Reveal = %v", err)
			}
		})
	})
}

func TestBoundaryReassignsBuildings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := w.f.Ctx("admin")
		id := w.f.AddResident(t, adult("张伟", w.h1))
		g1, g2 := w.f.Grids[0].ID, w.f.Grids[1].ID
		if _, err := w.svc.SetBoundary(ctx, g1, fixture.Square(100.44, 38.92, 0.01)); err != nil {
			t.Fatal(err)
		}
		// Grid 02 now claims the west half too: building 1 (100.442) lies in both; grid 01 wins
		// ties, so first shrink grid 01 to the east, where building 1 is not.
		if _, err := w.svc.SetBoundary(ctx, g1, fixture.Square(100.446, 38.92, 0.004)); err != nil {
			t.Fatal(err)
		}
		res, err := w.svc.SetBoundary(ctx, g2, fixture.Square(100.44, 38.92, 0.006))
		if err != nil {
			t.Fatal(err)
		}
		if res.Reassigned != 1 {
			t.Errorf("reassigned %d buildings, want 1", res.Reassigned)
		}
		b, err := w.svc.Building(ctx, w.b1)
		if err != nil || b.GridID == nil || *b.GridID != g2 {
			t.Fatalf("building 1 grid = %v, %v", b.GridID, err)
		}
		r, err := w.svc.Resident(ctx, id)
		if err != nil || r.RegionID != g2 {
			t.Fatalf("resident region = %d, %v; want %d", r.RegionID, err, g2)
		}
		h, _ := w.svc.Household(ctx, w.h1)
		if h.RegionID != g2 {
			t.Errorf("household region = %d", h.RegionID)
		}
		if _, err := w.svc.Resident(w.f.Ctx("worker01"), id); !errs.Is(err, errs.NotFound) {
			t.Errorf("grid 01's worker still sees the moved resident: %v", err)
		}
		t.Run("a point then finds its grid through the live index", func(t *testing.T) {
			got, ok, err := w.svc.LocateGrid(ctx, 100.442, 38.925, 0)
			if err != nil || !ok || got != g2 {
				t.Errorf("LocateGrid = %d, %v, %v", got, ok, err)
			}
		})
		t.Run("a bad boundary is refused in Chinese", func(t *testing.T) {
			_, err := w.svc.SetBoundary(ctx, g1, `{"type":"Polygon","coordinates":[[[100.44,38.92],[100.45,38.92],[100.45,38.93]]]}`)
			if errs.FieldsOf(err)["boundary"] == "" {
				t.Errorf("SetBoundary = %v", err)
			}
		})
		t.Run("a new building's grid is derived from its point given in GCJ-02", func(t *testing.T) {
			// 100.4437,38.9253 WGS-84 lies in grid 02's new west square; give it in GCJ-02.
			b, err := w.svc.CreateBuilding(ctx, register.BuildingInput{Name: "5号楼", Lon: "100.445402", Lat: "38.925940", CRS: "gcj02"})
			if err != nil || b.GridID == nil || *b.GridID != g2 || b.GridManual {
				t.Fatalf("CreateBuilding = %+v, %v", b, err)
			}
		})
	})
}

func TestRoster(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := w.f.Ctx("admin")
		g := w.f.Grids[0].ID
		e, err := w.svc.AddRosterEntry(ctx, g, register.RosterInput{Duty: "police", Name: "刘警官", Phone: "13700001111"})
		if err != nil || e.PhoneMasked != "137****1111" {
			t.Fatalf("AddRosterEntry = %+v, %v", e, err)
		}
		if _, err := w.svc.AddRosterEntry(ctx, g, register.RosterInput{Duty: "building_leader", Name: "周阿姨", BuildingID: w.b2}); errs.FieldsOf(err)["building_id"] == "" {
			t.Errorf("a building leader of another grid's building was accepted: %v", err)
		}
		e, err = w.svc.UpdateRosterEntry(ctx, g, e.ID, register.RosterInput{Duty: "police", Name: "刘建国"})
		if err != nil || e.PhoneMasked != "137****1111" || e.Name != "刘建国" {
			t.Fatalf("an edit without a phone must keep it: %+v, %v", e, err)
		}
		if _, err := w.svc.Roster(w.f.Ctx("worker02"), g); !errs.Is(err, errs.NotFound) {
			t.Errorf("another grid's worker read the roster: %v", err)
		}
		if err := w.svc.RemoveRosterEntry(ctx, g, e.ID); err != nil {
			t.Fatal(err)
		}
		if list, _ := w.svc.Roster(ctx, g); len(list) != 0 {
			t.Errorf("roster after removal: %v", list)
		}
	})
}
