package splunk

import (
	"errors"
	"fmt"
	"regexp/syntax"
	"strings"
	"unicode"
)

// errRegex reports an RE2 construct that PCRE cannot run with RE2's meaning.
var errRegex = errors.New("no PCRE equivalent")

// pcre renders an RE2 syntax tree (as regexp/syntax parses socc's regular
// expressions) as a PCRE pattern with the same meaning, for match() and
// mvfind(). It writes only constructs that PCRE and RE2 read alike: ^ for
// the start (PCRE runs without multi-line mode), \z rather than $ for the
// end (PCRE's $ also matches before a final newline), explicit classes
// rather than \s or \d (PCRE's \s includes \v), [^\n] and (?s:.) rather
// than a bare dot. The result is thus also valid RE2 with the same meaning,
// which the tests use.
//
// utf reports that the meaning depends on PCRE's UTF-8 mode: a single
// "any character" or a class that admits non-ASCII characters matches one
// byte in byte mode and one character in UTF-8 mode. Under * and + the two
// agree, so those are not counted.
type pcre struct {
	b       strings.Builder
	utf     bool
	allFold bool // every literal folds case: one (?i) in front
}

func toPCRE(re *syntax.Regexp) (pattern string, utf bool, err error) {
	var w pcre
	lits, folded := countLiterals(re)
	if lits > 0 && lits == folded {
		w.allFold = true
		w.b.WriteString("(?i)")
	}
	if err := w.node(re, syntax.OpConcat); err != nil {
		return "", false, err
	}
	return w.b.String(), w.utf, nil
}

func (w *pcre) node(re *syntax.Regexp, parent syntax.Op) error {
	switch re.Op {
	case syntax.OpNoMatch:
		w.b.WriteString("(?!)")
	case syntax.OpEmptyMatch:
		w.b.WriteString("(?:)")
	case syntax.OpLiteral:
		fold := re.Flags&syntax.FoldCase != 0 && !w.allFold
		wrap := fold || (isRepeat(parent) && (len(re.Rune) > 1 || re.Rune[0] >= 0x80))
		if fold {
			w.b.WriteString("(?i:")
		} else if wrap {
			w.b.WriteString("(?:")
		}
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 {
				r = unicode.ToLower(r) // the same under (?i), and easier to read
			}
			w.b.WriteString(pcreRune(r, false))
		}
		if wrap {
			w.b.WriteByte(')')
		}
	case syntax.OpCharClass:
		return w.class(re.Rune, parent)
	case syntax.OpAnyCharNotNL:
		w.single(parent)
		w.b.WriteString(`[^\n]`)
	case syntax.OpAnyChar:
		w.single(parent)
		w.b.WriteString(`(?s:.)`)
	case syntax.OpBeginText:
		w.b.WriteString(`^`)
	case syntax.OpEndText:
		w.b.WriteString(`\z`)
	case syntax.OpWordBoundary:
		w.b.WriteString(`\b`)
	case syntax.OpNoWordBoundary:
		w.b.WriteString(`\B`)
	case syntax.OpBeginLine, syntax.OpEndLine:
		return fmt.Errorf("%w: multi-line anchors ((?m)^ and $) differ at a final newline", errRegex)
	case syntax.OpCapture:
		w.b.WriteString("(?:")
		if err := w.node(re.Sub[0], syntax.OpCapture); err != nil {
			return err
		}
		w.b.WriteByte(')')
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		if err := w.atom(re.Sub[0], re.Op); err != nil {
			return err
		}
		switch re.Op {
		case syntax.OpStar:
			w.b.WriteByte('*')
		case syntax.OpPlus:
			w.b.WriteByte('+')
		case syntax.OpQuest:
			w.b.WriteByte('?')
		default:
			switch {
			case re.Max == re.Min:
				fmt.Fprintf(&w.b, "{%d}", re.Min)
			case re.Max < 0:
				fmt.Fprintf(&w.b, "{%d,}", re.Min)
			default:
				fmt.Fprintf(&w.b, "{%d,%d}", re.Min, re.Max)
			}
		}
		if re.Flags&syntax.NonGreedy != 0 {
			w.b.WriteByte('?')
		}
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if s.Op == syntax.OpAlternate {
				w.b.WriteString("(?:")
				if err := w.node(s, syntax.OpCapture); err != nil {
					return err
				}
				w.b.WriteByte(')')
				continue
			}
			if err := w.node(s, syntax.OpConcat); err != nil {
				return err
			}
		}
	case syntax.OpAlternate:
		for i, s := range re.Sub {
			if i > 0 {
				w.b.WriteByte('|')
			}
			if err := w.node(s, syntax.OpAlternate); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("%w: %v", errRegex, re.Op)
	}
	return nil
}

