package sentinel

import (
	"fmt"
	"math"
	"net/netip"
	"regexp"
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
const Target = "sentinel"

// unavailable is the mapping value that says the table has no such column.
const unavailable = "-"

// Query is the compiled KQL query of one detection.
type Query struct {
	ID     string
	Status string // emit.Exact, emit.Approximate or emit.Unsupported
	Reason string
	// KQL is the query, without a final newline; empty when Status is
	// unsupported.
	KQL string
	// Columns that the query's output holds, for entity mappings: the
	// table's columns without a threshold, the group columns with one.
	Columns []string
}

// srcKind is how the table holds a field's values.
type srcKind int

const (
	srcString  srcKind = iota // a string column or expression: never null, "" when absent
	srcBool                   // a bool column
	srcOther                  // a column of another type (int, datetime, ...)
	srcDynamic                // a dynamic value: parse_json(Column), a dynamic column, members below them
)

// source is where the table keeps the values of one record field.
type source struct {
	kind srcKind
	expr string // the column or expression; for srcDynamic the dynamic value, or the first array when arrays is set
	typ  string // column type for srcOther
	// For a dynamic path that crosses arrays: the member chains after each
	// array (rendered as .a["b"]), the last one leading to the value.
	chains []string
}

type builder struct {
	d           *ir.Detection
	fm          *ir.FieldMap
	types       map[string]string // column -> type, from options.column_types
	arrays      map[string]bool
	reasons     []string
	unsupported []string
	ds          diag.Diagnostics
	applies     []string // mv-apply lines computing socc_nN columns
	needArray   bool     // the query uses socc_array
}

// Compile compiles one detection against the program's Sentinel field
// mapping for its log source.
func Compile(p *ir.Program, d *ir.Detection) (*Query, diag.Diagnostics) {
	q := &Query{ID: d.ID}
	// The mapping decides the fields its table holds as constants (a table
	// of GuardDuty findings has one detail-type), and says what it cannot
	// hold faithfully. From here on d is the prepared detection: its Match
	// is the whole folded condition, exceptions included.
	prep := fieldmap.Prepare(p, Target, d)
	if prep.Unsupported != "" {
		q.Status, q.Reason = emit.Unsupported, prep.Unsupported
		return q, nil
	}
	d, fm := prep.Detection, prep.Map
	table := fm.Options["table"]
	if !identifier.MatchString(table) {
		q.Status = emit.Unsupported
		q.Reason = fmt.Sprintf("the %s field mapping for %s names no table (options.table)", Target, d.Logsource.Service)
		return q, nil
	}
	c := &builder{d: d, fm: fm, types: map[string]string{}, arrays: map[string]bool{}}
	for _, kv := range strings.Fields(fm.Options["column_types"]) {
		if k, v, ok := strings.Cut(kv, "="); ok {
			c.types[k] = v
		}
	}
	for _, k := range []string{"arrays", "sometimes_arrays"} {
		for _, p := range strings.Fields(fm.Options[k]) {
			c.arrays[p] = true
		}
	}

	// Conjuncts that need no mv-apply filter first; the others after the
	// mv-apply lines that compute their per-element counts.
	var first, later []*node
	cj := conjuncts(d.Cond())
	for _, k := range keyFields {
		if ir.HasKeyEquality(cj, k) {
			continue
		}
		vals := ir.Required(d.Cond(), k)
		if vals == nil {
			continue
		}
		p, _ := ir.ParsePath(k)
		if s, st := c.resolve(p); st == fieldFound && s.kind == srcString && len(s.chains) == 0 {
			first = append(first, c.pred(&ir.Pred{Field: p, Op: ir.OpEquals, Values: strValues(vals)}, false))
		}
	}
	for _, x := range cj {
		before := len(c.applies)
		n := c.expr(x, false)
		if len(c.applies) > before {
			later = append(later, n)
		} else {
			first = append(first, n)
		}
	}
	cond1, cond2 := and(first...), and(later...)
	var thr []string
	if d.Threshold != nil {
		thr, q.Columns = c.threshold(d.Threshold)
	}
	if len(c.unsupported) > 0 {
		q.Status, q.Reason = emit.Unsupported, strings.Join(dedupe(c.unsupported), "; ")
		return q, c.ds
	}
	if cond1 == nodeFalse || cond2 == nodeFalse {
		q.Status, q.Reason = emit.Unsupported, "the condition can never hold"
		return q, c.ds
	}
	if cond1 == nodeTrue && cond2 == nodeTrue && len(c.reasons) > 0 {
		q.Status = emit.Unsupported
		q.Reason = "KQL can express no part of the condition: " + strings.Join(dedupe(c.reasons), "; ")
		return q, c.ds
	}

	var lines []string
	if c.needArray {
		lines = append(lines, `let socc_array = (v:dynamic) { iff(gettype(v) == "array", v, pack_array(v)) };`)
	}
	lines = append(lines, table)
	lines = append(lines, where(cond1)...)
	lines = append(lines, c.applies...)
	lines = append(lines, where(cond2)...)
	lines = append(lines, thr...)
	q.KQL = strings.Join(lines, "\n")
	if d.Threshold == nil {
		q.Columns = nil // every column of the table
	}
	q.Status = emit.Exact
	// The mapping's own approximations (how the table stores the fields the
	// detection reads) come first, then what the query leaves out.
	if reasons := dedupe(append(slices.Clone(prep.Approximate), c.reasons...)); len(reasons) > 0 {
		q.Status, q.Reason = emit.Approximate, strings.Join(reasons, "; ")
	}
	return q, c.ds
}

// where renders a condition as a where operator, one conjunct per line.
func where(n *node) []string {
	parts := n.conjuncts()
	if len(parts) == 0 {
		return nil
	}
	out := make([]string, len(parts))
	for i, p := range parts {
		s := p.render()
		if p.op == '|' {
			s = "(" + s + ")"
		}
		if i == 0 {
			out[i] = "| where " + s
		} else {
			out[i] = "    and " + s
		}
	}
	return out
}

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
	fieldFound fieldState = iota
	fieldUnmapped
	fieldUnavailable
	fieldBad // a mapping value the emitter cannot use
)

