package auth

import "testing"

func TestCommonPasswordsAreRefused(t *testing.T) {
	for _, pw := range []string{"Password12", "Qwerty1234", "P@ssw0rd2026", "P@ssw0rd!2025", "Admin@12345", "Woaini520!A",
		"Zhangye2024!", "Qwertyuiop1!", "1qaz2wsx3EDC", "Welcome2026!", "1234567890A!", "Abcd-1234-!"} {
		if err := ValidatePassword(pw, "grid01"); err == nil {
			t.Errorf("common password %q accepted (L3)", pw)
		}
	}
	for _, pw := range []string{"Fixture-Pass-2024!", "Better-Pass-2025", "Kp7m-x3Qa-9rTz", "Hong-Lou-Meng-1791", "Jinwei-Road-88!"} {
		if err := ValidatePassword(pw, "grid01"); err != nil {
			t.Errorf("uncommon password %q refused: %v", pw, err)
		}
	}
}
