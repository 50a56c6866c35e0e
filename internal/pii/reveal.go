package pii

import (
	"strings"
	"unicode/utf8"

	"linli/internal/errs"
)

// CheckReason checks the reason a service receives for revealing a plain number — required, at most 200
// characters — and returns it trimmed, for the audit entry of the reveal.
func CheckReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", errs.Field("reason", "请填写查看原因，查看记录将留痕备查")
	}
	if utf8.RuneCountInString(reason) > 200 {
		return "", errs.Field("reason", "查看原因不能超过200字")
	}
	return reason, nil
}
