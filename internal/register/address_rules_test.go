package register_test

import (
	"testing"

	"linli/internal/register"
)

// Every usual spelling of a unit or a door maps onto the one stored form (issue 19).
func TestCanonicalUnitsAndRooms(t *testing.T) {
	for in, want := range map[string]string{"1": "1单元", "01": "1单元", "1单元": "1单元", "一单元": "1单元", "一": "1单元",
		"１单元": "1单元", " 2 单元 ": "2单元", "12": "12单元", "东单元": "东单元", "A": "A", "": ""} {
		if got := register.CanonUnit(in); got != want {
			t.Errorf("CanonUnit(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"301": "301", "301室": "301", "0301": "301", "３０１": "301", " 301 室": "301",
		"5号": "5号", "05号": "5号", "A101": "A101", "东厢房": "东厢房", "": ""} {
		if got := register.CanonRoom(in); got != want {
			t.Errorf("CanonRoom(%q) = %q, want %q", in, got, want)
		}
	}
	for _, c := range []struct{ room, kind, want string }{
		{"5", "bungalow", "5号"}, {"5号", "bungalow", "5号"}, {"05", "bungalow", "5号"}, {"东厢房", "bungalow", "东厢房"},
		{"5", "building", "5"}, {"301室", "courtyard", "301"}, {"5号", "building", "5号"},
	} {
		if got := register.CanonDoor(c.room, c.kind); got != c.want {
			t.Errorf("CanonDoor(%q, %s) = %q, want %q", c.room, c.kind, got, c.want)
		}
	}
}
