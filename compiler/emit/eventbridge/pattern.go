package eventbridge

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/socc-dev/socc/compiler/ir"
)

// maxTerms bounds the disjunctive normal form of a pattern; beyond it the
// pattern falls back to the detection's required equality keys.
const maxTerms = 64

// literal is one EventBridge leaf condition on a field: matchers are the
// elements of the field's pattern array (alternatives).
type literal struct {
	path     []string // pattern path from the envelope root
	matchers []any
}

// term is a conjunction of literals; dnf is a disjunction of terms. The empty
// term matches every event; the empty dnf matches none.
type (
	term []literal
	dnf  []term
)

// builder accumulates the reasons a pattern is not exact.
type builder struct {
	root    []string // record root below the envelope: ["detail"] or ["detail","findings"]
	reasons []string
}

func (b *builder) inexact(format string, args ...any) {
	r := fmt.Sprintf(format, args...)
	if !slices.Contains(b.reasons, r) {
		b.reasons = append(b.reasons, r)
	}
}

// nnf pushes negations down to predicates.
func nnf(x ir.Expr, neg bool) ir.Expr {
	switch x := x.(type) {
	case *ir.And:
		ys := make([]ir.Expr, len(x.X))
		for i, c := range x.X {
			ys[i] = nnf(c, neg)
		}
		if neg {
			return &ir.Or{X: ys}
		}
		return &ir.And{X: ys}
	case *ir.Or:
		ys := make([]ir.Expr, len(x.X))
		for i, c := range x.X {
			ys[i] = nnf(c, neg)
		}
		if neg {
			return &ir.And{X: ys}
		}
		return &ir.Or{X: ys}
	case *ir.Not:
		return nnf(x.X, !neg)
	case *ir.Pred:
		if neg && x.All && len(x.Values) > 1 {
			// not (all of v1..vn) = any of (not vi)
			var ys []ir.Expr
			for i := range x.Values {
				ys = append(ys, &ir.Not{X: single(x, i)})
			}
			return &ir.Or{X: ys}
		}
		if neg {
			return &ir.Not{X: x}
		}
		if x.All && len(x.Values) > 1 {
			var ys []ir.Expr
			for i := range x.Values {
				ys = append(ys, single(x, i))
			}
			return &ir.And{X: ys}
		}
		return x
	}
	if neg {
		return &ir.Not{X: x}
	}
	return x
}

// single returns the predicate p restricted to its i-th value.
func single(p *ir.Pred, i int) *ir.Pred {
	q := &ir.Pred{Field: p.Field, Op: p.Op, Fold: p.Fold, Values: []ir.Value{p.Values[i]}}
	if len(p.Re) > i {
		q.Re = p.Re[i : i+1]
	}
	if len(p.Nets) > i {
		q.Nets = p.Nets[i : i+1]
	}
	return q
}

// over returns a DNF whose events include every event x matches. x is in
// negation normal form.
func (b *builder) over(x ir.Expr) dnf {
	switch x := x.(type) {
	case *ir.And:
		out := dnf{term{}}
		for _, c := range x.X {
			out = cross(out, b.over(c))
			if len(out) > maxTerms {
				return nil
			}
		}
		return out
	case *ir.Or:
		var out dnf
		for _, c := range x.X {
			d := b.over(c)
			if d == nil {
				return nil
			}
			if slices.ContainsFunc(d, func(t term) bool { return len(t) == 0 }) {
				return dnf{term{}} // one branch matches everything
			}
			out = append(out, d...)
		}
		if len(out) > maxTerms {
			return nil
		}
		return out
	case *ir.Not:
		p, ok := x.X.(*ir.Pred)
		if !ok {
			b.inexact("a negated field reference cannot be expressed")
			return dnf{term{}}
		}
		return b.negPred(p)
	case *ir.Pred:
		if m, ok := b.matchers(x); ok {
			return dnf{term{{path: b.path(x.Field), matchers: m}}}
		}
		return dnf{term{}}
	case *ir.FieldRef:
		b.inexact("comparing field %s with field %s cannot be expressed", x.Field, x.Other)
		return dnf{term{}}
	}
	panic(fmt.Sprintf("eventbridge: unexpected %T", x))
}

func cross(a, b dnf) dnf {
	var out dnf
	for _, x := range a {
		for _, y := range b {
			t := make(term, 0, len(x)+len(y))
			t = append(append(t, x...), y...)
			out = append(out, t)
		}
	}
	return out
}

func (b *builder) path(p ir.Path) []string {
	if p.Envelope {
		return p.Segs
	}
	return append(slices.Clone(b.root), p.Segs...)
}

