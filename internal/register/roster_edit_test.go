package register_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"linli/internal/apptest"
	"linli/internal/auth"
	"linli/internal/db"
	"linli/internal/db/dbtest"
	"linli/internal/errs"
	"linli/internal/register"
)

func TestRosterIsKeptByTheCommunityAndTheGridLeader(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		w := newWorld(t, d)
		g1 := w.f.Grids[0].ID
		w.f.AddUser(t, "leader01", auth.BuildingLeader, w.f.Grids[0])
		w.f.AddUser(t, "gridc", auth.GridLeader, w.f.Community)
		e, err := w.svc.AddRosterEntry(w.f.Ctx("admin"), g1, register.RosterInput{Duty: "police", Name: "刘警官"})
		if err != nil {
			t.Fatal(err)
		}
		t.Run("the grid's own leader adds, edits and removes", func(t *testing.T) {
			ctx := w.f.Ctx("grid01")
			added, err := w.svc.AddRosterEntry(ctx, g1, register.RosterInput{Duty: "worker_part", Name: "兼职甲"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.UpdateRosterEntry(ctx, g1, added.ID, register.RosterInput{Duty: "worker_full", Name: "兼职甲"}); err != nil {
				t.Fatal(err)
			}
			if err := w.svc.RemoveRosterEntry(ctx, g1, added.ID); err != nil {
				t.Fatal(err)
			}
		})
		for _, user := range []string{"worker01", "leader01", "gridc"} {
			t.Run(user+" reads the roster but may not change it, and is told who may", func(t *testing.T) {
				ctx := w.f.Ctx(user)
				if list, err := w.svc.Roster(ctx, g1); err != nil || len(list) != 1 {
					t.Fatalf("Roster = %v, %v", list, err)
				}
				_, err := w.svc.AddRosterEntry(ctx, g1, register.RosterInput{Duty: "worker_part", Name: "兼职乙"})
				if !errs.Is(err, errs.Forbidden) || !strings.Contains(errs.MessageOf(err), "网格长") {
					t.Errorf("AddRosterEntry = %v, want forbidden naming who may", err)
				}
				if _, err := w.svc.UpdateRosterEntry(ctx, g1, e.ID, register.RosterInput{Duty: "police", Name: "改名"}); !errs.Is(err, errs.Forbidden) {
					t.Errorf("UpdateRosterEntry = %v, want forbidden", err)
				}
				if err := w.svc.RemoveRosterEntry(ctx, g1, e.ID); !errs.Is(err, errs.Forbidden) {
					t.Errorf("RemoveRosterEntry = %v, want forbidden", err)
				}
			})
		}
		t.Run("another grid's leader finds no such grid", func(t *testing.T) {
			_, err := w.svc.AddRosterEntry(w.f.Ctx("grid02"), g1, register.RosterInput{Duty: "worker_part", Name: "兼职丙"})
			if !errs.Is(err, errs.NotFound) {
				t.Errorf("AddRosterEntry = %v, want not found", err)
			}
		})
		if list, _ := w.svc.Roster(w.f.Ctx("admin"), g1); len(list) != 1 || list[0].Name != "刘警官" {
			t.Errorf("roster after the refused changes: %+v", list)
		}
	})
}

func TestRosterEditControlsOnTheGridPage(t *testing.T) {
	env := apptest.New(t)
	f := env.Fixture
	g1 := f.Grids[0].ID
	f.AddUser(t, "leader01", auth.BuildingLeader, f.Grids[0])
	e, err := register.NewService(env.DB(), f.Sealer).AddRosterEntry(f.Ctx("admin"), g1, register.RosterInput{Duty: "police", Name: "刘警官"})
	if err != nil {
		t.Fatal(err)
	}
	grid := fmt.Sprintf("/grids/%d", g1)
	entry := fmt.Sprintf("%s/roster/%d", grid, e.ID)
	for _, user := range []string{"admin", "grid01"} {
		t.Run(user+" gets the roster's edit controls", func(t *testing.T) {
			body := env.Login(t, user).Get(grid).Body
			if !strings.Contains(body, "添加网格力量") || !strings.Contains(body, `href="`+entry+`"`) {
				t.Error("edit controls missing")
			}
		})
	}
	for _, user := range []string{"worker01", "leader01"} {
		t.Run(user+" sees the roster without edit controls and is refused a change in Chinese", func(t *testing.T) {
			page := env.Login(t, user)
			body := page.Get(grid).Body
			if !strings.Contains(body, "刘警官") || strings.Contains(body, "添加网格力量") || strings.Contains(body, `action="`+entry+`/delete"`) {
				t.Error("the roster is missing or the edit controls are shown")
			}
			if resp := page.Get(entry); resp.StatusCode != http.StatusForbidden {
				t.Errorf("edit form: status %d", resp.StatusCode)
			}
			resp := page.PostForm(grid+"/roster", url.Values{"duty": {"worker_part"}, "name": {"兼职乙"}})
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(resp.Body, "网格力量由社区和本网格网格长维护") {
				t.Errorf("add: status %d", resp.StatusCode)
			}
			if resp := page.PostForm(entry+"/delete", nil); resp.StatusCode != http.StatusForbidden {
				t.Errorf("remove: status %d", resp.StatusCode)
			}
			api := env.APIClient(t, user)
			resp = api.JSON("PUT", fmt.Sprintf("/api/v1/grids/%d/roster/%d", g1, e.ID), map[string]any{"duty": "police", "name": "改名"})
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(resp.Body, "网格力量由社区和本网格网格长维护") {
				t.Errorf("API edit: status %d: %s", resp.StatusCode, resp.Body)
			}
		})
	}
}
