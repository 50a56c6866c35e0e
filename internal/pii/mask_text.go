package pii

import (
	"regexp"
	"strings"
)

// numberRun is a run of digits that may hold a phone or ID number: digits, separators (space, '-')
// and an ID's check character X.
var numberRun = regexp.MustCompile(`[0-9][0-9Xx \-]*[0-9Xx]`)

// MaskText masks, in free text written by staff or residents (a note shown on a public page), every
// mobile number (11 digits from 1, spaced or not), landline with area code (0 and 9 to 11 more
// digits) and ID number (18 characters, or the old 15 digits), as MaskPhone and MaskID show them.
// Other numbers — house numbers, dates, case numbers like SQ001-2024-000004 — stay as written.
func MaskText(s string) string {
	return numberRun.ReplaceAllStringFunc(s, func(run string) string {
		if m, ok := maskNumber(run); ok {
			return m
		}
		// Several numbers side by side: mask each part on its own.
		parts := strings.Split(run, " ")
		for i, part := range parts {
			if m, ok := maskNumber(part); ok {
				parts[i] = m
			}
		}
		return strings.Join(parts, " ")
	})
}

// separators are what a number run may hold between its digits. Built once: a Replacer builds its
// tables on first use, which per run was 14 KB and most of an Open311 page's allocations.
var separators = strings.NewReplacer(" ", "", "-", "")

// maskNumber masks run when, without its separators, it is a phone or ID number.
func maskNumber(run string) (string, bool) {
	d := separators.Replace(strings.TrimSpace(run))
	digits := strings.TrimRight(d, "0123456789") == "" // only digits
	switch {
	case len(d) == 18 && strings.Trim(d[:17], "0123456789") == "" && strings.ContainsAny(d[17:], "0123456789Xx"):
		return MaskID(strings.ToUpper(d)), true
	case !digits:
		return "", false
	case len(d) == 15 && d[0] != '0' && d[0] != '1':
		return MaskID(d), true
	case len(d) == 11 && d[0] == '1':
		return MaskPhone(d), true
	case len(d) >= 10 && len(d) <= 12 && d[0] == '0':
		return MaskPhone(d), true
	}
	return "", false
}
