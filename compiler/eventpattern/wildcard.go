package eventpattern

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
)

// starSymbol stands for '*' in a parsed wildcard; other symbols are bytes.
const starSymbol = 256

// wildcard is a parsed wildcard operand, quoted like the string values it is
// matched against: segs are the literal runs between the stars.
type wildcard struct {
	segs    [][]byte
	symbols []int16
}

// parseWildcard parses a wildcard operand with event-ruler's rules: '*'
// matches any run of characters, "\*" and "\\" are a literal star and
// backslash, and any other escape or two stars in a row is an error whose
// position counts bytes of the quoted operand.
func parseWildcard(operand string) (*wildcard, error) {
	q := `"` + operand + `"`
	w := &wildcard{}
	var seg []byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch c {
		case '*':
			if i+1 < len(q) && q[i+1] == '*' {
				return nil, reason(fmt.Sprintf("Consecutive wildcard characters at pos %d", i))
			}
			w.segs = append(w.segs, seg)
			seg = nil
			w.symbols = append(w.symbols, starSymbol)
			continue
		case '\\':
			if i+1 < len(q) && (q[i+1] == '*' || q[i+1] == '\\') {
				i++
				c = q[i]
			} else {
				return nil, reason(fmt.Sprintf("Invalid escape character at pos %d", i))
			}
		}
		seg = append(seg, c)
		w.symbols = append(w.symbols, int16(c))
	}
	w.segs = append(w.segs, seg)
	return w, nil
}

// match reports whether the quoted value v matches the wildcard.
func (w *wildcard) match(v []byte) bool {
	if len(w.segs) == 1 {
		return bytes.Equal(v, w.segs[0])
	}
	first, last := w.segs[0], w.segs[len(w.segs)-1]
	if len(v) < len(first)+len(last) || !bytes.HasPrefix(v, first) || !bytes.HasSuffix(v, last) {
		return false
	}
	v = v[len(first) : len(v)-len(last)]
	for _, seg := range w.segs[1 : len(w.segs)-1] {
		i := bytes.Index(v, seg)
		if i < 0 {
			return false
		}
		v = v[i+len(seg):]
	}
	return true
}

// complexityObject is one pattern that counts towards the wildcard
// complexity of a field: a wildcard, or an anything-but wildcard with all
// its values. Its identity decides when two patterns are the same.
type complexityObject struct {
	identity string
	values   [][]int16
}

// maxComplexityStates bounds the work of complexity; a field whose
// evaluation visits more sets of states than this counts as over the limit.
const maxComplexityStates = 100000

// complexity returns the wildcard complexity of the patterns of one field,
// or limit+1 as soon as it is known to exceed limit.
//
// The measure is event-ruler's MachineComplexityEvaluator: the largest
// number of wildcard pattern prefixes that one input value can match at the
// same time, counting a prefix shared by the values of one anything-but
// wildcard once. The prefixes are the states of a nondeterministic automaton
// built from the operands, and the maximum is found by exploring the sets of
// states reachable from the start.
func complexity(objects []complexityObject, limit int) int {
	type edge struct {
		from int32
		sym  int16
	}
	// Build one trie of symbol sequences per object; node 0..len(objects)-1
	// are the roots, which are never active once input has been read.
	next := map[edge]int32{}
	star := []bool{}
	for range objects {
		star = append(star, false)
	}
	var alphabet [256]bool
	roots := make([]int32, len(objects))
	for i, o := range objects {
		roots[i] = int32(i)
		for _, value := range o.values {
			node := int32(i)
			for _, s := range value {
				child, ok := next[edge{node, s}]
				if !ok {
					child = int32(len(star))
					star = append(star, s == starSymbol)
					next[edge{node, s}] = child
				}
				if s != starSymbol {
					alphabet[s] = true
				}
				node = child
			}
		}
	}
	symbols := []int16{}
	other := int16(-1)
	for b := range alphabet {
		if alphabet[b] {
			symbols = append(symbols, int16(b))
		} else if other < 0 {
			other = int16(b)
		}
	}
	if other >= 0 {
		symbols = append(symbols, other)
	}
	// closure adds the star state that follows an active state: a star
	// matches the empty string too.
	closure := func(set []int32) []int32 {
		for _, n := range set {
			if child, ok := next[edge{n, starSymbol}]; ok {
				set = append(set, child)
			}
		}
		slices.Sort(set)
		return slices.Compact(set)
	}
	key := func(set []int32) string {
		b := make([]byte, 0, 4*len(set))
		for _, n := range set {
			b = binary.LittleEndian.AppendUint32(b, uint32(n))
		}
		return string(b)
	}
	start := closure(roots)
	seen := map[string]bool{key(start): true}
	queue := [][]int32{start}
	most := 0
	for len(queue) > 0 {
		set := queue[0]
		queue = queue[1:]
		for _, sym := range symbols {
			var to []int32
			for _, n := range set {
				if star[n] {
					to = append(to, n)
				}
				if child, ok := next[edge{n, sym}]; ok {
					to = append(to, child)
				}
			}
			if len(to) == 0 {
				continue
			}
			to = closure(to)
			if len(to) > limit {
				return limit + 1
			}
			most = max(most, len(to))
			k := key(to)
			if seen[k] {
				continue
			}
			if len(seen) >= maxComplexityStates {
				return limit + 1
			}
			seen[k] = true
			queue = append(queue, to)
		}
	}
	return most
}
