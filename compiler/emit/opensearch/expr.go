package opensearch

import "strings"

// node is a boolean expression in negation normal form: leaves carry their
// query DSL (q) or their query-string form (lq), and may be negated.
type node struct {
	op   byte // 't' true, 'f' false, 'l' leaf, '&' and, '|' or
	neg  bool // a negated leaf
	q    map[string]any
	lq   string
	kids []*node
}

var (
	nodeTrue  = &node{op: 't'}
	nodeFalse = &node{op: 'f'}
)

func (n *node) negate() *node {
	m := *n
	m.neg = !m.neg
	return &m
}

func and(xs ...*node) *node { return join('&', xs) }

func or(xs ...*node) *node { return join('|', xs) }

func join(op byte, xs []*node) *node {
	unit, zero := nodeTrue, nodeFalse
	if op == '|' {
		unit, zero = nodeFalse, nodeTrue
	}
	var kids []*node
	for _, x := range xs {
		switch {
		case x == unit:
		case x == zero:
			return zero
		case x.op == op:
			kids = append(kids, x.kids...)
		default:
			kids = append(kids, x)
		}
	}
	switch len(kids) {
	case 0:
		return unit
	case 1:
		return kids[0]
	}
	return &node{op: op, kids: kids}
}

// dsl renders n as query DSL: bool filter and must_not for a conjunction,
// bool should for a disjunction. must_not matches documents without the
// field too, as socc's negation does.
func (n *node) dsl() map[string]any {
	switch n.op {
	case 't':
		return map[string]any{"match_all": map[string]any{}}
	case 'f':
		return map[string]any{"match_none": map[string]any{}}
	case 'l':
		if n.neg {
			return map[string]any{"bool": map[string]any{"must_not": []any{n.q}}}
		}
		return n.q
	case '&':
		var filter, mustNot []any
		for _, k := range n.kids {
			if k.op == 'l' && k.neg {
				mustNot = append(mustNot, k.q)
			} else {
				filter = append(filter, k.dsl())
			}
		}
		b := map[string]any{}
		if len(filter) > 0 {
			b["filter"] = filter
		}
		if len(mustNot) > 0 {
			b["must_not"] = mustNot
		}
		return map[string]any{"bool": b}
	}
	var should []any
	for _, k := range n.kids {
		should = append(should, k.dsl())
	}
	return map[string]any{"bool": map[string]any{"should": should, "minimum_should_match": 1}}
}

// lucene renders n as a query string. Groups are always parenthesized and
// operators explicit (the query-string parser's AND/OR are not boolean
// precedence); a negated leaf is "AND NOT x" beside a positive clause of a
// conjunction, and (*:* AND NOT x) elsewhere, since a purely negative group
// would match nothing.
func (n *node) lucene() string {
	switch n.op {
	case 't':
		return "*:*"
	case 'f':
		return "(*:* AND NOT *:*)"
	case 'l':
		if n.neg {
			return "(*:* AND NOT " + n.lq + ")"
		}
		return n.lq
	case '&':
		var pos, neg []string
		for _, k := range n.kids {
			if k.op == 'l' && k.neg {
				neg = append(neg, k.lq)
			} else {
				pos = append(pos, k.group())
			}
		}
		if len(pos) == 0 {
			pos = []string{"*:*"}
		}
		s := strings.Join(pos, " AND ")
		for _, x := range neg {
			s += " AND NOT " + x
		}
		return s
	}
	parts := make([]string, len(n.kids))
	for i, k := range n.kids {
		parts[i] = k.group()
	}
	return strings.Join(parts, " OR ")
}

// group renders n for use inside another group.
func (n *node) group() string {
	if n.op == '&' || n.op == '|' {
		return "(" + n.lucene() + ")"
	}
	return n.lucene()
}
