package pii

import (
	"strings"
	"unicode/utf8"

	"linli/internal/errs"
)

// RevealPurposes are the purposes a user picks from to see a full ID or phone number; the form's
// select offers them in this order.
var RevealPurposes = []string{"入户走访联系", "电话回访核实", "办理业务核对身份", "应急处置", "上级部门核查", "其他"}

// MinReasonRunes is the least a reveal's free-text explanation may hold.
const MinReasonRunes = 6

// maxReasonRunes leaves room for the purpose within the 200 characters CheckReason takes.
const maxReasonRunes = 190

// RevealReason joins a purpose chosen from RevealPurposes and a free-text explanation of at least
// MinReasonRunes characters into the reason audited with a reveal, e.g. "电话回访核实：核实低保申请人住址".
func RevealReason(purpose, detail string) (string, error) {
	purpose, detail = strings.TrimSpace(purpose), strings.TrimSpace(detail)
	f := errs.Fields{}
	known := false
	for _, p := range RevealPurposes {
		known = known || p == purpose
	}
	if !known {
		f.Add("purpose", "请选择查看用途")
	}
	switch n := utf8.RuneCountInString(detail); {
	case n < MinReasonRunes:
		f.Add("reason", "请填写查看原因并具体说明（至少6个字），查看记录将留痕备查")
	case n > maxReasonRunes:
		f.Add("reason", "查看原因不能超过190字")
	}
	if err := f.Err(); err != nil {
		return "", err
	}
	return purpose + "：" + detail, nil
}
