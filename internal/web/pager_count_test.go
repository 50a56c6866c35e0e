package web

import (
	"encoding/json"
	"testing"

	"linli/internal/db"
)

// A capped count shows its exact total up to the cap, and past it the cap with "more": the pager
// then offers the pages up to the cap, and the API says the total is a lower bound.
func TestCappedCountSaysMoreOnlyPastTheCap(t *testing.T) {
	for _, c := range []struct {
		n, total int
		more     bool
		pages    int
	}{{0, 0, false, 1}, {120, 120, false, 3}, {db.CountCap, db.CountCap, false, db.CountCap / 50}, {db.CountCap + 1, db.CountCap, true, db.CountCap / 50}} {
		p := Pager{Limit: 50}
		p.Count(c.n)
		if p.Total != c.total || p.More != c.more || p.Pages() != c.pages {
			t.Errorf("Count(%d) = total %d more %v pages %d, want %d %v %d", c.n, p.Total, p.More, p.Pages(), c.total, c.more, c.pages)
		}
		b, _ := json.Marshal(CappedList([]int{1}, c.n))
		want := `{"items":[1],"total":` + map[bool]string{false: itoa(c.total) + `}`, true: itoa(c.total) + `,"more":true}`}[c.more]
		if string(b) != want {
			t.Errorf("CappedList(%d) = %s, want %s", c.n, b, want)
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
