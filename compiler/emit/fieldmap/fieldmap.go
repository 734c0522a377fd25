// Package fieldmap prepares a detection for one SIEM target's field mapping
// of its log source: it decides the predicates on fields that the mapping
// declares constant (a table that holds only GuardDuty findings has one
// detail-type), and collects the approximations and the unsupported reason
// that the mapping states. Every SIEM emitter starts from Prepare, so a
// mapping means the same to all of them.
package fieldmap

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/socc-dev/socc/compiler/eval"
	"github.com/socc-dev/socc/compiler/event"
	"github.com/socc-dev/socc/compiler/ir"
)

// Prepared is a detection as one target's field mapping sees it.
type Prepared struct {
	// Detection is a shallow copy of the detection whose Match is its whole
	// condition (exceptions included) with constant fields decided, and
	// whose Exceptions are nil. It is nil when Unsupported is set.
	Detection *ir.Detection
	// Map is the target's field mapping for the detection's log source.
	Map *ir.FieldMap
	// Approximate lists, sorted, why the mapping makes a faithful query
	// impossible (the mapping's own approximate entries for the fields the
	// detection reads).
	Approximate []string
	// Unsupported, when not empty, says why the target has no query.
	Unsupported string
}

// Prepare looks up target's field mapping for d's log source and prepares d
// for it.
func Prepare(p *ir.Program, target string, d *ir.Detection) Prepared {
	ls := d.Logsource.Service
	fm := p.FieldMap(target, ls)
	if fm == nil {
		return Prepared{Unsupported: fmt.Sprintf("no %s field mapping for log source %s (add a kind: field-mapping file with target: %s, logsource: %s)", target, ls, target, ls)}
	}
	if fm.Unsupported != "" {
		return Prepared{Map: fm, Unsupported: fm.Unsupported}
	}
	cond, decided := Fold(d.Cond(), fm.Constants)
	if f, ok := cond.(*ir.Or); ok && len(f.X) == 0 {
		return Prepared{Map: fm, Unsupported: fmt.Sprintf("the condition never holds in %s's %s data: %s", target, ls, strings.Join(decided, ", "))}
	}
	out := *d
	out.Match, out.Exceptions = cond, nil
	return Prepared{Detection: &out, Map: fm, Approximate: approximations(fm, &out)}
}

// Fold replaces the predicates on constant fields with true (an empty And)
// or false (an empty Or), as the reference evaluator decides them on a
// record holding the constants, and simplifies. It returns the folded
// condition and, sorted, the constant fields it decided.
func Fold(x ir.Expr, constants map[string]ir.Value) (ir.Expr, []string) {
	if len(constants) == 0 {
		return x, nil
	}
	f := &folder{ev: constEvent(constants), consts: constants, used: map[string]bool{}}
	out := f.fold(x)
	var used []string
	for k := range f.used {
		used = append(used, k)
	}
	sort.Strings(used)
	return out, used
}

type folder struct {
	ev     *event.Event
	consts map[string]ir.Value
	used   map[string]bool
}

var (
	exprTrue  = &ir.And{}
	exprFalse = &ir.Or{}
)

func isTrue(x ir.Expr) bool  { a, ok := x.(*ir.And); return ok && len(a.X) == 0 }
func isFalse(x ir.Expr) bool { o, ok := x.(*ir.Or); return ok && len(o.X) == 0 }

func (f *folder) fold(x ir.Expr) ir.Expr {
	switch x := x.(type) {
	case *ir.And:
		var out []ir.Expr
		for _, c := range x.X {
			c = f.fold(c)
			if isFalse(c) {
				return exprFalse
			}
			if !isTrue(c) {
				out = append(out, c)
			}
		}
		if len(out) == 1 {
			return out[0]
		}
		if len(out) == 0 {
			return exprTrue
		}
		return &ir.And{X: out}
	case *ir.Or:
		var out []ir.Expr
		for _, c := range x.X {
			c = f.fold(c)
			if isTrue(c) {
				return exprTrue
			}
			if !isFalse(c) {
				out = append(out, c)
			}
		}
		if len(out) == 1 {
			return out[0]
		}
		if len(out) == 0 {
			return exprFalse
		}
		return &ir.Or{X: out}
	case *ir.Not:
		c := f.fold(x.X)
		switch {
		case isTrue(c):
			return exprFalse
		case isFalse(c):
			return exprTrue
		}
		return &ir.Not{X: c}
	case *ir.Pred:
		k := x.Field.String()
		if _, ok := f.consts[k]; !ok {
			return x
		}
		f.used[k] = true
		if eval.Eval(x, f.ev) {
			return exprTrue
		}
		return exprFalse
	}
	return x
}

// constEvent builds an event whose envelope and record hold the constants
// and nothing else.
func constEvent(constants map[string]ir.Value) *event.Event {
	env := map[string]any{"source": "socc.constants"}
	detail := map[string]any{}
	for k, v := range constants {
		p, ok := ir.ParsePath(k)
		if !ok {
			continue
		}
		dst := detail
		if p.Envelope {
			dst = env
		}
		for _, s := range p.Segs[:len(p.Segs)-1] {
			next, ok := dst[s].(map[string]any)
			if !ok {
				next = map[string]any{}
				dst[s] = next
			}
			dst = next
		}
		dst[p.Segs[len(p.Segs)-1]] = jsonValue(v)
	}
	if _, ok := env["detail"]; !ok {
		env["detail"] = detail
	}
	b, _ := json.Marshal(env)
	return event.FromEnvelope(gjson.ParseBytes(b))[0]
}

func jsonValue(v ir.Value) any {
	switch v.Kind {
	case ir.String:
		return v.Str
	case ir.Number:
		return json.Number(v.Str)
	case ir.Bool:
		return v.Bool
	}
	return nil
}

// approximations returns the mapping's approximate reasons that apply to d.
func approximations(fm *ir.FieldMap, d *ir.Detection) []string {
	if len(fm.Approximate) == 0 {
		return nil
	}
	var out []string
	add := func(r string) {
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	if r, ok := fm.Approximate["*"]; ok {
		add(r)
	}
	for _, p := range Fields(d) {
		k := p.String()
		if r, ok := fm.Approximate[k]; ok {
			add(r)
			continue
		}
		for pre, r := range fm.Approximate {
			if pre, ok := strings.CutSuffix(pre, ".*"); ok && strings.HasPrefix(k, pre+".") {
				add(r)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Fields returns the paths that d's condition and threshold read, in order
// of first appearance.
func Fields(d *ir.Detection) []ir.Path {
	var out []ir.Path
	seen := map[string]bool{}
	add := func(p ir.Path) {
		if k := p.String(); !seen[k] {
			seen[k] = true
			out = append(out, p)
		}
	}
	var walk func(x ir.Expr)
	walk = func(x ir.Expr) {
		switch x := x.(type) {
		case *ir.And:
			for _, c := range x.X {
				walk(c)
			}
		case *ir.Or:
			for _, c := range x.X {
				walk(c)
			}
		case *ir.Not:
			walk(x.X)
		case *ir.Pred:
			add(x.Field)
		case *ir.FieldRef:
			add(x.Field)
			add(x.Other)
		}
	}
	walk(d.Cond())
	if t := d.Threshold; t != nil {
		for _, p := range t.By {
			add(p)
		}
		if t.Distinct != nil {
			add(*t.Distinct)
		}
	}
	return out
}
