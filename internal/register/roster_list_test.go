package register_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"linli/internal/apptest"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
	"linli/internal/register"
)

func TestRosterList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		admin := w.f.Ctx("admin")
		g1, g2 := w.f.Grids[0].ID, w.f.Grids[1].ID
		for _, e := range []struct {
			grid int64
			in   register.RosterInput
		}{
			{g1, register.RosterInput{Duty: "police", Name: "刘警官"}},
			{g1, register.RosterInput{Duty: "worker_part", Name: "兼职甲"}},
			{g1, register.RosterInput{Duty: "grid_leader", Name: "网格长甲", Phone: "13700001111"}},
			{g2, register.RosterInput{Duty: "grid_leader", Name: "网格长乙"}},
			{g2, register.RosterInput{Duty: "worker_full", Name: "专职乙"}},
		} {
			if _, err := w.svc.AddRosterEntry(admin, e.grid, e.in); err != nil {
				t.Fatal(err)
			}
		}
		names := func(list []register.RosterEntry) string {
			var out []string
			for _, e := range list {
				out = append(out, e.Name)
			}
			return strings.Join(out, " ")
		}
		t.Run("the community sees every grid's roster by grid and duty order", func(t *testing.T) {
			list, total, err := w.svc.RosterList(admin, register.RosterFilter{})
			if err != nil || total != 5 || names(list) != "网格长甲 兼职甲 刘警官 网格长乙 专职乙" {
				t.Fatalf("RosterList = %q, %d, %v", names(list), total, err)
			}
			if list[0].GridName != w.f.Grids[0].Name || list[0].PhoneMasked != "137****1111" {
				t.Errorf("first entry %+v", list[0])
			}
		})
		t.Run("the duty filter takes several duties", func(t *testing.T) {
			duties, err := register.ParseDuties([]string{"worker_full,worker_part"})
			if err != nil {
				t.Fatal(err)
			}
			list, total, err := w.svc.RosterList(admin, register.RosterFilter{Duties: duties})
			if err != nil || total != 2 || names(list) != "兼职甲 专职乙" {
				t.Fatalf("RosterList = %q, %d, %v", names(list), total, err)
			}
			if _, err := register.ParseDuties([]string{"网格长", "chief"}); errs.FieldsOf(err)["duty"] == "" {
				t.Errorf("an unknown duty was accepted: %v", err)
			}
		})
		t.Run("a grid worker sees only their grid's roster", func(t *testing.T) {
			list, total, err := w.svc.RosterList(w.f.Ctx("worker02"), register.RosterFilter{})
			if err != nil || total != 2 || names(list) != "网格长乙 专职乙" {
				t.Fatalf("RosterList = %q, %d, %v", names(list), total, err)
			}
		})
		t.Run("and asking for another grid's roster is not found", func(t *testing.T) {
			if _, _, err := w.svc.RosterList(w.f.Ctx("worker02"), register.RosterFilter{GridID: g1}); !errs.Is(err, errs.NotFound) {
				t.Fatalf("RosterList = %v, want not found", err)
			}
		})
	})
}

func TestRosterListPageAndAPI(t *testing.T) {
	env := apptest.New(t)
	f := env.Fixture
	ctx := f.Ctx("admin")
	svc := register.NewService(env.DB(), f.Sealer)
	g1, g2 := f.Grids[0].ID, f.Grids[1].ID
	lead, err := svc.AddRosterEntry(ctx, g1, register.RosterInput{Duty: "grid_leader", Name: "马建军", Phone: "13600001234"})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []struct {
		grid int64
		in   register.RosterInput
	}{
		{g1, register.RosterInput{Duty: "worker_full", Name: "王晓燕"}},
		{g2, register.RosterInput{Duty: "grid_leader", Name: "陈立"}},
		{g2, register.RosterInput{Duty: "police", Name: "刘警官"}},
	} {
		if _, err := svc.AddRosterEntry(ctx, e.grid, e.in); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := env.DB().W.ExecContext(context.Background(), `UPDATE grid_roster SET user_id = (SELECT id FROM users WHERE username = 'grid01')
		WHERE id = $1`, lead.ID); err != nil {
		t.Fatal(err)
	}

	t.Run("the grid leaders' list names grid, duty, masked phone and linked account", func(t *testing.T) {
		resp := env.Login(t, "admin").Get("/roster?duty=grid_leader")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		for _, want := range []string{"共 2 条", "马建军", "陈立", f.Grids[0].Name, "网格长", "136****1234", "grid01", "未关联"} {
			if !strings.Contains(resp.Body, want) {
				t.Errorf("roster page lacks %q", want)
			}
		}
		if strings.Contains(resp.Body, "13600001234") || strings.Contains(resp.Body, "刘警官") {
			t.Error("the page shows a plain phone or a duty outside the filter")
		}
	})
	t.Run("the grid workers' filter counts full- and part-time workers", func(t *testing.T) {
		resp := env.Login(t, "admin").Get("/roster?duty=worker_full,worker_part")
		if !strings.Contains(resp.Body, "共 1 条") || !strings.Contains(resp.Body, "王晓燕") {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
	t.Run("a grid worker's list holds only their grid, and another grid's is 404", func(t *testing.T) {
		page := env.Login(t, "worker01")
		resp := page.Get("/roster")
		if !strings.Contains(resp.Body, "共 2 条") || strings.Contains(resp.Body, "陈立") {
			t.Fatalf("status %d", resp.StatusCode)
		}
		if resp := page.Get(fmt.Sprintf("/roster?grid=%d", g2)); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another grid's roster: status %d", resp.StatusCode)
		}
	})
	t.Run("the API lists the same, scoped, with the total", func(t *testing.T) {
		api := env.APIClient(t, "worker01")
		resp := api.JSON("GET", "/api/v1/roster?duty=grid_leader", nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, `"total":1`) ||
			!strings.Contains(resp.Body, `"phone_masked":"136****1234"`) || !strings.Contains(resp.Body, `"username":"grid01"`) {
			t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
		}
		if resp := api.JSON("GET", fmt.Sprintf("/api/v1/roster?grid=%d", g2), nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another grid's roster: status %d", resp.StatusCode)
		}
		if resp := api.JSON("GET", "/api/v1/roster?duty=chief", nil); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("unknown duty: status %d", resp.StatusCode)
		}
	})
	noPlainNumbers(t, "the server log", env.Log.String())
}
