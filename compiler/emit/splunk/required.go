package splunk

import (
	"slices"

	"github.com/socc-dev/socc/compiler/ir"
)

// keyFields are the fields whose required values make a cheap pre-filter:
// with them first, the rest of a query (mv-apply above all) runs on few
// events.
var keyFields = []string{"eventSource", "eventName"}

// required returns the values, one of which every event that satisfies x
// has in field (case-sensitive string equality), or nil when x does not
// constrain it so. The pre-filter it gives is implied by x, so it changes
// no result.
func required(x ir.Expr, field string) []string {
	switch x := x.(type) {
	case *ir.Pred:
		if x.Op == ir.OpEquals && !x.Fold && !x.All && !x.Field.Envelope && x.Field.String() == field {
			var out []string
			for _, v := range x.Values {
				if v.Kind != ir.String {
					return nil
				}
				out = append(out, v.Str)
			}
			return out
		}
	case *ir.And:
		for _, c := range x.X {
			if r := required(c, field); r != nil {
				return r
			}
		}
	case *ir.Or:
		var out []string
		for _, c := range x.X {
			r := required(c, field)
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

// topLevel reports whether one of the top-level conjuncts is a
// case-sensitive equality on field.
func topLevel(xs []ir.Expr, field string) bool {
	return slices.ContainsFunc(xs, func(x ir.Expr) bool {
		p, ok := x.(*ir.Pred)
		return ok && p.Op == ir.OpEquals && !p.Fold && !p.All && !p.Field.Envelope && p.Field.String() == field
	})
}
