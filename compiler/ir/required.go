package ir

import "slices"

// KeyEquality reports whether x is a case-sensitive equality on the record
// field named field (a dotted path such as "eventName").
func KeyEquality(x Expr, field string) bool {
	p, ok := x.(*Pred)
	return ok && p.Op == OpEquals && !p.Fold && !p.All && !p.Field.Envelope && p.Field.String() == field
}

// Required returns the string values one of which every event that
// satisfies x has in the record field named field, or nil when x does not
// constrain the field so. Targets use it for cheap pre-filters and rule
// keys: a filter on these values is implied by x and changes no result.
// And takes the first child with a requirement, Or needs one from every
// child (their union, in order of appearance), Not gives none.
func Required(x Expr, field string) []string {
	switch x := x.(type) {
	case *Pred:
		if !KeyEquality(x, field) {
			return nil
		}
		out := make([]string, 0, len(x.Values))
		for _, v := range x.Values {
			if v.Kind != String {
				return nil
			}
			out = append(out, v.Str)
		}
		return out
	case *And:
		for _, c := range x.X {
			if r := Required(c, field); r != nil {
				return r
			}
		}
	case *Or:
		var out []string
		for _, c := range x.X {
			r := Required(c, field)
			if r == nil {
				return nil
			}
			for _, v := range r {
				if !slices.Contains(out, v) {
					out = append(out, v)
				}
			}
		}
		return out
	}
	return nil
}

// HasKeyEquality reports whether one of xs is a case-sensitive equality on
// the record field named field.
func HasKeyEquality(xs []Expr, field string) bool {
	return slices.ContainsFunc(xs, func(x Expr) bool { return KeyEquality(x, field) })
}
