package mediation_test

import (
	"fmt"
	"net/http"
	"testing"

	"linli/internal/apptest"
	"linli/internal/mediation"
)

// TestDemoRecord: the Nanguan demo answers the news report's 78 hard problems solved with the red
// think tank for 2024-01-01..10-15, each an archived file, most with an invited expert.
func TestDemoRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the whole demo")
	}
	env := apptest.NewDemo(t)
	admin := env.APIClient(t, "admin")
	var f mediation.Figures
	res := admin.Get("/api/v1/mediation/figures?from=2024-01-01&to=2024-10-15")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("figures: %d %s", res.StatusCode, res.Body)
	}
	res.Decode(t, &f)
	if f.Agreements != 78 {
		t.Fatalf("agreements = %d, want 78", f.Agreements)
	}
	if f.Failed == 0 || f.Refused == 0 || f.Amount == 0 || f.PreventedCriminal == 0 {
		t.Errorf("the record lacks failures, refusals, amounts or prevented cases: %+v", f)
	}
	withExpert := 0
	for _, b := range f.ByExpert {
		withExpert += b.Agreements
	}
	if withExpert*2 <= f.Agreements {
		t.Errorf("only %d of %d agreements had an invited expert", withExpert, f.Agreements)
	}
	var list struct {
		Items []mediation.Case `json:"items"`
		Total int              `json:"total"`
	}
	admin.Get("/api/v1/mediation/cases?figure=agreements&from=2024-01-01&to=2024-10-15&limit=100").Decode(t, &list)
	if list.Total != 78 {
		t.Fatalf("drill-down lists %d", list.Total)
	}
	for _, c := range list.Items[:5] {
		var d mediation.Detail
		admin.Get(fmt.Sprintf("/api/v1/mediation/cases/%d", c.ID)).Decode(t, &d)
		if d.State != mediation.Archived || len(d.Missing) != 0 || len(d.Records) == 0 || len(d.Followups) == 0 {
			t.Errorf("%s is not a full archived file: %s missing %v", d.Number, d.State, d.Missing)
		}
	}
	admin.Get("/api/v1/mediation/cases?figure=near_limit").Decode(t, &list)
	if list.Total == 0 {
		t.Error("no open case near its 30-day target")
	}
	admin.Get("/api/v1/mediation/cases?figure=followup_due").Decode(t, &list)
	if list.Total == 0 {
		t.Error("no agreement awaiting follow-up")
	}
	var grids struct {
		Items []mediation.GridScreening `json:"items"`
	}
	admin.Get("/api/v1/mediation/screenings/grids").Decode(t, &grids)
	flagged := 0
	for _, g := range grids.Items {
		if g.Flagged {
			flagged++
		}
	}
	if len(grids.Items) != 10 || flagged != 1 {
		t.Errorf("grids %d, flagged %d", len(grids.Items), flagged)
	}
	var experts struct {
		Total int `json:"total"`
	}
	admin.Get("/api/v1/mediation/experts").Decode(t, &experts)
	if experts.Total != 15 {
		t.Errorf("think tank of %d", experts.Total)
	}
	if r := env.Login(t, "mediator01").Get("/mediation"); r.StatusCode != http.StatusOK {
		t.Errorf("list page %d", r.StatusCode)
	}
}
