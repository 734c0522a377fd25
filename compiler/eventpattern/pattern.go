package eventpattern

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits that EventBridge applies to event patterns.
const (
	// MaxPatternLength is the hard limit on the length of an event pattern
	// in characters (the EventPattern member of the EventBridge API).
	MaxPatternLength = 4096
	// DefaultMaxPatternLength is the default service quota on the length of
	// an event pattern in characters; it can be raised up to
	// MaxPatternLength. See CheckQuota.
	DefaultMaxPatternLength = 2048
	// MaxOrCombinations is the largest number of combinations that the $or
	// conditions of one pattern may expand to.
	MaxOrCombinations = 1000
	// MaxWildcardComplexity is the largest wildcard complexity of one
	// pattern: the number of wildcard pattern prefixes that one value can
	// match at the same time (event-ruler's MachineComplexityEvaluator).
	MaxWildcardComplexity = 10
	// MaxNestingDepth is the deepest nesting of objects and arrays accepted
	// in patterns and events.
	MaxNestingDepth = 256
)

// InvalidPatternError reports a pattern that EventBridge rejects, with the
// reason AWS gives in its InvalidEventPatternException.
type InvalidPatternError struct {
	Reason string
}

// Error returns the message EventBridge returns for the pattern.
func (e *InvalidPatternError) Error() string {
	return "Event pattern is not valid. Reason: " + e.Reason
}

func reason(msg string) error {
	return &InvalidPatternError{Reason: msg}
}

// InvalidEventError reports an event that cannot be matched because it is
// not a JSON object.
type InvalidEventError struct {
	Reason string
}

// Error returns a description of the problem with the event.
func (e *InvalidEventError) Error() string {
	return "invalid event: " + e.Reason
}

// QuotaError reports a pattern longer than the default quota on pattern
// length.
type QuotaError struct {
	Length, Limit int
}

// Error describes the quota that the pattern exceeds.
func (e *QuotaError) Error() string {
	return fmt.Sprintf("event pattern is %d characters long, more than the default quota of %d (adjustable up to %d)",
		e.Length, e.Limit, MaxPatternLength)
}

// CheckQuota returns a *QuotaError when pattern is longer than
// DefaultMaxPatternLength characters. Compile accepts patterns up to
// MaxPatternLength, which EventBridge only allows in accounts whose quota
// has been raised.
func CheckQuota(pattern []byte) error {
	if n := utf8.RuneCount(pattern); n > DefaultMaxPatternLength {
		return &QuotaError{Length: n, Limit: DefaultMaxPatternLength}
	}
	return nil
}

// Pattern is a compiled event pattern. It is safe for concurrent use.
type Pattern struct {
	// root is a trie over the dot-separated segments of the field names
	// used by the pattern.
	root    *pathNode
	nfields int
	// subRules are the alternatives the pattern's $or conditions expand
	// to; the pattern matches when any of them does.
	subRules [][]cond
}

// pathNode is a node of the field-name trie.
type pathNode struct {
	children map[string]*pathNode
	field    int // index of the field ending here, or -1
}

// cond is the condition of a sub-rule on one field.
type cond struct {
	field int
	spec  *fieldSpec
}

// fieldSpec is a compiled pattern array.
type fieldSpec struct {
	matchers []matcher
	absent   bool   // the array contains {"exists": false}
	raw      string // the array's text
	cx       []complexityObject
}

// match reports whether v matches one of the array's elements.
func (f *fieldSpec) match(v *leaf) bool {
	for _, m := range f.matchers {
		if m.match(v) {
			return true
		}
	}
	return false
}

// Compile parses and validates pattern exactly as EventBridge does. The
// error, if any, is an *InvalidPatternError carrying AWS's reason.
func Compile(pattern []byte) (*Pattern, error) {
	if utf8.RuneCount(pattern) > MaxPatternLength {
		return nil, reason(fmt.Sprintf("Member must have length less than or equal to %d", MaxPatternLength))
	}
	c := &compiler{ts: tokenStream{lx: lexer{data: pattern}}}
	if err := c.compile(); err != nil {
		return nil, err
	}
	return c.build()
}

// TestEventPattern reports whether event matches pattern, like the
// EventBridge API of the same name.
func TestEventPattern(pattern, event []byte) (bool, error) {
	p, err := Compile(pattern)
	if err != nil {
		return false, err
	}
	return p.Match(event)
}

// Match reports whether the JSON event matches the pattern. The error is an
// *InvalidEventError when event is not a JSON object.
func (p *Pattern) Match(event []byte) (bool, error) {
	s := getScratch(p.nfields)
	defer putScratch(s)
	if err := s.loadJSON(p.root, event); err != nil {
		var je *jsonError
		if errors.As(err, &je) {
			return false, &InvalidEventError{Reason: "malformed JSON: " + je.Error()}
		}
		return false, err
	}
	return s.eval(p.subRules), nil
}

// MatchValue reports whether an event already decoded by encoding/json
// (preferably with UseNumber, so that numbers keep their text) matches the
// pattern. Objects are map[string]any and arrays []any; numbers may be
// json.Number, float64, float32 or any integer type, and values of other
// types are ignored. An event that is not a map[string]any never matches.
func (p *Pattern) MatchValue(event any) bool {
	m, ok := event.(map[string]any)
	if !ok {
		return false
	}
	s := getScratch(p.nfields)
	defer putScratch(s)
	s.objectValue(p.root, m, 1)
	return s.eval(p.subRules)
}

// String returns a summary of the compiled pattern, for debugging: one line
// per alternative listing its fields in matching order.
func (p *Pattern) String() string {
	names := make([]string, p.nfields)
	var walk func(n *pathNode, prefix string)
	walk = func(n *pathNode, prefix string) {
		if n.field >= 0 {
			names[n.field] = prefix
		}
		for seg, child := range n.children {
			if n == p.root {
				walk(child, seg)
			} else {
				walk(child, prefix+"."+seg)
			}
		}
	}
	walk(p.root, "")
	var b strings.Builder
	for i, conds := range p.subRules {
		if i > 0 {
			b.WriteByte('\n')
		}
		for j, c := range conds {
			if j > 0 {
				b.WriteString(" AND ")
			}
			b.WriteString(names[c.field] + " " + c.spec.raw)
		}
	}
	return b.String()
}
