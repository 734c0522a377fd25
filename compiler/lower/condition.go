package lower

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"unicode"
)

// cond is a parsed condition before selections are substituted.
type cond interface{}

type (
	condAnd struct{ x []cond }
	condOr  struct{ x []cond }
	condNot struct{ x cond }
	condRef struct {
		name string
		off  int
	}
	condQuant struct {
		all     bool
		pattern string // glob over selection names; "them" means every selection
		off     int
	}
)

// condError is a syntax error at byte offset off of the condition text.
type condError struct {
	off int
	msg string
}

func (e *condError) Error() string { return e.msg }

type token struct {
	text string
	off  int
}

func tokenize(s string) []token {
	var toks []token
	for i := 0; i < len(s); {
		c := rune(s[i])
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '(' || c == ')':
			toks = append(toks, token{string(c), i})
			i++
		default:
			j := i
			for j < len(s) && !unicode.IsSpace(rune(s[j])) && s[j] != '(' && s[j] != ')' {
				j++
			}
			toks = append(toks, token{s[i:j], i})
			i = j
		}
	}
	return toks
}

type condParser struct {
	toks []token
	pos  int
	end  int
}

// parseCondition parses a detection condition: and, or, not, parentheses,
// "1 of GLOB", "all of GLOB", "1 of them", "all of them".
func parseCondition(s string) (cond, error) {
	p := &condParser{toks: tokenize(s), end: len(s)}
	if len(p.toks) == 0 {
		return nil, &condError{0, "empty condition"}
	}
	c, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		t := p.toks[p.pos]
		return nil, &condError{t.off, fmt.Sprintf("unexpected %q", t.text)}
	}
	return c, nil
}

func (p *condParser) peek() (token, bool) {
	if p.pos < len(p.toks) {
		return p.toks[p.pos], true
	}
	return token{off: p.end}, false
}

func (p *condParser) or() (cond, error) {
	x, err := p.and()
	if err != nil {
		return nil, err
	}
	xs := []cond{x}
	for t, ok := p.peek(); ok && strings.EqualFold(t.text, "or"); t, ok = p.peek() {
		p.pos++
		y, err := p.and()
		if err != nil {
			return nil, err
		}
		xs = append(xs, y)
	}
	if len(xs) == 1 {
		return x, nil
	}
	return &condOr{xs}, nil
}

func (p *condParser) and() (cond, error) {
	x, err := p.not()
	if err != nil {
		return nil, err
	}
	xs := []cond{x}
	for t, ok := p.peek(); ok && strings.EqualFold(t.text, "and"); t, ok = p.peek() {
		p.pos++
		y, err := p.not()
		if err != nil {
			return nil, err
		}
		xs = append(xs, y)
	}
	if len(xs) == 1 {
		return x, nil
	}
	return &condAnd{xs}, nil
}

func (p *condParser) not() (cond, error) {
	if t, ok := p.peek(); ok && strings.EqualFold(t.text, "not") {
		p.pos++
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return &condNot{x}, nil
	}
	return p.primary()
}

var keywords = []string{"and", "or", "not", "of", "them"}

func (p *condParser) primary() (cond, error) {
	t, ok := p.peek()
	if !ok {
		return nil, &condError{t.off, "condition ends too early: expected a selection name, 'not' or '('"}
	}
	switch {
	case t.text == "(":
		p.pos++
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		c, ok := p.peek()
		if !ok || c.text != ")" {
			return nil, &condError{c.off, "missing ')' to close an opening '('"}
		}
		p.pos++
		return x, nil
	case t.text == ")":
		return nil, &condError{t.off, "unexpected ')'"}
	case t.text == "1" || strings.EqualFold(t.text, "all") || strings.EqualFold(t.text, "any"):
		p.pos++
		of, ok := p.peek()
		if !ok || !strings.EqualFold(of.text, "of") {
			return nil, &condError{of.off, fmt.Sprintf("expected 'of' after %q", t.text)}
		}
		p.pos++
		target, ok := p.peek()
		if !ok || target.text == "(" || target.text == ")" {
			return nil, &condError{target.off, "expected a selection name pattern or 'them' after 'of'"}
		}
		p.pos++
		pat := target.text
		if strings.EqualFold(pat, "them") {
			pat = "them"
		} else if _, err := path.Match(pat, ""); err != nil {
			return nil, &condError{target.off, fmt.Sprintf("bad selection pattern %q", pat)}
		}
		return &condQuant{all: strings.EqualFold(t.text, "all"), pattern: pat, off: target.off}, nil
	case slices.Contains(keywords, strings.ToLower(t.text)):
		return nil, &condError{t.off, fmt.Sprintf("unexpected %q: expected a selection name, 'not' or '('", t.text)}
	}
	p.pos++
	return &condRef{name: t.text, off: t.off}, nil
}
