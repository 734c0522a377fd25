package athena

import (
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestQuoteString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", "'abc'"},
		{"o'brien", "'o''brien'"},
		{`a\b`, `'a\b'`}, // no backslash escapes in Trino
		{`\'`, `'\'''`},
		{"", "''"},
		{"a\nb", "('a' || chr(10) || 'b')"},
		{"\x00", "(chr(0))"},
		{"x' OR '1'='1", "'x'' OR ''1''=''1'"},
		{"-- c /* d */", "'-- c /* d */'"},
		{"é😀\u2028", "'é😀\u2028'"},
	}
	for _, tc := range tests {
		if got := quoteString(tc.in); got != tc.want {
			t.Errorf("quoteString(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestEscapeLike(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", "abc"},
		{"50%", `50\%`},
		{"a_b", `a\_b`},
		{`C:\x\`, `C:\\x\\`},
		{"*?", "*?"},
	}
	for _, tc := range tests {
		if got := escapeLike(tc.in); got != tc.want {
			t.Errorf("escapeLike(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestWildcardLike(t *testing.T) {
	tests := []struct{ in, want string }{
		{"i-*", "i-%"},
		{"a?c", "a_c"},
		{`a\*b`, "a*b"},
		{`a\?b`, "a?b"},
		{`a\\b`, `a\\b`},
		{`C:\Desktop\`, `C:\\Desktop\\`}, // a backslash before another character is itself
		{"50%_*", `50\%\_%`},
		{"日?本*", "日_本%"},
	}
	for _, tc := range tests {
		if got := wildcardLike(tc.in); got != tc.want {
			t.Errorf("wildcardLike(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestQuoteIdent(t *testing.T) {
	tests := []struct{ in, want string }{
		{"eventname", "eventname"},
		{"eventName", "eventName"},
		{"table", `"table"`},
		{"from", `"from"`},
		{"x-y", `"x-y"`},
		{`a"b`, `"a""b"`},
		{"1a", `"1a"`},
	}
	for _, tc := range tests {
		if got := quoteIdent(tc.in); got != tc.want {
			t.Errorf("quoteIdent(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestJSONPathMember(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"bucketName", `$["bucketName"]`, true},
		{"x-amz-acl", `$["x-amz-acl"]`, true},
		{"it's", `$["it's"]`, true},
		{"0", `$["0"]`, true},
		{`a"b`, "", false},
		{`a\b`, "", false},
		{"a\nb", "", false},
	}
	for _, tc := range tests {
		got, ok := jsonPathMember(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("jsonPathMember(%q) = %s, %v; want %s, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{"findings"}, `$["findings"]`},
		{[]string{"a", "x-y"}, `$["a"]["x-y"]`},
		{[]string{"a", `b"`}, ""},
	} {
		if got := jsonPathMembers(tc.in); got != tc.want {
			t.Errorf("jsonPathMembers(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// TestParseColumn covers the values of the field-mapping grammar.
func TestParseColumn(t *testing.T) {
	tests := []struct {
		in   string
		want column
		err  bool
	}{
		{in: "eventname", want: column{kind: kString, path: []string{"eventname"}}},
		{in: "useridentity.arn", want: column{kind: kString, path: []string{"useridentity", "arn"}}},
		{in: "json(requestparameters)", want: column{kind: kJSON, path: []string{"requestparameters"}}},
		{in: "json(detail).service", want: column{kind: kJSON, path: []string{"detail"}, base: []string{"service"}}},
		{in: "json(record).Severity.x-y", want: column{kind: kJSON, path: []string{"record"}, base: []string{"Severity", "x-y"}}},
		{in: "resources[].arn", want: column{kind: kArray, path: []string{"resources"}, member: "arn"}},
		{in: "resources[]", want: column{kind: kArray, path: []string{"resources"}}},
		{in: "json_map(detail).service", err: true},
		{in: "json(detail).", err: true},
		{in: "json(detail).a'b", err: true},
		{in: "json(detail).-a", err: true},
		{in: "detail-type", err: true},
		{in: "resources[][]", err: true},
	}
	for _, tc := range tests {
		got, err := parseColumn(tc.in)
		if (err != nil) != tc.err || err == nil && fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("parseColumn(%q) = %+v, %v; want %+v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		in   float64
		want string
		ok   bool
	}{
		{22, "22", true},
		{-5, "-5", true},
		{0.5, "5E-01", true},
		{1e300, "1E+300", true},
		{1 << 53, "9.007199254740992E+15", true},
		{math.NaN(), "", false},
		{math.Inf(1), "", false},
	}
	for _, tc := range tests {
		got, ok := formatNumber(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("formatNumber(%v) = %s, %v; want %s, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestPortableRegex(t *testing.T) {
	tests := []struct {
		in, want string
		err      bool
	}{
		{`abc`, `abc`, false},
		{`^a.c$`, `\Aa[^\n]c\z`, false},
		{`(?s).`, `(?:[^\n]|\n)`, false},
		{`a\.b\*`, `a\.b\*`, false},
		{`\s`, `[\x09\x0A\x0C\x0D ]`, false},
		{`\d+`, `[0-9]+`, false},
		{`\w`, `[0-9A-Z_a-z]`, false},
		{`(?i)k`, "[Kk\u212a]", false},
		{`[^a]`, `[^a]`, false},
		{`[&&[-\]]`, `[\&\[-\]]`, false}, // & and [ are special in Java classes
		{`[a-]`, `[\-a]`, false},
		{`(ab)*?`, `(?:ab)*?`, false},
		{`a{2,}b{3}c{1,2}`, `a{2,}b{3}c{1,2}`, false},
		{`a|b|`, `[ab]|(?:)`, false},
		{`ab|cd`, `ab|cd`, false},
		{"\t\x00", `\x09\x00`, false},
		{`é\x{1F600}`, "é\U0001F600", false},
		{`'`, `'`, false}, // quoting for SQL happens later
		{`\bx`, ``, true},
		{`(?m)^x`, ``, true},
		{`[^\x00-\x{10FFFF}]`, ``, true},
	}
	for _, tc := range tests {
		got, err := portableRegex(tc.in)
		if (err != nil) != tc.err || (!tc.err && got != tc.want) {
			t.Errorf("portableRegex(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

// TestPortableRegexEquivalent checks that the rewritten expression means
// the same as the original in RE2 (Go's regexp), on strings built from
// the characters where the engines' definitions differ.
func TestPortableRegexEquivalent(t *testing.T) {
	exprs := []string{
		`^a.c$`, `(?s)^a.c$`, `\s+`, `\S`, `\w+\W`, `\d\D`, `(?i)straße`, `(?i)k[a-z]s`, `(?i)[^k]`,
		`[[:alpha:]]+`, `\pL+`, `\p{Greek}`, `[^\n]*$`, `a|b*?`, `(x(y|z)){1,3}`, `[\x00-\x1f]`, `.`,
		`(?i)İı`, `(?U)a+`, `\Q.*\E`, `[^\S\n]`, `^$`,
	}
	alphabet := []string{"a", "c", "A", "k", "K", "\u212a", "s", "ſ", "S", "ß", "ẞ", "İ", "ı", "i", "\n", "\r", "\v", "\f", "\t", " ",
		"\u0085", "\u2028", "\u00a0", "x", "y", "z", "1", "٣", "é", "Σ", "σ", "ς", ".", "*", "\x00", "\x1f", "😀", "Q", "E"}
	r := rand.New(rand.NewPCG(7, 7))
	var samples []string
	for range 3000 {
		var b strings.Builder
		for n := r.IntN(6); n > 0; n-- {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		samples = append(samples, b.String())
	}
	for _, e := range exprs {
		p, err := portableRegex(e)
		if err != nil {
			t.Errorf("%s: %v", e, err)
			continue
		}
		orig, port := regexp.MustCompile(e), regexp.MustCompile(p)
		for _, s := range samples {
			if orig.MatchString(s) != port.MatchString(s) {
				t.Errorf("%q and its rewrite %q disagree on %q", e, p, s)
				break
			}
		}
		if !utf8.ValidString(p) {
			t.Errorf("rewrite of %q is not valid UTF-8", e)
		}
	}
}