// resolve looks a path up in the mapping, without reporting anything.
func (c *builder) resolve(p ir.Path) (*source, fieldState) {
	key := p.String()
	target, rest, ok := c.fm.Lookup(key)
	switch {
	case !ok:
		return nil, fieldUnmapped
	case target == unavailable:
		return nil, fieldUnavailable
	}
	// A mapping value is a column, one of a few functions of a column, or
	// a dynamic value followed by members and indexes: never free KQL, so
	// that a mapping cannot put a query into a query.
	v, ok := parseMappingValue(target)
	if !ok {
		return nil, fieldBad
	}
	colType := c.types[v.column]
	dynamic := v.fn == "parse_json" || v.fn == "todynamic" || (v.fn == "" && colType == "dynamic")
	if !dynamic {
		if len(v.members) > 0 || rest != "" {
			return nil, fieldBad // members of a scalar, or a prefix entry that maps to no dynamic value
		}
		if v.fn == "tostring" {
			return &source{kind: srcString, expr: target}, fieldFound
		}
		switch colType {
		case "", "string":
			return &source{kind: srcString, expr: target}, fieldFound
		case "bool":
			return &source{kind: srcBool, expr: target}, fieldFound
		default:
			return &source{kind: srcOther, expr: target, typ: colType}, fieldFound
		}
	}
	s := &source{kind: srcDynamic, expr: v.render()}
	// Split the member path at the arrays: chunks[0] leads from the value
	// to the first array, chunks[k] from an element of array k to array
	// k+1, and the rest from an element of the last array to the value. An
	// exact entry (rest empty) may itself be an array.
	pre, segs := key, []string(nil)
	if rest != "" {
		pre, segs = strings.TrimSuffix(key, "."+rest), strings.Split(rest, ".")
	}
	var chunks []string
	cur := ""
	if c.arrays[pre] {
		chunks = append(chunks, cur)
	}
	for i, seg := range segs {
		cur += member(seg)
		if c.arrays[pre+"."+strings.Join(segs[:i+1], ".")] {
			chunks = append(chunks, cur)
			cur = ""
		}
	}
	if len(chunks) == 0 {
		s.expr += cur
		return s, fieldFound
	}
	s.expr += chunks[0]
	s.chains = append(chunks[1:], cur)
	return s, fieldFound
}

