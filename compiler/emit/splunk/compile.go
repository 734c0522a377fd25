package splunk

import (
	"fmt"
	"math"
	"regexp"
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
const Target = "splunk"

// Search is the compiled search of one detection.
type Search struct {
	ID     string
	Status string // emit.Exact, emit.Approximate or emit.Unsupported
	Reason string
	// SPL is the search, one command per line, without a final newline;
	// empty when Status is unsupported.
	SPL string
	// SuppressFields are the fields by which repeated threshold alerts are
	// suppressed for the window (nil without a threshold).
	SuppressFields []string
}

// unavailable is the mapping value that says the target has no such field.
const unavailable = "-"

type builder struct {
	d           *ir.Detection
	fm          *ir.FieldMap
	arrays      map[string]bool // record paths that hold an array
	sometimes   map[string]bool // record paths that hold an array or a single value
	reasons     []string        // why the search is approximate
	unsupported []string        // why there is no search
	ds          diag.Diagnostics
	evals       []string          // eval assignments of merged fields
	merged      map[string]string // names joined by \x00 -> temporary field
}

// field is where Splunk keeps the values of one record field.
type field struct {
	names []string // Splunk field names (several when a path may or may not cross an array)
	multi bool     // the path crosses an array: the field may have several values
	ref   string   // how eval refers to the values: 'name' or a merged temporary field
}

// Compile compiles one detection against the program's Splunk field
// mapping for its log source, as package fieldmap prepares it: predicates on
// the mapping's constants are decided, and the mapping's approximations and
// unsupported reason carry over to the status. Diagnostics report fields the
// mapping does not name.
func Compile(p *ir.Program, d *ir.Detection) (*Search, diag.Diagnostics) {
	s := &Search{ID: d.ID}
	prep := fieldmap.Prepare(p, Target, d)
	if prep.Unsupported != "" {
		s.Status, s.Reason = emit.Unsupported, prep.Unsupported
		return s, nil
	}
	d, fm := prep.Detection, prep.Map
	c := &builder{d: d, fm: fm, arrays: pathSet(fm.Options["arrays"]), sometimes: pathSet(fm.Options["sometimes_arrays"]), merged: map[string]string{}}

	// Top-level conjuncts that the search command decides exactly (ASCII
	// case-insensitive equality) go there only; the others go to the where
	// clause, and their case-sensitive equalities also to the search
	// command as a case-insensitive pre-filter.
	var terms []string
	var rest []*node
	cj := conjuncts(d.Cond())
	for _, k := range keyFields {
		if ir.HasKeyEquality(cj, k) {
			continue
		}
		if vals := ir.Required(d.Cond(), k); vals != nil {
			p, _ := ir.ParsePath(k)
			if term, _ := c.searchTerm(&ir.Pred{Field: p, Op: ir.OpEquals, Values: strValues(vals)}); term != "" {
				terms = append(terms, term)
			}
		}
	}
	for _, x := range cj {
		term, exact := c.searchTerm(x)
		if term != "" {
			terms = append(terms, term)
		}
		if !exact {
			rest = append(rest, c.expr(x, false))
		}
	}
	where := and(rest...)
	var thr []string
	if d.Threshold != nil {
		thr, s.SuppressFields = c.threshold(d.Threshold)
	}
	if len(c.unsupported) > 0 {
		s.Status, s.Reason = emit.Unsupported, strings.Join(dedupe(c.unsupported), "; ")
		return s, c.ds
	}
	if where == nodeFalse {
		s.Status, s.Reason = emit.Unsupported, "the condition can never hold"
		return s, c.ds
	}
	if where == nodeTrue && len(terms) == 0 && len(c.reasons) > 0 {
		s.Status = emit.Unsupported
		s.Reason = "Splunk can express no part of the condition: " + strings.Join(dedupe(c.reasons), "; ")
		return s, c.ds
	}

	var lines []string
	head := slices.Concat(baseSearch(fm), terms)
	if len(head) == 0 {
		head = []string{"*"}
	}
	lines = append(lines, strings.Join(head, " "))
	if len(c.evals) > 0 {
		lines = append(lines, "| eval "+strings.Join(c.evals, ", "))
	}
	if where != nodeTrue {
		lines = append(lines, "| where "+where.render())
	}
	lines = append(lines, thr...)
	s.SPL = strings.Join(lines, "\n")
	s.Status = emit.Exact
	// The mapping's own approximations first, then the search's.
	if reasons := dedupe(slices.Concat(prep.Approximate, c.reasons)); len(reasons) > 0 {
		s.Status, s.Reason = emit.Approximate, strings.Join(reasons, "; ")
	}
	return s, c.ds
}

// baseSearch is the index and sourcetype of the mapping's options.
func baseSearch(fm *ir.FieldMap) []string {
	var out []string
	for _, k := range []string{"index", "sourcetype"} {
		if v := fm.Options[k]; v != "" {
			q, ok := searchValue(v)
			if !ok {
				q = `""`
			}
			out = append(out, k+"="+q)
		}
	}
	return out
}

// conjuncts flattens the top-level conjunction of x.
func conjuncts(x ir.Expr) []ir.Expr {
	if a, ok := x.(*ir.And); ok {
		var out []ir.Expr
		for _, c := range a.X {
			out = append(out, conjuncts(c)...)
		}
		return out
	}
	return []ir.Expr{x}
}

func pathSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, f := range strings.Fields(s) {
		m[f] = true
	}
	return m
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

// fieldState is the outcome of resolving a path through the mapping.
type fieldState int

const (
	fieldFound       fieldState = iota
	fieldUnmapped               // the mapping does not name the path
	fieldUnavailable            // the mapping maps the path to "-"
	fieldBadName                // the Splunk name cannot be quoted
)

// resolve looks a record or envelope path up in the mapping, without
// reporting anything.
func (c *builder) resolve(p ir.Path) (names []string, multi bool, st fieldState) {
	key := p.String()
	target, rest, ok := c.fm.Lookup(key)
	switch {
	case !ok:
		return nil, false, fieldUnmapped
	case target == unavailable:
		return nil, false, fieldUnavailable
	}
	f := &field{names: []string{target}, multi: strings.Contains(target, "{}")}
	if rest != "" {
		pre := strings.TrimSuffix(key, "."+rest)
		c.arrayAt(f, pre)
		segs := strings.Split(rest, ".")
		for i, seg := range segs {
			for j := range f.names {
				f.names[j] += "." + seg
			}
			c.arrayAt(f, pre+"."+strings.Join(segs[:i+1], "."))
		}
	}
	for _, n := range f.names {
		if _, ok := evalField(n); !ok {
			return f.names, f.multi, fieldBadName
		}
	}
	return f.names, f.multi, fieldFound
}

// field resolves a path for the where clause. It reports an unmapped path
// (a diagnostic for a record field; the detection is unsupported either
// way) and returns false for a path the where clause cannot use; for an
// unavailable field the caller relaxes the predicate.
func (c *builder) field(p ir.Path) (*field, bool) {
	key := p.String()
	names, multi, st := c.resolve(p)
	switch st {
	case fieldUnmapped:
		if p.Envelope {
			c.unsupported = append(c.unsupported, fmt.Sprintf("the envelope field %s has no Splunk field in the mapping", key))
			return nil, false
		}
		c.unsupported = append(c.unsupported, fmt.Sprintf("field %s has no Splunk mapping", key))
		c.ds.Errorf(diag.At(c.d.Source.File, c.d.Source.Line, 1), diag.UnmappedField,
			"detection %s uses field %s, which the %s field mapping does not name", c.d.ID, key, Target).
			WithHint("add %s (or a prefix entry such as %s.*) to %s, or map it to %q if Splunk has no such field",
				key, p.Segs[0], c.fm.Source.File, unavailable)
		return nil, false
	case fieldUnavailable:
		return nil, false
	case fieldBadName:
		c.unsupported = append(c.unsupported, fmt.Sprintf("a Splunk field name for %s cannot be quoted in SPL", key))
		return nil, false
	}
	f := &field{names: names, multi: multi}
	if len(names) == 1 {
		f.ref, _ = evalField(names[0])
		return f, true
	}
	k := strings.Join(names, "\x00")
	tmp, ok := c.merged[k]
	if !ok {
		tmp = fmt.Sprintf("socc_field%d", len(c.merged)+1)
		c.merged[k] = tmp
		refs := make([]string, len(names))
		for i, n := range names {
			refs[i], _ = evalField(n)
		}
		c.evals = append(c.evals, tmp+"=mvappend("+strings.Join(refs, ", ")+")")
	}
	f.ref = tmp
	return f, true
}

// arrayAt appends the JSON array marker {} after a path that holds an
// array; a path that holds an array or a single value gets both names.
func (c *builder) arrayAt(f *field, recordPath string) {
	switch {
	case c.arrays[recordPath]:
		for j := range f.names {
			f.names[j] += "{}"
		}
		f.multi = true
	case c.sometimes[recordPath]:
		var out []string
		for _, n := range f.names {
			out = append(out, n, n+"{}")
		}
		f.names = out
		f.multi = true
	}
}

// unavailable reports whether the mapping maps p to "-".
func (c *builder) unavailable(p ir.Path) bool {
	_, _, st := c.resolve(p)
	return st == fieldUnavailable
}

// noField relaxes a predicate on a field the mapping maps to "-".
func (c *builder) noField(p ir.Path) *node {
	return c.relax("Splunk has no field for %s (the mapping maps it to %q); its test is left out", p, unavailable)
}

// searchTerm renders a top-level conjunct as a term of the search command,
// when it is an equality of strings on a field with a bare name. exact
// reports that the term decides the conjunct (case-insensitive equality on
// ASCII values), so that it needs no where clause.
func (c *builder) searchTerm(x ir.Expr) (term string, exact bool) {
	p, ok := x.(*ir.Pred)
	if !ok || p.Op != ir.OpEquals || p.All || len(p.Values) == 0 {
		return "", false
	}
	names, _, st := c.resolve(p.Field)
	if st != fieldFound || len(names) != 1 {
		return "", false
	}
	name, ok := searchField(names[0])
	if !ok {
		return "", false
	}
	var vals []string
	for _, v := range p.Values {
		if v.Kind != ir.String {
			return "", false
		}
		q, ok := searchValue(v.Str)
		if !ok {
			return "", false
		}
		vals = append(vals, q)
	}
	if len(vals) == 1 {
		term = name + "=" + vals[0]
	} else {
		term = name + " IN (" + strings.Join(vals, ", ") + ")"
	}
	return term, p.Fold && allASCII(p.Values)
}

func strValues(s []string) []ir.Value {
	out := make([]ir.Value, len(s))
	for i, v := range s {
		out[i] = ir.Value{Kind: ir.String, Str: v}
	}
	return out
}

func allASCII(vs []ir.Value) bool {
	for _, v := range vs {
		for _, r := range v.Str {
			if r >= 0x80 {
				return false
			}
		}
	}
	return true
}

// expr renders x (negated when neg) as a where expression. Negation is
// pushed to the predicates, which render it so that a missing field makes
// the negated predicate true, as in socc (where reads a null result as
// false, and NOT of null is null).
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
	panic(fmt.Sprintf("splunk: unknown expression %T", x))
}

