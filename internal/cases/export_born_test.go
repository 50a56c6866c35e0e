package cases

import (
	"strings"
	"testing"
)

// The export of a user who may see minors reads no resident row per case: withoutBorn takes the
// birth date's column and join out of the list's statement, on both dialects' statements alike.
func TestWithoutBornDropsTheResidentsJoin(t *testing.T) {
	q := "SELECT " + caseColumns + caseFrom + " WHERE c.id = $1"
	got := withoutBorn(q)
	if strings.Contains(got, "mr.") || strings.Contains(got, "residents") {
		t.Fatalf("the residents join is still read:\n%s", got)
	}
	if strings.Count(got, ",") != strings.Count(q, ",")-1 { // COALESCE(mr.birth_date, '') → ''
		t.Fatalf("the statement lost a column:\n%s", got)
	}
}