// matchers renders a positive predicate as the alternatives of one pattern
// array, or reports why it cannot.
func (b *builder) matchers(p *ir.Pred) ([]any, bool) {
	var out []any
	for i, v := range p.Values {
		switch p.Op {
		case ir.OpEquals:
			if p.Fold {
				out = append(out, map[string]any{"equals-ignore-case": v.Str})
			} else {
				out = append(out, v.JSON())
			}
		case ir.OpPrefix, ir.OpSuffix:
			op := map[ir.Op]string{ir.OpPrefix: "prefix", ir.OpSuffix: "suffix"}[p.Op]
			if p.Fold {
				out = append(out, map[string]any{op: map[string]any{"equals-ignore-case": v.Str}})
			} else {
				out = append(out, map[string]any{op: v.Str})
			}
		case ir.OpContains:
			if p.Fold {
				b.inexact("case-insensitive contains on %s cannot be expressed", p.Field)
				return nil, false
			}
			out = append(out, map[string]any{"wildcard": "*" + escapeWildcard(v.Str) + "*"})
		case ir.OpWildcard:
			w, exact := ebWildcard(v.Str)
			if p.Fold {
				b.inexact("case-insensitive wildcard on %s cannot be expressed", p.Field)
				return nil, false
			}
			if !exact {
				b.inexact("the single-character wildcard ? on %s is widened to *", p.Field)
			}
			out = append(out, map[string]any{"wildcard": w})
		case ir.OpRegex:
			b.inexact("regular expression on %s cannot be expressed", p.Field)
			return nil, false
		case ir.OpCIDR:
			out = append(out, map[string]any{"cidr": p.Nets[i].String()})
		case ir.OpGT, ir.OpGTE, ir.OpLT, ir.OpLTE:
			op := map[ir.Op]string{ir.OpGT: ">", ir.OpGTE: ">=", ir.OpLT: "<", ir.OpLTE: "<="}[p.Op]
			out = append(out, map[string]any{"numeric": []any{op, v.JSON()}})
		case ir.OpExists:
			out = append(out, map[string]any{"exists": v.Bool})
		}
	}
	return out, true
}

// negPred renders "not p" (p has one value, or any-of values) as
// anything-but, which EventBridge never applies to a missing field: the
// missing case is added with exists:false.
func (b *builder) negPred(p *ir.Pred) dnf {
	path := b.path(p.Field)
	missing := term{{path: path, matchers: []any{map[string]any{"exists": false}}}}
	strs := make([]any, 0, len(p.Values))
	allStrings, allNumbers := true, true
	for _, v := range p.Values {
		allStrings = allStrings && v.Kind == ir.String
		allNumbers = allNumbers && v.Kind == ir.Number
		strs = append(strs, v.JSON())
	}
	list := func(x []any) any {
		if len(x) == 1 {
			return x[0]
		}
		return x
	}
	var ab any
	switch {
	case p.Op == ir.OpExists:
		return dnf{term{{path: path, matchers: []any{map[string]any{"exists": !p.Values[0].Bool}}}}}
	case p.Op == ir.OpEquals && p.Fold:
		ab = map[string]any{"equals-ignore-case": list(strs)}
	case p.Op == ir.OpEquals && (allStrings || allNumbers):
		ab = list(strs)
	case (p.Op == ir.OpPrefix || p.Op == ir.OpSuffix) && !p.Fold:
		if p.Op == ir.OpPrefix {
			ab = map[string]any{"prefix": list(strs)}
		} else {
			ab = map[string]any{"suffix": list(strs)}
		}
	case p.Op == ir.OpContains && !p.Fold:
		var ws []any
		for _, v := range p.Values {
			ws = append(ws, "*"+escapeWildcard(v.Str)+"*")
		}
		ab = map[string]any{"wildcard": list(ws)}
	case p.Op == ir.OpWildcard && !p.Fold:
		var ws []any
		for _, v := range p.Values {
			w, exact := ebWildcard(v.Str)
			if !exact {
				b.inexact("a negated wildcard with ? on %s cannot be expressed", p.Field)
				return dnf{term{}}
			}
			ws = append(ws, w)
		}
		ab = map[string]any{"wildcard": list(ws)}
	default:
		b.inexact("negated %s on %s cannot be expressed", opText(p), p.Field)
		return dnf{term{}}
	}
	return dnf{term{{path: path, matchers: []any{map[string]any{"anything-but": ab}}}}, missing}
}

func opText(p *ir.Pred) string {
	s := p.Op.String()
	if p.Fold {
		s += "|i"
	}
	return s
}

