package clock_test

import (
	"testing"
	"time"

	"linli/internal/clock"
)

func TestShanghaiIsEightHoursAheadOfUTCAllYear(t *testing.T) {
	for _, month := range []time.Month{time.January, time.July} {
		_, offset := time.Date(2026, month, 1, 0, 0, 0, 0, time.UTC).In(clock.Shanghai()).Zone()
		if offset != 8*3600 {
			t.Errorf("%s: offset %d s, want 28800", month, offset)
		}
	}
}

func TestDateIsTheDayInShanghai(t *testing.T) {
	for _, c := range []struct {
		utc  time.Time
		want string
	}{
		{time.Date(2026, 12, 31, 15, 59, 59, 0, time.UTC), "2026-12-31"},
		{time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), "2027-01-01"},
		{time.Date(2026, 3, 1, 0, 0, 0, 0, time.FixedZone("UTC-5", -5*3600)), "2026-03-01"},
	} {
		if got := clock.Date(c.utc); got != c.want {
			t.Errorf("Date(%s) = %s, want %s", c.utc, got, c.want)
		}
	}
}
