package auth

import (
	"strings"
	"testing"
	"time"

	"linli/internal/errs"
)

// The rules of model.go and common.go, each at its edges, without a database: a mutation tester
// links this package's tests in seconds (docs/development.md, "Mutation testing").

// A principal covers its own region and those under it — by path with its trailing separator, so
// region 3 does not cover region 30 — and nobody covers anything without a region.
func TestCoversIsASubtree(t *testing.T) {
	p := &Principal{Role: CommunityAdmin, RegionPath: "/1/2/3/"}
	for path, want := range map[string]bool{"/1/2/3/": true, "/1/2/3/9/": true, "/1/2/30/": false, "/1/2/": false,
		"/9/": false, "": false} {
		if got := p.Covers(path); got != want {
			t.Errorf("/1/2/3/ covers %q = %v, want %v", path, got, want)
		}
	}
	if (&Principal{Role: CommunityAdmin}).Covers("/1/2/3/") {
		t.Error("a principal without a region covers /1/2/3/")
	}
	var none *Principal
	if none.Covers("/1/") || none.Can(RegisterRead) {
		t.Error("no principal covers or may anything")
	}
	if p.Scope() != "/1/2/3/%" {
		t.Errorf("scope %q", p.Scope())
	}
}

// Can and Require follow the role's permissions; Require tells a visitor to sign in and a signed-in
// user which role lacks the right.
func TestCanAndRequireFollowTheRole(t *testing.T) {
	admin := &Principal{Role: CommunityAdmin, RegionPath: "/1/"}
	if !admin.Can(RegisterWrite) || admin.Require(RegisterWrite) != nil {
		t.Error("a community admin may not write the register")
	}
	var granted, refused int
	for _, perm := range rolePerms[CommunityAdmin] {
		if admin.Can(perm) {
			granted++
		}
	}
	for _, perm := range rolePerms[SecurityAdmin] {
		if !admin.Can(perm) {
			refused++
			if err := admin.Require(perm); !errs.Is(err, errs.Forbidden) || !strings.Contains(errs.MessageOf(err), CommunityAdmin.Label()) {
				t.Errorf("%s: %v", perm, err)
			}
		}
	}
	if granted != len(rolePerms[CommunityAdmin]) || refused == 0 {
		t.Errorf("granted %d of %d; refused %d of the security admin's", granted, len(rolePerms[CommunityAdmin]), refused)
	}
	var none *Principal
	if err := none.Require(RegisterRead); !errs.Is(err, errs.Unauthorized) {
		t.Errorf("no principal: %v", err)
	}
}

func TestALockEndsAtItsTime(t *testing.T) {
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		until *time.Time
		want  bool
	}{{nil, false}, {ptr(now.Add(time.Minute)), true}, {ptr(now), false}, {ptr(now.Add(-time.Minute)), false}} {
		if got := (&User{LockedUntil: c.until}).Locked(now); got != c.want {
			t.Errorf("locked until %v at %v = %v", c.until, now, got)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestUsernameRulesAtTheirEdges(t *testing.T) {
	for name, ok := range map[string]bool{"ab": false, "abc": true, strings.Repeat("a", 32): true, strings.Repeat("a", 33): false,
		"a.b_c-d9": true, "a b": false, "张三丰": false, "abc!": false, "Ä bc": false, "abcé": false} {
		if err := ValidateUsername(name); (err == nil) != ok {
			t.Errorf("ValidateUsername(%q) = %v, want ok %v", name, err, ok)
		}
	}
}

func TestPasswordRulesAtTheirEdges(t *testing.T) {
	for _, c := range []struct {
		password, username string
		fault              string // "" when accepted
	}{
		{"Gx7#kLm2p", "", "至少需要10个字符"},                    // 9
		{"Gx7#kLm2pq", "", ""},                            // 10
		{"Gx7#kLm2pq" + strings.Repeat("w", 118), "", ""}, // 128
		{"Gx7#kLm2pq" + strings.Repeat("w", 119), "", "不能超过128个字符"},
		{"gx7kplmwvq", "", "至少三类"}, // lower and digits
		{"GX7#KPLMWV", "", ""},     // upper, digits, symbol
		{"Gxkplm#wvq", "", ""},     // upper, lower, symbol
		{"Gx7kplmwvq", "", ""},     // upper, lower, digit
		{"gx7#kplmwv", "", ""},     // lower, digit, symbol
		{"Gxkplmwvqz", "", "至少三类"}, // upper and lower
		{"Zq8#wang.li-Xp", "Wang.Li", "不能包含用户名"},
		{"Zq8#wang.li-Xp", "", ""},
		{"Password2025!", "", "过于常见"},
		{"A1234567890!", "", "过于常见"}, // digits and symbols and a letter
		{"Mvq#2025xTr", "", ""},
		{"Asdfghjkl#25", "", "过于常见"}, // a keyboard run
		{"Dragon#Dragon1", "", "过于常见"},
		{"P@ssw0rd-2025", "", "过于常见"}, // look-alikes
	} {
		err := ValidatePassword(c.password, c.username)
		if c.fault == "" && err != nil || c.fault != "" && (err == nil || !strings.Contains(errs.FieldsOf(err)["password"], c.fault)) {
			t.Errorf("ValidatePassword(%q, %q) = %v, want %q", c.password, c.username, err, c.fault)
		}
	}
}

// What makes a password common, at the edges of how isCommon reads it: only a-z are letters, the
// digits and symbols at either end of the core are trimmed before look-alikes are read back, and
// three letters are enough to be judged on their own.
func TestCommonPasswordsAtTheirEdges(t *testing.T) {
	for pw, common := range map[string]bool{
		"Qwer~ty12#":      true,  // a keyboard run with a symbol in it
		"L0ve-L0ve-2025":  true,  // love twice in look-alikes, a year at the end
		"L0ve-L0ve-2025~": true,  // and a tilde after it
		"A$df-A$df-2025":  true,  // asdf twice: the a at the start belongs to the word
		"Q4z-Q4z-2025":    true,  // qaz twice: the z at the end belongs to the word
		"L0ve-2025!":      true,  // love once, in look-alikes
		"Xkq-2025-7777!":  false, // three letters of no word
		"Ab-2025-7777!":   true,  // two letters are too few
	} {
		if got := isCommon(pw); got != common {
			t.Errorf("isCommon(%q) = %v, want %v", pw, got, common)
		}
	}
}
