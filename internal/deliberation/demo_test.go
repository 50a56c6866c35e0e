package deliberation_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"linli/internal/apptest"
	"linli/internal/clock"
	"linli/internal/deliberation"
	"linli/internal/demo"
)

// The demo's deliberation record: the 2024 period's figures, the year up to today with a topic in
// every state (one collecting support, one in publication, one carried out at 60 %), and each
// figure the total of the list it drills into.
func TestTheDemoHoldsAYearOfDeliberation(t *testing.T) {
	env := apptest.NewDemo(t)
	admin := env.APIClient(t, "admin")
	figures := func(from, to string) deliberation.Figures {
		t.Helper()
		r := admin.Get("/api/v1/deliberation/figures?from=" + from + "&to=" + to)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("figures: %d %s", r.StatusCode, r.Body)
		}
		var f deliberation.Figures
		r.Decode(t, &f)
		return f
	}
	f := figures("2024-01-01", "2024-10-15")
	want := demo.DeliberationRecord2024
	got := deliberation.PeriodFigures{Topics: f.Topics, Accepted: f.Accepted, Meetings: f.Meetings, Decisions: f.Decisions,
		DecisionsDone: f.DecisionsDone}
	if got != want {
		t.Errorf("2024-01-01..10-15: %+v, want %+v", got, want)
	}
	for key, n := range map[string]int{"topics": f.Topics, "decisions": f.Decisions, "decisions_done": f.DecisionsDone} {
		var l struct{ Total int }
		admin.Get("/api/v1/deliberation"+f.Links[key][len("/deliberation"):]).Decode(t, &l)
		if l.Total != n {
			t.Errorf("the %s figure is %d, its list holds %d", key, n, l.Total)
		}
	}

	today := time.Now().In(clock.Shanghai())
	y := figures(today.AddDate(-1, 0, 1).Format(time.DateOnly), today.Format(time.DateOnly))
	if y.Topics != demo.DeliberationYear.Topics || y.Meetings != demo.DeliberationYear.Meetings {
		t.Errorf("the past year: %d topics, %d meetings; want %+v", y.Topics, y.Meetings, demo.DeliberationYear)
	}
	if y.Attended == 0 || y.DecisionsDone == 0 || y.Ratings == 0 {
		t.Errorf("the year's attendance, decisions done and ratings: %+v", y.PeriodFigures)
	}
	seen := map[deliberation.State]int{}
	var l struct{ Items []deliberation.Topic }
	admin.Get("/api/v1/deliberation/topics?limit=200").Decode(t, &l)
	for _, tp := range l.Items {
		seen[tp.State]++
	}
	for _, s := range deliberation.States {
		if seen[s] == 0 {
			t.Errorf("no demo topic is %s (%s)", s, s.Label())
		}
	}
	var implementing *deliberation.Topic
	for i := range l.Items {
		if l.Items[i].State == deliberation.Implementing {
			implementing = &l.Items[i]
		}
	}
	var pa deliberation.Path
	admin.Get(fmt.Sprintf("/api/v1/deliberation/topics/%d", implementing.ID)).Decode(t, &pa)
	if pa.Decision == nil || pa.Decision.Progress != 60 || pa.Decision.CaseID == 0 || pa.Decision.ProjectID == 0 {
		t.Errorf("the decision being carried out: %+v", pa.Decision)
	}
	if r := env.Anonymous(t).Get("/public/deliberation"); r.StatusCode != http.StatusOK {
		t.Errorf("the public page: %d", r.StatusCode)
	}
}
