package eval

import (
	"bytes"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"github.com/socc-dev/socc/compiler/event"
	"github.com/socc-dev/socc/compiler/ir"
)

// Matcher evaluates all detections of a program against events, reading each
// event once: detections are indexed by the eventName, eventSource,
// $.source or $.detail-type values their conditions require, only the
// candidates for an event's values are evaluated, and every field is
// extracted at most once per event whatever the number of detections that
// read it. A Matcher is safe for concurrent use.
type Matcher struct {
	prog  *ir.Program
	paths []path
	tops  topKeys // the top-level record keys that paths start with
	dets  []*node // Cond() of each detection, index-aligned with prog.Detections
	crits []*node // Cond of each criterion (nil: none)

	index     []keyIndex
	unindexed []int32 // detections no index key selects, ascending

	byPaths  [][]int // threshold By slots per detection
	distinct []int   // threshold Distinct slot per detection, -1 if none
	critDist []int   // criterion Distinct slot, -1 if none

	noIndex bool      // evaluate every detection for every event (tests)
	onEval  func(int) // called before a detection is evaluated (tests)

	pool sync.Pool
}

// keyIndex maps the values of one index key to the detections that require
// them.
type keyIndex struct {
	slot int
	post map[string][]int32 // value -> detections, ascending
}

// Compile compiles the detections and escalation criteria of p into a
// Matcher.
func Compile(p *ir.Program) *Matcher {
	b := newBuilder()
	m := &Matcher{prog: p}
	keyed := make([]map[string][]int32, len(indexKeys))
	for i, d := range p.Detections {
		cond := d.Cond()
		m.dets = append(m.dets, b.expr(cond))
		indexed := false
		for k, key := range indexKeys {
			vals, ok := require(cond, key)
			if !ok {
				continue
			}
			if keyed[k] == nil {
				keyed[k] = map[string][]int32{}
			}
			for _, v := range vals {
				keyed[k][v] = append(keyed[k][v], int32(i))
			}
			indexed = true
			break
		}
		if !indexed {
			m.unindexed = append(m.unindexed, int32(i))
		}
	}
	for k, post := range keyed {
		if post != nil {
			m.index = append(m.index, keyIndex{slot: b.slot(indexKeys[k]), post: post})
		}
	}
	for _, d := range p.Detections {
		var by []int
		dist := -1
		if t := d.Threshold; t != nil {
			for _, f := range t.By {
				by = append(by, b.slot(f))
			}
			if t.Distinct != nil {
				dist = b.slot(*t.Distinct)
			}
		}
		m.byPaths = append(m.byPaths, by)
		m.distinct = append(m.distinct, dist)
	}
	for _, c := range p.Criteria {
		var n *node
		if c.Cond != nil {
			n = b.expr(c.Cond)
		}
		m.crits = append(m.crits, n)
		dist := -1
		if c.Distinct != nil {
			dist = b.slot(c.Distinct.Field)
		}
		m.critDist = append(m.critDist, dist)
	}
	m.paths = b.paths
	m.tops = newTopKeys(b.tops)
	return m
}

// topKeys finds the top-level record keys a program reads, so that one
// pass over a record's top level finds all of them.
type topKeys struct {
	index  map[string]int
	filter [64]uint64 // by key length mod 64: bit (first byte mod 64); rejects most keys without a map lookup
}

func newTopKeys(index map[string]int) topKeys {
	t := topKeys{index: index}
	for k := range index {
		if k != "" {
			t.filter[len(k)&63] |= 1 << (k[0] & 63)
		}
	}
	return t
}

func (t *topKeys) lookup(k string) (int, bool) {
	if k == "" || t.filter[len(k)&63]&(1<<(k[0]&63)) == 0 {
		return 0, false
	}
	i, ok := t.index[k]
	return i, ok
}

// Match returns buf with the indexes into p.Detections of the detections
// whose Cond() holds for ev appended, ascending.
func (m *Matcher) Match(ev *event.Event, buf []int) []int {
	st := m.state(ev)
	defer m.release(st)
	for _, i := range m.candidates(st) {
		if m.onEval != nil {
			m.onEval(int(i))
		}
		if st.eval(m.dets[i]) {
			buf = append(buf, int(i))
		}
	}
	return buf
}

