package splunk

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"testing"
	"unicode/utf8"
)

var seeds = []string{`a"b`, `a\b`, `\`, `"`, `*`, `?`, `a*b?c`, "a\nb", "\r\t\x00", "é日本", "AND", "OR NOT", "| where", "'", "$x$", `\z`, "[", "(?i)", ""}

// unquote reads an SPL string literal back: \\ and \" are the only escapes.
func unquote(t *testing.T, lit string) string {
	t.Helper()
	if !strings.HasPrefix(lit, `"`) || !strings.HasSuffix(lit, `"`) || len(lit) < 2 {
		t.Fatalf("not a string literal: %s", lit)
	}
	var b strings.Builder
	in := lit[1 : len(lit)-1]
	for i := 0; i < len(in); i++ {
		if in[i] == '\\' {
			i++
		}
		b.WriteByte(in[i])
	}
	return b.String()
}

// FuzzLiteral checks the escaping of any value: an eval string literal
// reads back as the value and lints clean; a search value never holds a *;
// the PCRE pattern of an equality matches the value and nothing longer,
// and that of a substring matches the value.
func FuzzLiteral(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || len(s) > 1<<10 {
			return
		}
		if lit, ok := evalString(s); ok {
			if got := unquote(t, lit); got != s {
				t.Fatalf("evalString(%q) reads back as %q", s, got)
			}
			if errs := Lint("| where 'f'==" + lit); len(errs) > 0 {
				t.Fatalf("%s: %v", lit, errs)
			}
		}
		if v, ok := searchValue(s); ok && strings.Contains(v, "*") {
			t.Fatalf("searchValue(%q) = %s", s, v)
		}
		for _, src := range []string{"^" + regexp.QuoteMeta(s) + `\z`, regexp.QuoteMeta(s)} {
			re, err := syntax.Parse(src, syntax.Perl)
			if err != nil {
				t.Fatal(err)
			}
			pat, _, err := toPCRE(re)
			if err != nil {
				t.Fatal(err)
			}
			lit, ok := evalString(pat)
			if !ok {
				t.Fatalf("pattern %q of %q has a control character", pat, s)
			}
			if errs := Lint("| where match('f', " + lit + ")"); len(errs) > 0 {
				t.Fatalf("%s: %v", lit, errs)
			}
			rx := regexp.MustCompile(unquote(t, lit))
			if !rx.MatchString(s) {
				t.Fatalf("%s does not match %q", lit, s)
			}
			if strings.HasPrefix(src, "^") && rx.MatchString(s+"x") {
				t.Fatalf("%s matches more than %q", lit, s)
			}
		}
	})
}
