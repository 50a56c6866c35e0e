// Package search turns Chinese text into the tokens both databases index: overlapping bigrams of
// Han characters (so a two-character query such as 漏水 or a given name hits) plus whole Latin and
// digit words. SQLite indexes them with FTS5 unicode61, PostgreSQL with to_tsvector('simple').
package search

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// Tokens returns the space-separated index tokens of text. Each run of Han characters gives its
// bigrams and its last character alone, so every character begins some token and a one-character
// query can match by prefix.
func Tokens(text string) string {
	var b strings.Builder
	seen := map[string]bool{}
	emit := func(t string) {
		if t == "" || seen[t] {
			return
		}
		seen[t] = true
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t)
	}
	for _, run := range runs(text) {
		if !run.han {
			emit(string(run.r))
			continue
		}
		for i := 0; i+1 < len(run.r); i++ {
			emit(string(run.r[i : i+2]))
		}
		emit(string(run.r[len(run.r)-1:]))
	}
	return b.String()
}

// Terms returns the tokens a query must all match, and whether the last one is a prefix (a single
// Han character or a trailing Latin/digit word). It returns no terms for a query with no letters.
func Terms(query string) (terms []string, prefix bool) {
	rs := runs(query)
	for i, run := range rs {
		last := i == len(rs)-1
		switch {
		case !run.han:
			terms = append(terms, string(run.r))
			prefix = last
		case len(run.r) == 1:
			terms = append(terms, string(run.r))
			prefix = last
		default:
			for j := 0; j+1 < len(run.r); j++ {
				terms = append(terms, string(run.r[j:j+2]))
			}
			prefix = false
		}
	}
	return terms, prefix
}

type run struct {
	r   []rune
	han bool
}

// runs splits text, folded to half-width lower case, into runs of Han characters and runs of other
// letters and digits; everything else separates.
func runs(text string) []run {
	text = strings.ToLower(width.Fold.String(text))
	var out []run
	var cur run
	flush := func() {
		if len(cur.r) > 0 {
			out = append(out, cur)
		}
		cur = run{}
	}
	for _, c := range text {
		han := unicode.Is(unicode.Han, c)
		word := han || unicode.IsLetter(c) || unicode.IsDigit(c)
		if !word || (len(cur.r) > 0 && cur.han != han) {
			flush()
		}
		if word {
			cur.han = han
			cur.r = append(cur.r, c)
		}
	}
	flush()
	return out
}
