package ledger

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/width"

	"linli/internal/errs"
	"linli/internal/register"
)

func ledgerErr(format string, args ...any) error { return errs.E(errs.Invalid, format, args...) }

// cellFix describes what cleaning changed in a cell, for the list of automatic corrections.
type cellFix struct {
	fullWidth bool
	spaces    bool
}

func (f cellFix) message() string {
	switch {
	case f.fullWidth && f.spaces:
		return "全角字符已转为半角，多余空格已去除"
	case f.fullWidth:
		return "全角字符已转为半角"
	case f.spaces:
		return "多余空格已去除"
	}
	return ""
}

// isSpaceLike reports the spaces ledgers carry: ordinary, no-break, ideographic and zero-width.
func isSpaceLike(r rune) bool {
	return unicode.IsSpace(r) || r == '\u00a0' || r == '\u3000' || r == '\u200b' || r == '\ufeff'
}

// cleanCell folds full-width letters and digits to half-width and removes stray spaces: all of them
// in numbers and between Chinese characters, leading, trailing and doubled ones elsewhere. It says
// what it changed.
func cleanCell(raw string, compact bool) (string, cellFix) {
	if plainCell(raw) {
		return raw, cellFix{}
	}
	folded := width.Fold.String(raw)
	var out string
	if compact {
		out = strings.Map(dropSpace, folded)
	} else {
		out = joinWords(folded)
	}
	// An ideographic space folds too; only letters, digits and signs count as full-width.
	return out, cellFix{fullWidth: strings.Map(dropSpace, folded) != strings.Map(dropSpace, raw), spaces: out != folded}
}

// plainCell reports a cell that cleaning leaves as it is: visible ASCII and common Chinese
// characters only, nothing to fold and no space. Most cells of a ledger are such.
func plainCell(s string) bool {
	for _, r := range s {
		if !(r > ' ' && r < 0x7f || r >= 0x4e00 && r <= 0x9fff) {
			return false
		}
	}
	return true
}

func dropSpace(r rune) rune {
	if isSpaceLike(r) {
		return -1
	}
	return r
}

// joinWords trims, drops spaces next to Chinese characters and collapses the rest to one.
func joinWords(s string) string {
	words := strings.FieldsFunc(s, isSpaceLike)
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			prev, _ := lastRune(words[i-1])
			next := []rune(w)[0]
			if !unicode.Is(unicode.Han, prev) && !unicode.Is(unicode.Han, next) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(w)
	}
	return b.String()
}

func lastRune(s string) (rune, bool) {
	r := []rune(s)
	if len(r) == 0 {
		return 0, false
	}
	return r[len(r)-1], true
}

// excelEpoch is day 0 of Excel's 1900 date system, shifted by Excel's phantom 1900-02-29.
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

var serialPattern = regexp.MustCompile(`^[0-9]{1,5}(\.0+)?$`)

// excelSerialDate turns an Excel serial day number (a date cell read raw, or a date column pasted
// as numbers: 18326 for 1950-03-04) into YYYY-MM-DD. Eight-digit numbers are dates written
// 19500304, not serials.
func excelSerialDate(s string) (string, bool) {
	if !serialPattern.MatchString(s) {
		return "", false
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n < 1 || n > 80000 {
		return "", false
	}
	days := int(n)
	if days < 61 {
		days++ // before Excel's nonexistent 1900-02-29
	}
	return excelEpoch.AddDate(0, 0, days).Format("2006-01-02"), true
}

var scientific = regexp.MustCompile(`^[0-9](\.[0-9]+)?[eE]\+?[0-9]+$`)

// cleanIDCell strips what spreadsheets add around an ID number typed as text (a leading
// apostrophe, ="…") and recognises one that Excel stored as a number, whose last digits are lost.
func cleanIDCell(s string) (string, string) {
	s = strings.TrimPrefix(s, "'")
	if strings.HasPrefix(s, "=\"") && strings.HasSuffix(s, "\"") {
		s = s[2 : len(s)-1]
	}
	if scientific.MatchString(s) {
		return "", "身份证号被 Excel 存成了数字（" + s + "），后几位已丢失：请把该列设为“文本”格式后重新录入"
	}
	s = strings.TrimSuffix(s, ".0")
	return s, ""
}

// firstPhone keeps the first of several numbers written in one cell (13812345678/0936-1234567).
func firstPhone(s string) (string, bool) {
	s = strings.TrimPrefix(s, "'")
	if i := strings.IndexAny(s, "/,;、，；|"); i > 0 {
		return strings.TrimSpace(s[:i]), true
	}
	return s, false
}

// truthy reads a yes/no tag cell: 是, √, 1, Y and the like are yes; anything else empty is no.
func truthy(s string) (yes, known bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return false, true
	case "是", "√", "✓", "✔", "☑", "1", "y", "yes", "true", "有", "●", "○", "v":
		return true, true
	case "否", "×", "✗", "x", "0", "n", "no", "false", "无", "不是", "-", "/":
		return false, true
	}
	return false, false
}

