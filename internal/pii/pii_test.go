package pii

import (
	"strings"
	"testing"
)

func TestNormalizeID(t *testing.T) {
	valid := "11010519491231002X"
	tests := []struct {
		name, in, want, err string
	}{
		{"valid with X", valid, valid, ""},
		{"lower-case x", strings.ToLower(valid), valid, ""},
		{"full-width digits and spaces", " １１０１０５１９４９１２３１００２Ｘ ", valid, ""},
		{"bad checksum", "110105194912310021", "", "校验位"},
		{"too short", "11010519491231", "", "18位"},
		{"bad birth date", "110105194913310028", "", "出生日期"},
		{"letters inside", "1101051949123100AX", "", "数字"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeID(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("NormalizeID(%q) error = %v, want one mentioning %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("NormalizeID(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestIDDerived(t *testing.T) {
	if b, ok := BirthFromID("11010519491231002X"); !ok || b != "1949-12-31" {
		t.Errorf("BirthFromID = %q, %v", b, ok)
	}
	if g := GenderFromID("11010519491231002X"); g != "F" {
		t.Errorf("GenderFromID = %q, want F", g)
	}
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"13812345678", "13812345678"},
		{"+86 138-1234-5678", "13812345678"},
		{"１３８１２３４５６７８", "13812345678"},
		{"0936-8212345", "09368212345"},
		{"1381234567", ""},
		{"12812345678", ""},
		{"138abc45678", ""},
	}
	for _, tt := range tests {
		got, err := NormalizePhone(tt.in)
		if (err != nil) != (tt.want == "") || got != tt.want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestMask(t *testing.T) {
	if got := MaskID("62010219800101123X"); got != "6201**********123X" {
		t.Errorf("MaskID = %q", got)
	}
	if got := MaskPhone("13812345678"); got != "138****5678" {
		t.Errorf("MaskPhone = %q", got)
	}
}

func TestSealer(t *testing.T) {
	s, err := NewSealer(strings.Repeat("k", 32))
	if err != nil {
		t.Fatal(err)
	}
	sealed := s.Seal("13812345678")
	if strings.Contains(string(sealed), "13812345678") {
		t.Fatal("sealed value contains the plain number")
	}
	if got, err := s.Open(sealed); err != nil || got != "13812345678" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if s.Index("13812345678") != s.Index("13812345678") || s.Index("13812345678") == s.Index("13812345679") {
		t.Error("blind index is not deterministic per number")
	}
	other, _ := NewSealer(strings.Repeat("j", 32))
	if _, err := other.Open(sealed); err == nil {
		t.Error("a different key opened the ciphertext")
	}
	if _, err := NewSealer("short"); err == nil {
		t.Error("a short key was accepted")
	}
}

// TestNormalizePhoneNamesTheFault: a refused number says what is actually wrong with it.
func TestNormalizePhoneNamesTheFault(t *testing.T) {
	for in, want := range map[string]string{
		"12812345678":  "“128”不是有效的手机号段",
		"1381234567":   "手机号应为11位，这里是10位",
		"138123456789": "手机号应为11位，这里是12位",
		"093682":       "固定电话连区号应为10至12位，这里是6位",
		"88212345":     "电话号码应为以1开头的11位手机号，或以0开头、带区号的固定电话",
	} {
		_, err := NormalizePhone(in)
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(want, "手机号段") && strings.Contains(err.Error(), "11位") {
			t.Errorf("NormalizePhone(%q) = %v; want the fault %q", in, err, want)
		}
	}
}
