package eventpattern

import (
	"encoding/json"
	"slices"
	"strconv"
	"sync"
)

// scratch holds the per-match state: the event values found at the fields
// of a pattern and the search for a consistent assignment. Scratches are
// pooled so that matching allocates little.
type scratch struct {
	lx      lexer
	leaves  []leaf
	byField [][]int32 // leaf indexes per pattern field
	mem     []arrayPos
	stack   []arrayPos // array membership of the current position
	snap    []arrayPos // copy of stack, valid while snapOK
	snapOK  bool
	arrays  int32
	arena   []byte
	chosen  [][]arrayPos // memberships of the values chosen so far
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// maxPooledBytes keeps scratches that grew on a huge event out of the pool.
const maxPooledBytes = 1 << 20

func getScratch(nfields int) *scratch {
	s := scratchPool.Get().(*scratch)
	if cap(s.byField) < nfields {
		s.byField = make([][]int32, nfields)
	}
	s.byField = s.byField[:nfields]
	for i := range s.byField {
		s.byField[i] = s.byField[i][:0]
	}
	return s
}

func putScratch(s *scratch) {
	if cap(s.arena) > maxPooledBytes || cap(s.lx.buf) > maxPooledBytes || cap(s.leaves) > maxPooledBytes/64 {
		return
	}
	clear(s.leaves) // drop references to the event
	s.leaves = s.leaves[:0]
	s.mem, s.stack, s.snap, s.snapOK, s.arrays = s.mem[:0], s.stack[:0], nil, false, 0
	s.arena = s.arena[:0]
	s.chosen = s.chosen[:0]
	s.lx = lexer{buf: s.lx.buf[:0]}
	scratchPool.Put(s)
}

// descend follows the dot-separated segments of key from n, returning nil
// when no pattern field starts with that path.
func descend[T string | []byte](n *pathNode, key T) *pathNode {
	for {
		i := 0
		for i < len(key) && key[i] != '.' {
			i++
		}
		n = n.children[string(key[:i])]
		if n == nil || i == len(key) {
			return n
		}
		key = key[i+1:]
	}
}

func (s *scratch) push(p arrayPos) {
	s.stack = append(s.stack, p)
	s.snapOK = false
}

func (s *scratch) pop() {
	s.stack = s.stack[:len(s.stack)-1]
	s.snapOK = false
}

// record adds a value found at the field of node.
func (s *scratch) record(node *pathNode, kind valueKind, text []byte) {
	if !s.snapOK {
		s.snapOK = true
		s.snap = nil
		if len(s.stack) > 0 {
			start := len(s.mem)
			s.mem = append(s.mem, s.stack...)
			s.snap = s.mem[start:len(s.mem):len(s.mem)]
		}
	}
	s.leaves = append(s.leaves, leaf{kind: kind, text: text, mem: s.snap})
	s.byField[node.field] = append(s.byField[node.field], int32(len(s.leaves)-1))
}

// loadJSON collects the values of event at the fields of the trie root,
// checking that event is a JSON object.
func (s *scratch) loadJSON(root *pathNode, event []byte) error {
	s.lx = lexer{data: event, buf: s.lx.buf[:0]}
	l := &s.lx
	if l.atEnd() {
		return &InvalidEventError{Reason: "event is empty"}
	}
	object := l.peek() == '{'
	var err error
	if object {
		err = s.object(root, 1)
	} else {
		err = l.skipValue(1)
	}
	if err != nil {
		return err
	}
	if !l.atEnd() {
		return l.errorf("invalid character %q after top-level value", l.data[l.pos])
	}
	if !object {
		return &InvalidEventError{Reason: "event is not a JSON object"}
	}
	return nil
}

// object reads the object at the current position, which lies at node.
func (s *scratch) object(node *pathNode, depth int) error {
	l := &s.lx
	if depth > MaxNestingDepth {
		return l.errorf("nesting deeper than %d levels", MaxNestingDepth)
	}
	l.pos++
	if l.peek() == '}' {
		l.pos++
		return nil
	}
	for {
		if l.peek() != '"' {
			return l.unexpected("looking for beginning of object key string")
		}
		key, err := l.readString(false)
		if err != nil {
			return err
		}
		if l.peek() != ':' {
			return l.unexpected("after object key")
		}
		l.pos++
		if child := descend(node, key); child != nil {
			err = s.value(child, depth+1)
		} else {
			err = l.skipValue(depth + 1)
		}
		if err != nil {
			return err
		}
		switch l.peek() {
		case ',':
			l.pos++
		case '}':
			l.pos++
			return nil
		default:
			return l.unexpected("after object key:value pair")
		}
	}
}

// value reads the value at the current position, which lies at node.
func (s *scratch) value(node *pathNode, depth int) error {
	l := &s.lx
	switch l.peek() {
	case '{':
		if node.children == nil {
			return l.skipValue(depth)
		}
		return s.object(node, depth)
	case '[':
		return s.array(node, depth)
	case '"':
		if node.field < 0 {
			return l.skipString()
		}
		text, err := l.readString(true)
		if err != nil {
			return err
		}
		s.record(node, kindString, text)
		return nil
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		text, err := l.readNumber()
		if err != nil {
			return err
		}
		if node.field >= 0 {
			s.record(node, kindNumber, text)
		}
		return nil
	}
	text, err := l.readLiteral()
	if err != nil {
		return err
	}
	if node.field >= 0 {
		s.record(node, literalKind(text), text)
	}
	return nil
}

func literalKind(text []byte) valueKind {
	switch text[0] {
	case 't':
		return kindTrue
	case 'f':
		return kindFalse
	}
	return kindNull
}

// array reads the array at the current position, which lies at node. Its
// elements lie at node too; objects and arrays among them record their
// position so that matches stay within one element.
func (s *scratch) array(node *pathNode, depth int) error {
	l := &s.lx
	if depth > MaxNestingDepth {
		return l.errorf("nesting deeper than %d levels", MaxNestingDepth)
	}
	l.pos++
	id := s.arrays
	s.arrays++
	if l.peek() == ']' {
		l.pos++
		return nil
	}
	for index := int32(0); ; index++ {
		var err error
		if c := l.peek(); c == '{' || c == '[' {
			s.push(arrayPos{array: id, index: index})
			err = s.value(node, depth+1)
			s.pop()
		} else {
			err = s.value(node, depth+1)
		}
		if err != nil {
			return err
		}
		switch l.peek() {
		case ',':
			l.pos++
		case ']':
			l.pos++
			return nil
		default:
			return l.unexpected("after array element")
		}
	}
}

// objectValue collects the values of a decoded object lying at node.
func (s *scratch) objectValue(node *pathNode, m map[string]any, depth int) {
	if depth > MaxNestingDepth {
		return
	}
	for k, v := range m {
		if child := descend(node, k); child != nil {
			s.anyValue(child, v, depth+1)
		}
	}
}

// anyValue collects a decoded value lying at node.
func (s *scratch) anyValue(node *pathNode, v any, depth int) {
	switch v := v.(type) {
	case map[string]any:
		if node.children != nil {
			s.objectValue(node, v, depth)
		}
		return
	case []any:
		if depth > MaxNestingDepth {
			return
		}
		id := s.arrays
		s.arrays++
		for i, e := range v {
			switch e.(type) {
			case map[string]any, []any:
				s.push(arrayPos{array: id, index: int32(i)})
				s.anyValue(node, e, depth+1)
				s.pop()
			default:
				s.anyValue(node, e, depth+1)
			}
		}
		return
	}
	if node.field < 0 {
		return
	}
	start := len(s.arena)
	kind := kindNumber
	switch v := v.(type) {
	case string:
		kind = kindString
		s.arena = append(s.arena, '"')
		s.arena = append(s.arena, v...)
		s.arena = append(s.arena, '"')
	case json.Number:
		s.arena = append(s.arena, v...)
	case float64:
		s.arena = strconv.AppendFloat(s.arena, v, 'g', -1, 64)
	case float32:
		s.arena = strconv.AppendFloat(s.arena, float64(v), 'g', -1, 32)
	case int:
		s.arena = strconv.AppendInt(s.arena, int64(v), 10)
	case int8:
		s.arena = strconv.AppendInt(s.arena, int64(v), 10)
	case int16:
		s.arena = strconv.AppendInt(s.arena, int64(v), 10)
	case int32:
		s.arena = strconv.AppendInt(s.arena, int64(v), 10)
	case int64:
		s.arena = strconv.AppendInt(s.arena, v, 10)
	case uint:
		s.arena = strconv.AppendUint(s.arena, uint64(v), 10)
	case uint8:
		s.arena = strconv.AppendUint(s.arena, uint64(v), 10)
	case uint16:
		s.arena = strconv.AppendUint(s.arena, uint64(v), 10)
	case uint32:
		s.arena = strconv.AppendUint(s.arena, uint64(v), 10)
	case uint64:
		s.arena = strconv.AppendUint(s.arena, v, 10)
	case bool:
		kind = kindFalse
		lit := "false"
		if v {
			kind, lit = kindTrue, "true"
		}
		s.arena = append(s.arena, lit...)
	case nil:
		kind = kindNull
		s.arena = append(s.arena, "null"...)
	default:
		return
	}
	s.record(node, kind, s.arena[start:len(s.arena):len(s.arena)])
}

// eval reports whether any sub-rule matches the collected values.
func (s *scratch) eval(subRules [][]cond) bool {
	for _, conds := range subRules {
		s.chosen = s.chosen[:0]
		if s.try(conds) {
			return true
		}
	}
	return false
}

// try looks for values, one per condition in event-ruler's field order,
// that satisfy conds and lie in the same elements of any array they share
// with each other and with the values already chosen. {"exists": false}
// holds when no value of its field is consistent with the values chosen
// for the fields before it.
func (s *scratch) try(conds []cond) bool {
	if len(conds) == 0 {
		return true
	}
	c := conds[0]
	vals := s.byField[c.field]
	// same records that the rest has been tried without adding to the
	// chosen memberships; doing so again cannot succeed.
	same := false
	if c.spec.absent && !s.anyConsistent(vals) {
		if s.try(conds[1:]) {
			return true
		}
		same = true
	}
	for _, i := range vals {
		v := &s.leaves[i]
		adds := s.adds(v.mem)
		if !adds && same || adds && !s.consistent(v.mem) || !c.spec.match(v) {
			continue
		}
		if !adds {
			same = true
			if s.try(conds[1:]) {
				return true
			}
			continue
		}
		s.chosen = append(s.chosen, v.mem)
		ok := s.try(conds[1:])
		s.chosen = s.chosen[:len(s.chosen)-1]
		if ok {
			return true
		}
	}
	return false
}

// adds reports whether choosing a value with membership mem would add
// arrays to the chosen memberships; when it would not, mem is consistent
// with them.
func (s *scratch) adds(mem []arrayPos) bool {
	if len(mem) == 0 {
		return false
	}
	for _, ch := range s.chosen {
		if len(mem) <= len(ch) && slices.Equal(ch[:len(mem)], mem) {
			return false
		}
	}
	return true
}

// consistent reports whether mem agrees with every chosen membership on the
// element of each array they share. Memberships are paths from the root, so
// they share exactly the arrays of their common prefix.
func (s *scratch) consistent(mem []arrayPos) bool {
	for _, ch := range s.chosen {
		for k := 0; k < len(mem) && k < len(ch); k++ {
			if mem[k].array != ch[k].array {
				break
			}
			if mem[k].index != ch[k].index {
				return false
			}
		}
	}
	return true
}

func (s *scratch) anyConsistent(vals []int32) bool {
	for _, i := range vals {
		if mem := s.leaves[i].mem; !s.adds(mem) || s.consistent(mem) {
			return true
		}
	}
	return false
}
