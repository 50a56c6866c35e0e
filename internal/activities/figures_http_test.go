package activities_test

import (
	"fmt"
	"net/http"
	"testing"

	"linli/internal/activities"
	"linli/internal/apptest"
)

// The demo holds the reported record of Nanguan for 2024-01-01..10-15: seven featured activity
// brands (DOMAIN.md, "The demo").
func TestDemoFiguresAnswerSevenFeaturedSeries(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the whole demo")
	}
	env := apptest.NewDemo(t)
	admin := env.APIClient(t, "admin")
	var me struct {
		Items []struct {
			RegionID int64 `json:"region_id"`
		} `json:"items"`
	}
	admin.Get("/api/v1/venues").Decode(t, &me)
	if len(me.Items) < 7 {
		t.Fatalf("the demo has %d rooms", len(me.Items))
	}
	r := admin.Get(fmt.Sprintf("/api/v1/activities/figures?from=2024-01-01&to=2024-10-15&region=%d", me.Items[0].RegionID))
	if r.StatusCode != http.StatusOK {
		t.Fatalf("figures: %d %s", r.StatusCode, r.Body)
	}
	var f activities.Figures
	r.Decode(t, &f)
	if f.FeaturedSeries != 7 {
		t.Errorf("featured_series = %d, want 7", f.FeaturedSeries)
	}
	if f.Held == 0 || f.ParticipantsDistinct == 0 || f.VolunteerHours == 0 || len(f.Venues) == 0 {
		t.Errorf("figures without records: %+v", f)
	}
	var series int
	for _, s := range f.BySeries {
		series += s.Count
	}
	if series > f.Held || len(f.BySeries) != 7 {
		t.Errorf("by series %v does not add up to held %d", f.BySeries, f.Held)
	}
	if len(f.Children) != 10 {
		t.Errorf("%d grids in the per-grid figures", len(f.Children))
	}
	// Each figure drills down to its records.
	list := admin.Get("/api/v1/activities?featured=1&from=2024-01-01&to=2024-10-15&limit=500")
	var acts struct {
		Total int `json:"total"`
	}
	list.Decode(t, &acts)
	if acts.Total != series {
		t.Errorf("the featured activities list holds %d, the figure counts %d", acts.Total, series)
	}
	upcoming := admin.Get("/api/v1/activities?upcoming=1")
	var up struct {
		Items []activities.Activity `json:"items"`
	}
	upcoming.Decode(t, &up)
	full := false
	for _, a := range up.Items {
		if a.Full() && a.Waitlisted > 0 {
			full = true
		}
	}
	if len(up.Items) == 0 || !full {
		t.Errorf("the demo has %d upcoming activities and none full with a waitlist", len(up.Items))
	}
	var pending struct {
		Total int `json:"total"`
	}
	admin.Get("/api/v1/activities/hours?status=pending").Decode(t, &pending)
	if pending.Total == 0 {
		t.Error("no volunteer hours wait for approval in the demo")
	}
}