// source resolves a path, reporting an unmapped one.
func (c *builder) source(p ir.Path) (*source, bool) {
	key := p.String()
	s, st := c.resolve(p)
	switch st {
	case fieldUnmapped:
		if p.Envelope {
			c.unsupported = append(c.unsupported, fmt.Sprintf("the envelope field %s has no column in the mapping", key))
			return nil, false
		}
		c.unsupported = append(c.unsupported, fmt.Sprintf("field %s has no Sentinel mapping", key))
		c.ds.Errorf(diag.At(c.d.Source.File, c.d.Source.Line, 1), diag.UnmappedField,
			"detection %s uses field %s, which the %s field mapping does not name", c.d.ID, key, Target).
			WithHint("add %s (or a prefix entry such as %s.*) to %s, or map it to %q if the table has no such column",
				key, p.Segs[0], c.fm.Source.File, unavailable)
		return nil, false
	case fieldUnavailable:
		c.relax("the table has no column for %s (the mapping maps it to %q); its test is left out", key, unavailable)
		return nil, false
	case fieldBad:
		c.unsupported = append(c.unsupported, fmt.Sprintf("the mapping of %s is not a column, tostring(Column), or a dynamic value (parse_json(Column), todynamic(Column) or a dynamic column, optionally followed by .member and [index]; the only kind a prefix entry may map to)", key))
		return nil, false
	}
	return s, true
}

// expr renders x (negated when neg). Negation is pushed to the
// predicates, which render it so that an absent field makes the negated
// predicate true, as in socc.
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
	panic(fmt.Sprintf("sentinel: unknown expression %T", x))
}

// cond is a condition on one value, with what its negation needs.
type cond struct {
	pos string // the condition
	neg string // its negation, true when the value is absent; "" to derive
	// null is the expression whose null makes pos null ("" when pos is
	// never null); the derived negation is then (isnull(null) or not(pos)).
	null string
}

func (k cond) negation() string {
	switch {
	case k.neg != "":
		return k.neg
	case k.null != "":
		return "(isnull(" + k.null + ") or not(" + k.pos + "))"
	}
	return "not(" + k.pos + ")"
}

func (c *builder) pred(p *ir.Pred, neg bool) *node {
	s, ok := c.source(p.Field)
	if !ok {
		return nodeTrue
	}
	if p.Fold && nonASCIIFold(p.Values) {
		c.reasons = append(c.reasons, fmt.Sprintf("case-insensitive comparison of %s with non-ASCII letters: KQL does not fold them as socc does (Unicode simple case folding)", p.Field))
	}
	if len(s.chains) > 0 {
		return c.arrayPred(p, s, neg)
	}
	if p.Op == ir.OpExists {
		return leaf(exists(s, p.Values[0].Bool != neg))
	}
	// Equality with several values: one in/!in.
	if p.Op == ir.OpEquals && !p.All && len(p.Values) > 1 && allStrings(p.Values) && !hasEmpty(p.Values) {
		v := valueExpr(s)
		op := "in"
		if p.Fold {
			op = "in~"
		}
		if neg {
			op = "!" + op
		}
		lits := make([]string, len(p.Values))
		for i, x := range p.Values {
			lits[i] = kqlString(x.Str)
		}
		return leaf(v + " " + op + " (" + strings.Join(lits, ", ") + ")")
	}
	var conds []cond
	for i, v := range p.Values {
		k, ok := c.value(p, s, i, v, valueExpr(s))
		if !ok {
			// Relaxing one value of a conjunction drops a requirement;
			// relaxing one of a disjunction makes it hold.
			if p.All != neg {
				continue
			}
			return nodeTrue
		}
		conds = append(conds, k)
	}
	var kids []*node
	for _, k := range conds {
		if neg {
			kids = append(kids, leaf(k.negation()))
		} else {
			kids = append(kids, leaf(k.pos))
		}
	}
	if p.All != neg {
		return and(kids...)
	}
	return or(kids...)
}

// valueExpr is the expression of a field's (single) value that string and
// numeric conditions read.
func valueExpr(s *source) string {
	if s.kind == srcDynamic {
		return "tostring(" + s.expr + ")"
	}
	return s.expr
}

func exists(s *source, has bool) string {
	switch s.kind {
	case srcString:
		if has {
			return "isnotempty(" + s.expr + ")"
		}
		return "isempty(" + s.expr + ")"
	}
	if has {
		return "isnotnull(" + s.expr + ")"
	}
	return "isnull(" + s.expr + ")"
}

var cmpOps = map[ir.Op]string{ir.OpGT: ">", ir.OpGTE: ">=", ir.OpLT: "<", ir.OpLTE: "<="}

