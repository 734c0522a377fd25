package opensearch

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode"
)

// errRegex reports an RE2 construct that Lucene's RegExp cannot express
// with the same meaning.
var errRegex = errors.New("no Lucene regular expression equivalent")

// lucene renders an RE2 syntax tree as a Lucene RegExp (the syntax of the
// regexp query and of /.../ in a query string) with the same meaning.
// Lucene's expressions always match the whole value, so an unanchored RE2
// expression gets .* on each side unless it starts with ^ or ends with $;
// an anchor anywhere else, a word boundary or a multi-line anchor has no
// Lucene form. Case folding ((?i)) becomes explicit classes of each
// letter's Unicode simple folding orbit, which is RE2's (Lucene's own
// case_insensitive flag folds ASCII only).
//
// Characters are written so that both Lucene (whose RegExp reserves
// . ? + * | { } [ ] ( ) " \ # @ & < > ~ and forbids a backslash before a
// letter) and query strings (where / ends the expression, and whose
// parsers accept only some escapes) read them as literals: \c for the
// reserved characters that allow it, [c] for . # @ < >.
func lucene(re *syntax.Regexp) (string, error) {
	alts := []*syntax.Regexp{re}
	if re.Op == syntax.OpAlternate {
		alts = re.Sub
	}
	var parts []string
	for _, a := range alts {
		begin, end := false, false
		body := a
		if a.Op == syntax.OpConcat {
			subs := a.Sub
			for len(subs) > 0 && subs[0].Op == syntax.OpBeginText {
				subs, begin = subs[1:], true
			}
			for len(subs) > 0 && subs[len(subs)-1].Op == syntax.OpEndText {
				subs, end = subs[:len(subs)-1], true
			}
			body = &syntax.Regexp{Op: syntax.OpConcat, Sub: subs, Flags: a.Flags}
			if len(subs) == 0 {
				body = &syntax.Regexp{Op: syntax.OpEmptyMatch}
			}
		} else if a.Op == syntax.OpBeginText || a.Op == syntax.OpEndText {
			begin, end = a.Op == syntax.OpBeginText, a.Op == syntax.OpEndText
			body = &syntax.Regexp{Op: syntax.OpEmptyMatch}
		}
		var w lucWriter
		if err := w.node(body, syntax.OpConcat); err != nil {
			return "", err
		}
		s := w.b.String()
		if !begin {
			s = ".*" + s
		}
		if !end {
			s += ".*"
		}
		parts = append(parts, s)
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	for i, p := range parts {
		parts[i] = "(" + p + ")"
	}
	return strings.Join(parts, "|"), nil
}

type lucWriter struct{ b strings.Builder }

func (w *lucWriter) node(re *syntax.Regexp, parent syntax.Op) error {
	switch re.Op {
	case syntax.OpNoMatch:
		return fmt.Errorf("%w: an expression that matches nothing", errRegex)
	case syntax.OpEmptyMatch:
		w.b.WriteString("()")
	case syntax.OpLiteral:
		fold := re.Flags&syntax.FoldCase != 0
		wrap := isRepeat(parent) && len(re.Rune) > 1
		if wrap {
			w.b.WriteByte('(')
		}
		for _, r := range re.Rune {
			if fold {
				if orbit := foldOrbit(r); len(orbit) > 1 {
					w.b.WriteByte('[')
					for _, o := range orbit {
						w.b.WriteString(classRune(o))
					}
					w.b.WriteByte(']')
					continue
				}
			}
			w.b.WriteString(litRune(r))
		}
		if wrap {
			w.b.WriteByte(')')
		}
	case syntax.OpCharClass:
		return w.class(re.Rune)
	case syntax.OpAnyCharNotNL:
		w.b.WriteString("[^\n]")
	case syntax.OpAnyChar:
		w.b.WriteString(".")
	case syntax.OpBeginText, syntax.OpEndText:
		return fmt.Errorf("%w: ^ or $ inside the expression (Lucene anchors only the whole value)", errRegex)
	case syntax.OpBeginLine, syntax.OpEndLine:
		return fmt.Errorf("%w: multi-line anchors", errRegex)
	case syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return fmt.Errorf("%w: word boundaries (\\b, \\B)", errRegex)
	case syntax.OpCapture:
		w.b.WriteByte('(')
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
		// Laziness does not change which values match.
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if s.Op == syntax.OpAlternate {
				w.b.WriteByte('(')
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

func isRepeat(op syntax.Op) bool {
	return op == syntax.OpStar || op == syntax.OpPlus || op == syntax.OpQuest || op == syntax.OpRepeat
}

// atom renders re as the operand of a quantifier, grouped unless it is one
// character or a group already.
func (w *lucWriter) atom(re *syntax.Regexp, op syntax.Op) error {
	switch re.Op {
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL, syntax.OpCapture:
		return w.node(re, op)
	case syntax.OpLiteral:
		if len(re.Rune) == 1 {
			return w.node(re, op)
		}
	}
	w.b.WriteByte('(')
	if err := w.node(re, syntax.OpCapture); err != nil {
		return err
	}
	w.b.WriteByte(')')
	return nil
}

func (w *lucWriter) class(ranges []rune) error {
	if len(ranges) == 0 {
		return fmt.Errorf("%w: an empty character class", errRegex)
	}
	neg := ranges[0] == 0 && ranges[len(ranges)-1] == unicode.MaxRune
	if neg {
		ranges = complement(ranges)
		if len(ranges) == 0 {
			w.b.WriteByte('.')
			return nil
		}
	}
	w.b.WriteByte('[')
	if neg {
		w.b.WriteByte('^')
	}
	for i := 0; i < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		switch {
		case lo == hi:
			w.b.WriteString(classRune(lo))
		case hi-lo <= 2:
			for r := lo; r <= hi; r++ {
				w.b.WriteString(classRune(r))
			}
		default:
			w.b.WriteString(classRune(lo) + "-" + classRune(hi))
		}
	}
	w.b.WriteByte(']')
	return nil
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

// foldOrbit returns r and the characters it folds to, sorted.
func foldOrbit(r rune) []rune {
	out := []rune{r}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		out = append(out, f)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// litRune renders one character outside a class.
func litRune(r rune) string {
	switch {
	case strings.ContainsRune(`?+*|{}[]()"\&~/`, r):
		return `\` + string(r)
	case strings.ContainsRune(`.#@<>`, r):
		return "[" + string(r) + "]"
	}
	return string(r)
}

// classRune renders one character inside a class, where only ] - \ ^ and
// (in a query string) / need a backslash; [ gets one for readability.
func classRune(r rune) string {
	if strings.ContainsRune(`]-\^[/`, r) {
		return `\` + string(r)
	}
	return string(r)
}

// literalRegex is the Lucene expression that matches exactly s or, when
// fold, every string whose lower case (socc's i for equality, prefixes,
// suffixes and substrings) is s's: each letter becomes the class of the
// characters of its folding orbit with the same lower case.
func literalRegex(s string, fold bool) string {
	if s == "" {
		return "()"
	}
	var b strings.Builder
	for _, r := range s {
		if fold {
			var same []rune
			for _, o := range foldOrbit(r) {
				if unicode.ToLower(o) == unicode.ToLower(r) {
					same = append(same, o)
				}
			}
			if len(same) > 1 {
				b.WriteByte('[')
				for _, o := range same {
					b.WriteString(classRune(o))
				}
				b.WriteByte(']')
				continue
			}
		}
		b.WriteString(litRune(r))
	}
	return b.String()
}

// ipv4Regex is the Lucene expression of the dotted-decimal texts (no
// leading zeros) of the IPv4 addresses in n: a CIDR block is a product of
// one range per octet.
func ipv4Regex(n netip.Prefix) string {
	a := n.Masked().Addr().As4()
	bits := n.Bits()
	var parts []string
	for i := 0; i < 4; i++ {
		fixed := min(max(bits-8*i, 0), 8)
		lo := int(a[i]) &^ (1<<(8-fixed) - 1)
		hi := lo | (1<<(8-fixed) - 1)
		parts = append(parts, octetRange(lo, hi))
	}
	return strings.Join(parts, "[.]")
}

// octetRange is the Lucene expression of the decimal numbers lo to hi
// (0 <= lo <= hi <= 255) without leading zeros.
func octetRange(lo, hi int) string {
	if lo == 0 && hi == 255 {
		return "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
	}
	var alts []string
	for _, span := range [][2]int{{0, 9}, {10, 99}, {100, 255}} {
		a, b := max(lo, span[0]), min(hi, span[1])
		if a <= b {
			alts = append(alts, sameLength(strconv.Itoa(a), strconv.Itoa(b))...)
		}
	}
	if len(alts) == 1 {
		return alts[0]
	}
	return "(" + strings.Join(alts, "|") + ")"
}

// sameLength returns expressions that together match the decimal numbers
// from a to b, which have the same number of digits.
func sameLength(a, b string) []string {
	digits := func(x, y byte) string {
		if x == y {
			return string(x)
		}
		return "[" + string(x) + "-" + string(y) + "]"
	}
	if len(a) == 1 {
		return []string{digits(a[0], b[0])}
	}
	if a[0] == b[0] {
		var out []string
		for _, s := range sameLength(a[1:], b[1:]) {
			out = append(out, string(a[0])+s)
		}
		return out
	}
	zeros, nines := strings.Repeat("0", len(a)-1), strings.Repeat("9", len(a)-1)
	if a[1:] == zeros && b[1:] == nines {
		return []string{digits(a[0], b[0]) + strings.Repeat("[0-9]", len(a)-1)}
	}
	var out []string
	for _, s := range sameLength(a[1:], nines) {
		out = append(out, string(a[0])+s)
	}
	if a[0]+1 <= b[0]-1 {
		out = append(out, digits(a[0]+1, b[0]-1)+strings.Repeat("[0-9]", len(a)-1))
	}
	for _, s := range sameLength(zeros, b[1:]) {
		out = append(out, string(b[0])+s)
	}
	return out
}