// splitTags splits a multi-tag cell: 独居老人、低保 / 独居老人,低保 / 独居老人 低保.
func splitTags(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return isSpaceLike(r) || strings.ContainsRune(",，、;；/|", r)
	})
}

// canonUnit is register.CanonUnit of a cell with every space-like character removed.
func canonUnit(s string) string { return register.CanonUnit(strings.Map(dropSpace, s)) }

// canonRoom is register.CanonRoom of a cell with every space-like character removed: 301室 → 301,
// 5号 → 5号 (a bare 5 becomes 5号 once the door's building is known to be a bungalow courtyard).
func canonRoom(s string) string { return register.CanonRoom(strings.Map(dropSpace, s)) }

// roomAliases are the other spellings under which a stored room is the same door: 5 and 5号.
func roomAliases(room string) []string {
	if n, ok := strings.CutSuffix(room, "号"); ok && n != "" && strings.Trim(n, "0123456789") == "" {
		return []string{n}
	}
	if room != "" && strings.Trim(room, "0123456789") == "" {
		return []string{room + "号"}
	}
	return nil
}

var numberedBuilding = regexp.MustCompile(`^(.*?)([0-9]+)(号楼|号院|栋|幢|#楼|#|号|楼)?$`)

// canonBuilding reads 3, 3号楼, 3栋, 3幢, 3#, 3#楼 as "3号楼" (keeping any estate prefix); other names
// stay as they are, without spaces.
func canonBuilding(s string) string {
	s = strings.Map(dropSpace, width.Fold.String(s))
	if m := numberedBuilding.FindStringSubmatch(s); m != nil && m[3] != "号院" {
		return m[1] + register.TrimZeros(m[2]) + "号楼"
	}
	return s
}

var addressPattern = regexp.MustCompile(`^(.*?)([0-9]+)(?:号楼|栋|幢|#楼|#|号|楼|-)(?:([0-9]+|[一二三四五六七八九])(?:单元|-))?([0-9A-Za-z]+)(?:室|号)?$`)

// splitAddress reads an address cell — 南关小区3号楼2单元301室, 3栋2单元301, 3-2-301 — into estate,
// building, unit and room. A three-part dash address is building-unit-room.
func splitAddress(s string) (estate, building, unit, room string, ok bool) {
	s = strings.Map(dropSpace, width.Fold.String(s))
	m := addressPattern.FindStringSubmatch(s)
	if m == nil {
		return "", "", "", "", false
	}
	return m[1], m[2] + "号楼", canonUnit(m[3]), canonRoom(m[4]), true
}

// splitRoom reads a room written with its unit, 2-301, when no unit column is given.
func splitRoom(room string) (unit, rest string, ok bool) {
	parts := strings.Split(room, "-")
	if len(parts) == 2 && parts[0] != "" && parts[1] != "" && strings.Trim(parts[0], "0123456789") == "" {
		return canonUnit(parts[0]), canonRoom(parts[1]), true
	}
	return "", room, false
}
