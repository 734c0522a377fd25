package eventpattern

import (
	"bytes"
	"math"
	"strconv"
)

// comparableKey reports whether the JSON number literal lit can be compared
// numerically and returns its order-preserving key.
//
// Like event-ruler's ComparableNumber, a number is comparable when it is a
// finite float64 whose decimal form (Java's Double.toString) has exactly the
// value of lit:
// 300, 300.0 and 3e2 are comparable and equal, while 12345678901234567890
// (an account number, say) is not and only ever matches its own text.
// Keys order like the numbers; -0 is 0, as Java's BigDecimal has no negative
// zero.
func comparableKey(lit []byte) (uint64, bool) {
	n := numberLen(lit)
	if n <= 0 || n != len(lit) {
		return 0, false
	}
	var f float64
	if v, ok := smallInteger(lit); ok {
		f = v
	} else {
		v, err := strconv.ParseFloat(string(lit), 64)
		if err != nil {
			return 0, false
		}
		var buf, two [32]byte
		repr := strconv.AppendFloat(buf[:0], v, 'e', -1, 64)
		if v != 0 && math.Abs(v) < 0x1p-1022 && bytes.IndexByte(repr, '.') < 0 {
			// Java's Double.toString writes at least two digits and picks
			// the closest such decimal, which for subnormal numbers may
			// differ from the shortest one: 4.9E-324, not 5e-324.
			d := strconv.AppendFloat(two[:0], v, 'e', 1, 64)
			if back, err := strconv.ParseFloat(string(d), 64); err == nil && back == v {
				repr = d
			}
		}
		if !sameDecimal(lit, repr) {
			return 0, false
		}
		f = v
	}
	if f == 0 {
		f = 0 // drop the sign of -0
	}
	return floatKey(f), true
}

// floatKey maps f to a uint64 whose unsigned order is the order of f.
func floatKey(f float64) uint64 {
	bits := math.Float64bits(f)
	if bits>>63 == 0 {
		return bits | 1<<63
	}
	return ^bits
}

// smallInteger converts an integer literal of at most 15 digits, which is
// always exactly representable, without going through strconv.
func smallInteger(lit []byte) (float64, bool) {
	neg := lit[0] == '-'
	digits := lit
	if neg {
		digits = lit[1:]
	}
	if len(digits) > 15 {
		return 0, false
	}
	var v int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		return -float64(v), true
	}
	return float64(v), true
}

// decimal is a view of the significant digits of a number literal: the
// value is 0.d1d2d3... × 10^exp, negated when neg is set.
type decimal struct {
	neg        bool
	whole      []byte // digits before the point
	frac       []byte // digits after the point
	lead, size int    // significant digits are digit(lead) ... digit(lead+size-1)
	exp        int64
}

func (d *decimal) digit(i int) byte {
	if i < len(d.whole) {
		return d.whole[i]
	}
	return d.frac[i-len(d.whole)]
}

// parseDecimal splits a valid JSON number literal (or strconv's 'e' format)
// into a decimal; zero has size 0.
func parseDecimal(s []byte) decimal {
	var d decimal
	if s[0] == '-' {
		d.neg = true
		s = s[1:]
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	d.whole = s[:i]
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		d.frac = s[i+1 : j]
		i = j
	}
	var exp int64
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		negExp := false
		if s[i] == '+' || s[i] == '-' {
			negExp = s[i] == '-'
			i++
		}
		for ; i < len(s); i++ {
			if exp < 1<<40 {
				exp = exp*10 + int64(s[i]-'0')
			}
		}
		if negExp {
			exp = -exp
		}
	}
	total := len(d.whole) + len(d.frac)
	for d.lead < total && d.digit(d.lead) == '0' {
		d.lead++
	}
	end := total
	for end > d.lead && d.digit(end-1) == '0' {
		end--
	}
	d.size = end - d.lead
	d.exp = exp + int64(len(d.whole)-d.lead)
	return d
}

// sameDecimal reports whether two number literals have the same value.
func sameDecimal(a, b []byte) bool {
	x, y := parseDecimal(a), parseDecimal(b)
	if x.size == 0 || y.size == 0 {
		return x.size == y.size
	}
	if x.neg != y.neg || x.exp != y.exp || x.size != y.size {
		return false
	}
	for i := 0; i < x.size; i++ {
		if x.digit(x.lead+i) != y.digit(y.lead+i) {
			return false
		}
	}
	return true
}
