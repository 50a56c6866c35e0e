package auth

import "strings"

// commonWords are the words behind the most common passwords, in English and in pinyin as
// Chinese users type them, with this product's and this place's names. A password is common
// when it is one of them once digits and symbols are taken out and look-alike characters read
// back as letters: "Password12", "P@ssw0rd2026", "Qwerty1234!" and "Woaini520" all are. With the
// year, digit and symbol runs people add, the list stands for many thousands of passwords.
var commonWords = strings.Fields(`
	password passwd pass pwd passw0rd admin administrator root user guest test tester demo default
	welcome letmein login master secret iloveyou love lover hello hi monkey dragon football baseball
	soccer sunshine shadow princess superman batman trustno charlie michael jordan abc abcd abcde
	abcdef abcdefg abcdefgh qwe qwer qwert qwerty qwertyu qwertyui qwertyuiop asd asdf asdfg asdfgh
	asdfghj asdfghjkl zxc zxcv zxcvb zxcvbn zxcvbnm qaz qazwsx qazwsxedc wsx edc rfv qweasd qweasdzxc
	aaa aaaa aaaaaa azerty changeme changeit system server computer internet china beijing shanghai
	woaini woaiwojia woaini woaiziji aini nihao wangwei zhangwei liwei wanglei liuyang zhangjie
	zhangsan lisi wangwu zhangye ganzhou gansu linli shequ wangge jiedao zhengfu dangyuan gongzuo
	mima mimami yonghu guanliyuan ceshi xiaoming xiaohong baobao laopo laogong qq weixin wechat
	taobao baidu alibaba huawei xiaomi apple samsung google facebook linkedin microsoft windows
	summer winter spring autumn monday friday january december
`)

// keyboardRuns are rows of the keyboard; a password of letters all from one run in order is common.
var keyboardRuns = []string{"qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc4rfv", "abcdefghijklmnopqrstuvwxyz"}

var lookAlike = strings.NewReplacer("@", "a", "4", "a", "0", "o", "1", "i", "!", "i", "3", "e", "$", "s", "5", "s", "7", "t", "+", "t")

// isCommon reports whether password is one of the common passwords: only digits and symbols, a
// common word or keyboard run with digits and symbols around it, or any password containing a
// common word of five letters or more.
func isCommon(password string) bool {
	lower := strings.ToLower(password)
	letters := func(s string) string {
		var b strings.Builder
		for _, c := range s {
			if c >= 'a' && c <= 'z' {
				b.WriteRune(c)
			}
		}
		return b.String()
	}
	plain := letters(lower)
	// Digits at either end are years and counters, not look-alikes: read the middle only.
	core := strings.TrimFunc(lower, func(c rune) bool { return c < 'a' || c > 'z' })
	for _, w := range []string{plain, letters(lookAlike.Replace(core))} {
		if len(w) < 3 {
			return true
		}
		for _, c := range commonWords {
			if w == c || w == c+c || (len(c) >= 5 && strings.Contains(w, c)) {
				return true
			}
		}
		for _, run := range keyboardRuns {
			if strings.Contains(run, w) {
				return true
			}
		}
	}
	return false
}
