package pii

import (
	"testing"

	"linli/internal/errs"
)

func TestRevealReasonIsAPurposeFromTheListAndAnExplanation(t *testing.T) {
	for _, tt := range []struct{ purpose, detail, field string }{
		{"电话回访核实", "a", "reason"},
		{"电话回访核实", "  看看  ", "reason"},
		{"随便看看", "核实低保申请人住址", "purpose"},
		{"", "核实低保申请人住址", "purpose"},
	} {
		_, err := RevealReason(tt.purpose, tt.detail)
		if errs.FieldsOf(err)[tt.field] == "" {
			t.Errorf("RevealReason(%q, %q) = %v, want an error on %s (L4)", tt.purpose, tt.detail, err, tt.field)
		}
	}
	got, err := RevealReason("电话回访核实", "核实低保申请人住址")
	if err != nil || got != "电话回访核实：核实低保申请人住址" {
		t.Errorf("a good reason: %q %v", got, err)
	}
}
