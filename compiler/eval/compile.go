package eval

import (
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/socc-dev/socc/compiler/ir"
	"github.com/socc-dev/socc/compiler/lower"
)

// path is an interned field path: every distinct path of a program gets one
// slot, so its values are extracted at most once per event.
type path struct {
	env   bool     // an envelope path: first is the envelope field
	first string   // the first segment: an envelope field name, or a top-level key of the record
	top   int      // record paths: index of first among the program's top-level keys
	segs  []string // gjson-escaped segments below the first
}

type nodeKind uint8

const (
	nFalse nodeKind = iota
	nTrue
	nAnd
	nOr
	nNot
	nPred
	nRef
)

// node is a compiled expression.
type node struct {
	kind nodeKind
	kids []*node
	pred *pred
	ref  *ref
}

// pred is a compiled ir.Pred.
type pred struct {
	slot int
	op   ir.Op
	all  bool
	fold bool
	want bool       // OpExists: true = present
	vals []ir.Value // String values lower-cased when fold
	bs   [][]byte   // fold: vals[i].Str as bytes
	set  map[string]struct{}
	re   []*regexp.Regexp
	nets []netip.Prefix
}

// ref is a compiled ir.FieldRef.
type ref struct {
	a, b int
	fold bool
}

// setMin is the number of string values from which an equality predicate
// looks values up in a map instead of comparing them one by one.
const setMin = 8

// builder compiles expressions, interning paths and the top-level record
// keys they start with.
type builder struct {
	paths []path
	slots map[string]int
	tops  map[string]int
}

func newBuilder() *builder { return &builder{slots: map[string]int{}, tops: map[string]int{}} }

// slot returns the slot of p, interning it.
func (b *builder) slot(p ir.Path) int {
	key := p.String()
	if i, ok := b.slots[key]; ok {
		return i
	}
	if len(p.Segs) == 0 { // no such field: an envelope field that never exists
		b.paths = append(b.paths, path{env: true, top: -1})
		b.slots[key] = len(b.paths) - 1
		return len(b.paths) - 1
	}
	c := path{env: p.Envelope, first: p.Segs[0], top: -1}
	if !c.env {
		t, ok := b.tops[c.first]
		if !ok {
			t = len(b.tops)
			b.tops[c.first] = t
		}
		c.top = t
	}
	for _, s := range p.Segs[1:] {
		c.segs = append(c.segs, gjson.Escape(s))
	}
	b.paths = append(b.paths, c)
	b.slots[key] = len(b.paths) - 1
	return len(b.paths) - 1
}

// expr compiles x. A nil expression never holds.
func (b *builder) expr(x ir.Expr) *node {
	switch x := x.(type) {
	case *ir.And:
		n := &node{kind: nAnd}
		for _, k := range x.X {
			n.kids = append(n.kids, b.expr(k))
		}
		return n
	case *ir.Or:
		n := &node{kind: nOr}
		for _, k := range x.X {
			n.kids = append(n.kids, b.expr(k))
		}
		return n
	case *ir.Not:
		return &node{kind: nNot, kids: []*node{b.expr(x.X)}}
	case *ir.Pred:
		if x == nil {
			return &node{kind: nFalse}
		}
		return &node{kind: nPred, pred: b.pred(x)}
	case *ir.FieldRef:
		if x == nil {
			return &node{kind: nFalse}
		}
		return &node{kind: nRef, ref: &ref{a: b.slot(x.Field), b: b.slot(x.Other), fold: x.Fold}}
	}
	return &node{kind: nFalse}
}

// pred compiles one predicate. It fills in compiled forms that the lowering
// pass did not (for IR built by hand): a value that does not compile never
// matches.
func (b *builder) pred(x *ir.Pred) *pred {
	p := &pred{slot: b.slot(x.Field), op: x.Op, all: x.All, fold: x.Fold}
	p.vals = slices.Clone(x.Values)
	if p.op == ir.OpExists {
		p.want = len(x.Values) > 0 && x.Values[0].Kind == ir.Bool && x.Values[0].Bool
		return p
	}
	if p.fold {
		for i := range p.vals {
			if p.vals[i].Kind == ir.String {
				p.vals[i].Str = strings.ToLower(p.vals[i].Str)
			}
		}
		p.bs = make([][]byte, len(p.vals))
		for i, v := range p.vals {
			p.bs[i] = []byte(v.Str)
		}
	}
	switch p.op {
	case ir.OpEquals:
		n := 0
		for _, v := range p.vals {
			if v.Kind == ir.String {
				n++
			}
		}
		if !p.all && n >= setMin {
			p.set = make(map[string]struct{}, n)
			for _, v := range p.vals {
				if v.Kind == ir.String {
					p.set[v.Str] = struct{}{}
				}
			}
		}
	case ir.OpRegex, ir.OpWildcard:
		p.re = make([]*regexp.Regexp, len(x.Values))
		for i, v := range x.Values {
			if i < len(x.Re) && x.Re[i] != nil {
				p.re[i] = x.Re[i]
				continue
			}
			if v.Kind != ir.String {
				continue
			}
			src := v.Str
			if p.op == ir.OpWildcard {
				src = lower.WildcardRegexp(v.Str, x.Fold)
			} else if x.Fold {
				src = "(?i)" + src
			}
			p.re[i], _ = regexp.Compile(src)
		}
	case ir.OpCIDR:
		p.nets = make([]netip.Prefix, len(x.Values))
		for i, v := range x.Values {
			if i < len(x.Nets) && x.Nets[i].IsValid() {
				p.nets[i] = x.Nets[i]
				continue
			}
			if pfx, err := netip.ParsePrefix(v.Str); err == nil {
				p.nets[i] = pfx.Masked()
			}
		}
	}
	return p
}

// The index keys, in order of preference: a detection is indexed by the
// first of these paths its condition requires case-sensitive string
// equality on.
var indexKeys = []ir.Path{
	{Segs: []string{"eventName"}},
	{Segs: []string{"eventSource"}},
	{Envelope: true, Segs: []string{"source"}},
	{Envelope: true, Segs: []string{"detail-type"}},
}

// require returns the strings one of which the values of key must hold for
// x to hold, when x requires that: a case-sensitive equality on key against
// strings only; an And requires what any of its children requires (the
// smallest set is taken); an Or what all of its children require (the
// union). A Not, an exists or any other predicate requires nothing. An empty
// Or never holds, and requires the empty set.
func require(x ir.Expr, key ir.Path) ([]string, bool) {
	switch x := x.(type) {
	case *ir.Pred:
		if x == nil || x.Op != ir.OpEquals || x.Fold || len(x.Values) == 0 || !samePath(x.Field, key) {
			return nil, false
		}
		out := make([]string, 0, len(x.Values))
		for _, v := range x.Values {
			if v.Kind != ir.String {
				return nil, false
			}
			out = append(out, v.Str)
		}
		return out, true
	case *ir.And:
		var best []string
		found := false
		for _, k := range x.X {
			if s, ok := require(k, key); ok && (!found || len(s) < len(best)) {
				best, found = s, true
			}
		}
		return best, found
	case *ir.Or:
		out := []string{}
		for _, k := range x.X {
			s, ok := require(k, key)
			if !ok {
				return nil, false
			}
			out = append(out, s...)
		}
		slices.Sort(out)
		return slices.Compact(out), true
	}
	return nil, false
}

func samePath(a, b ir.Path) bool { return a.Envelope == b.Envelope && slices.Equal(a.Segs, b.Segs) }
