package athena

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"unicode"

	"github.com/socc-dev/socc/compiler/ir"
)

// cond is a boolean SQL expression: *andC, *orC, *notC, *existsC, leaf or
// konst. The printer in print.go is the only place that turns one into
// text.
type cond interface{ nullable() bool }

type (
	andC struct{ xs []cond }
	orC  struct{ xs []cond }
	notC struct{ x cond }
	// existsC is EXISTS (SELECT 1 FROM from[0] CROSS JOIN from[1] ... WHERE where).
	existsC struct {
		from  []string
		where cond
	}
	// leaf is a predicate whose text was built from quoted parts; null says
	// whether it can be NULL (when a column it reads is NULL).
	leaf struct {
		sql  string
		null bool
	}
	konst bool
)

func (c *andC) nullable() bool    { return slices.ContainsFunc(c.xs, cond.nullable) }
func (c *orC) nullable() bool     { return slices.ContainsFunc(c.xs, cond.nullable) }
func (c *notC) nullable() bool    { return c.x.nullable() }
func (c *existsC) nullable() bool { return false }
func (c leaf) nullable() bool     { return c.null }
func (konst) nullable() bool      { return false }

// and builds a conjunction, flattening nested ones and folding constants.
func and(xs ...cond) cond {
	var out []cond
	for _, x := range xs {
		switch x := x.(type) {
		case konst:
			if !x {
				return konst(false)
			}
			continue
		case *andC:
			out = append(out, x.xs...)
			continue
		}
		out = append(out, x)
	}
	switch len(out) {
	case 0:
		return konst(true)
	case 1:
		return out[0]
	}
	return &andC{out}
}

// or builds a disjunction, flattening nested ones and folding constants.
func or(xs ...cond) cond {
	var out []cond
	for _, x := range xs {
		switch x := x.(type) {
		case konst:
			if x {
				return konst(true)
			}
			continue
		case *orC:
			out = append(out, x.xs...)
			continue
		}
		out = append(out, x)
	}
	switch len(out) {
	case 0:
		return konst(false)
	case 1:
		return out[0]
	}
	return &orC{out}
}

// not negates x. The printer wraps a nullable operand in COALESCE(x, FALSE):
// in the IR a predicate on a field without values is false, so its
// negation is true, while SQL's NOT NULL is NULL.
func not(x cond) cond {
	switch x := x.(type) {
	case konst:
		return !x
	case *notC:
		return x.x
	case leaf:
		if s, ok := strings.CutSuffix(x.sql, " IS NOT NULL"); ok && !x.null && !strings.ContainsAny(s, " (") {
			return leaf{sql: s + " IS NULL"}
		}
		if s, ok := strings.CutSuffix(x.sql, " IS NULL"); ok && !x.null && !strings.ContainsAny(s, " (") {
			return leaf{sql: s + " IS NOT NULL"}
		}
	}
	return &notC{x}
}

// vkind is the static type of a value expression.
type vkind int

const (
	vString    vkind = iota + 1 // VARCHAR holding a JSON string
	vBoolText                   // VARCHAR 'true' / 'false' of a JSON boolean
	vBool                       // BOOLEAN
	vTimestamp                  // TIMESTAMP
	vJSON                       // JSON value of any JSON type
	vMapText                    // VARCHAR of a CloudTrail Lake map value: a string, or the JSON text of another value
)

// value is one value of a field: an SQL expression and its type.
type value struct {
	sql  string
	kind vkind
	null bool
}

// condCompiler turns one detection's condition into SQL for one dialect.
type condCompiler struct {
	d        *dialect
	det      *ir.Detection
	n        int                 // unnest aliases used
	approx   []string            // reasons the query is approximate
	unsup    []string            // reasons it cannot be rendered
	unmapped []string            // fields the mapping does not name
	approxOn map[string][]string // reason -> the fields (or predicates) it applies to
}

func (c *condCompiler) approximate(format string, args ...any) {
	c.approx = append(c.approx, fmt.Sprintf(format, args...))
}