// candidates returns the detections to evaluate for st's event, ascending.
func (m *Matcher) candidates(st *state) []int32 {
	st.cands = st.cands[:0]
	if m.noIndex {
		for i := range m.dets {
			st.cands = append(st.cands, int32(i))
		}
		return st.cands
	}
	for _, ix := range m.index {
		for _, v := range st.values(ix.slot) {
			if v.Type != gjson.String {
				continue
			}
			for _, d := range ix.post[v.Str] {
				if st.mark[d] != st.gen {
					st.mark[d] = st.gen
					st.cands = append(st.cands, d)
				}
			}
		}
	}
	st.cands = append(st.cands, m.unindexed...)
	if len(st.cands) > 1 {
		slices.Sort(st.cands)
	}
	return st.cands
}

// Eval reports whether x holds for ev.
func Eval(x ir.Expr, ev *event.Event) bool {
	b := newBuilder()
	n := b.expr(x)
	m := &Matcher{paths: b.paths, tops: newTopKeys(b.tops)}
	st := newState(m)
	st.reset(ev)
	return st.eval(n)
}

// state is the per-event scratch of a Matcher: the values extracted for
// each path, candidate marks, and buffers for case folding.
type state struct {
	m     *Matcher
	ev    *event.Event
	gen   uint64
	slots []slotCache

	topGen  uint64
	topVals []gjson.Result // value of each top-level key read so far, for the current event
	cur     event.Cursor   // where reading the record's top level stopped

	mark  []uint64
	cands []int32
}

type slotCache struct {
	gen  uint64
	vals []gjson.Result

	lowGen uint64
	low    [][]byte // lower-cased string values, index-aligned with vals (nil for other types)
	lowBuf []byte
	lowEnd []int
}

func newState(m *Matcher) *state {
	return &state{
		m:       m,
		slots:   make([]slotCache, len(m.paths)),
		topVals: make([]gjson.Result, len(m.tops.index)),
		mark:    make([]uint64, len(m.dets)),
	}
}

func (m *Matcher) state(ev *event.Event) *state {
	st, _ := m.pool.Get().(*state)
	if st == nil {
		st = newState(m)
	}
	st.reset(ev)
	return st
}

func (m *Matcher) release(st *state) {
	st.ev = nil
	m.pool.Put(st)
}

// reset points st at a new event, invalidating every cached value.
func (st *state) reset(ev *event.Event) {
	st.ev = ev
	st.gen++
}

// values returns the values of the path in slot i for the current event.
func (st *state) values(i int) []gjson.Result {
	c := &st.slots[i]
	if c.gen == st.gen {
		return c.vals
	}
	c.gen = st.gen
	p := &st.m.paths[i]
	var root gjson.Result
	switch {
	case p.env:
		root = st.ev.EnvelopeField(p.first)
	case st.ev.Record.IsObject():
		root = st.top(p.top)
	default:
		root = st.ev.Record.Get(gjson.Escape(p.first))
	}
	if root.Exists() {
		c.vals = walk(c.vals[:0], root, p.segs)
	} else {
		c.vals = c.vals[:0]
	}
	return c.vals
}

// top returns the value of top-level record key i for the current event.
// The record's top level is read once per event, and only as far as the
// keys asked for: every key of the program met on the way is kept. A
// duplicated key has its first value.
func (st *state) top(i int) gjson.Result {
	if st.topGen != st.gen {
		st.topGen = st.gen
		clear(st.topVals)
		st.cur.Reset(st.ev.Record.Raw)
	}
	for !st.topVals[i].Exists() {
		k, v, ok := st.cur.Next()
		if !ok {
			break
		}
		if j, ok := st.m.tops.lookup(k); ok && !st.topVals[j].Exists() {
			st.topVals[j] = gjson.Parse(v)
		}
	}
	return st.topVals[i]
}

