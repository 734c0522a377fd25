package opensearch

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzLiteral checks the escaping of any value: a query-string phrase
// reads back as the value, and the Lucene expression of a value matches
// exactly it (folded: its case variants).
func FuzzLiteral(f *testing.F) {
	for _, s := range []string{`a"b`, `a\b`, `*`, `?`, "a\nb", "é日本", "AND", ".#@<>~&", "/x/", "[]{}()", "Sk", ""} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, fold bool) {
		if !utf8.ValidString(s) || len(s) > 256 {
			return
		}
		p := phrase(s)
		var b strings.Builder
		for i := 1; i < len(p)-1; i++ {
			if p[i] == '\\' {
				i++
			} else if p[i] == '"' {
				t.Fatalf("phrase(%q) = %s has an unescaped quote", s, p)
			}
			b.WriteByte(p[i])
		}
		if b.String() != s {
			t.Fatalf("phrase(%q) = %s reads back as %q", s, p, b.String())
		}
		rx, err := regexp.Compile(fromLucene(t, literalRegex(s, fold)))
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if !rx.MatchString(s) || rx.MatchString(s+"x") || (s != "" && rx.MatchString(s[:len(s)-1])) {
			t.Fatalf("literalRegex(%q) = %s does not match exactly the value", s, literalRegex(s, fold))
		}
		if fold && !rx.MatchString(strings.ToUpper(s)) && strings.ToLower(strings.ToUpper(s)) == strings.ToLower(s) {
			t.Fatalf("literalRegex(%q, fold) = %s does not match %q", s, literalRegex(s, fold), strings.ToUpper(s))
		}
	})
}