// approxField records that the rendering of field is approximate for
// reason; reasons are reported once with every field they apply to.
func (c *condCompiler) approxField(field, reason string) {
	if c.approxOn == nil {
		c.approxOn = map[string][]string{}
	}
	if !slices.Contains(c.approxOn[reason], field) {
		c.approxOn[reason] = append(c.approxOn[reason], field)
	}
}

// reasons returns the approximate reasons, with their fields.
func (c *condCompiler) reasons() []string {
	out := slices.Clone(c.approx)
	for _, r := range sortedKeys(c.approxOn) {
		fs := slices.Sorted(slices.Values(c.approxOn[r]))
		out = append(out, r+" ("+strings.Join(fs, ", ")+")")
	}
	return out
}

func (c *condCompiler) unsupported(format string, args ...any) {
	c.unsup = append(c.unsup, fmt.Sprintf(format, args...))
}

func (c *condCompiler) source(p ir.Path) (*source, bool) {
	s, ok := c.d.lookup(p)
	if !ok && p.Envelope {
		// The EventBridge envelope is not in the table: like the other
		// SIEM targets, an envelope field the mapping does not name makes
		// the detection unsupported, without an error.
		c.unsupported("the envelope field %s is not a column of the %s table", p, c.d.engine)
		return nil, false
	}
	if !ok {
		if !slices.Contains(c.unmapped, p.String()) {
			c.unmapped = append(c.unmapped, p.String())
		}
		return nil, false
	}
	for _, seg := range s.rest {
		if _, ok := jsonPathMember(seg); !ok {
			c.unsupported("field %s: the JSON member name %q holds a double quote, a backslash or a control character, which Trino's JSONPath cannot address reliably", p, seg)
			return nil, false
		}
	}
	return s, true
}

// expr compiles an IR condition.
func (c *condCompiler) expr(x ir.Expr) cond {
	switch x := x.(type) {
	case *ir.And:
		var xs []cond
		for _, y := range x.X {
			xs = append(xs, c.expr(y))
		}
		return and(xs...)
	case *ir.Or:
		var xs []cond
		for _, y := range x.X {
			xs = append(xs, c.expr(y))
		}
		return or(xs...)
	case *ir.Not:
		return not(c.expr(x.X))
	case *ir.Pred:
		return c.pred(x)
	case *ir.FieldRef:
		return c.fieldRef(x)
	case nil:
		return konst(false)
	}
	panic(fmt.Sprintf("athena: unknown IR node %T", x))
}

// pred compiles a predicate: some value of the field matches some listed
// value (or, with All, every listed value is matched by some value).
func (c *condCompiler) pred(p *ir.Pred) cond {
	s, ok := c.source(p.Field)
	if !ok {
		return konst(false)
	}
	if p.Op == ir.OpExists {
		return c.exists(s, p.Values[0].Bool)
	}
	if s.single() {
		v, ok := c.single(s)
		if !ok {
			return konst(false)
		}
		if p.All {
			var xs []cond
			for i := range p.Values {
				xs = append(xs, c.match(v, p, []int{i}))
			}
			return and(xs...)
		}
		return c.match(v, p, all(len(p.Values)))
	}
	if p.All {
		var xs []cond
		for i := range p.Values {
			from, v := c.chain(s, "")
			xs = append(xs, existsOver(from, c.match(v, p, []int{i})))
		}
		return and(xs...)
	}
	from, v := c.chain(s, "")
	return existsOver(from, c.match(v, p, all(len(p.Values))))
}

