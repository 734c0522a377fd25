package eventpattern

import (
	"cmp"
	"errors"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// orKeyword introduces alternatives of sub-patterns.
const orKeyword = "$or"

// reservedInOr lists the field names that event-ruler refuses inside $or.
var reservedInOr = map[string]bool{
	"exactly": true, "equals-ignore-case": true, "prefix": true, "suffix": true,
	"anything-but": true, "exists": true, "wildcard": true, "numeric": true, "cidr": true,
	"=": true, "<": true, "<=": true, ">": true, ">=": true,
	"regex": true, "not-wildcard": true, "not-equals-ignore-case": true,
	"date-after": true, "date-on-or-after": true, "date-before": true, "date-on-or-before": true,
	"in-date-range": true, "ip-address-in-range": true, "ip-address-not-in-range": true,
}

// rule is one alternative of a pattern: flattened field name to array.
type rule map[string]*fieldSpec

// compiler turns pattern JSON into rules, following event-ruler's
// JsonRuleCompiler token by token so that errors come in AWS's order and
// with AWS's reasons.
type compiler struct {
	ts    tokenStream
	path  []string
	rules []rule
}

// next returns the next token; malformed JSON is an InvalidPatternError.
func (c *compiler) next() (token, error) {
	t, err := c.ts.next()
	if err != nil {
		var je *jsonError
		if errors.As(err, &je) {
			return t, reason("Malformed JSON: " + je.Error())
		}
		return t, err
	}
	return t, nil
}

// expect reads the next token and fails with msg unless it is of kind k.
func (c *compiler) expect(k tokKind, msg string) error {
	t, err := c.next()
	if err != nil {
		return err
	}
	if t.kind != k {
		return reason(msg)
	}
	return nil
}

// compile parses the whole pattern into c.rules.
func (c *compiler) compile() error {
	t, err := c.next()
	if err != nil {
		return err
	}
	if t.kind != tokObjectStart {
		return reason("Filter is not an object")
	}
	if err := c.object(false); err != nil {
		return err
	}
	if t, err = c.next(); err != nil {
		return err
	}
	if t.kind != tokEOF {
		return reason("Malformed JSON: unexpected data after the pattern object")
	}
	return nil
}

// fieldName is the flattened name of key inside the current path, joined
// with dots the way event-ruler joins it (an empty first step adds no dot).
func (c *compiler) fieldName(key string) string {
	base := strings.Join(c.path, ".")
	if base == "" {
		return key
	}
	return base + "." + key
}

// object parses the members of an object whose '{' has been read.
func (c *compiler) object(inOr bool) error {
	present := false
	for {
		t, err := c.next()
		if err != nil {
			return err
		}
		if t.kind == tokObjectEnd {
			break
		}
		present = true
		name := t.text
		if name == orKeyword {
			if err := c.or(); err != nil {
				return err
			}
			continue
		}
		if inOr && reservedInOr[name] {
			return reason(name + " is Ruler reserved fieldName which cannot be used inside " + orKeyword + ".")
		}
		v, err := c.next()
		if err != nil {
			return err
		}
		start := c.ts.start
		switch v.kind {
		case tokObjectStart:
			c.path = append(c.path, name)
			if err := c.object(inOr); err != nil {
				return err
			}
			c.path = c.path[:len(c.path)-1]
		case tokArrayStart:
			if err := c.array(c.fieldName(name), start); err != nil {
				return err
			}
		default:
			return reason(`"` + name + `" must be an object or an array`)
		}
	}
	if !present {
		return reason("Empty objects are not allowed")
	}
	return nil
}

// or parses the array of a $or member: every object in it extends a copy
// of the rules built so far.
func (c *compiler) or() error {
	current := c.rules
	c.rules = nil
	if err := c.expect(tokArrayStart, "It must be an Array followed with "+orKeyword+"."); err != nil {
		return err
	}
	count := 0
	for {
		t, err := c.next()
		if err != nil {
			return err
		}
		if t.kind == tokArrayEnd {
			break
		}
		count++
		if t.kind != tokObjectStart {
			return reason("Only JSON object is allowed in array of " + orKeyword + " relationship.")
		}
		built := c.rules
		c.rules = copyRules(current)
		if len(c.rules) == 0 {
			c.rules = []rule{{}}
		}
		if err := c.object(true); err != nil {
			return err
		}
		c.rules = append(built, c.rules...)
		if len(c.rules) > MaxOrCombinations {
			return reason("Rule is too complex - the $or conditions of the pattern make more than 1000 combinations")
		}
	}
	if count < 2 {
		return reason("There must have at least 2 Objects in " + orKeyword + " relationship.")
	}
	return nil
}

func copyRules(rules []rule) []rule {
	out := make([]rule, len(rules))
	for i, r := range rules {
		out[i] = make(rule, len(r))
		for k, v := range r {
			out[i][k] = v
		}
	}
	return out
}

// array parses a pattern array whose '[' began at offset start and stores
// it under name in every current rule; a later array for the same name
// replaces it.
func (c *compiler) array(name string, start int) error {
	spec := &fieldSpec{}
	for {
		t, err := c.next()
		if err != nil {
			return err
		}
		switch t.kind {
		case tokArrayEnd:
			if len(spec.matchers) == 0 && !spec.absent {
				return reason("Empty arrays are not allowed")
			}
			spec.raw = string(c.ts.lx.data[start:c.ts.lx.pos])
			if len(c.rules) == 0 {
				c.rules = []rule{{}}
			}
			for _, r := range c.rules {
				r[name] = spec
			}
			return nil
		case tokObjectStart:
			if err := c.matchExpression(spec); err != nil {
				return err
			}
		case tokString:
			spec.matchers = append(spec.matchers, exactString(t.text))
		case tokNumber:
			spec.matchers = append(spec.matchers, exactNumber(t.text))
		case tokTrue:
			spec.matchers = append(spec.matchers, &literalMatcher{kind: kindTrue, text: []byte(t.text)})
		case tokFalse:
			spec.matchers = append(spec.matchers, &literalMatcher{kind: kindFalse, text: []byte(t.text)})
		case tokNull:
			spec.matchers = append(spec.matchers, &literalMatcher{kind: kindNull, text: []byte(t.text)})
		default:
			return reason("Match value must be String, number, true, false, or null")
		}
	}
}

// exactString matches a string; like event-ruler, a string that is an IP
// address matches the same address in any spelling.
func exactString(s string) matcher {
	if looksLikeIP([]byte(s)) {
		if ip, n, ok := parseIP([]byte(s)); ok {
			return &ipMatcher{lo: ip[:n:n], hi: ip[:n:n]}
		}
	}
	return &literalMatcher{kind: kindString, text: []byte(`"` + s + `"`)}
}

// exactNumber matches a number numerically when it is comparable and by
// its text otherwise.
func exactNumber(lit string) matcher {
	if k, ok := comparableKey([]byte(lit)); ok {
		return &numberMatcher{lo: k, hi: k}
	}
	return &literalMatcher{kind: kindNumber, text: []byte(lit)}
}

// matchExpression parses an operator object whose '{' has been read.
func (c *compiler) matchExpression(spec *fieldSpec) error {
	t, err := c.next()
	if err != nil {
		return err
	}
	if t.kind != tokField {
		return reason("Match expression name not found")
	}
	const oneKey = "Only one key allowed in match expression"
	var m matcher
	switch t.text {
	case "exactly":
		v, err := c.next()
		if err != nil {
			return err
		}
		if v.kind != tokString {
			return reason("exact match pattern must be a string")
		}
		m = &literalMatcher{kind: kindString, text: []byte(`"` + v.text + `"`)}
	case "prefix", "suffix":
		v, err := c.next()
		if err != nil {
			return err
		}
		if v.kind == tokObjectStart {
			m, err = c.foldAffix(t.text)
			if err != nil {
				return err
			}
			spec.matchers = append(spec.matchers, m)
			return nil
		}
		if v.kind != tokString {
			return reason(t.text + " match pattern must be a string")
		}
		if t.text == "prefix" {
			m = &prefixMatcher{prefix: []byte(`"` + v.text)}
		} else {
			m = &suffixMatcher{suffix: []byte(v.text + `"`)}
		}
	case "numeric":
		if err := c.expect(tokArrayStart, "Value of numeric must be an array."); err != nil {
			return err
		}
		if m, err = c.numeric(); err != nil {
			return err
		}
		if err := c.expect(tokObjectEnd, "Too many elements in numeric expression"); err != nil {
			return err
		}
		spec.matchers = append(spec.matchers, m)
		return nil
	case "anything-but":
		return c.anythingBut(spec)
	case "exists":
		v, err := c.next()
		if err != nil {
			return err
		}
		switch v.kind {
		case tokTrue:
			m = existsMatcher{}
		case tokFalse:
			spec.absent = true
		default:
			return reason("exists match pattern must be either true or false.")
		}
	case "cidr":
		v, err := c.next()
		if err != nil {
			return err
		}
		if v.kind != tokString {
			return reason("prefix match pattern must be a string")
		}
		if m, err = newCIDR(v.text); err != nil {
			return err
		}
	case "equals-ignore-case":
		v, err := c.next()
		if err != nil {
			return err
		}
		if v.kind != tokString {
			return reason("equals-ignore-case match pattern must be a string")
		}
		m = &foldMatcher{seq: newFoldSeq(`"` + v.text + `"`), mode: foldEquals}
	case "wildcard":
		v, err := c.next()
		if err != nil {
			return err
		}
		if v.kind != tokString {
			return reason("wildcard match pattern must be a string")
		}
		w, err := parseWildcard(v.text)
		if err != nil {
			return err
		}
		m = &wildcardMatcher{w: w}
		spec.cx = append(spec.cx, complexityObject{identity: "w" + v.text, values: [][]int16{w.symbols}})
	default:
		return reason("Unrecognized match type " + t.text)
	}
	if err := c.expect(tokObjectEnd, oneKey); err != nil {
		return err
	}
	if m != nil {
		spec.matchers = append(spec.matchers, m)
	}
	return nil
}

// foldAffix parses {"equals-ignore-case": "..."} inside prefix or suffix,
// whose '{' has been read.
func (c *compiler) foldAffix(op string) (matcher, error) {
	title := strings.ToUpper(op[:1]) + op[1:]
	t, err := c.next()
	if err != nil {
		return nil, err
	}
	if t.kind != tokField {
		return nil, reason(title + " expression name not found")
	}
	if t.text != "equals-ignore-case" {
		return nil, reason("Unsupported " + op + " pattern: " + t.text)
	}
	v, err := c.next()
	if err != nil {
		return nil, err
	}
	if v.kind != tokString {
		return nil, reason("equals-ignore-case match pattern must be a string")
	}
	var m *foldMatcher
	if op == "prefix" {
		m = &foldMatcher{seq: newFoldSeq(`"` + v.text), mode: foldPrefix}
	} else {
		m = &foldMatcher{seq: newFoldSeq(v.text + `"`), mode: foldSuffix}
	}
	for range 2 {
		if err := c.expect(tokObjectEnd, "Only one key allowed in match expression"); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// numeric parses the operand array of numeric, whose '[' has been read, up
// to its ']'.
func (c *compiler) numeric() (matcher, error) {
	const tooMany = "Too many elements in numeric expression"
	t, err := c.next()
	if err != nil {
		return nil, err
	}
	if t.kind != tokString {
		return nil, reason("Invalid member in numeric match: " + t.String())
	}
	op := t.text
	v, err := c.next()
	if err != nil {
		return nil, err
	}
	switch op {
	case "=", ">=", ">", "<=", "<":
	default:
		return nil, reason("Unrecognized numeric range operator: " + op)
	}
	if v.kind != tokNumber {
		if op == "=" {
			return nil, reason("Value of equals must be numeric")
		}
		return nil, reason("Value of " + op + " must be numeric")
	}
	switch op {
	case "=", "<=", "<":
		if err := c.expect(tokArrayEnd, tooMany); err != nil {
			return nil, err
		}
		k, err := numericKey(v.text)
		if err != nil {
			return nil, err
		}
		switch op {
		case "=":
			return &numberMatcher{lo: k, hi: k}, nil
		case "<=":
			return &numberMatcher{lo: minNumberKey, hi: k}, nil
		}
		return &numberMatcher{lo: minNumberKey, hi: k, hiOpen: true}, nil
	}
	openBottom := op == ">"
	t, err = c.next()
	if err != nil {
		return nil, err
	}
	if t.kind == tokArrayEnd {
		k, err := numericKey(v.text)
		if err != nil {
			return nil, err
		}
		return &numberMatcher{lo: k, loOpen: openBottom, hi: maxNumberKey}, nil
	}
	if t.kind != tokString {
		return nil, reason("Bad value in numeric range: " + t.String())
	}
	top := t.text
	if top != "<" && top != "<=" {
		return nil, reason("Bad numeric range operator: " + top)
	}
	w, err := c.next()
	if err != nil {
		return nil, err
	}
	if w.kind != tokNumber {
		return nil, reason("Value of " + top + " must be numeric")
	}
	if err := c.expect(tokArrayEnd, "Too many terms in numeric range expression"); err != nil {
		return nil, err
	}
	lo, err := numericKey(v.text)
	if err != nil {
		return nil, err
	}
	hi, err := numericKey(w.text)
	if err != nil {
		return nil, err
	}
	if lo >= hi {
		return nil, reason("Bottom must be less than top")
	}
	return &numberMatcher{lo: lo, loOpen: openBottom, hi: hi, hiOpen: top == "<"}, nil
}

// numericKey is comparableKey for an operand that must be comparable.
func numericKey(lit string) (uint64, error) {
	k, ok := comparableKey([]byte(lit))
	if !ok {
		return 0, reason("Cannot compare number : " + lit)
	}
	return k, nil
}

// anythingButKind is the nested operator of an anything-but expression.
type anythingButKind string

const (
	abPlain      anythingButKind = ""
	abIgnoreCase anythingButKind = "equals-ignore-case"
	abPrefix     anythingButKind = "prefix"
	abSuffix     anythingButKind = "suffix"
	abWildcard   anythingButKind = "wildcard"
)

// typeReason is the reason for a value of the wrong type in a nested
// anything-but operator.
func (k anythingButKind) typeReason() string {
	switch k {
	case abIgnoreCase:
		return "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."
	case abWildcard:
		return "wildcard match pattern must be a string"
	}
	return "prefix/suffix match pattern must be a string"
}

// anythingBut parses the operand of anything-but up to the end of the
// operator object.
func (c *compiler) anythingBut(spec *fieldSpec) error {
	const tooMany = "Too many elements in numeric expression"
	kind := abPlain
	t, err := c.next()
	if err != nil {
		return err
	}
	if t.kind == tokObjectStart {
		op, err := c.next()
		if err != nil {
			return err
		}
		if op.kind != tokField {
			return reason("Anything-But expression name not found")
		}
		switch k := anythingButKind(op.text); k {
		case abIgnoreCase, abPrefix, abSuffix, abWildcard:
			kind = k
		default:
			return reason("Unsupported anything-but pattern: " + op.text)
		}
		if t, err = c.next(); err != nil {
			return err
		}
	}
	if t.kind != tokArrayStart && t.kind != tokString && t.kind != tokNumber {
		return reason("Value of anything-but must be an array or single string/number value.")
	}
	var values []token
	if t.kind == tokArrayStart {
		for {
			v, err := c.next()
			if err != nil {
				return err
			}
			if v.kind == tokArrayEnd {
				break
			}
			if err := kind.check(v); err != nil {
				return err
			}
			values = append(values, v)
		}
		if kind == abPlain {
			strs, nums := 0, 0
			for _, v := range values {
				if v.kind == tokString {
					strs++
				} else {
					nums++
				}
			}
			if (strs > 0) == (nums > 0) {
				return reason("Inside anything but list, either all values are number or string, mixed type is not supported")
			}
		}
	} else {
		if err := kind.check(t); err != nil {
			return err
		}
		values = []token{t}
	}
	m, err := newAnythingBut(kind, values, spec)
	if err != nil {
		return err
	}
	if err := c.expect(tokObjectEnd, tooMany); err != nil {
		return err
	}
	if kind != abPlain {
		if err := c.expect(tokObjectEnd, tooMany); err != nil {
			return err
		}
	}
	spec.matchers = append(spec.matchers, m)
	return nil
}

// check validates one value of an anything-but operand.
func (k anythingButKind) check(v token) error {
	if k == abPlain {
		switch v.kind {
		case tokString:
			return nil
		case tokNumber:
			_, err := numericKey(v.text)
			return err
		}
		return reason("Inside anything but list, start|null|boolean is not supported.")
	}
	if v.kind != tokString {
		return reason(k.typeReason())
	}
	if (k == abPrefix || k == abSuffix) && v.text == "" {
		return reason("Null prefix/suffix not allowed")
	}
	return nil
}

// newAnythingBut builds the matcher of a checked anything-but operand.
func newAnythingBut(kind anythingButKind, values []token, spec *fieldSpec) (matcher, error) {
	m := &anythingButMatcher{}
	var cx complexityObject
	for _, v := range values {
		switch kind {
		case abPlain:
			if v.kind == tokString {
				if m.strings == nil {
					m.strings = map[string]struct{}{}
				}
				m.strings[`"`+v.text+`"`] = struct{}{}
				continue
			}
			k, _ := comparableKey([]byte(v.text))
			if m.numbers == nil {
				m.numbers = map[uint64]struct{}{}
			}
			m.numbers[k] = struct{}{}
		case abIgnoreCase:
			m.folds = append(m.folds, newFoldSeq(`"`+v.text+`"`))
		case abPrefix:
			m.prefixes = append(m.prefixes, []byte(`"`+v.text))
		case abSuffix:
			m.suffixes = append(m.suffixes, []byte(v.text+`"`))
		case abWildcard:
			w, err := parseWildcard(v.text)
			if err != nil {
				return nil, err
			}
			m.wilds = append(m.wilds, w)
			cx.values = append(cx.values, w.symbols)
		}
	}
	if kind == abWildcard {
		texts := make([]string, len(values))
		for i, v := range values {
			texts[i] = v.text
		}
		slices.Sort(texts)
		cx.identity = "a" + strings.Join(slices.Compact(texts), "\x00")
		spec.cx = append(spec.cx, cx)
	}
	return m, nil
}

// build turns the rules into a Pattern and applies the checks that need the
// whole pattern.
func (c *compiler) build() (*Pattern, error) {
	ids := map[string]int{}
	var names []string
	for _, r := range c.rules {
		for name := range r {
			if _, ok := ids[name]; !ok {
				ids[name] = 0
				names = append(names, name)
			}
		}
	}
	slices.Sort(names)
	p := &Pattern{root: &pathNode{field: -1}, nfields: len(names)}
	for i, name := range names {
		ids[name] = i
		node := p.root
		for _, seg := range strings.Split(name, ".") {
			child := node.children[seg]
			if child == nil {
				if node.children == nil {
					node.children = map[string]*pathNode{}
				}
				child = &pathNode{field: -1}
				node.children[seg] = child
			}
			node = child
		}
		node.field = i
	}
	for _, r := range c.rules {
		keys := make([]string, 0, len(r))
		for name := range r {
			keys = append(keys, name)
		}
		// Fields are visited in the order of Java's String.compareTo, as in
		// event-ruler, which decides when {"exists": false} is checked.
		slices.SortFunc(keys, javaCompare)
		conds := make([]cond, len(keys))
		for i, name := range keys {
			conds[i] = cond{field: ids[name], spec: r[name]}
		}
		p.subRules = append(p.subRules, conds)
	}
	if err := checkComplexity(c.rules); err != nil {
		return nil, err
	}
	return p, nil
}

// checkComplexity evaluates the wildcard complexity of the rules that use
// wildcards, grouping the patterns of a field the way event-ruler's state
// machine shares them between rules: per field name and per identical
// conditions on the fields that sort before it.
func checkComplexity(rules []rule) error {
	groups := map[string][]complexityObject{}
	var order []string
	for _, r := range rules {
		keys := make([]string, 0, len(r))
		wild := false
		for name, spec := range r {
			keys = append(keys, name)
			wild = wild || len(spec.cx) > 0
		}
		if !wild {
			continue
		}
		slices.SortFunc(keys, javaCompare)
		var prefix strings.Builder
		for _, name := range keys {
			spec := r[name]
			if len(spec.cx) > 0 {
				g := prefix.String() + "\x01" + name
				if _, ok := groups[g]; !ok {
					order = append(order, g)
				}
				for _, o := range spec.cx {
					if !slices.ContainsFunc(groups[g], func(x complexityObject) bool { return x.identity == o.identity }) {
						groups[g] = append(groups[g], o)
					}
				}
			}
			prefix.WriteString(name + "\x00" + spec.raw + "\x00")
		}
	}
	for _, g := range order {
		if complexity(groups[g], MaxWildcardComplexity) > MaxWildcardComplexity {
			return reason("Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character")
		}
	}
	return nil
}

// javaCompare orders strings like Java's String.compareTo, by UTF-16 code
// units.
func javaCompare(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			return cmp.Compare(utf16Key(ra), utf16Key(rb))
		}
		a, b = a[na:], b[nb:]
	}
	return cmp.Compare(len(a), len(b))
}

// utf16Key ranks a rune by its first UTF-16 code unit, then its second.
func utf16Key(r rune) int {
	if r > 0xFFFF {
		r1, r2 := utf16.EncodeRune(r)
		return int(r1)<<16 | int(r2)
	}
	return int(r) << 16
}
