package athena

import (
	"fmt"
	"regexp/syntax"
	"strings"
	"unicode"
)

// portableRegex rewrites an RE2 expression (as socc's lowering compiles it,
// Perl flags) into an expression that means the same in RE2 and in Trino's
// regexp_like, which runs Joni with Java syntax. The output uses only
// constructs whose meaning the two engines share:
//
//   - literals, with ASCII punctuation backslash-escaped and control
//     characters as \xHH; other characters as themselves;
//   - explicit character classes (Perl and Unicode classes, case folding
//     and negation are expanded from Go's tables, so \s, \w, (?i) and \pL
//     never reach Joni, whose definitions differ: Java's \s also matches
//     \x0B, Java's (?i) is ASCII-only);
//   - "." as [^\n] (Java's dot also stops at \r, \u0085, \u2028, \u2029);
//   - ^ and $ of single-line mode as \A and \z (Java's $ also matches
//     before a final line break);
//   - groups as (?:...), alternation, and the repetitions * + ? {n,m} and
//     their lazy forms.
//
// Multi-line anchors and word boundaries have no exact translation (Java's
// \b is Unicode-aware, and a multi-line ^ follows any line terminator), so
// they are refused with the reason.
func portableRegex(expr string) (string, error) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := writeRegex(&b, re); err != nil {
		return "", err
	}
	return b.String(), nil
}

// unsupportedRegex explains a construct without a portable translation.
type unsupportedRegex string

func (e unsupportedRegex) Error() string { return string(e) }

func writeRegex(b *strings.Builder, re *syntax.Regexp) error {
	switch re.Op {
	case syntax.OpNoMatch:
		return unsupportedRegex("an empty character class, which matches nothing")
	case syntax.OpEmptyMatch:
		b.WriteString(`(?:)`)
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 && foldable(r) {
				writeClass(b, foldOrbit(r), false)
				continue
			}
			writeLiteral(b, r)
		}
	case syntax.OpCharClass:
		if len(withoutSurrogates(re.Rune)) == 0 {
			return unsupportedRegex("an empty character class, which matches nothing")
		}
		writeClass(b, re.Rune, true)
	case syntax.OpAnyCharNotNL:
		b.WriteString(`[^\n]`)
	case syntax.OpAnyChar:
		b.WriteString(`(?:[^\n]|\n)`)
	case syntax.OpBeginText:
		b.WriteString(`\A`)
	case syntax.OpEndText:
		if re.Flags&syntax.WasDollar != 0 && re.Flags&syntax.OneLine == 0 {
			// Not produced by syntax.Perl without (?m); kept for safety.
			return unsupportedRegex("a multi-line $ anchor")
		}
		b.WriteString(`\z`)
	case syntax.OpBeginLine:
		return unsupportedRegex("a multi-line ^ anchor ((?m)): Java's follows any line terminator, RE2's only \\n")
	case syntax.OpEndLine:
		return unsupportedRegex("a multi-line $ anchor ((?m)): Java's precedes any line terminator, RE2's only \\n")
	case syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return unsupportedRegex(`a word boundary (\b, \B): Java's is Unicode-aware, RE2's ASCII-only`)
	case syntax.OpCapture:
		b.WriteString("(?:")
		if err := writeRegex(b, re.Sub[0]); err != nil {
			return err
		}
		b.WriteString(")")
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		if err := writeAtom(b, re.Sub[0]); err != nil {
			return err
		}
		switch re.Op {
		case syntax.OpStar:
			b.WriteString("*")
		case syntax.OpPlus:
			b.WriteString("+")
		case syntax.OpQuest:
			b.WriteString("?")
		default:
			switch {
			case re.Max == -1:
				fmt.Fprintf(b, "{%d,}", re.Min)
			case re.Min == re.Max:
				fmt.Fprintf(b, "{%d}", re.Min)
			default:
				fmt.Fprintf(b, "{%d,%d}", re.Min, re.Max)
			}
		}
		if re.Flags&syntax.NonGreedy != 0 {
			b.WriteString("?")
		}
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if s.Op == syntax.OpAlternate {
				if err := writeGroup(b, s); err != nil {
					return err
				}
				continue
			}
			if err := writeRegex(b, s); err != nil {
				return err
			}
		}
	case syntax.OpAlternate:
		for i, s := range re.Sub {
			if i > 0 {
				b.WriteString("|")
			}
			if err := writeRegex(b, s); err != nil {
				return err
			}
		}
	default:
		return unsupportedRegex("the construct " + re.String())
	}
	return nil
}

