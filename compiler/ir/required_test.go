package ir

import (
	"slices"
	"testing"
)

func eq(field string, vals ...Value) *Pred {
	p, _ := ParsePath(field)
	return &Pred{Field: p, Op: OpEquals, Values: vals}
}

func s(v string) Value { return Value{Kind: String, Str: v} }

func TestRequired(t *testing.T) {
	folded := eq("eventName", s("a"))
	folded.Fold = true
	tests := []struct {
		name string
		x    Expr
		want []string
	}{
		{"equality", eq("eventName", s("A"), s("B")), []string{"A", "B"}},
		{"other field", eq("eventSource", s("x")), nil},
		{"and takes a child", &And{X: []Expr{eq("errorCode", s("x")), eq("eventName", s("A"))}}, []string{"A"}},
		{"or needs every child", &Or{X: []Expr{eq("eventName", s("A")), eq("errorCode", s("x"))}}, nil},
		{"or unions", &Or{X: []Expr{eq("eventName", s("B"), s("A")), eq("eventName", s("A"), s("C"))}}, []string{"B", "A", "C"}},
		{"not gives none", &Not{X: eq("eventName", s("A"))}, nil},
		{"case-insensitive gives none", folded, nil},
		{"a number gives none", eq("eventName", s("A"), Value{Kind: Number, Num: 1, Str: "1"}), nil},
		{"envelope path is another field", eq("$.eventName", s("A")), nil},
	}
	for _, tc := range tests {
		if got := Required(tc.x, "eventName"); !slices.Equal(got, tc.want) {
			t.Errorf("%s: Required = %v, want %v", tc.name, got, tc.want)
		}
	}
}
