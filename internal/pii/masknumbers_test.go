package pii

import "testing"

func TestMaskNumbersHidesPhoneAndIDNumbersInFreeText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"请联系13812345678，谢谢", "请联系138****5678，谢谢"},
		{"电话 138-1234-5678", "电话 138****5678"},
		{"身份证620702199001011234在此", "身份证6207**********1234在此"},
		{"座机09368123456", "座机093****3456"},
		{"3号楼2单元401室", "3号楼2单元401室"},
		{"共12户", "共12户"},
		{"座机 0936-8123456", "座机 093****3456"},
		{"2026-12-05 已并入 NG-2026-000123", "2026-12-05 已并入 NG-2026-000123"},
	} {
		if got := MaskNumbers(c.in); got != c.want {
			t.Errorf("MaskNumbers(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