// writeAtom writes re so that a following repetition applies to all of it.
func writeAtom(b *strings.Builder, re *syntax.Regexp) error {
	switch re.Op {
	case syntax.OpCharClass, syntax.OpAnyCharNotNL, syntax.OpAnyChar, syntax.OpCapture:
		return writeRegex(b, re)
	case syntax.OpLiteral:
		if len(re.Rune) == 1 {
			return writeRegex(b, re)
		}
	}
	return writeGroup(b, re)
}

func writeGroup(b *strings.Builder, re *syntax.Regexp) error {
	b.WriteString("(?:")
	if err := writeRegex(b, re); err != nil {
		return err
	}
	b.WriteString(")")
	return nil
}

// foldable reports whether r has other case-folding equivalents.
func foldable(r rune) bool { return unicode.SimpleFold(r) != r }

// foldOrbit returns the ranges of r's simple case-folding orbit.
func foldOrbit(r rune) []rune {
	var rs []rune
	for f := r; ; {
		rs = append(rs, f, f)
		f = unicode.SimpleFold(f)
		if f == r {
			break
		}
	}
	return rs
}

// regexMeta are the ASCII characters with a meaning outside brackets in
// RE2 or in Java syntax; they are written with a backslash, which makes any
// of them literal in both engines.
const regexMeta = `\.+*?()|[]{}^$`

// classMeta are the characters with a meaning inside brackets in RE2 or in
// Java syntax (Java nests [ and intersects with &&).
const classMeta = `\[]^-&`

// writeLiteral writes one literal character: metacharacters escaped with a
// backslash, control characters as \xHH, everything else as itself.
func writeLiteral(b *strings.Builder, r rune) {
	switch {
	case r < 0x20 || r == 0x7f:
		fmt.Fprintf(b, `\x%02X`, r)
	case r < 0x80 && strings.ContainsRune(regexMeta, r):
		b.WriteByte('\\')
		b.WriteRune(r)
	default:
		b.WriteRune(r)
	}
}

// writeClass writes a class given as rune ranges. When the class holds
// U+10FFFF it is written as the negation of its complement, which is
// shorter and keeps unassigned code points out of the query. Surrogates are
// left out: they never occur in valid UTF-8 text.
func writeClass(b *strings.Builder, ranges []rune, allowNegate bool) {
	ranges = withoutSurrogates(ranges)
	neg := false
	if allowNegate && len(ranges) > 0 && ranges[len(ranges)-1] == unicode.MaxRune {
		ranges = withoutSurrogates(complement(ranges))
		neg = true
		if len(ranges) == 0 { // every character
			b.WriteString(`(?:[^\n]|\n)`)
			return
		}
	}
	if !neg && len(ranges) == 2 && ranges[0] == ranges[1] {
		writeLiteral(b, ranges[0])
		return
	}
	b.WriteByte('[')
	if neg {
		b.WriteByte('^')
	}
	for i := 0; i < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		writeClassChar(b, lo)
		if hi > lo {
			if hi > lo+1 {
				b.WriteByte('-')
			}
			writeClassChar(b, hi)
		}
	}
	b.WriteByte(']')
}

// writeClassChar writes a character inside brackets.
func writeClassChar(b *strings.Builder, r rune) {
	switch {
	case r < 0x20 || r == 0x7f:
		fmt.Fprintf(b, `\x%02X`, r)
	case r < 0x80 && strings.ContainsRune(classMeta, r):
		b.WriteByte('\\')
		b.WriteRune(r)
	default:
		b.WriteRune(r)
	}
}

func complement(ranges []rune) []rune {
	var out []rune
	next := rune(0)
	for i := 0; i < len(ranges); i += 2 {
		if ranges[i] > next {
			out = append(out, next, ranges[i]-1)
		}
		next = ranges[i+1] + 1
	}
	if next <= unicode.MaxRune {
		out = append(out, next, unicode.MaxRune)
	}
	return out
}

func withoutSurrogates(ranges []rune) []rune {
	var out []rune
	for i := 0; i < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		if hi < 0xD800 || lo > 0xDFFF {
			out = append(out, lo, hi)
			continue
		}
		if lo < 0xD800 {
			out = append(out, lo, 0xD7FF)
		}
		if hi > 0xDFFF {
			out = append(out, 0xE000, hi)
		}
	}
	return out
}