// value renders the condition of listed value i on a field value v (an
// expression over s). ok is false when the condition is relaxed.
func (c *builder) value(p *ir.Pred, s *source, i int, val ir.Value, v string) (cond, bool) {
	// present guards conditions that an absent field (an empty string in a
	// string column, "" from tostring of a missing member) would satisfy.
	present := "isnotempty(" + s.expr + ")"
	if s.kind == srcDynamic {
		present = "isnotnull(" + s.expr + ")"
	}
	if s.kind == srcBool || s.kind == srcOther {
		switch {
		case s.kind == srcBool && p.Op == ir.OpEquals && val.Kind == ir.Bool:
			return cond{pos: s.expr + " == " + strconv.FormatBool(val.Bool), null: s.expr}, true
		case s.kind == srcOther && (p.Op.IsNumeric() || (p.Op == ir.OpEquals && val.Kind == ir.Number)) && (s.typ == "int" || s.typ == "long" || s.typ == "real"):
			op := cmpOps[p.Op]
			if p.Op == ir.OpEquals {
				op = "=="
			}
			return cond{pos: s.expr + " " + op + " " + number(val), null: s.expr}, true
		case s.kind == srcBool && (p.Op.IsString() || p.Op == ir.OpEquals || p.Op == ir.OpCIDR || p.Op.IsNumeric()):
			// A JSON boolean is never a string or a number.
			return cond{pos: "false", neg: "true"}, true
		}
		c.relax("%s on the %s column %s is left out", p.Op, map[srcKind]string{srcBool: "bool", srcOther: s.typ}[s.kind], s.expr)
		return cond{}, false
	}
	switch p.Op {
	case ir.OpEquals:
		switch val.Kind {
		case ir.String:
			op, nop := "==", "!="
			if p.Fold {
				op, nop = "=~", "!~"
			}
			k := cond{pos: v + " " + op + " " + kqlString(val.Str), neg: v + " " + nop + " " + kqlString(val.Str)}
			if val.Str == "" {
				k.pos = present + " and " + k.pos
				k.neg = "not(" + k.pos + ")"
			}
			return k, true
		case ir.Number:
			x := "toreal(" + s.expr + ")"
			return cond{pos: x + " == " + number(val), null: x}, true
		case ir.Bool:
			if s.kind == srcString {
				return cond{pos: "false", neg: "true"}, true // a string column holds no JSON boolean
			}
			x := "tobool(" + s.expr + ")"
			return cond{pos: x + " == " + strconv.FormatBool(val.Bool), null: x}, true
		}
		c.relax("KQL does not tell a JSON null from an absent member, so %s: null is left out", p.Field)
		return cond{}, false
	case ir.OpGT, ir.OpGTE, ir.OpLT, ir.OpLTE:
		x := "toreal(" + s.expr + ")"
		return cond{pos: x + " " + cmpOps[p.Op] + " " + number(val), null: x}, true
	case ir.OpCIDR:
		return cidr(v, p.Nets[i]), true
	case ir.OpPrefix, ir.OpSuffix, ir.OpContains:
		op := map[ir.Op]string{ir.OpPrefix: "startswith", ir.OpSuffix: "endswith", ir.OpContains: "contains"}[p.Op]
		if !p.Fold {
			op += "_cs"
		}
		k := cond{pos: v + " " + op + " " + kqlString(val.Str), neg: v + " !" + op + " " + kqlString(val.Str)}
		if val.Str == "" {
			k.pos, k.neg = present, "not("+present+")"
		}
		return k, true
	case ir.OpWildcard:
		if k, ok := wildcardOps(val.Str, p.Fold, v, present); ok {
			return k, true
		}
		return c.regex(p.Re[i], v, present), true
	case ir.OpRegex:
		return c.regex(p.Re[i], v, present), true
	}
	panic(fmt.Sprintf("sentinel: operator %v", p.Op))
}

// regex renders a matches regex condition. KQL's regular expressions are
// RE2, so the evaluator's own source (with (?i) for i, and the anchored
// translation of a wildcard) runs unchanged.
func (c *builder) regex(re *regexp.Regexp, v, present string) cond {
	k := cond{pos: v + " matches regex " + kqlRegex(re.String())}
	if re.MatchString("") {
		k.pos = present + " and " + k.pos
	}
	k.neg = "not(" + k.pos + ")"
	return k
}