func (c *builder) pred(p *ir.Pred, neg bool) *node {
	if c.unavailable(p.Field) {
		return c.noField(p.Field)
	}
	f, ok := c.field(p.Field)
	if !ok {
		return nodeTrue
	}
	if p.Op == ir.OpExists {
		has := p.Values[0].Bool != neg
		if has {
			return leaf("isnotnull(" + f.ref + ")")
		}
		return leaf("isnull(" + f.ref + ")")
	}
	if p.Fold && nonASCIIFold(p.Values) {
		c.reasons = append(c.reasons, fmt.Sprintf("case-insensitive comparison of %s with non-ASCII letters: Splunk does not fold them as socc does (Unicode simple case folding)", p.Field))
	}
	var exprs []string
	for i, v := range p.Values {
		e, ok := c.value(p, i, v, f.ref)
		if !ok {
			// Relaxing one value of a conjunction drops a requirement;
			// relaxing one of a disjunction makes it hold.
			if p.All != neg {
				continue
			}
			return nodeTrue
		}
		exprs = append(exprs, e)
	}
	if len(exprs) == 0 {
		return nodeTrue
	}
	// One single-value condition per listed value. mvfilter keeps the values
	// of a (multivalue) field that satisfy one; it returns null when none
	// does, never a null truth value.
	anyOf := func(es []string) string {
		if len(es) == 1 {
			return es[0]
		}
		return "(" + strings.Join(es, " OR ") + ")"
	}
	some := func(es []string) string { return "isnotnull(mvfilter(" + strings.Join(es, " OR ") + "))" }
	none := func(es []string) string { return "isnull(mvfilter(" + strings.Join(es, " OR ") + "))" }
	switch {
	case !p.All && !neg:
		if f.multi {
			return leaf(some(exprs))
		}
		return leaf(anyOf(exprs))
	case !p.All && neg:
		return leaf(none(exprs))
	case p.All && !neg:
		var kids []*node
		for _, e := range exprs {
			if f.multi {
				kids = append(kids, leaf(some([]string{e})))
			} else {
				kids = append(kids, leaf(e))
			}
		}
		return and(kids...)
	default: // all, negated: some listed value is matched by no field value
		var kids []*node
		for _, e := range exprs {
			kids = append(kids, leaf(none([]string{e})))
		}
		return or(kids...)
	}
}

