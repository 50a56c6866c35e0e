package visits

import (
	"testing"

	"linli/internal/register"
)

func TestNextDue(t *testing.T) {
	const today = "2026-03-20"
	alone := func(since string) TagSince { return TagSince{Tag: register.TagElderlyAlone, Since: since} }
	dibao := func(since string) TagSince { return TagSince{Tag: register.TagDibao, Since: since} }
	aged := TagSince{Tag: register.TagAged80, Since: aged80Since("1944-03-10")} // 80 on 2024-03-10
	tests := []struct {
		name     string
		tags     []TagSince
		last     string
		inPlan   bool
		state    CareState
		nextDue  string
		missed   int
		dueToday bool
	}{
		{name: "new tag is first due one cadence after it was set", tags: []TagSince{alone("2026-03-18")},
			inPlan: true, state: StateNew, nextDue: "2026-03-25"},
		{name: "new tag due today is on the list but not yet overdue", tags: []TagSince{alone("2026-03-13")},
			inPlan: true, state: StateNew, nextDue: "2026-03-20", dueToday: true},
		{name: "never visited past the first cadence is overdue", tags: []TagSince{alone("2026-03-01")},
			inPlan: true, state: StateOverdue, nextDue: "2026-03-08", missed: 2, dueToday: true},
		{name: "first visit starts the clock", tags: []TagSince{alone("2026-01-01")}, last: "2026-03-17",
			inPlan: true, state: StateOK, nextDue: "2026-03-24"},
		{name: "visit exactly a cadence ago is due today and still counts as visited", tags: []TagSince{alone("2026-01-01")},
			last: "2026-03-13", inPlan: true, state: StateOK, nextDue: "2026-03-20", dueToday: true},
		{name: "missed cycles count whole cadences late plus the one running", tags: []TagSince{alone("2026-01-01")},
			last: "2026-02-20", inPlan: true, state: StateOverdue, nextDue: "2026-02-27", missed: 3, dueToday: true},
		{name: "the tightest cadence decides", tags: []TagSince{dibao("2025-01-01"), alone("2025-01-01")},
			last: "2026-03-10", inPlan: true, state: StateOverdue, nextDue: "2026-03-17", missed: 1, dueToday: true},
		{name: "a tag set after the last visit starts its own clock", tags: []TagSince{alone("2026-03-15")},
			last: "2025-06-01", inPlan: true, state: StateOK, nextDue: "2026-03-22"},
		{name: "derived 高龄 counts from the 80th birthday", tags: []TagSince{aged}, last: "2026-03-01",
			inPlan: true, state: StateOverdue, nextDue: "2026-03-15", missed: 1, dueToday: true},
		{name: "tag removed: no care plan", tags: nil, last: "2026-03-01", inPlan: false},
		{name: "tag without a cadence: no care plan", tags: []TagSince{{Tag: register.TagVeteran, Since: "2020-01-01"}},
			inPlan: false},
		{name: "unknown tag date and never visited is due at once", tags: []TagSince{alone("")},
			inPlan: true, state: StateOverdue, nextDue: "", dueToday: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := NextDue(DefaultCadences, tt.tags, tt.last, today)
			if ok != tt.inPlan {
				t.Fatalf("in plan = %v, want %v", ok, tt.inPlan)
			}
			if !ok {
				return
			}
			if c.State != tt.state || c.NextDue != tt.nextDue || c.MissedCycles != tt.missed || c.Due(today) != tt.dueToday {
				t.Errorf("got state %s, due %q, missed %d, on list %v; want %s, %q, %d, %v",
					c.State, c.NextDue, c.MissedCycles, c.Due(today), tt.state, tt.nextDue, tt.missed, tt.dueToday)
			}
		})
	}
}

func TestVisitInputNormalize(t *testing.T) {
	ok := VisitInput{ClientUUID: "0F8FAD5B-D9CB-469F-A165-70867728950E", HouseholdID: 1, Situation: " 身体尚好 "}
	if err := ok.Normalize("2026-03-20"); err != nil {
		t.Fatalf("valid visit rejected: %v", err)
	}
	if ok.VisitedOn != "2026-03-20" || ok.Method != MethodHome || ok.Situation != "身体尚好" {
		t.Errorf("defaults not applied: %+v", ok)
	}
	bad := []VisitInput{
		{ClientUUID: "not-a-uuid", HouseholdID: 1, Situation: "x"},
		{ClientUUID: ok.ClientUUID, Situation: "x"},
		{ClientUUID: ok.ClientUUID, HouseholdID: 1},
		{ClientUUID: ok.ClientUUID, HouseholdID: 1, Situation: "x", VisitedOn: "2026-03-21"},
		{ClientUUID: ok.ClientUUID, HouseholdID: 1, Situation: "x", FollowUpOn: "2026-03-01"},
		{ClientUUID: ok.ClientUUID, HouseholdID: 1, Situation: "x", NeedCategoryID: 3},
		{ClientUUID: ok.ClientUUID, HouseholdID: 1, Situation: "x", Method: "fax"},
	}
	for i, in := range bad {
		if err := in.Normalize("2026-03-20"); err == nil {
			t.Errorf("case %d accepted: %+v", i, in)
		}
	}
}
