package sentinel

import "strings"

// node is a boolean expression of a where clause, with constants so that
// relaxed predicates (rendered as true) simplify away.
type node struct {
	op   byte // 't' true, 'f' false, 'l' leaf, '&' and, '|' or
	text string
	kids []*node
}

var (
	nodeTrue  = &node{op: 't'}
	nodeFalse = &node{op: 'f'}
)

func leaf(s string) *node { return &node{op: 'l', text: s} }

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

// render writes n in KQL, with parentheses around every nested group.
func (n *node) render() string {
	switch n.op {
	case 't':
		return "true"
	case 'f':
		return "false"
	case 'l':
		return n.text
	}
	sep := " and "
	if n.op == '|' {
		sep = " or "
	}
	parts := make([]string, len(n.kids))
	for i, k := range n.kids {
		parts[i] = k.render()
		if k.op == '&' || k.op == '|' {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, sep)
}

// conjuncts returns the parts of a top-level conjunction.
func (n *node) conjuncts() []*node {
	if n.op == '&' {
		return n.kids
	}
	if n == nodeTrue {
		return nil
	}
	return []*node{n}
}