func all(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// existsOver builds EXISTS over an unnest chain; a constant body folds.
func existsOver(from []string, where cond) cond {
	if k, ok := where.(konst); ok && !bool(k) {
		return konst(false)
	}
	return &existsC{from: from, where: where}
}

// single returns the value of a single-valued source.
func (c *condCompiler) single(s *source) (value, bool) {
	col := s.col.ref("")
	switch s.col.kind {
	case kString:
		return value{sql: col, kind: vString, null: true}, true
	case kBoolText:
		return value{sql: col, kind: vBoolText, null: true}, true
	case kBool:
		return value{sql: col, kind: vBool, null: true}, true
	case kTimestamp:
		return value{sql: col, kind: vTimestamp, null: true}, true
	case kJSON:
		c.approxField(s.field.String(), c.d.engine+" reads a JSON column that holds null, or a string, as NULL or as that string's text")
		return value{sql: "json_extract(" + col + ", '$')", kind: vJSON, null: true}, true
	case kJSONMap:
		if len(s.rest) == 0 {
			c.unsupported("%s: comparing the whole %s map is not rendered", s.field, col)
			return value{}, false
		}
		c.approxField(s.field.String(), "CloudTrail Lake stores "+s.col.path[0]+" as a map of strings, so the JSON type of a value directly below it is lost: numbers, booleans and the JSON text of objects and arrays read as strings, and arrays are not looked into")
		return value{sql: "element_at(" + col + ", " + quoteString(s.rest[0]) + ")", kind: vMapText, null: true}, true
	}
	panic("athena: single of a multi-valued source")
}

// chain returns the FROM items of a subquery that yields one row per value
// of a multi-valued source, and the value. alias qualifies the column (for
// threshold queries over a CTE).
//
// JSON values are found as socc finds them: at each member step, every
// object is replaced by its member, and arrays are replaced by their
// elements, up to the dialect's depth of directly nested arrays.
func (c *condCompiler) chain(s *source, alias string) ([]string, value) {
	col := s.col.ref(alias)
	var from []string
	switch s.col.kind {
	case kArray:
		c.n++
		v := fmt.Sprintf("v%d", c.n)
		elems := col
		if s.col.member != "" {
			elems = fmt.Sprintf("transform(%s, elem -> elem.%s)", col, quoteIdent(s.col.member))
		}
		from = append(from, fmt.Sprintf("UNNEST(%s) AS u%d(%s)", elems, c.n, v))
		return from, value{sql: v, kind: vString, null: true}
	case kJSONMap:
		c.approxField(s.field.String(), "CloudTrail Lake stores "+s.col.path[0]+" as a map of strings, so a string directly below it that holds JSON text is read as the JSON it holds")
	}
	var cur string
	for i, seg := range s.rest {
		path, _ := jsonPathMember(seg)
		var x string
		switch {
		case i == 0 && s.col.kind == kJSONMap:
			x = "json_extract(element_at(" + col + ", " + quoteString(seg) + "), '$')"
		case i == 0:
			x = "json_extract(" + col + ", " + quoteString(path) + ")"
		default:
			x = "json_extract(" + cur + ", " + quoteString(path) + ")"
		}
		for level := 0; level < c.d.depth; level++ {
			c.n++
			v := fmt.Sprintf("v%d", c.n)
			from = append(from, fmt.Sprintf("UNNEST(COALESCE(TRY_CAST(%s AS ARRAY(JSON)), ARRAY[%s])) AS u%d(%s)", x, x, c.n, v))
			x, cur = v, v
		}
	}
	return from, value{sql: cur, kind: vJSON, null: true}
}

// exists compiles field|exists: want.
func (c *condCompiler) exists(s *source, want bool) cond {
	var x cond
	if s.single() {
		v, ok := c.single(s)
		if !ok {
			return konst(false)
		}
		x = leaf{sql: v.sql + " IS NOT NULL"}
	} else {
		from, v := c.chain(s, "")
		where := cond(leaf{sql: v.sql + " IS NOT NULL"})
		if v.kind == vJSON {
			where = and(where, leaf{sql: "json_format(" + v.sql + ") NOT LIKE '[%'", null: true})
		}
		x = existsOver(from, where)
	}
	if !want {
		return not(x)
	}
	return x
}

// strOf returns the string a value holds, as SQL, with the condition under
// which the value is a string; ok is false when the value is never one.
func (c *condCompiler) strOf(v value, field ir.Path) (s string, guard cond, ok bool) {
	switch v.kind {
	case vString, vMapText:
		return v.sql, konst(true), true
	case vJSON:
		return "json_extract_scalar(" + v.sql + ", '$')", leaf{sql: "json_format(" + v.sql + ") LIKE '\"%'", null: true}, true
	case vTimestamp:
		c.unsupported("%s is a TIMESTAMP column in %s; string comparisons on it are not rendered", field, c.d.engine)
	}
	return "", nil, false
}

// numOf returns the number a value holds, as SQL (NULL when it holds none).
func numOf(v value) (string, bool) {
	switch v.kind {
	case vJSON:
		return "TRY_CAST(json_format(" + v.sql + ") AS DOUBLE)", true
	case vMapText:
		return "TRY_CAST(" + v.sql + " AS DOUBLE)", true
	}
	return "", false
}

const nonASCIIFold = "values with non-ASCII letters compared with i: Trino lower-cases them with Java's Unicode tables, socc with Go's"

// nonASCIILetter reports whether s holds a non-ASCII letter, whose
// lower-casing may differ between Go's and Java's Unicode tables.
func nonASCIILetter(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r >= 0x80 && unicode.IsLetter(r) })
}

