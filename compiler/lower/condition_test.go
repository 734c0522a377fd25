package lower

import (
	"fmt"
	"strings"
	"testing"
)

// show renders a parsed condition with explicit grouping.
func show(c cond) string {
	switch c := c.(type) {
	case *condAnd:
		return "(" + join(c.x, " and ") + ")"
	case *condOr:
		return "(" + join(c.x, " or ") + ")"
	case *condNot:
		return "not " + show(c.x)
	case *condRef:
		return c.name
	case *condQuant:
		q := "1"
		if c.all {
			q = "all"
		}
		return q + " of " + c.pattern
	}
	return fmt.Sprintf("%T", c)
}

func join(xs []cond, sep string) string {
	var s []string
	for _, x := range xs {
		s = append(s, show(x))
	}
	return strings.Join(s, sep)
}

func TestParseCondition(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"sel", "sel"},
		{"a and b or c", "((a and b) or c)"},
		{"a or b and c", "(a or (b and c))"},
		{"not a and b", "(not a and b)"},
		{"not (a and b)", "not (a and b)"},
		{"a and not not b", "(a and not not b)"},
		{"1 of sel_* and not 1 of filter*", "(1 of sel_* and not 1 of filter*)"},
		{"all of them", "all of them"},
		{"any of them", "1 of them"},
		{"A AND (b OR c)", "(A and (b or c))"},
		{"((a))", "a"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			c, err := parseCondition(tc.in)
			if err != nil {
				t.Fatalf("parseCondition(%q): %v", tc.in, err)
			}
			if got := show(c); got != tc.want {
				t.Errorf("parseCondition(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseConditionErrors(t *testing.T) {
	tests := []struct {
		in      string
		wantOff int
		wantMsg string
	}{
		{"", 0, "empty condition"},
		{"a and", 5, "condition ends too early"},
		{"(a or b", 7, "missing ')'"},
		{"a b", 2, `unexpected "b"`},
		{"a and or b", 6, `unexpected "or"`},
		{"1 of", 4, "expected a selection name pattern"},
		{"all sel", 4, "expected 'of'"},
		{"a )", 2, `unexpected ")"`},
		{"1 of [", 5, "bad selection pattern"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			_, err := parseCondition(tc.in)
			ce, ok := err.(*condError)
			if !ok {
				t.Fatalf("parseCondition(%q) error = %v, want a *condError", tc.in, err)
			}
			if ce.off != tc.wantOff || !strings.Contains(ce.msg, tc.wantMsg) {
				t.Errorf("parseCondition(%q) = (%d, %q), want (%d, ~%q)", tc.in, ce.off, ce.msg, tc.wantOff, tc.wantMsg)
			}
		})
	}
}

func FuzzParseCondition(f *testing.F) {
	for _, s := range []string{"a and not b", "1 of sel_* or all of them", "(a or (b and c))", "not"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c1, err1 := parseCondition(s)
		c2, err2 := parseCondition(s)
		if (err1 == nil) != (err2 == nil) {
			t.Fatal("parse is not deterministic")
		}
		if err1 != nil {
			ce := err1.(*condError)
			if ce.off < 0 || ce.off > len(s) {
				t.Fatalf("error offset %d outside input of %d bytes", ce.off, len(s))
			}
			return
		}
		// Printing and re-parsing gives the same tree.
		again, err := parseCondition(show(c1))
		if err != nil || show(again) != show(c2) {
			t.Fatalf("round trip of %q: %q -> %v %v", s, show(c1), err, again)
		}
	})
}
