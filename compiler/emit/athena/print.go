package athena

import (
	"strings"
)

// printCond renders a condition. ind is the indentation of the line the
// condition starts on; continuation lines are indented from it. Top-level
// conjunctions put one conjunct per line.
func printCond(c cond, ind string) string {
	var b strings.Builder
	writeCond(&b, c, ind, precOr)
	return b.String()
}

// Precedences of the context a condition is printed in.
const (
	precOr  = iota // anything goes
	precAnd        // operand of AND: OR needs parentheses
	precNot        // operand of NOT: AND and OR need parentheses
)

func writeCond(b *strings.Builder, c cond, ind string, prec int) {
	switch c := c.(type) {
	case konst:
		if c {
			b.WriteString("TRUE")
		} else {
			b.WriteString("FALSE")
		}
	case leaf:
		b.WriteString(c.sql)
	case *andC:
		if prec > precAnd {
			b.WriteString("(")
			writeList(b, c.xs, "AND", ind+"  ", precAnd)
			b.WriteString(")")
			return
		}
		writeList(b, c.xs, "AND", ind, precAnd)
	case *orC:
		if prec > precOr {
			b.WriteString("(")
			writeList(b, c.xs, "OR", ind+"  ", precOr)
			b.WriteString(")")
			return
		}
		writeList(b, c.xs, "OR", ind, precOr)
	case *notC:
		if c.x.nullable() {
			// NOT NULL is NULL in SQL; in the IR, not of a predicate on a
			// missing field is true.
			b.WriteString("NOT COALESCE(")
			writeCond(b, c.x, ind+"  ", precOr)
			b.WriteString(", FALSE)")
			return
		}
		b.WriteString("NOT ")
		writeCond(b, c.x, ind+"  ", precNot)
	case *existsC:
		in := ind + "  "
		b.WriteString("EXISTS (\n")
		b.WriteString(in + "SELECT 1\n")
		for i, f := range c.from {
			if i == 0 {
				b.WriteString(in + "FROM " + f + "\n")
			} else {
				b.WriteString(in + "CROSS JOIN " + f + "\n")
			}
		}
		b.WriteString(in + "WHERE ")
		writeCond(b, c.where, in+"  ", precOr)
		b.WriteString("\n" + ind + ")")
	default:
		panic("athena: unknown condition node")
	}
}

// writeList writes operands joined by op, one per line when any operand is
// long or spans lines.
func writeList(b *strings.Builder, xs []cond, op, ind string, prec int) {
	parts := make([]string, len(xs))
	multi := false
	total := 0
	for i, x := range xs {
		var pb strings.Builder
		p := prec
		if _, isAnd := x.(*andC); isAnd && op == "OR" {
			p = precNot // parenthesized for the reader, though AND binds tighter
		}
		writeCond(&pb, x, ind, p)
		parts[i] = pb.String()
		total += len(parts[i])
		if strings.Contains(parts[i], "\n") {
			multi = true
		}
	}
	if !multi && total < 100 {
		b.WriteString(strings.Join(parts, " "+op+" "))
		return
	}
	for i, p := range parts {
		if i > 0 {
			b.WriteString("\n" + ind + op + " ")
		}
		b.WriteString(p)
	}
}