// match compiles "v matches one of the listed values idx of p".
func (c *condCompiler) match(v value, p *ir.Pred, idx []int) cond {
	switch p.Op {
	case ir.OpEquals:
		return c.equals(v, p, idx)
	case ir.OpGT, ir.OpGTE, ir.OpLT, ir.OpLTE:
		n, ok := numOf(v)
		if !ok {
			return konst(false)
		}
		op := map[ir.Op]string{ir.OpGT: ">", ir.OpGTE: ">=", ir.OpLT: "<", ir.OpLTE: "<="}[p.Op]
		var xs []cond
		for _, i := range idx {
			lit, ok := c.number(p.Values[i], p.Field)
			if ok {
				xs = append(xs, leaf{sql: n + " " + op + " " + lit, null: true})
			}
		}
		return or(xs...)
	}
	s, guard, ok := c.strOf(v, p.Field)
	if !ok {
		return konst(false)
	}
	var xs []cond
	for _, i := range idx {
		val := p.Values[i]
		if val.Kind != ir.String {
			continue
		}
		switch p.Op {
		case ir.OpPrefix, ir.OpSuffix, ir.OpContains:
			pat := escapeLike(val.Str)
			switch p.Op {
			case ir.OpPrefix:
				pat += "%"
			case ir.OpSuffix:
				pat = "%" + pat
			default:
				pat = "%" + pat + "%"
			}
			lhs := s
			if p.Fold {
				lhs = "lower(" + s + ")"
				if nonASCIILetter(val.Str) {
					c.approxField(fmt.Sprintf("%s|%s|i: %q", p.Field, p.Op, val.Str), nonASCIIFold)
				}
			}
			xs = append(xs, leaf{sql: lhs + " LIKE " + quoteString(pat) + " ESCAPE '" + likeEscape + "'", null: true})
		case ir.OpWildcard:
			if !p.Fold {
				xs = append(xs, leaf{sql: s + " LIKE " + quoteString(wildcardLike(val.Str)) + " ESCAPE '" + likeEscape + "'", null: true})
				continue
			}
			xs = append(xs, c.regexLike(s, p.Re[i].String(), p.Field, val.Str))
		case ir.OpRegex:
			src := val.Str
			if p.Fold {
				src = "(?i)" + src
			}
			xs = append(xs, c.regexLike(s, src, p.Field, val.Str))
		case ir.OpCIDR:
			xs = append(xs, c.cidr(s, p.Nets[i]))
		}
	}
	return and(guard, or(xs...))
}

