package pii

import (
	"strings"
	"testing"

	"linli/internal/errs"
)

func TestAServiceTakesARevealReasonOfAtMost200Characters(t *testing.T) {
	if got, err := CheckReason("  回访核实  "); err != nil || got != "回访核实" {
		t.Fatalf("RevealReason = %q, %v; want the reason trimmed", got, err)
	}
	for _, c := range []struct{ reason, want string }{
		{"   ", "请填写查看原因"},
		{strings.Repeat("查", 201), "不能超过200字"},
	} {
		_, err := CheckReason(c.reason)
		if !strings.Contains(errs.FieldsOf(err)["reason"], c.want) {
			t.Fatalf("CheckReason(%d characters) = %v, want a reason field error %q", len([]rune(c.reason)), err, c.want)
		}
	}
}
