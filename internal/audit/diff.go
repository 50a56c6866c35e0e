package audit

import (
	"bytes"
	"encoding/json"
	"sort"
)

// Change is one field of a record before and after a change, for showing an entry as a diff.
type Change struct {
	Field   string
	Before  string // the value as compact JSON text; empty when the field was absent
	After   string
	Changed bool
}

// Diff compares the before and after JSON of an entry field by field. When either side is not a
// JSON object, it answers a single row with the whole values.
func Diff(before, after string) []Change {
	if before == "" && after == "" {
		return nil
	}
	b, bok := object(before)
	a, aok := object(after)
	if (before != "" && !bok) || (after != "" && !aok) {
		return []Change{{Field: "（全部）", Before: before, After: after, Changed: before != after}}
	}
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]Change, 0, len(names))
	for _, k := range names {
		bv, av := text(b[k]), text(a[k])
		out = append(out, Change{Field: k, Before: bv, After: av, Changed: bv != av})
	}
	// Changed fields first, each group in name order.
	sort.SliceStable(out, func(i, j int) bool { return out[i].Changed && !out[j].Changed })
	return out
}

func object(s string) (map[string]json.RawMessage, bool) {
	if s == "" {
		return map[string]json.RawMessage{}, true
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &m); err != nil || m == nil {
		return nil, false
	}
	return m, true
}

// text renders a JSON value for reading: strings without quotes, everything else compact.
func text(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return string(raw)
	}
	return buf.String()
}