// escapeWildcard escapes the characters EventBridge wildcards treat
// specially.
func escapeWildcard(s string) string {
	return strings.NewReplacer(`\`, `\\`, `*`, `\*`).Replace(s)
}

// ebWildcard converts a socc wildcard (*, ?, \*, \?, \\) to an EventBridge
// wildcard (*, \*, \\). A ? becomes *, which widens the match: exact is
// false then.
func ebWildcard(w string) (string, bool) {
	var b strings.Builder
	exact := true
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c == '\\' && i+1 < len(w) && strings.IndexByte(`*?\`, w[i+1]) >= 0:
			i++
			b.WriteString(escapeWildcard(w[i : i+1]))
		case c == '\\':
			b.WriteString(`\\`)
		case c == '?':
			exact = false
			b.WriteString("*")
		default:
			b.WriteByte(c)
		}
	}
	// EventBridge rejects consecutive wildcards; ** means the same as *.
	s := b.String()
	for strings.Contains(s, "**") && !strings.Contains(s, `\**`) {
		s = strings.ReplaceAll(s, "**", "*")
	}
	return s, exact
}

// render turns a DNF into a pattern object. Literals common to every term
// stay at the top; what differs goes into a top-level $or. A term naming one
// field twice cannot be expressed (EventBridge ANDs fields, not conditions
// on one field): numeric ranges are merged, otherwise only the first
// condition on the field is kept.
func (b *builder) render(d dnf) map[string]any {
	d = dedupeTerms(d)
	var common term
	if len(d) > 1 {
		for _, l := range d[0] {
			if all(d[1:], func(t term) bool { return hasLiteral(t, l) }) {
				common = append(common, l)
			}
		}
	} else {
		common = d[0]
	}
	o := map[string]any{}
	for _, l := range common {
		set(b, o, l.path, l.matchers)
	}
	if len(d) == 1 {
		return o
	}
	var branches []any
	for _, t := range d {
		br := map[string]any{}
		for _, l := range t {
			if !hasLiteral(common, l) {
				set(b, br, l.path, l.matchers)
			}
		}
		if len(br) == 0 {
			return o // this branch is the common part alone: the $or always holds
		}
		branches = append(branches, br)
	}
	o["$or"] = branches
	return o
}

func all(ts []term, f func(term) bool) bool {
	for _, t := range ts {
		if !f(t) {
			return false
		}
	}
	return true
}

func hasLiteral(t term, l literal) bool {
	k := l.key()
	return slices.ContainsFunc(t, func(x literal) bool { return x.key() == k })
}

// key identifies a literal by its path and matchers.
func (l literal) key() string { return mustJSON([]any{l.path, l.matchers}) }

// dedupeTerms drops repeated literals within terms and repeated terms.
func dedupeTerms(d dnf) dnf {
	seen := map[string]bool{}
	var out dnf
	for _, t := range d {
		var u term
		for _, l := range t {
			if !hasLiteral(u, l) {
				u = append(u, l)
			}
		}
		var k strings.Builder
		for _, l := range u {
			k.WriteString(l.key())
		}
		if !seen[k.String()] {
			seen[k.String()] = true
			out = append(out, u)
		}
	}
	return out
}

func set(b *builder, o map[string]any, path []string, m []any) {
	for _, seg := range path[:len(path)-1] {
		next, ok := o[seg].(map[string]any)
		if !ok {
			if _, leaf := o[seg]; leaf {
				b.inexact("conditions on %s and on fields below it cannot be combined", seg)
				return
			}
			next = map[string]any{}
			o[seg] = next
		}
		o = next
	}
	last := path[len(path)-1]
	if prev, ok := o[last]; ok {
		if merged, ok := mergeNumeric(prev, m); ok {
			o[last] = merged
			return
		}
		if eq, _ := json.Marshal(prev); string(eq) != mustJSON(m) {
			b.inexact("several conditions on %s cannot be combined; the first is kept", strings.Join(path, "."))
		}
		return
	}
	if _, isObj := o[last].(map[string]any); isObj {
		b.inexact("conditions on %s and on fields below it cannot be combined", last)
		return
	}
	o[last] = m
}

// mergeNumeric merges a lower and an upper numeric bound on one field into
// one range: [{"numeric":[">=",7]}] and [{"numeric":["<",9]}] become
// [{"numeric":[">=",7,"<",9]}].
func mergeNumeric(a any, b []any) ([]any, bool) {
	bound := func(x any) ([]any, bool) {
		arr, ok := x.([]any)
		if !ok || len(arr) != 1 {
			return nil, false
		}
		m, ok := arr[0].(map[string]any)
		if !ok || len(m) != 1 {
			return nil, false
		}
		n, ok := m["numeric"].([]any)
		return n, ok && len(n) == 2
	}
	x, ok1 := bound(a)
	y, ok2 := bound(b)
	if !ok1 || !ok2 {
		return nil, false
	}
	lower := func(op any) bool { return op == ">" || op == ">=" }
	if lower(x[0]) == lower(y[0]) {
		return nil, false
	}
	if !lower(x[0]) {
		x, y = y, x
	}
	return []any{map[string]any{"numeric": []any{x[0], x[1], y[0], y[1]}}}, true
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