// value renders the condition on one field value (ref) for listed value i
// of p. It may be null when the field is null; pred wraps it accordingly.
func (c *builder) value(p *ir.Pred, i int, v ir.Value, ref string) (string, bool) {
	switch p.Op {
	case ir.OpEquals:
		switch v.Kind {
		case ir.String:
			lit, ok := evalString(v.Str)
			if !ok {
				return c.regex(p, "^"+regexp.QuoteMeta(v.Str)+`\z`, ref)
			}
			if p.Fold {
				return "lower(" + ref + ")==" + lit, true
			}
			return ref + "==" + lit, true
		case ir.Number:
			return "tonumber(" + ref + ")==" + number(v), true
		case ir.Bool:
			return ref + `=="` + strconv.FormatBool(v.Bool) + `"`, true
		default:
			c.relax("Splunk's JSON field extraction does not keep null values, so %s: null is left out", p.Field)
			return "", false
		}
	case ir.OpGT, ir.OpGTE, ir.OpLT, ir.OpLTE:
		op := map[ir.Op]string{ir.OpGT: ">", ir.OpGTE: ">=", ir.OpLT: "<", ir.OpLTE: "<="}[p.Op]
		return "tonumber(" + ref + ")" + op + number(v), true
	case ir.OpCIDR:
		lit, _ := evalString(p.Nets[i].String())
		return "cidrmatch(" + lit + ", " + ref + ")", true
	case ir.OpPrefix:
		return c.regex(p, "^"+regexp.QuoteMeta(v.Str), ref)
	case ir.OpSuffix:
		return c.regex(p, regexp.QuoteMeta(v.Str)+`\z`, ref)
	case ir.OpContains:
		return c.regex(p, regexp.QuoteMeta(v.Str), ref)
	case ir.OpWildcard, ir.OpRegex:
		// The compiled form is the evaluator's own: the RE2 source with
		// (?i) for i, and the anchored translation of a wildcard.
		return c.regex(p, p.Re[i].String(), ref)
	}
	panic(fmt.Sprintf("splunk: operator %v", p.Op))
}