// lowered returns strings.ToLower of the string values of slot i, aligned
// with values(i) (nil for values that are not strings), computed once per
// event.
func (st *state) lowered(i int) [][]byte {
	vs := st.values(i)
	c := &st.slots[i]
	if c.lowGen == st.gen {
		return c.low
	}
	c.lowGen = st.gen
	c.lowBuf, c.lowEnd = c.lowBuf[:0], c.lowEnd[:0]
	for _, v := range vs {
		if v.Type == gjson.String {
			c.lowBuf = appendLower(c.lowBuf, v.Str)
		}
		c.lowEnd = append(c.lowEnd, len(c.lowBuf))
	}
	c.low = c.low[:0]
	start := 0
	for j, v := range vs {
		end := c.lowEnd[j]
		if v.Type == gjson.String {
			c.low = append(c.low, c.lowBuf[start:end:end])
		} else {
			c.low = append(c.low, nil)
		}
		start = end
	}
	return c.low
}

// walk appends the values at segs below cur: a segment applies to every
// element of an array (at any depth), and an array at the end of the path
// gives its elements, so arrays are flattened at every level.
func walk(dst []gjson.Result, cur gjson.Result, segs []string) []gjson.Result {
	for {
		if cur.IsArray() {
			cur.ForEach(func(_, el gjson.Result) bool {
				dst = walk(dst, el, segs)
				return true
			})
			return dst
		}
		if len(segs) == 0 {
			if cur.Exists() {
				dst = append(dst, cur)
			}
			return dst
		}
		if !cur.IsObject() {
			return dst
		}
		cur = cur.Get(segs[0])
		segs = segs[1:]
		if !cur.Exists() {
			return dst
		}
	}
}

// eval evaluates a compiled expression for the current event.
func (st *state) eval(n *node) bool {
	switch n.kind {
	case nTrue:
		return true
	case nAnd:
		for _, k := range n.kids {
			if !st.eval(k) {
				return false
			}
		}
		return true
	case nOr:
		for _, k := range n.kids {
			if st.eval(k) {
				return true
			}
		}
		return false
	case nNot:
		return !st.eval(n.kids[0])
	case nPred:
		return st.pred(n.pred)
	case nRef:
		return st.ref(n.ref)
	}
	return false
}

// pred evaluates a predicate: with all unset, some field value matches some
// listed value; with all set, every listed value is matched by some field
// value. exists holds when the field has a value (or none, for false).
func (st *state) pred(p *pred) bool {
	vs := st.values(p.slot)
	if p.op == ir.OpExists {
		return (len(vs) > 0) == p.want
	}
	var low [][]byte
	if p.fold && len(vs) > 0 {
		low = st.lowered(p.slot)
	}
	if p.all {
		if len(p.vals) == 0 {
			return false
		}
		for i := range p.vals {
			ok := false
			for j, v := range vs {
				if match(p, v, lowAt(low, j), i) {
					ok = true
					break
				}
			}
			if !ok {
				return false
			}
		}
		return true
	}
	for j, v := range vs {
		if match(p, v, lowAt(low, j), -1) {
			return true
		}
	}
	return false
}

func lowAt(low [][]byte, j int) []byte {
	if low == nil {
		return nil
	}
	return low[j]
}

