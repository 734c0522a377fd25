package opensearch

import (
	"fmt"
	"math"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/socc-dev/socc/compiler/diag"
	"github.com/socc-dev/socc/compiler/emit"
	"github.com/socc-dev/socc/compiler/emit/fieldmap"
	"github.com/socc-dev/socc/compiler/ir"
)

// Target is the target name, and the target of the field mappings it reads.
const Target = "opensearch"

// unavailable is the mapping value that says the index has no such field.
const unavailable = "-"

// Query is the compiled query of one detection, in both forms.
type Query struct {
	ID     string
	Status string // emit.Exact, emit.Approximate or emit.Unsupported
	Reason string
	// DSL is the query DSL of the condition (without the time range);
	// nil when Status is unsupported.
	DSL map[string]any
	// Lucene is the same condition as a Lucene query string.
	Lucene string
}

// mode says which artifact a compilation pass builds.
type mode int

const (
	modeDSL mode = iota
	modeLucene
)

type builder struct {
	d           *ir.Detection
	fm          *ir.FieldMap
	mode        mode
	reasons     []string
	unsupported []string
	ds          diag.Diagnostics
}

// Compile compiles one detection against the program's OpenSearch field
// mapping for its log source, into query DSL and a Lucene query string.
func Compile(p *ir.Program, d *ir.Detection) (*Query, diag.Diagnostics) {
	q := &Query{ID: d.ID}
	// The mapping decides the fields its index holds as constants (an index
	// of GuardDuty findings has one detail-type) and says what it cannot
	// hold faithfully. From here on d is the prepared detection: its Match
	// is the whole folded condition, exceptions included.
	prep := fieldmap.Prepare(p, Target, d)
	if prep.Unsupported != "" {
		q.Status, q.Reason = emit.Unsupported, prep.Unsupported
		return q, nil
	}
	d, fm := prep.Detection, prep.Map
	dsl := &builder{d: d, fm: fm, mode: modeDSL}
	dslTree := dsl.expr(d.Cond(), false)
	if d.Threshold != nil {
		dsl.thresholdFields(d.Threshold)
	}
	luc := &builder{d: d, fm: fm, mode: modeLucene}
	lucTree := luc.expr(d.Cond(), false)
	ds := dsl.ds // the Lucene pass reports the same fields again

	if len(dsl.unsupported) > 0 {
		q.Status, q.Reason = emit.Unsupported, strings.Join(dedupe(dsl.unsupported), "; ")
		return q, ds
	}
	if dslTree == nodeFalse {
		q.Status, q.Reason = emit.Unsupported, "the condition can never hold"
		return q, ds
	}
	if dslTree == nodeTrue && len(dsl.reasons) > 0 {
		q.Status = emit.Unsupported
		q.Reason = "OpenSearch can express no part of the condition: " + strings.Join(dedupe(dsl.reasons), "; ")
		return q, ds
	}
	q.DSL = dslTree.dsl()
	q.Lucene = lucTree.lucene()
	// The mapping's own approximations (how the index stores the fields the
	// detection reads) come first, then what the query leaves out.
	reasons := slices.Clone(prep.Approximate)
	reasons = append(reasons, dsl.reasons...)
	for _, r := range luc.reasons {
		if !slices.Contains(dsl.reasons, r) {
			reasons = append(reasons, "in the Lucene query string only: "+r)
		}
	}
	if d.Threshold != nil {
		reasons = append(reasons, thresholdReason(d.Threshold))
	}
	q.Status = emit.Exact
	if len(reasons) > 0 {
		q.Status, q.Reason = emit.Approximate, strings.Join(dedupe(reasons), "; ")
	}
	return q, ds
}