// regex renders match(ref, pattern) from an RE2 source, adding (?i) for a
// case-insensitive predicate whose source does not carry it yet.
func (c *builder) regex(p *ir.Pred, src, ref string) (string, bool) {
	if p.Fold && !strings.HasPrefix(src, "(?i)") && p.Op != ir.OpWildcard && p.Op != ir.OpRegex {
		src = "(?i)" + src
	}
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		c.relax("the regular expression on %s does not parse: %v", p.Field, err)
		return "", false
	}
	pat, utf, err := toPCRE(re)
	if err != nil {
		c.relax("%s on %s is left out: %v", p.Op, p.Field, err)
		return "", false
	}
	if utf {
		c.reasons = append(c.reasons, fmt.Sprintf("%s on %s matches one character where socc does only if Splunk's PCRE runs in UTF-8 mode (in byte mode a non-ASCII character is several)", p.Op, p.Field))
	}
	lit, ok := evalString(pat)
	if !ok {
		panic("splunk: PCRE pattern with a control character: " + pat)
	}
	return "match(" + ref + ", " + lit + ")", true
}

func (c *builder) fieldRef(r *ir.FieldRef, neg bool) *node {
	for _, p := range []ir.Path{r.Field, r.Other} {
		if c.unavailable(p) {
			return c.noField(p)
		}
	}
	a, ok1 := c.field(r.Field)
	b, ok2 := c.field(r.Other)
	if !ok1 || !ok2 {
		return nodeTrue
	}
	if a.multi || b.multi {
		return c.relax("comparing %s with %s is left out: eval cannot compare two fields that may hold several values", r.Field, r.Other)
	}
	x, y := a.ref, b.ref
	if r.Fold {
		x, y = "lower("+x+")", "lower("+y+")"
	}
	if neg {
		return leaf("(isnull(" + a.ref + ") OR isnull(" + b.ref + ") OR " + x + "!=" + y + ")")
	}
	return leaf(x + "==" + y)
}

