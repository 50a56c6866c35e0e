package web

import (
	"net/url"
	"testing"
)

func TestActiveFiltersCountsWhatTheFormSetsBeyondItsDefaults(t *testing.T) {
	fields := map[string]string{"q": "", "tag": "", "status": "active"}
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"", 0},
		{"q=&tag=&status=active", 0},
		{"tag=minor&status=active", 1},
		{"q=张&tag=minor&status=all&page=2&building=7", 3},
	} {
		q, _ := url.ParseQuery(tc.query)
		if got := ActiveFilters(q, fields); got != tc.want {
			t.Errorf("%q: %d filters, want %d", tc.query, got, tc.want)
		}
	}
}