// wildcardOps renders a wildcard that is a whole value, a prefix, a
// suffix or a substring with the string operators, which read better than
// a regular expression. Other shapes (and ?) go to matches regex.
func wildcardOps(w string, fold bool, v, present string) (cond, bool) {
	var toks []string // literal runs, and "" for a star
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			toks = append(toks, "\x00"+lit.String())
			lit.Reset()
		}
	}
	for i := 0; i < len(w); i++ {
		switch ch := w[i]; {
		case ch == '\\' && i+1 < len(w) && strings.IndexByte(`*?\`, w[i+1]) >= 0:
			lit.WriteByte(w[i+1])
			i++
		case ch == '?':
			return cond{}, false
		case ch == '*':
			flush()
			if len(toks) == 0 || toks[len(toks)-1] != "" {
				toks = append(toks, "")
			}
		default:
			lit.WriteByte(ch)
		}
	}
	flush()
	shape := ""
	text := ""
	for _, t := range toks {
		if t == "" {
			shape += "*"
		} else {
			shape += "L"
			text = t[1:]
		}
	}
	op := ""
	switch shape {
	case "*":
		return cond{pos: present, neg: "not(" + present + ")"}, true
	case "L":
		op = "=="
		if fold {
			op = "=~"
		}
		return cond{pos: v + " " + op + " " + kqlString(text)}, true
	case "L*":
		op = "startswith"
	case "*L":
		op = "endswith"
	case "*L*":
		op = "contains"
	default:
		return cond{}, false
	}
	if !fold {
		op += "_cs"
	}
	return cond{pos: v + " " + op + " " + kqlString(text), neg: v + " !" + op + " " + kqlString(text)}, true
}

// cidr renders a network test. ipv4_is_in_range and ipv6_is_in_range give
// null for text that is no address; ipv6_is_in_range reads an IPv4 address
// as IPv4-mapped, which socc never matches against an IPv6 network.
func cidr(v string, n netip.Prefix) cond {
	if n.Addr().Is4() {
		return cond{pos: "ipv4_is_in_range(" + v + ", " + kqlString(n.String()) + ")", null: ""}.nullable()
	}
	pos := "ipv6_is_in_range(" + v + ", " + kqlString(n.String()) + ") and not(ipv6_is_in_range(" + v + `, "::ffff:0:0/96"))`
	return cond{pos: pos}.nullable()
}

// nullable derives the negation of a condition that may be null for
// reasons other than an absent value.
func (k cond) nullable() cond {
	k.neg = "not(coalesce(" + k.pos + ", false))"
	return k
}

// arrayPred renders a predicate on a path that crosses arrays: an mv-apply
// per listed value (or one for an any-of list) counts the elements whose
// value matches, and the condition tests the count. socc_array wraps a
// value that is not an array (a path that holds an array only sometimes,
// or a missing member) into one, so that mv-apply never expands the
// members of an object instead.
func (c *builder) arrayPred(p *ir.Pred, s *source, neg bool) *node {
	c.needArray = true
	last := len(s.chains)
	elem := &source{kind: srcDynamic, expr: fmt.Sprintf("socc_e%d", last) + s.chains[last-1]}
	var groups [][]string // conditions on the element value, counted together
	if p.Op == ir.OpExists {
		groups = [][]string{{"isnotnull(" + elem.expr + ")"}}
	} else {
		var conds []string
		for i, v := range p.Values {
			k, ok := c.value(p, elem, i, v, valueExpr(elem))
			if !ok {
				if p.All != neg {
					continue
				}
				return nodeTrue
			}
			conds = append(conds, k.pos)
		}
		if len(conds) == 0 {
			return nodeTrue
		}
		if p.All {
			for _, k := range conds {
				groups = append(groups, []string{k})
			}
		} else {
			groups = [][]string{conds}
		}
	}
	has := p.Op != ir.OpExists || p.Values[0].Bool
	var kids []*node
	for _, g := range groups {
		col := fmt.Sprintf("socc_n%d", len(c.applies)+1)
		c.applies = append(c.applies, c.mvApply(s, g, col))
		if has != neg {
			kids = append(kids, leaf(col+" > 0"))
		} else {
			kids = append(kids, leaf(col+" == 0"))
		}
	}
	if p.All != neg {
		return and(kids...)
	}
	return or(kids...)
}

// mvApply renders the mv-apply line that sets col to the number of
// elements of the last array whose value satisfies one of conds (which
// refer to the value through socc_eN, N the number of arrays).
func (c *builder) mvApply(s *source, conds []string, col string) string {
	var render func(level int, base string) string
	render = func(level int, base string) string {
		e := fmt.Sprintf("socc_e%d", level+1)
		head := fmt.Sprintf("mv-apply %s = socc_array(%s) to typeof(dynamic) on (", e, base)
		if level == len(s.chains)-1 {
			return head + "summarize " + col + " = countif(" + strings.Join(conds, " or ") + "))"
		}
		return head + render(level+1, e+s.chains[level]) + " | summarize " + col + " = countif(" + col + " > 0))"
	}
	return "| " + render(0, s.expr)
}

func (c *builder) fieldRef(r *ir.FieldRef, neg bool) *node {
	a, ok1 := c.source(r.Field)
	b, ok2 := c.source(r.Other)
	if !ok1 || !ok2 {
		return nodeTrue
	}
	if len(a.chains) > 0 || len(b.chains) > 0 {
		return c.relax("comparing %s with %s is left out: a field below an array needs an mv-apply per pair of values", r.Field, r.Other)
	}
	if a.kind == srcBool || a.kind == srcOther || b.kind == srcBool || b.kind == srcOther {
		return c.relax("comparing %s with %s is left out: only string values are compared", r.Field, r.Other)
	}
	op := "=="
	if r.Fold {
		op = "=~"
	}
	pos := exists(a, true) + " and " + exists(b, true) + " and " + valueExpr(a) + " " + op + " " + valueExpr(b)
	if neg {
		return leaf("not(" + pos + ")")
	}
	return leaf(pos)
}

func strValues(s []string) []ir.Value {
	out := make([]ir.Value, len(s))
	for i, v := range s {
		out[i] = ir.Value{Kind: ir.String, Str: v}
	}
	return out
}

func allStrings(vs []ir.Value) bool {
	return !slices.ContainsFunc(vs, func(v ir.Value) bool { return v.Kind != ir.String })
}

func hasEmpty(vs []ir.Value) bool {
	return slices.ContainsFunc(vs, func(v ir.Value) bool { return v.Str == "" })
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

// number renders a KQL real literal.
func number(v ir.Value) string {
	if math.IsInf(v.Num, 0) || math.IsNaN(v.Num) {
		return "real(null)"
	}
	s := strconv.FormatFloat(v.Num, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// threshold renders the summarize lines of a threshold and the columns
// the output keeps.
func (c *builder) threshold(t *ir.Threshold) (lines, cols []string) {
	c.reasons = append(c.reasons, fmt.Sprintf(
		"the threshold (%d%s within %s) is counted per scheduled run over one window of %s "+
			"(consecutive runs' windows tile time): matching events within %s that fall into two windows do not fire, "+
			"and a group fires at most once per run (socc slides the window and restarts after an alert)",
		t.Count, distinctWord(t), duration(t.Window), duration(t.Window), duration(t.Window)))
	var ext, by []string
	for i, p := range t.By {
		s, ok := c.source(p)
		if !ok {
			continue
		}
		switch {
		case len(s.chains) > 0:
			c.reasons = append(c.reasons, fmt.Sprintf("the threshold field %s crosses an array; its JSON text is the group key", p))
			name := fmt.Sprintf("socc_by%d", i+1)
			ext = append(ext, name+" = tostring("+s.expr+")")
			by = append(by, name)
		case s.kind == srcDynamic || !identifier.MatchString(s.expr):
			name := fmt.Sprintf("socc_by%d", i+1)
			ext = append(ext, name+" = "+valueExpr(s))
			by = append(by, name)
		default:
			by = append(by, s.expr)
		}
	}
	agg := "count()"
	if t.Distinct != nil {
		s, ok := c.source(*t.Distinct)
		if !ok {
			return nil, nil
		}
		if len(s.chains) > 0 {
			c.reasons = append(c.reasons, fmt.Sprintf("the distinct field %s crosses an array; its JSON text is counted", *t.Distinct))
			agg = "count_distinct(tostring(" + s.expr + "))"
		} else {
			agg = "count_distinct(" + valueExpr(s) + ")"
		}
	}
	if len(ext) > 0 {
		lines = append(lines, "| extend "+strings.Join(ext, ", "))
	}
	sum := "| summarize socc_count = " + agg + ", StartTime = min(TimeGenerated), EndTime = max(TimeGenerated)"
	if len(by) > 0 {
		sum += " by " + strings.Join(by, ", ")
	}
	lines = append(lines, sum, "| where socc_count >= "+strconv.Itoa(t.Count))
	return lines, by
}

func distinctWord(t *ir.Threshold) string {
	if t.Distinct != nil {
		return " distinct " + t.Distinct.String()
	}
	return ""
}

// duration renders a window as a KQL timespan (s, m, h, d).
func duration(d time.Duration) string {
	s := int64(d / time.Second)
	switch {
	case s%86400 == 0:
		return strconv.FormatInt(s/86400, 10) + "d"
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
