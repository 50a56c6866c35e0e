package deliberation_test

import (
	"testing"

	"linli/internal/auth"
	"linli/internal/deliberation"
	"linli/internal/errs"
)

func TestQuorumAndMajorityAtTheirEdges(t *testing.T) {
	type c = deliberation.Count
	tests := []struct {
		name           string
		body           deliberation.Body
		count          c
		quorum, passes bool
	}{
		{"half present is no quorum", deliberation.BodyResidents, c{Entitled: 10, Present: 5, Yes: 5}, false, false},
		{"one more than half present is a quorum", deliberation.BodyResidents, c{Entitled: 10, Present: 6, Yes: 4}, true, true},
		{"half of those present in favour does not pass", deliberation.BodyRepresentatives, c{Entitled: 10, Present: 8, Yes: 4, No: 4}, true, false},
		{"abstentions count against", deliberation.BodyRepresentatives, c{Entitled: 10, Present: 9, Yes: 4, No: 1, Abstain: 4}, true, false},
		{"odd entitled: 3 of 5 is a quorum", deliberation.BodyResidents, c{Entitled: 5, Present: 3, Yes: 2}, true, true},
		{"party review: two thirds exactly is a quorum", deliberation.BodyParty, c{Entitled: 9, Present: 6, Yes: 4}, true, true},
		{"party review: one short of two thirds", deliberation.BodyParty, c{Entitled: 9, Present: 5, Yes: 5}, false, false},
		{"party review: 7 of 10 present", deliberation.BodyParty, c{Entitled: 10, Present: 7, Yes: 3, No: 4}, true, false},
		{"party review: 6 of 10 is short", deliberation.BodyParty, c{Entitled: 10, Present: 6, Yes: 6}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := deliberation.RuleOf(tt.body)
			if got := r.Quorum(tt.count); got != tt.quorum {
				t.Errorf("quorum = %v, want %v", got, tt.quorum)
			}
			if got := r.Passes(tt.count); got != tt.passes {
				t.Errorf("passes = %v, want %v", got, tt.passes)
			}
		})
	}
}

func TestCountsThatDoNotAddUpAreRefused(t *testing.T) {
	for _, c := range []deliberation.Count{{Entitled: 0}, {Entitled: 5, Present: 6}, {Entitled: 5, Present: 4, Yes: 3, No: 2}} {
		if err := c.Validate(); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("%+v: %v, want invalid", c, err)
		}
	}
	if err := (deliberation.Count{Entitled: 5, Present: 4, Yes: 2, No: 1, Abstain: 1}).Validate(); err != nil {
		t.Error(err)
	}
}

func TestThreshold(t *testing.T) {
	for _, tt := range []struct{ fixed, pct, households, want int }{
		{10, 0, 500, 10}, {0, 5, 200, 10}, {0, 5, 201, 11}, {0, 5, 10, 1}, {0, 0, 100, deliberation.DefaultThreshold},
	} {
		if got := deliberation.Threshold(tt.fixed, tt.pct, tt.households); got != tt.want {
			t.Errorf("Threshold(%d, %d, %d) = %d, want %d", tt.fixed, tt.pct, tt.households, got, tt.want)
		}
	}
}

func TestTheProcedureTakesItsStepsInOrder(t *testing.T) {
	if _, err := deliberation.Next(deliberation.Resolving, deliberation.ActPublish); errs.CodeOf(err) != errs.Conflict {
		t.Errorf("publishing before a decision: %v, want conflict", err)
	}
	if _, err := deliberation.Next(deliberation.Proposed, deliberation.ActDecide); errs.CodeOf(err) != errs.Conflict {
		t.Errorf("deciding a proposal: %v, want conflict", err)
	}
	to, err := deliberation.Next(deliberation.Decided, deliberation.ActPublish)
	if err != nil || to != deliberation.Published {
		t.Errorf("publish a decision: %v %v", to, err)
	}
	member := &auth.Principal{Role: auth.PartyMember}
	if deliberation.Allowed(member, deliberation.ActAccept) {
		t.Error("a party member may not accept a topic")
	}
	if got := deliberation.Actions(&auth.Principal{Role: auth.CommunityAdmin}, deliberation.Queued); len(got) != 3 {
		t.Errorf("a queued topic's actions for the community: %v", got)
	}
}
