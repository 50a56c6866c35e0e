// Package pii protects the personal numbers Linli keeps — resident ID-card numbers and phone
// numbers: it validates and normalises them, encrypts them at rest (AES-256-GCM), derives the HMAC
// blind index used to find them, and masks them for display.
//
// The key never lives in the database; it comes from LINLI_SECRET_KEY or a key file.
package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// Sealer encrypts, decrypts and indexes personal numbers with keys derived from one secret.
type Sealer struct {
	aead     cipher.AEAD
	indexKey []byte
}

// NewSealer derives an encryption key and a separate index key from secret, which must be at least
// 32 bytes (for example 64 hex characters from `openssl rand -hex 32`).
func NewSealer(secret string) (*Sealer, error) {
	secret = strings.TrimSpace(secret)
	if len(secret) < 32 {
		return nil, errors.New("密钥过短：LINLI_SECRET_KEY 至少需要 32 个字符（可用 openssl rand -hex 32 生成）")
	}
	encKey, err := hkdf.Key(sha256.New, []byte(secret), nil, "linli pii encryption", 32)
	if err != nil {
		return nil, err
	}
	idxKey, err := hkdf.Key(sha256.New, []byte(secret), nil, "linli pii blind index", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead, indexKey: idxKey}, nil
}

// Seal encrypts a normalised number; the nonce is prepended to the ciphertext. Empty stays nil.
func (s *Sealer) Seal(plain string) []byte {
	if plain == "" {
		return nil
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(fmt.Sprintf("pii: no randomness: %v", err))
	}
	return s.aead.Seal(nonce, nonce, []byte(plain), nil)
}

// Open decrypts what Seal produced.
func (s *Sealer) Open(sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("pii: ciphertext too short")
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return "", fmt.Errorf("pii: decrypt: %w", err)
	}
	return string(plain), nil
}

// Index returns the blind index of a normalised number: equal numbers give equal indexes, and the
// index reveals nothing without the key. Empty gives empty.
func (s *Sealer) Index(plain string) string {
	if plain == "" {
		return ""
	}
	m := hmac.New(sha256.New, s.indexKey)
	m.Write([]byte(plain))
	return hex.EncodeToString(m.Sum(nil))
}

// Clean folds full-width characters to half-width and removes every kind of space, the way ledger
// cells and form fields arrive.
func Clean(s string) string {
	s = width.Fold.String(s)
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\n', '\r', '\u00a0', '\u3000', '\u200b', '\ufeff', '-':
			return -1
		}
		return r
	}, s)
}

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheck = "10X98765432"

// IDCheckDigit returns the GB 11643 check character for the first 17 digits of an ID number.
func IDCheckDigit(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return idCheck[sum%11]
}

// NormalizeID cleans an 18-digit resident ID-card number and checks its GB 11643 checksum and birth
// date. It returns the number with an upper-case X, or a Chinese reason.
func NormalizeID(raw string) (string, error) {
	id := strings.ToUpper(Clean(raw))
	if len(id) != 18 {
		return "", fmt.Errorf("身份证号应为18位，实为%d位", utf8.RuneCountInString(id))
	}
	for i := 0; i < 17; i++ {
		if id[i] < '0' || id[i] > '9' {
			return "", errors.New("身份证号前17位应为数字")
		}
	}
	if _, ok := BirthFromID(id); !ok {
		return "", errors.New("身份证号中的出生日期无效")
	}
	if IDCheckDigit(id[:17]) != id[17] {
		return "", errors.New("身份证号校验位错误")
	}
	return id, nil
}

// BirthFromID returns the birth date (YYYY-MM-DD) encoded in an 18-digit ID number.
func BirthFromID(id string) (string, bool) {
	if len(id) < 14 {
		return "", false
	}
	y, m, d := id[6:10], id[10:12], id[12:14]
	if !validDate(y, m, d) {
		return "", false
	}
	return y + "-" + m + "-" + d, true
}

// GenderFromID returns "M" or "F" from the 17th digit of an ID number.
func GenderFromID(id string) string {
	if len(id) < 17 {
		return ""
	}
	if (id[16]-'0')%2 == 1 {
		return "M"
	}
	return "F"
}

func validDate(y, m, d string) bool {
	atoi := func(s string) int {
		n := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	yy, mm, dd := atoi(y), atoi(m), atoi(d)
	if yy < 1880 || yy > 2100 || mm < 1 || mm > 12 || dd < 1 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	if yy%4 == 0 && (yy%100 != 0 || yy%400 == 0) {
		days[2] = 29
	}
	return dd <= days[mm]
}

// dropParens is built once: building a Replacer costs more than using it, and a ledger import
// normalizes 100,000 numbers.
var dropParens = strings.NewReplacer("(", "", ")", "")

// NormalizePhone cleans a mainland mobile number (11 digits starting with 1, an optional +86 or 86
// prefix removed) or a landline (area code and number, 10–12 digits starting with 0).
func NormalizePhone(raw string) (string, error) {
	p := Clean(raw)
	p = strings.TrimPrefix(p, "+86")
	if len(p) == 13 && strings.HasPrefix(p, "86") {
		p = p[2:]
	}
	p = dropParens.Replace(p)
	for _, c := range p {
		if c < '0' || c > '9' {
			return "", errors.New("电话号码只能包含数字")
		}
	}
	switch {
	case len(p) == 11 && p[0] == '1' && p[1] >= '3':
		return p, nil
	case len(p) >= 10 && len(p) <= 12 && p[0] == '0':
		return p, nil
	}
	return "", errors.New("电话号码格式不正确：" + phoneFault(p))
}

// phoneFault says what is wrong with a number of digits that is neither a mobile nor a landline
// number, naming the actual fault.
func phoneFault(p string) string {
	switch {
	case p == "":
		return "没有数字"
	case p[0] == '1' && len(p) == 11:
		return "“" + p[:3] + "”不是有效的手机号段（手机号以13至19开头）"
	case p[0] == '1':
		return fmt.Sprintf("手机号应为11位，这里是%d位", len(p))
	case p[0] == '0':
		return fmt.Sprintf("固定电话连区号应为10至12位，这里是%d位", len(p))
	}
	return "电话号码应为以1开头的11位手机号，或以0开头、带区号的固定电话"
}

// MaskID shows the first 4 and last 4 characters of an ID number: 6201**********1234.
func MaskID(id string) string {
	if len(id) <= 8 {
		return strings.Repeat("*", len(id))
	}
	return id[:4] + strings.Repeat("*", len(id)-8) + id[len(id)-4:]
}

// MaskPhone shows the first 3 and last 4 digits of a phone number: 138****1234.
func MaskPhone(p string) string {
	if len(p) <= 7 {
		return strings.Repeat("*", len(p))
	}
	return p[:3] + strings.Repeat("*", len(p)-7) + p[len(p)-4:]
}
