package splunk

import (
	"fmt"
	"regexp"
	"strings"
)

// Lint checks SPL at the level of its lexer, since no SPL parser runs
// here: every double-quoted string is closed and uses only the escapes \\
// and \" (SPL has no others: a backslash before anything else is kept, which
// is how unescaped backslashes corrupted values in other converters);
// every single-quoted field name is closed and holds no backslash or
// quote; parentheses and brackets balance outside strings; a line break
// appears only before a pipe; in the search command (before the first
// pipe) no quoted value compared with = or IN holds a *, which Splunk
// would read as a wildcard; and the pattern of every match(), mvfind() and
// replace() compiles (socc writes patterns that PCRE and RE2 read alike). It
// returns every problem found, with byte offsets.
func Lint(spl string) []error {
	var errs []error
	bad := func(at int, format string, args ...any) {
		errs = append(errs, fmt.Errorf("offset %d: %s", at, fmt.Sprintf(format, args...)))
	}
	type tok struct {
		kind byte // '"' string, '\'' field, 'w' word, 'p' punctuation
		text string
		at   int
	}
	var toks []tok
	var stack []byte
	for i := 0; i < len(spl); {
		c := spl[i]
		switch {
		case c == '"':
			start := i
			var b strings.Builder
			i++
			closed := false
			for i < len(spl) {
				ch := spl[i]
				if ch == '\\' {
					if i+1 >= len(spl) {
						break
					}
					if n := spl[i+1]; n != '\\' && n != '"' {
						bad(i, "illegal escape \\%c in a string (SPL strings escape only \\\\ and \\\")", n)
					}
					b.WriteByte(spl[i+1])
					i += 2
					continue
				}
				if ch == '"' {
					closed = true
					i++
					break
				}
				if ch < 0x20 || ch == 0x7f {
					bad(i, "control character %#x in a string", ch)
				}
				b.WriteByte(ch)
				i++
			}
			if !closed {
				bad(start, "unterminated string")
			}
			toks = append(toks, tok{'"', b.String(), start})
		case c == '\'':
			start := i
			end := strings.IndexByte(spl[i+1:], '\'')
			if end < 0 {
				bad(start, "unterminated field name")
				i = len(spl)
				continue
			}
			name := spl[i+1 : i+1+end]
			if name == "" || strings.ContainsAny(name, "\\\"\n\r") {
				bad(start, "field name %q cannot be quoted", name)
			}
			toks = append(toks, tok{'\'', name, start})
			i += end + 2
		case c == '(' || c == '[':
			stack = append(stack, c)
			toks = append(toks, tok{'p', string(c), i})
			i++
		case c == ')' || c == ']':
			want := byte('(')
			if c == ']' {
				want = '['
			}
			if len(stack) == 0 || stack[len(stack)-1] != want {
				bad(i, "unbalanced %c", c)
			} else {
				stack = stack[:len(stack)-1]
			}
			toks = append(toks, tok{'p', string(c), i})
			i++
		case c == '\n':
			j := i + 1
			for j < len(spl) && (spl[j] == ' ' || spl[j] == '\t') {
				j++
			}
			if j >= len(spl) || spl[j] != '|' {
				bad(i, "a line break that does not start a command")
			}
			i++
		case c == ' ' || c == '\t':
			i++
		case c < 0x20 || c == 0x7f:
			bad(i, "control character %#x", c)
			i++
		case strings.IndexByte("|=!<>,.+-*/%", c) >= 0:
			j := i + 1
			for j < len(spl) && strings.IndexByte("=!<>", spl[j]) >= 0 && strings.IndexByte("=!<>", c) >= 0 {
				j++
			}
			toks = append(toks, tok{'p', spl[i:j], i})
			i = j
		default:
			j := i
			for j < len(spl) && !strings.ContainsRune(" \t\n\"'()[]|=!<>,", rune(spl[j])) {
				j++
			}
			if j == i {
				j++
			}
			toks = append(toks, tok{'w', spl[i:j], i})
			i = j
		}
	}
	for range stack {
		bad(len(spl), "unclosed parenthesis or bracket")
	}

	// The search command: quoted values after = or inside IN (...).
	inIN := false
	for k, t := range toks {
		if t.kind == 'p' && t.text == "|" {
			break
		}
		switch {
		case t.kind == 'w' && strings.EqualFold(t.text, "IN"):
			inIN = true
		case t.kind == 'p' && t.text == ")":
			inIN = false
		case t.kind == '"' && (inIN || (k > 0 && toks[k-1].kind == 'p' && toks[k-1].text == "=")):
			if strings.Contains(t.text, "*") {
				bad(t.at, "* in the quoted value %q is a wildcard in the search command and cannot be escaped", t.text)
			}
		}
	}
	// Regular expressions of eval functions.
	for k := 0; k+1 < len(toks); k++ {
		t := toks[k]
		if t.kind != 'w' || toks[k+1].text != "(" {
			continue
		}
		switch t.text {
		case "match", "mvfind", "replace":
		default:
			continue
		}
		// The pattern is the string after the first comma at depth one.
		depth := 0
		for j := k + 1; j < len(toks); j++ {
			switch toks[j].text {
			case "(":
				depth++
			case ")":
				depth--
			}
			if depth == 0 {
				break
			}
			if depth == 1 && toks[j].text == "," && j+1 < len(toks) && toks[j+1].kind == '"' {
				if _, err := regexp.Compile(toks[j+1].text); err != nil {
					bad(toks[j+1].at, "the pattern of %s() does not compile: %v", t.text, err)
				}
				break
			}
		}
	}
	return errs
}
