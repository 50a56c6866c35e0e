package web

import "net/url"

// ActiveFilters counts the filters of a list's form that q sets, for the button its folded form
// hides behind on a phone ("筛选（已选 2 项）", the layout's "filter-summary" partial). fields
// maps each filter's name to its default value: a field left at its default (a status of
// "active" the form always sends) is no filter. Fields the form carries as context (a building, a
// queue) are left out of fields.
func ActiveFilters(q url.Values, fields map[string]string) int {
	n := 0
	for k, def := range fields {
		if v := q.Get(k); v != "" && v != def {
			n++
		}
	}
	return n
}
