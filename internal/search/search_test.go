package search

import (
	"reflect"
	"testing"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"two-character name", "张伟", "张伟 伟"},
		{"three-character name gives both bigrams", "王建国", "王建 建国 国"},
		{"mixed text splits Han from digits", "3号楼漏水", "3 号楼 楼漏 漏水 水"},
		{"full-width digits fold", "１３８", "138"},
		{"punctuation separates", "路灯，不亮", "路灯 灯 不亮 亮"},
		{"Latin lower-cased", "WiFi坏了", "wifi 坏了 了"},
		{"repeats kept once", "漏水漏水", "漏水 水漏 水"},
		{"empty", "  ，。 ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Tokens(tt.in); got != tt.want {
				t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTerms(t *testing.T) {
	tests := []struct {
		in     string
		want   []string
		prefix bool
	}{
		{"漏水", []string{"漏水"}, false},
		{"王建国", []string{"王建", "建国"}, false},
		{"张", []string{"张"}, true},
		{"1234", []string{"1234"}, true},
		{"路灯 3号", []string{"路灯", "3", "号"}, true},
		{"！！", nil, false},
	}
	for _, tt := range tests {
		got, prefix := Terms(tt.in)
		if !reflect.DeepEqual(got, tt.want) || prefix != tt.prefix {
			t.Errorf("Terms(%q) = %q, %v; want %q, %v", tt.in, got, prefix, tt.want, tt.prefix)
		}
	}
}
