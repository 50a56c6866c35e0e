package cobuild_test

import (
	"fmt"
	"net/http"
	"testing"

	"linli/internal/apptest"
)

// The news report's figures for 2024-01-01..10-15 (DOMAIN.md, "The demo") come out of the demo
// through the API, and each is the total of the list it drills into.
func TestTheDemoReportsTheNewsFigures(t *testing.T) {
	env := apptest.NewDemo(t)
	admin := env.APIClient(t, "admin")
	var community struct {
		Items []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	admin.Get("/api/v1/regions?level=community").Decode(t, &community)
	var nanguan int64
	for _, r := range community.Items {
		if r.Name == "南关社区" {
			nanguan = r.ID
		}
	}
	if nanguan == 0 {
		t.Fatalf("no 南关社区 among %+v", community.Items)
	}
	period := fmt.Sprintf("from=2024-01-01&to=2024-10-15&region=%d", nanguan)
	resp := admin.Get("/api/v1/cobuild/figures?" + period)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("figures: %d %s", resp.StatusCode, resp.Body)
	}
	var f map[string]any
	resp.Decode(t, &f)
	want := map[string]float64{"needs": 21, "resources": 6, "projects": 4, "meetings": 2, "activities": 20}
	for key, n := range want {
		if f[key] != n {
			t.Errorf("%s = %v, want %v", key, f[key], n)
		}
	}
	for key, list := range map[string]string{"needs": "needs", "resources": "resources", "projects": "projects",
		"meetings": "meetings?state=held&", "activities": "activities"} {
		path := "/api/v1/cobuild/" + list
		if list == key {
			path += "?"
		}
		var l struct{ Total int }
		admin.Get(path+period).Decode(t, &l)
		if float64(l.Total) != want[key] {
			t.Errorf("the %s list holds %d, the figure says %v", key, l.Total, want[key])
		}
	}
	var units struct{ Total int }
	admin.Get("/api/v1/cobuild/units").Decode(t, &units)
	if units.Total != 12 {
		t.Errorf("member units = %d, want 12", units.Total)
	}
	unit := env.APIClient(t, "unit01")
	var mine struct{ Total int }
	unit.Get("/api/v1/cobuild/units").Decode(t, &mine)
	if mine.Total != 1 {
		t.Errorf("unit01 sees %d units, want only its own", mine.Total)
	}
	var upcoming struct{ Total int }
	admin.Get("/api/v1/cobuild/meetings?state=scheduled").Decode(t, &upcoming)
	var open struct{ Total int }
	admin.Get("/api/v1/cobuild/decisions?state=open").Decode(t, &open)
	if upcoming.Total != 1 || open.Total == 0 {
		t.Errorf("a meeting coming up (%d) and decisions open (%d) are part of the demo", upcoming.Total, open.Total)
	}
}
