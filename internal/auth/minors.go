package auth

import (
	"time"

	"linli/internal/clock"
	"linli/internal/db"
)

// The minors rule (DOMAIN.md): a resident under 18 reaches only users who hold MinorsRead, through
// every channel — lists, pages, exports, search, counts and the audit log. Capabilities apply it
// with these helpers so that the cut-off is computed in one place.

// AdultBornBy is the last birth date (YYYY-MM-DD) of a person who is 18 or older on day (in
// Shanghai): a birth date after it is a minor's.
func AdultBornBy(day time.Time) string {
	return day.In(clock.Shanghai()).AddDate(-18, 0, 0).Format(time.DateOnly)
}

// IsMinor reports whether a birth date (YYYY-MM-DD, empty when unknown) is a minor's on day.
func IsMinor(birth string, day time.Time) bool { return birth != "" && birth > AdultBornBy(day) }

// HidesMinors reports whether the minors rule hides residents under 18 from p.
func (p *Principal) HidesMinors() bool { return !p.Can(MinorsRead) }

// AdultsOnly is the SQL condition, prefixed with " AND ", that leaves out people whose birth date
// column col is a minor's on day when p may not see minors; "" when p may.
func (p *Principal) AdultsOnly(col string, day time.Time, a *db.Args) string {
	if !p.HidesMinors() {
		return ""
	}
	return ` AND (` + col + ` = '' OR ` + col + ` IS NULL OR ` + col + ` <= ` + a.Add(AdultBornBy(day)) + `)`
}
