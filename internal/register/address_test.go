package register_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"linli/internal/apptest"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
	"linli/internal/register"
)

// storedPlace reads a household's unit and room as the database holds them.
func storedPlace(t *testing.T, d *db.DB, id int64) string {
	t.Helper()
	var unit, room string
	if err := d.R.QueryRow(`SELECT unit, room FROM households WHERE id = $1`, id).Scan(&unit, &room); err != nil {
		t.Fatal(err)
	}
	return unit + "|" + room
}

// Creating and editing a household stores the canonical form, whichever spelling was typed, so a
// list or an export never mixes 1单元 and 1; a second spelling of a registered door is refused.
func TestHouseholdsAreStoredInTheCanonicalForm(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		ctx := w.f.Ctx("admin")
		lane, err := w.svc.CreateBuilding(ctx, register.BuildingInput{Name: "箭道巷2号平房院", Kind: "bungalow",
			GridID: w.f.Grids[0].ID, Units: 1, Floors: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			building   int64
			unit, room string
			want, addr string
		}{
			{w.b1, "3", "301", "3单元|301", "1号楼 3单元 301室"},
			{w.b1, "四单元", "0401室", "4单元|401", "1号楼 4单元 401室"},
			{w.b1, "５", "５０１", "5单元|501", "1号楼 5单元 501室"},
			{w.b1, "东单元", "101", "东单元|101", "1号楼 东单元 101室"},
			{lane.ID, "", "5", "|5号", "箭道巷2号平房院 5号"},
			{lane.ID, "", "6号", "|6号", "箭道巷2号平房院 6号"},
		} {
			h, err := w.svc.CreateHousehold(ctx, register.HouseholdInput{BuildingID: c.building, Unit: c.unit, Room: c.room,
				Kind: "owner"})
			if err != nil {
				t.Fatalf("%s %s: %v", c.unit, c.room, err)
			}
			if got := storedPlace(t, d, h.ID); got != c.want || h.Address != c.addr {
				t.Errorf("%q %q stored as %q, shown %q; want %q, %q", c.unit, c.room, got, h.Address, c.want, c.addr)
			}
		}
		if _, err := w.svc.CreateHousehold(ctx, register.HouseholdInput{BuildingID: w.b1, Unit: "3单元", Room: "301室",
			Kind: "owner"}); errs.FieldsOf(err)["room"] != "该楼院已登记 1号楼 3单元 301室" {
			t.Errorf("the same door spelt 3单元 301室: %v", err)
		}
		if _, err := w.svc.CreateHousehold(ctx, register.HouseholdInput{BuildingID: lane.ID, Room: "5号", Kind: "owner"}); !errs.Is(err, errs.Invalid) {
			t.Errorf("door 5号 of the courtyard again: %v", err)
		}
		h, err := w.svc.UpdateHousehold(ctx, w.h1, register.HouseholdInput{Unit: "2", Room: "102", Kind: "rented"})
		if err != nil {
			t.Fatal(err)
		}
		if got := storedPlace(t, d, w.h1); got != "2单元|102" || h.Address != "1号楼 2单元 102室" {
			t.Errorf("edited to unit 2 room 102: stored %q, shown %q", got, h.Address)
		}
		if _, err := w.svc.UpdateHousehold(ctx, w.h1, register.HouseholdInput{BuildingID: lane.ID, Room: "7", Kind: "owner"}); err != nil {
			t.Fatal(err)
		}
		if got := storedPlace(t, d, w.h1); got != "|7号" {
			t.Errorf("moved to the courtyard as door 7: stored %q", got)
		}
	})
}

// The household form and the API store what the service stores.
func TestHouseholdFormAndAPIStoreCanonicalUnits(t *testing.T) {
	urls := map[string]func(t *testing.T) string{"sqlite": func(t *testing.T) string { return "sqlite:" + t.TempDir() + "/linli.db" }}
	if dbtest.PostgresURL() != "" {
		urls["postgres"] = func(t *testing.T) string { return dbtest.PostgresSchema(t) }
	}
	for name, dbURL := range urls {
		t.Run(name, func(t *testing.T) {
			env := apptest.NewWithDB(t, dbURL(t))
			f := env.Fixture
			b := f.AddBuilding(t, f.Grids[0], "1号楼", 100.442, 38.925)
			resp := env.Login(t, "admin").PostForm("/households", url.Values{"building_id": {fmt.Sprint(b)}, "unit": {"2"},
				"room": {"201室"}, "kind": {"owner"}})
			if resp.StatusCode >= 400 {
				t.Fatalf("form: %d %s", resp.StatusCode, resp.Body)
			}
			api := env.APIClient(t, "admin")
			resp = api.JSON("POST", "/api/v1/households", map[string]any{"building_id": b, "unit": "三单元", "room": "0301", "kind": "owner"})
			if resp.StatusCode != http.StatusCreated || !strings.Contains(resp.Body, `"unit":"3单元"`) ||
				!strings.Contains(resp.Body, `"room":"301"`) {
				t.Fatalf("API: %d %s", resp.StatusCode, resp.Body)
			}
			var units []string
			rows, err := env.DB().R.QueryContext(context.Background(), `SELECT unit || ' ' || room FROM households ORDER BY unit`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var s string
				rows.Scan(&s)
				units = append(units, s)
			}
			rows.Close()
			if strings.Join(units, ",") != "2单元 201,3单元 301" {
				t.Errorf("stored %q", units)
			}
		})
	}
}
