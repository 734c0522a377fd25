package eventpattern

import (
	"bytes"
	"math"
)

// valueKind is the JSON type of an event value.
type valueKind uint8

const (
	kindString valueKind = iota
	kindNumber
	kindTrue
	kindFalse
	kindNull
)

// arrayPos says that a value lies in element index of the event array with
// the given id.
type arrayPos struct {
	array, index int32
}

// leaf is one scalar value of an event, in event-ruler's form: strings keep
// their surrounding quotes, other values are their JSON text.
type leaf struct {
	kind valueKind
	text []byte
	// mem lists the arrays, outermost first, whose object or array elements
	// contain the value.
	mem []arrayPos

	numDone, numOK bool
	numKey         uint64
	ipDone         bool
	ipLen          int
	ipBytes        [16]byte
}

// number returns the comparable key of a number value.
func (v *leaf) number() (uint64, bool) {
	if v.kind != kindNumber {
		return 0, false
	}
	if !v.numDone {
		v.numDone = true
		v.numKey, v.numOK = comparableKey(v.text)
	}
	return v.numKey, v.numOK
}

// ip returns the address held by a string value.
func (v *leaf) ip() ([]byte, bool) {
	if v.kind != kindString {
		return nil, false
	}
	if !v.ipDone {
		v.ipDone = true
		s := v.text[1 : len(v.text)-1]
		if looksLikeIP(s) {
			v.ipBytes, v.ipLen, _ = parseIP(s)
		}
	}
	return v.ipBytes[:v.ipLen], v.ipLen > 0
}

// matcher is one compiled element of a pattern array.
type matcher interface {
	match(v *leaf) bool
}

// literalMatcher matches a value whose event-ruler text is exactly text: a
// quoted string, a number that is not comparable, true, false or null.
type literalMatcher struct {
	kind valueKind
	text []byte
}

func (m *literalMatcher) match(v *leaf) bool {
	return v.kind == m.kind && bytes.Equal(v.text, m.text)
}

// numberMatcher matches numbers in a range of comparable keys; an exact
// number is the range [key, key].
type numberMatcher struct {
	lo, hi         uint64
	loOpen, hiOpen bool
}

func (m *numberMatcher) match(v *leaf) bool {
	k, ok := v.number()
	if !ok {
		return false
	}
	return (k > m.lo || !m.loOpen && k == m.lo) && (k < m.hi || !m.hiOpen && k == m.hi)
}

// Bounds of one-sided numeric ranges, as in event-ruler.
var (
	minNumberKey = floatKey(-math.MaxFloat64)
	maxNumberKey = floatKey(math.MaxFloat64)
)

// prefixMatcher matches strings whose quoted form starts with `"` + prefix.
type prefixMatcher struct{ prefix []byte }

func (m *prefixMatcher) match(v *leaf) bool {
	return v.kind == kindString && bytes.HasPrefix(v.text, m.prefix)
}

// suffixMatcher matches strings whose quoted form ends with suffix + `"`.
type suffixMatcher struct{ suffix []byte }

func (m *suffixMatcher) match(v *leaf) bool {
	return v.kind == kindString && bytes.HasSuffix(v.text, m.suffix)
}

// foldMatcher implements equals-ignore-case and its prefix and suffix forms.
type foldMatcher struct {
	seq  foldSeq
	mode foldMode
}

type foldMode uint8

const (
	foldEquals foldMode = iota
	foldPrefix
	foldSuffix
)

func (m *foldMatcher) match(v *leaf) bool {
	if v.kind != kindString {
		return false
	}
	switch m.mode {
	case foldPrefix:
		return m.seq.matchPrefix(v.text)
	case foldSuffix:
		return m.seq.matchSuffix(v.text)
	}
	return m.seq.matchFull(v.text)
}

// wildcardMatcher implements the wildcard operator.
type wildcardMatcher struct{ w *wildcard }

func (m *wildcardMatcher) match(v *leaf) bool {
	return v.kind == kindString && m.w.match(v.text)
}

// existsMatcher implements {"exists": true}: any value, null included.
type existsMatcher struct{}

func (existsMatcher) match(*leaf) bool { return true }

// anythingButMatcher matches any value, of any type, except those the
// excluded function reports. Like every matcher it only sees values that
// exist, so a missing field never matches anything-but.
type anythingButMatcher struct {
	strings  map[string]struct{} // quoted strings
	numbers  map[uint64]struct{} // comparable keys
	prefixes [][]byte            // quoted prefixes
	suffixes [][]byte            // quoted suffixes
	folds    []foldSeq
	wilds    []*wildcard
}

func (m *anythingButMatcher) match(v *leaf) bool {
	if m.strings != nil {
		if _, ok := m.strings[string(v.text)]; ok && v.kind == kindString {
			return false
		}
	}
	if m.numbers != nil {
		if k, ok := v.number(); ok {
			if _, ok := m.numbers[k]; ok {
				return false
			}
		}
	}
	if v.kind != kindString {
		return true
	}
	for _, p := range m.prefixes {
		if bytes.HasPrefix(v.text, p) {
			return false
		}
	}
	for _, s := range m.suffixes {
		if bytes.HasSuffix(v.text, s) {
			return false
		}
	}
	for i := range m.folds {
		if m.folds[i].matchFull(v.text) {
			return false
		}
	}
	for _, w := range m.wilds {
		if w.match(v.text) {
			return false
		}
	}
	return true
}
