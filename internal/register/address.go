package register

import (
	"strings"

	"golang.org/x/text/width"
)

// A household's place has one stored form, the one the demo writes and every page shows: a unit
// numbered N is "N单元" (a named one such as 东单元 stays as it is), a door of a block is its bare
// number "301" (shown as 301室) and a door of a bungalow courtyard is "5号". The household form, the
// API and the ledger import all store these forms; migration 0020 rewrote the older bare units and
// bungalow doors.

var unitDigits = map[string]string{"一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}

// CanonUnit reads 1, 01, 1单元, 一单元, １单元 as "1单元"; other names stay as written, without
// spaces; no unit stays "".
func CanonUnit(s string) string {
	written := compact(s)
	n := strings.TrimSuffix(written, "单元")
	if d, ok := unitDigits[n]; ok {
		n = d
	}
	if n = TrimZeros(n); isDigits(n) {
		return n + "单元"
	}
	return written
}

// CanonRoom reads 301, 0301 and 301室 as "301" and a door written with 号 (5号, 05号) as "5号";
// other doors (A101, 东厢房) stay as written, without spaces.
func CanonRoom(s string) string {
	s = strings.TrimSuffix(compact(s), "室")
	if n, ok := strings.CutSuffix(s, "号"); ok && isDigits(n) {
		return TrimZeros(n) + "号"
	}
	return TrimZeros(s)
}

// CanonDoor is CanonRoom for a door of a building of the given kind: a bungalow courtyard numbers
// its doors 1号, 2号, so a bare number there is one of them.
func CanonDoor(room, buildingKind string) string {
	room = CanonRoom(room)
	if buildingKind == "bungalow" && isDigits(room) {
		return room + "号"
	}
	return room
}

// compact folds full-width letters and digits and removes every space.
func compact(s string) string {
	return strings.Join(strings.Fields(width.Fold.String(s)), "")
}

func isDigits(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }

// TrimZeros drops the leading zeros of a number (0101 → 101, 00 → 0); other texts stay.
func TrimZeros(s string) string {
	if !isDigits(s) {
		return s
	}
	if t := strings.TrimLeft(s, "0"); t != "" {
		return t
	}
	return "0"
}
