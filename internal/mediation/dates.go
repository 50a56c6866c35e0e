package mediation

import (
	"fmt"
	"time"
)

func validDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func addDays(date string, n int) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	return t.AddDate(0, 0, n).Format(time.DateOnly)
}

func daysBetween(a, b string) int {
	ta, err1 := time.Parse(time.DateOnly, a)
	tb, err2 := time.Parse(time.DateOnly, b)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(tb.Sub(ta).Hours() / 24)
}

// FormatNumber writes a file number the way the ministry's format has it: (2026)南人调字第7号.
func FormatNumber(year int, short string, serial int) string {
	return fmt.Sprintf("(%d)%s人调字第%d号", year, short, serial)
}