// match reports whether field value v matches listed value only of p, or
// any listed value when only is -1. low is v lower-cased, for fold.
func match(p *pred, v gjson.Result, low []byte, only int) bool {
	lo, hi := 0, len(p.vals)
	if only >= 0 {
		lo, hi = only, only+1
	}
	switch p.op {
	case ir.OpEquals:
		switch v.Type {
		case gjson.String:
			s := v.Str
			if p.fold {
				b := low
				if p.set != nil && only < 0 {
					_, ok := p.set[string(b)]
					return ok
				}
				for i := lo; i < hi; i++ {
					if p.vals[i].Kind == ir.String && string(b) == p.vals[i].Str {
						return true
					}
				}
				return false
			}
			if p.set != nil && only < 0 {
				_, ok := p.set[s]
				return ok
			}
			for i := lo; i < hi; i++ {
				if p.vals[i].Kind == ir.String && s == p.vals[i].Str {
					return true
				}
			}
		case gjson.Number:
			for i := lo; i < hi; i++ {
				if p.vals[i].Kind == ir.Number && v.Num == p.vals[i].Num {
					return true
				}
			}
		case gjson.True, gjson.False:
			for i := lo; i < hi; i++ {
				if p.vals[i].Kind == ir.Bool && p.vals[i].Bool == (v.Type == gjson.True) {
					return true
				}
			}
		case gjson.Null:
			for i := lo; i < hi; i++ {
				if p.vals[i].Kind == ir.Null {
					return true
				}
			}
		}
		return false
	case ir.OpPrefix, ir.OpSuffix, ir.OpContains:
		if v.Type != gjson.String {
			return false
		}
		if p.fold {
			b := low
			for i := lo; i < hi; i++ {
				if p.vals[i].Kind == ir.String && bytesOp(p.op, b, p.bs[i]) {
					return true
				}
			}
			return false
		}
		for i := lo; i < hi; i++ {
			if p.vals[i].Kind == ir.String && stringOp(p.op, v.Str, p.vals[i].Str) {
				return true
			}
		}
		return false
	case ir.OpRegex, ir.OpWildcard:
		if v.Type != gjson.String {
			return false
		}
		for i := lo; i < hi; i++ {
			if re := p.re[i]; re != nil && re.MatchString(v.Str) {
				return true
			}
		}
		return false
	case ir.OpCIDR:
		if v.Type != gjson.String {
			return false
		}
		addr, err := netip.ParseAddr(v.Str)
		if err != nil || addr.Zone() != "" {
			return false
		}
		addr = addr.Unmap()
		for i := lo; i < hi; i++ {
			if p.nets[i].Contains(addr) {
				return true
			}
		}
		return false
	case ir.OpGT, ir.OpGTE, ir.OpLT, ir.OpLTE:
		if v.Type != gjson.Number {
			return false
		}
		for i := lo; i < hi; i++ {
			if p.vals[i].Kind != ir.Number {
				continue
			}
			w := p.vals[i].Num
			var ok bool
			switch p.op {
			case ir.OpGT:
				ok = v.Num > w
			case ir.OpGTE:
				ok = v.Num >= w
			case ir.OpLT:
				ok = v.Num < w
			default:
				ok = v.Num <= w
			}
			if ok {
				return true
			}
		}
	}
	return false
}

func stringOp(op ir.Op, s, w string) bool {
	switch op {
	case ir.OpPrefix:
		return strings.HasPrefix(s, w)
	case ir.OpSuffix:
		return strings.HasSuffix(s, w)
	}
	return strings.Contains(s, w)
}

func bytesOp(op ir.Op, s, w []byte) bool {
	switch op {
	case ir.OpPrefix:
		return bytes.HasPrefix(s, w)
	case ir.OpSuffix:
		return bytes.HasSuffix(s, w)
	}
	return bytes.Contains(s, w)
}

// ref evaluates a field reference: some value of one field equals some value
// of the other.
func (st *state) ref(r *ref) bool {
	as, bs := st.values(r.a), st.values(r.b)
	if len(as) == 0 || len(bs) == 0 {
		return false
	}
	var al, bl [][]byte
	if r.fold {
		al, bl = st.lowered(r.a), st.lowered(r.b)
	}
	for i, a := range as {
		for j, b := range bs {
			if equal(a, b, lowAt(al, i), lowAt(bl, j), r.fold) {
				return true
			}
		}
	}
	return false
}

// equal compares two JSON scalars, typed: strings (their lower-cased forms
// al and bl when fold), numbers numerically, booleans, nulls. Objects are
// never equal.
func equal(a, b gjson.Result, al, bl []byte, fold bool) bool {
	switch a.Type {
	case gjson.String:
		if b.Type != gjson.String {
			return false
		}
		if !fold {
			return a.Str == b.Str
		}
		return bytes.Equal(al, bl)
	case gjson.Number:
		return b.Type == gjson.Number && a.Num == b.Num
	case gjson.True, gjson.False, gjson.Null:
		return a.Type == b.Type
	}
	return false
}

// appendLower appends strings.ToLower(s) to b. ASCII is lower-cased byte by
// byte; other text goes through strings.ToLower, so that the result is
// exactly what the lowering pass does to the values.
func appendLower(b []byte, s string) []byte {
	start := len(b)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return append(b[:start], strings.ToLower(s)...)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}