func (c *condCompiler) regexLike(s, expr string, field ir.Path, shown string) cond {
	pat, err := portableRegex(expr)
	if err != nil {
		c.unsupported("%s: the pattern %q uses %v", field, shown, err)
		return konst(false)
	}
	return leaf{sql: "regexp_like(" + s + ", " + quoteString(pat) + ")", null: true}
}

// equals compiles typed equality with the listed values idx of p.
func (c *condCompiler) equals(v value, p *ir.Pred, idx []int) cond {
	var strs, nums, bools, nulls []string
	for _, i := range idx {
		val := p.Values[i]
		switch val.Kind {
		case ir.String:
			if p.Fold && nonASCIILetter(val.Str) {
				c.approxField(fmt.Sprintf("%s|i: %q", p.Field, val.Str), nonASCIIFold)
			}
			strs = append(strs, quoteString(val.Str))
		case ir.Number:
			if n, ok := c.number(val, p.Field); ok {
				nums = append(nums, n)
			}
		case ir.Bool:
			bools = append(bools, fmt.Sprint(val.Bool))
		case ir.Null:
			nulls = append(nulls, "null")
		}
	}
	in := func(lhs string, lits []string) cond {
		lits = slices.Compact(slices.Sorted(slices.Values(lits)))
		if len(lits) == 1 {
			return leaf{sql: lhs + " = " + lits[0], null: true}
		}
		return leaf{sql: lhs + " IN (" + strings.Join(lits, ", ") + ")", null: true}
	}
	var xs []cond
	switch v.kind {
	case vString, vMapText:
		if len(strs) > 0 {
			lhs := v.sql
			if p.Fold {
				lhs = "lower(" + v.sql + ")"
			}
			xs = append(xs, in(lhs, strs))
		}
		if v.kind == vMapText {
			if len(nums) > 0 {
				n, _ := numOf(v)
				xs = append(xs, in(n, nums))
			}
			if len(bools) > 0 {
				xs = append(xs, in(v.sql, quoteAll(bools)))
			}
			if len(nulls) > 0 {
				xs = append(xs, leaf{sql: v.sql + " IS NULL"})
			}
		}
	case vBoolText:
		if len(bools) > 0 {
			xs = append(xs, in(v.sql, quoteAll(bools)))
		}
	case vBool:
		if len(bools) > 0 {
			xs = append(xs, in(v.sql, upperAll(bools)))
		}
	case vTimestamp:
		if len(strs) > 0 {
			c.unsupported("%s is a TIMESTAMP column in %s; string comparisons on it are not rendered", p.Field, c.d.engine)
		}
	case vJSON:
		if len(strs) > 0 {
			lhs := "json_extract_scalar(" + v.sql + ", '$')"
			if p.Fold {
				lhs = "lower(" + lhs + ")"
			}
			xs = append(xs, and(leaf{sql: "json_format(" + v.sql + ") LIKE '\"%'", null: true}, in(lhs, strs)))
		}
		if len(nums) > 0 {
			n, _ := numOf(v)
			xs = append(xs, in(n, nums))
		}
		if lits := append(bools, nulls...); len(lits) > 0 {
			xs = append(xs, in("json_format("+v.sql+")", quoteAll(lits)))
		}
	}
	return or(xs...)
}

func quoteAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = quoteString(x)
	}
	return out
}

func upperAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = strings.ToUpper(x)
	}
	return out
}

// number renders a numeric literal of the IR.
func (c *condCompiler) number(v ir.Value, field ir.Path) (string, bool) {
	if v.Kind != ir.Number {
		return "", false
	}
	s, ok := formatNumber(v.Num)
	if !ok {
		c.unsupported("%s: the number %s has no SQL literal", field, v.Str)
	}
	return s, ok
}

