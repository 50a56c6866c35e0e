package cobuild_test

import (
	"testing"

	"linli/internal/cobuild"
)

func TestCreditCode(t *testing.T) {
	for _, c := range []struct {
		code string
		ok   bool
	}{
		{"91350100M000100Y43", true},     // the standard's published example
		{"91350100M000100Y44", false},    // wrong check character
		{"91350100M000100Y4", false},     // 17 characters
		{"91350100I000100Y43", false},    // I is not in the code's alphabet
		{code("000000007"), true},        // the fixtures' codes
		{"9135 0100 M000 100Y 43", true}, // spaces are dropped by NormalizeCreditCode
	} {
		if got := cobuild.ValidCreditCode(cobuild.NormalizeCreditCode(c.code)); got != c.ok {
			t.Errorf("ValidCreditCode(%q) = %v, want %v", c.code, got, c.ok)
		}
	}
}

func TestUnitInputRejectsABadCreditCodeNamingTheField(t *testing.T) {
	in := cobuild.UnitInput{Name: "某公司", Kind: "enterprise", CreditCode: "91350100M000100Y44"}
	err := in.Validate()
	if err == nil {
		t.Fatal("a bad credit code was accepted")
	}
	if msg := errsField(err, "credit_code"); msg == "" {
		t.Fatalf("no message for credit_code: %v", err)
	}
}

func TestDecisionInputNeedsOwnerAndDueDate(t *testing.T) {
	in := cobuild.DecisionInput{Text: "完善小区照明"}
	err := in.Validate()
	for _, f := range []string{"unit_id", "due_on"} {
		if errsField(err, f) == "" {
			t.Errorf("no message for %s: %v", f, err)
		}
	}
}

func TestMilestoneCannotFallBeforeItsProjectStarts(t *testing.T) {
	in := cobuild.MilestoneInput{Title: "采购", DueOn: "2026-03-01"}
	if errsField(in.Validate("2026-03-02"), "due_on") == "" {
		t.Fatal("a milestone before the project's start was accepted")
	}
	if err := in.Validate("2026-03-01"); err != nil {
		t.Fatalf("a milestone on the start day was refused: %v", err)
	}
}