// countLiterals counts the literals of re, and those that fold case.
func countLiterals(re *syntax.Regexp) (lits, folded int) {
	if re.Op == syntax.OpLiteral {
		if re.Flags&syntax.FoldCase != 0 {
			return 1, 1
		}
		return 1, 0
	}
	for _, s := range re.Sub {
		l, f := countLiterals(s)
		lits, folded = lits+l, folded+f
	}
	return lits, folded
}

// atom renders re as the operand of a quantifier, grouping it unless it is
// one character or one group already.
func (w *pcre) atom(re *syntax.Regexp, op syntax.Op) error {
	switch re.Op {
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL, syntax.OpCapture, syntax.OpLiteral:
		return w.node(re, op)
	}
	w.b.WriteString("(?:")
	if err := w.node(re, syntax.OpCapture); err != nil {
		return err
	}
	w.b.WriteByte(')')
	return nil
}

func isRepeat(op syntax.Op) bool {
	return op == syntax.OpStar || op == syntax.OpPlus || op == syntax.OpQuest || op == syntax.OpRepeat
}

// single notes a one-character construct that may match a non-ASCII
// character: outside * and + its meaning depends on UTF-8 mode.
func (w *pcre) single(parent syntax.Op) {
	if parent != syntax.OpStar && parent != syntax.OpPlus {
		w.utf = true
	}
}

func (w *pcre) class(ranges []rune, parent syntax.Op) error {
	neg := len(ranges) > 0 && ranges[0] == 0 && ranges[len(ranges)-1] == unicode.MaxRune
	if neg {
		ranges = complement(ranges)
	}
	ranges = dropFoldImages(ranges)
	for i := 1; i < len(ranges); i += 2 {
		if ranges[i] >= 0x80 {
			return fmt.Errorf("%w: a character class with non-ASCII characters needs PCRE's UTF-8 mode", errRegex)
		}
	}
	if neg {
		w.single(parent)
	}
	if len(ranges) == 0 { // [^] (nothing) or [^\x00-\x{10FFFF}] (anything)
		if neg {
			w.b.WriteString(`(?s:.)`)
		} else {
			w.b.WriteString(`(?!)`)
		}
		return nil
	}
	w.b.WriteByte('[')
	if neg {
		w.b.WriteByte('^')
	}
	for i := 0; i < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		switch {
		case lo == hi:
			w.b.WriteString(pcreRune(lo, true))
		case hi-lo <= 2: // [\t-\n] reads better as [\t\n]
			for r := lo; r <= hi; r++ {
				w.b.WriteString(pcreRune(r, true))
			}
		default:
			w.b.WriteString(pcreRune(lo, true) + "-" + pcreRune(hi, true))
		}
	}
	w.b.WriteByte(']')
	return nil
}

// dropFoldImages removes U+017F (long s) and U+212A (Kelvin sign) when the
// class also holds the ASCII letters they fold to: RE2 adds them to
// case-folded classes ((?i)[a-z]), and they matter only for non-ASCII text,
// where socc requires no target to reproduce Unicode case folding.
func dropFoldImages(ranges []rune) []rune {
	has := func(r rune) bool {
		for i := 0; i < len(ranges); i += 2 {
			if ranges[i] <= r && r <= ranges[i+1] {
				return true
			}
		}
		return false
	}
	var out []rune
	for i := 0; i < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		if lo == hi && ((lo == 0x17F && has('s')) || (lo == 0x212A && has('k'))) {
			continue
		}
		out = append(out, lo, hi)
	}
	return out
}

// complement returns the ranges of the runes not in ranges (sorted, as
// regexp/syntax keeps them).
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

// pcreRune renders one character as a PCRE literal, outside a class or
// inside one: metacharacters behind a backslash (a backslash before a
// non-alphanumeric character is always a literal in PCRE), \t \n \f \r and
// \x{hh} for control characters, everything else as itself.
func pcreRune(r rune, inClass bool) string {
	switch r {
	case '\t':
		return `\t`
	case '\n':
		return `\n`
	case '\f':
		return `\f`
	case '\r':
		return `\r`
	}
	meta := `\^$.|?*+()[]{}`
	if inClass {
		meta = `\]^-[`
	}
	switch {
	case r < 0x20 || r == 0x7f:
		return fmt.Sprintf(`\x{%02x}`, r)
	case strings.ContainsRune(meta, r):
		return `\` + string(r)
	}
	return string(r)
}