// cidr compiles "s is an address inside net", as socc defines it: IPv4
// addresses (and IPv4-mapped IPv6 addresses) match IPv4 networks only,
// IPv6 addresses IPv6 networks only, and addresses with a zone never
// match. Trino's contains(network, address) compares the address families
// the same way after its CAST to IPADDRESS; the zone is excluded here
// because Guava's parser accepts and drops it.
func (c *condCompiler) cidr(s string, pfx netip.Prefix) cond {
	if pfx.Addr().Is4In6() && pfx.Bits() >= 96 {
		// An IPv4-mapped network: socc unmaps every address first, so
		// nothing is inside it (and Trino rejects its prefix length).
		return konst(false)
	}
	return leaf{sql: "(strpos(" + s + ", '%') = 0 AND contains(" + quoteString(pfx.String()) + ", TRY_CAST(" + s + " AS IPADDRESS)))", null: true}
}

// fieldRef compiles a|fieldref: b, typed equality of some value of each.
func (c *condCompiler) fieldRef(r *ir.FieldRef) cond {
	a, ok1 := c.source(r.Field)
	b, ok2 := c.source(r.Other)
	if !ok1 || !ok2 {
		return konst(false)
	}
	var from []string
	val := func(s *source) (value, bool) {
		if s.single() {
			return c.single(s)
		}
		f, v := c.chain(s, "")
		from = append(from, f...)
		return v, true
	}
	va, ok1 := val(a)
	vb, ok2 := val(b)
	if !ok1 || !ok2 {
		return konst(false)
	}
	eq := c.typedEqual(va, vb, r.Fold, r.Field)
	if len(from) == 0 {
		return eq
	}
	return existsOver(from, eq)
}

// typedEqual is the IR's typed equality of two values: strings (lower-cased
// with fold), numbers numerically, booleans, nulls; objects never equal.
func (c *condCompiler) typedEqual(a, b value, fold bool, field ir.Path) cond {
	norm := func(k vkind) vkind {
		if k == vMapText { // approximate already: compared as its text
			return vString
		}
		return k
	}
	if norm(a.kind) > norm(b.kind) {
		a, b = b, a
	}
	ka, kb := norm(a.kind), norm(b.kind)
	low := func(s string) string {
		if fold {
			return "lower(" + s + ")"
		}
		return s
	}
	isStr := func(v value) cond { return leaf{sql: "json_format(" + v.sql + ") LIKE '\"%'", null: true} }
	jstr := func(v value) string { return "json_extract_scalar(" + v.sql + ", '$')" }
	switch {
	case ka == vTimestamp || kb == vTimestamp:
		c.unsupported("%s: a field reference to a TIMESTAMP column is not rendered", field)
	case ka == vString && kb == vString:
		return leaf{sql: low(a.sql) + " = " + low(b.sql), null: true}
	case ka == vString && kb == vJSON:
		return and(isStr(b), leaf{sql: low(jstr(b)) + " = " + low(a.sql), null: true})
	case ka == vBoolText && kb == vBoolText, ka == vBool && kb == vBool:
		return leaf{sql: a.sql + " = " + b.sql, null: true}
	case ka == vBoolText && kb == vBool:
		return leaf{sql: a.sql + " = CAST(" + b.sql + " AS VARCHAR)", null: true}
	case ka == vBoolText && kb == vJSON:
		return leaf{sql: "json_format(" + b.sql + ") = " + a.sql, null: true}
	case ka == vBool && kb == vJSON:
		return leaf{sql: "json_format(" + b.sql + ") = CAST(" + a.sql + " AS VARCHAR)", null: true}
	case ka == vJSON && kb == vJSON:
		return or(
			and(isStr(a), isStr(b), leaf{sql: low(jstr(a)) + " = " + low(jstr(b)), null: true}),
			leaf{sql: "TRY_CAST(json_format(" + a.sql + ") AS DOUBLE) = TRY_CAST(json_format(" + b.sql + ") AS DOUBLE)", null: true},
			and(leaf{sql: "json_format(" + a.sql + ") IN ('true', 'false', 'null')", null: true},
				leaf{sql: "json_format(" + a.sql + ") = json_format(" + b.sql + ")", null: true}),
		)
	}
	return konst(false)
}