func dedupe(s []string) []string {
	var out []string
	for _, x := range s {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func (c *builder) relax(format string, args ...any) *node {
	c.reasons = append(c.reasons, fmt.Sprintf(format, args...))
	return nodeTrue
}

// field resolves a path to an index field. An unmapped record path is a
// diagnostic, an unmapped envelope path makes the detection unsupported,
// and a path mapped to "-" relaxes its predicate.
func (c *builder) field(p ir.Path) (string, bool) {
	key := p.String()
	target, rest, ok := c.fm.Lookup(key)
	switch {
	case !ok && p.Envelope:
		c.unsupported = append(c.unsupported, fmt.Sprintf("the envelope field %s has no index field in the mapping", key))
		return "", false
	case !ok:
		c.unsupported = append(c.unsupported, fmt.Sprintf("field %s has no OpenSearch mapping", key))
		c.ds.Errorf(diag.At(c.d.Source.File, c.d.Source.Line, 1), diag.UnmappedField,
			"detection %s uses field %s, which the %s field mapping does not name", c.d.ID, key, Target).
			WithHint("add %s (or a prefix entry such as %s.*) to %s, or map it to %q if the index has no such field",
				key, p.Segs[0], c.fm.Source.File, unavailable)
		return "", false
	case target == unavailable:
		c.relax("the index has no field for %s (the mapping maps it to %q); its test is left out", key, unavailable)
		return "", false
	}
	name := target
	if rest != "" {
		name += "." + rest
	}
	if c.mode == modeLucene {
		if _, ok := fieldName(name); !ok {
			c.relax("the field name %q cannot be written in a query string; its test is left out", name)
			return "", false
		}
	}
	return name, true
}

// expr renders x (negated when neg), with negation pushed to the leaves.
func (c *builder) expr(x ir.Expr, neg bool) *node {
	switch x := x.(type) {
	case *ir.And:
		kids := make([]*node, len(x.X))
		for i, k := range x.X {
			kids[i] = c.expr(k, neg)
		}
		if neg {
			return or(kids...)
		}
		return and(kids...)
	case *ir.Or:
		kids := make([]*node, len(x.X))
		for i, k := range x.X {
			kids[i] = c.expr(k, neg)
		}
		if neg {
			return and(kids...)
		}
		return or(kids...)
	case *ir.Not:
		return c.expr(x.X, !neg)
	case *ir.Pred:
		return c.pred(x, neg)
	case *ir.FieldRef:
		return c.fieldRef(x, neg)
	}
	panic(fmt.Sprintf("opensearch: unknown expression %T", x))
}

func (c *builder) pred(p *ir.Pred, neg bool) *node {
	f, ok := c.field(p.Field)
	if !ok {
		return nodeTrue
	}
	if p.Fold && nonASCIIFold(p.Values) && c.mode == modeDSL {
		c.reasons = append(c.reasons, fmt.Sprintf("case-insensitive comparison of %s with non-ASCII letters: case_insensitive queries do not fold them as socc does (Unicode simple case folding)", p.Field))
	}
	if p.Op == ir.OpExists {
		return c.leaf(existsQ(f), "_exists_:"+mustName(f), p.Values[0].Bool == neg)
	}
	// The mapping's time field is a date in the index: OpenSearch runs no
	// text matching on it, and a term that is not a date fails the whole
	// search, so the test is left out.
	if f == c.fm.Options["time"] {
		return c.relax("%s is indexed as a date (options.time), on which OpenSearch compares no text, so the %s test on it is left out", p.Field, p.Op)
	}
	// Several values of an equality without i: one terms query.
	if c.mode == modeDSL && p.Op == ir.OpEquals && !p.Fold && !p.All && len(p.Values) > 1 {
		vals := make([]any, len(p.Values))
		ok := true
		for i, v := range p.Values {
			vals[i], ok = jsonValue(v)
			if !ok {
				break
			}
		}
		if ok {
			return c.leaf(map[string]any{"terms": map[string]any{f: vals}}, "", neg)
		}
	}
	// Relaxing one value of a conjunction drops a requirement; relaxing one
	// of a disjunction makes it hold.
	conj := p.All != neg
	var kids []*node
	for i, v := range p.Values {
		n, ok := c.value(p, f, i, v)
		if !ok {
			if conj {
				continue
			}
			return nodeTrue
		}
		if neg {
			n = n.negate()
		}
		kids = append(kids, n)
	}
	if conj {
		return and(kids...)
	}
	return or(kids...)
}

// leaf makes a leaf of the artifact being built; neg negates it.
func (c *builder) leaf(dsl map[string]any, lq string, neg bool) *node {
	n := &node{op: 'l', q: dsl, lq: lq}
	if c.mode == modeLucene {
		n.q = nil
	}
	if neg {
		return n.negate()
	}
	return n
}

func existsQ(f string) map[string]any {
	return map[string]any{"exists": map[string]any{"field": f}}
}

// value renders the condition of listed value i of p on field f.
func (c *builder) value(p *ir.Pred, f string, i int, v ir.Value) (*node, bool) {
	name := mustName(f)
	switch p.Op {
	case ir.OpEquals:
		switch v.Kind {
		case ir.String:
			t := map[string]any{"value": v.Str}
			if p.Fold {
				t["case_insensitive"] = true
			}
			lq := name + ":" + phrase(v.Str)
			if p.Fold || v.Str == "" {
				lq = name + ":/" + literalRegex(v.Str, p.Fold) + "/"
			}
			return c.leaf(map[string]any{"term": map[string]any{f: t}}, lq, false), true
		case ir.Number, ir.Bool:
			jv, _ := jsonValue(v)
			lq := name + ":" + escapeTerm(fmt.Sprint(jv))
			return c.leaf(map[string]any{"term": map[string]any{f: map[string]any{"value": jv}}}, lq, false), true
		}
		return c.relax("OpenSearch does not index null, so %s: null is left out", p.Field), false
	case ir.OpGT, ir.OpGTE, ir.OpLT, ir.OpLTE:
		jv, _ := jsonValue(v)
		key := map[ir.Op]string{ir.OpGT: "gt", ir.OpGTE: "gte", ir.OpLT: "lt", ir.OpLTE: "lte"}[p.Op]
		num := escapeTerm(fmt.Sprint(jv))
		lq := map[ir.Op]string{
			ir.OpGT: name + ":{" + num + " TO *]", ir.OpGTE: name + ":[" + num + " TO *]",
			ir.OpLT: name + ":[* TO " + num + "}", ir.OpLTE: name + ":[* TO " + num + "]",
		}[p.Op]
		return c.leaf(map[string]any{"range": map[string]any{f: map[string]any{key: jv}}}, lq, false), true
	case ir.OpCIDR:
		n := p.Nets[i]
		if !n.Addr().Is4() {
			return c.relax("the IPv6 network %s on %s is left out: a keyword field holds the address as text, whose IPv6 forms vary", n, p.Field), false
		}
		re := ipv4Regex(n)
		return c.leaf(map[string]any{"regexp": map[string]any{f: map[string]any{"value": re}}}, name+":/"+re+"/", false), true
	case ir.OpPrefix:
		t := map[string]any{"value": v.Str}
		if p.Fold {
			t["case_insensitive"] = true
		}
		lq := name + ":/" + literalRegex(v.Str, p.Fold) + ".*/"
		return c.leaf(map[string]any{"prefix": map[string]any{f: t}}, lq, false), true
	case ir.OpSuffix, ir.OpContains:
		pat := escapeWildcard(v.Str) + "*"
		lq := name + ":/" + literalRegex(v.Str, p.Fold) + ".*/"
		if p.Op == ir.OpSuffix {
			pat = "*" + escapeWildcard(v.Str)
			lq = name + ":/.*" + literalRegex(v.Str, p.Fold) + "/"
		} else {
			pat = "*" + pat
			lq = name + ":/.*" + literalRegex(v.Str, p.Fold) + ".*/"
		}
		t := map[string]any{"value": pat}
		if p.Fold {
			t["case_insensitive"] = true
		}
		return c.leaf(map[string]any{"wildcard": map[string]any{f: t}}, lq, false), true
	case ir.OpWildcard:
		re, err := syntax.Parse(p.Re[i].String(), syntax.Perl)
		if err != nil {
			return c.relax("the wildcard on %s does not parse: %v", p.Field, err), false
		}
		lre, err := lucene(re)
		if err != nil {
			return c.relax("the wildcard on %s is left out: %v", p.Field, err), false
		}
		t := map[string]any{"value": wildcardPattern(v.Str)}
		if p.Fold {
			t["case_insensitive"] = true
		}
		return c.leaf(map[string]any{"wildcard": map[string]any{f: t}}, name+":/"+lre+"/", false), true
	case ir.OpRegex:
		re, err := syntax.Parse(p.Re[i].String(), syntax.Perl)
		if err != nil {
			return c.relax("the regular expression on %s does not parse: %v", p.Field, err), false
		}
		lre, err := lucene(re)
		if err != nil {
			return c.relax("re on %s is left out: %v", p.Field, err), false
		}
		return c.leaf(map[string]any{"regexp": map[string]any{f: map[string]any{"value": lre}}}, name+":/"+lre+"/", false), true
	}
	panic(fmt.Sprintf("opensearch: operator %v", p.Op))
}

// fieldRefScript compares the doc values of two fields: true when some
// value of one equals some value of the other.
const fieldRefScript = `if (!doc.containsKey(params.a) || !doc.containsKey(params.b)) { return false; } ` +
	`for (def x : doc[params.a]) { for (def y : doc[params.b]) { ` +
	`if (params.fold ? x.toString().toLowerCase() == y.toString().toLowerCase() : x == y) { return true; } } } return false;`

func (c *builder) fieldRef(r *ir.FieldRef, neg bool) *node {
	a, ok1 := c.field(r.Field)
	b, ok2 := c.field(r.Other)
	if !ok1 || !ok2 {
		return nodeTrue
	}
	if c.mode == modeLucene {
		return c.relax("comparing %s with %s is left out: a query string cannot compare two fields", r.Field, r.Other)
	}
	q := map[string]any{"script": map[string]any{"script": map[string]any{
		"lang":   "painless",
		"source": fieldRefScript,
		"params": map[string]any{"a": a, "b": b, "fold": r.Fold},
	}}}
	return c.leaf(q, "", neg)
}

// thresholdFields resolves the threshold's fields so that unmapped ones are
// reported.
func (c *builder) thresholdFields(t *ir.Threshold) {
	for _, p := range t.By {
		c.field(p)
	}
	if t.Distinct != nil {
		c.field(*t.Distinct)
	}
}

func thresholdReason(t *ir.Threshold) string {
	what := strconv.Itoa(t.Count)
	if t.Distinct != nil {
		what += " distinct " + t.Distinct.String() + " (a cardinality aggregation, exact only below its precision threshold)"
	}
	return fmt.Sprintf("the threshold (%s within %s) is counted per monitor run over the last %s: "+
		"matching events within the window that fall into two runs do not fire, a group fires at most once per run, "+
		"and a group key is one value of each by field (socc's key is the set of values)",
		what, window(t.Window), window(t.Window))
}

// window renders a duration as 10m, 1h, 30s.
func window(d time.Duration) string {
	s := int64(d / time.Second)
	switch {
	case s%3600 == 0:
		return strconv.FormatInt(s/3600, 10) + "h"
	case s%60 == 0:
		return strconv.FormatInt(s/60, 10) + "m"
	}
	return strconv.FormatInt(s, 10) + "s"
}

// jsonValue is the JSON form of a number or boolean for a query: numbers
// as written when that is JSON, else as a float64.
func jsonValue(v ir.Value) (any, bool) {
	switch v.Kind {
	case ir.Number:
		if math.IsInf(v.Num, 0) || math.IsNaN(v.Num) {
			return nil, false
		}
		if v.Num == math.Trunc(v.Num) && math.Abs(v.Num) < 1<<53 {
			return int64(v.Num), true
		}
		return v.Num, true
	case ir.Bool:
		return v.Bool, true
	case ir.String:
		return v.Str, true
	}
	return nil, false
}

func nonASCIIFold(vs []ir.Value) bool {
	for _, v := range vs {
		for _, r := range v.Str {
			if r >= 0x80 && unicode.SimpleFold(r) != r {
				return true
			}
		}
	}
	return false
}

// mustName is the query-string form of a field name that field() checked.
func mustName(f string) string {
	n, _ := fieldName(f)
	return n
}
