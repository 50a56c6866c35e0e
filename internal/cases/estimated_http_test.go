package cases_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"linli/internal/cases"
	"linli/internal/clock"
)

// TestAnEstimatedDeadlineIsMarkedOnEveryPageAndTheAdminIsWarned extends a case into the first
// year the calendar has no data for and reads it on the list, the case page, the API, the print
// page and the public tracking page; the calendar's administrator sees the warning linking to
// the import, a grid leader does not.
func TestAnEstimatedDeadlineIsMarkedOnEveryPageAndTheAdminIsWarned(t *testing.T) {
	p := newPage(t)
	cal, err := p.env.Main.Calendar.Calendar(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	year := time.Now().In(clock.Shanghai()).Year()
	for cal.Covers(year) {
		year++
	}
	var c cases.Case
	p.api.JSON("POST", "/api/v1/cases", map[string]any{"channel": "phone", "category_id": leafID(t, p.api, "dispute.leak"),
		"description": "3号楼501漏水", "grid_id": p.env.Fixture.Grids[0].ID, "address": "3号楼"}).Decode(t, &c)
	p.act(t, c.ID, "accept", nil)
	p.act(t, c.ID, "dispatch", map[string]any{"lead": map[string]any{"kind": "grid", "grid_id": p.env.Fixture.Grids[0].ID}})
	grid01 := p.env.APIClient(t, "grid01")
	if resp := grid01.JSON("POST", fmt.Sprintf("/api/v1/cases/%d/actions/sign", c.ID), map[string]any{}); resp.StatusCode != http.StatusOK {
		t.Fatalf("sign: %d %s", resp.StatusCode, resp.Body)
	}
	var got cases.Case
	p.api.Get(fmt.Sprintf("/api/v1/cases/%d", c.ID)).Decode(t, &got)
	if got.DeadlineEstimated != !cal.Covers(got.HandleDeadline.In(clock.Shanghai()).Year()) {
		t.Fatalf("deadline %v: estimated %v", got.HandleDeadline, got.DeadlineEstimated)
	}
	// Extend into the missing year, within the maximum: as far as the first working days of January.
	until := time.Date(year, 1, 6, 18, 0, 0, 0, clock.Shanghai())
	if got.HandleDeadline.After(until) || cal.AddWorkingDays(*got.HandleDeadline, cases.DefaultMaxExtensionDays).Before(until) {
		t.Skipf("the handle deadline %v is too far from %d to extend into it", got.HandleDeadline, year)
	}
	p.act(t, c.ID, "extend", map[string]any{"note": "等待配件", "until": until})
	p.api.Get(fmt.Sprintf("/api/v1/cases/%d", c.ID)).Decode(t, &got)
	if !got.DeadlineEstimated || !got.SLA.Estimated {
		t.Fatalf("a deadline in %d: estimated %v / sla %v", year, got.DeadlineEstimated, got.SLA.Estimated)
	}
	for _, path := range []string{"/cases", fmt.Sprintf("/cases/%d", c.ID), fmt.Sprintf("/cases/%d/print", c.ID), "/track/" + got.TrackingCode} {
		if body := p.admin.Get(path).Body; !strings.Contains(body, "预计") {
			t.Errorf("%s does not mark the deadline 预计", path)
		}
	}
	var track struct {
		Estimated bool `json:"handle_deadline_estimated"`
	}
	p.env.Anonymous(t).Get("/api/v1/public/cases/"+got.TrackingCode).Decode(t, &track)
	if !track.Estimated {
		t.Error("the public API does not mark the deadline estimated")
	}
	missing := cal.MissingYear(time.Now())
	admin := p.admin.Get("/cases").Body
	if missing != 0 && (!strings.Contains(admin, fmt.Sprintf("%d年工作日历尚未导入", missing)) || !strings.Contains(admin, fmt.Sprintf(`href="/settings/calendar?year=%d"`, missing))) {
		t.Errorf("the admin sees no warning that %d is missing", missing)
	}
	if missing == 0 && strings.Contains(admin, "工作日历尚未导入") {
		t.Error("a warning while no year is missing")
	}
	if body := p.env.Login(t, "grid01").Get("/cases").Body; strings.Contains(body, "工作日历尚未导入") {
		t.Error("a grid leader sees the calendar warning")
	}
	if page := p.admin.Get(fmt.Sprintf("/settings/calendar?year=%d", year)); page.StatusCode != http.StatusOK {
		t.Errorf("the calendar page of %d: %d", year, page.StatusCode)
	}
}