// nonASCIIFold reports whether case-insensitive values hold a non-ASCII
// character with case variants.
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

// number renders a numeric literal of eval.
func number(v ir.Value) string {
	if math.IsInf(v.Num, 0) || math.IsNaN(v.Num) {
		return "0"
	}
	return strconv.FormatFloat(v.Num, 'f', -1, 64)
}

// threshold renders the streamstats lines of a threshold and the fields
// by which to suppress repeated alerts.
func (c *builder) threshold(t *ir.Threshold) (lines, suppress []string) {
	c.reasons = append(c.reasons, fmt.Sprintf(
		"the threshold (%d%s within %s) is a sliding streamstats count without socc's restart after an alert: "+
			"it fires on every event while the group holds enough (alert suppression per group for the window limits the repeats), "+
			"only within one scheduled run's dispatch window, and events without a by field are not grouped",
		t.Count, distinctWord(t), duration(t.Window)))
	var by []string
	for _, p := range t.By {
		if name, ok := c.byName(p); ok {
			by = append(by, name)
			suppress = append(suppress, name)
		}
	}
	agg := "count"
	if t.Distinct != nil {
		name, ok := c.byName(*t.Distinct)
		if !ok {
			return nil, nil
		}
		agg = "dc(" + name + ")"
	}
	ss := "| streamstats time_window=" + duration(t.Window) + " " + agg + " AS socc_count"
	if len(by) > 0 {
		ss += " BY " + strings.Join(by, " ")
	}
	lines = []string{"| sort 0 _time", ss, "| where socc_count>=" + strconv.Itoa(t.Count)}
	return lines, suppress
}

func distinctWord(t *ir.Threshold) string {
	if t.Distinct != nil {
		return " distinct " + t.Distinct.String()
	}
	return ""
}

// byName resolves a threshold field to one Splunk field name for a BY
// clause.
func (c *builder) byName(p ir.Path) (string, bool) {
	if c.unavailable(p) {
		c.noField(p)
		return "", false
	}
	f, ok := c.field(p)
	if !ok {
		return "", false
	}
	if len(f.names) > 1 {
		c.reasons = append(c.reasons, fmt.Sprintf("the threshold field %s may or may not cross an array; only %s is used", p, f.names[0]))
	}
	name, ok := byField(f.names[0])
	if !ok {
		c.unsupported = append(c.unsupported, fmt.Sprintf("the Splunk field name %q cannot be quoted in a BY clause", f.names[0]))
		return "", false
	}
	return name, true
}

// duration renders a window as a Splunk time span (s, m, h).
func duration(d time.Duration) string {
	s := int64(d / time.Second)
	switch {
	case s%3600 == 0:
		return strconv.FormatInt(s/3600, 10) + "h"
	case s%60 == 0:
		return strconv.FormatInt(s/60, 10) + "m"
	}
	return strconv.FormatInt(s, 10) + "s"
}

// keyFields are the fields whose required values make a cheap pre-filter:
// with them first, the rest of a query (mv-apply above all) runs on few
// events.
var keyFields = []string{"eventSource", "eventName"}
