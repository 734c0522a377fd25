package event

import (
	"strings"

	"github.com/tidwall/gjson"
)

// Cursor reads the members of a JSON object one at a time, without decoding
// their values: it is how the top-level members of a record are read once
// per event, and no further than the last one asked for. Keys are
// unescaped; values are the raw JSON text (a substring of the object). It
// never panics: on malformed input it stops.
type Cursor struct {
	s    string
	i    int
	done bool
}

// Reset points the cursor at the JSON object s.
func (c *Cursor) Reset(s string) {
	c.s, c.i, c.done = s, 0, false
	c.skipSpace()
	if c.i >= len(c.s) || c.s[c.i] != '{' {
		c.done = true
		return
	}
	c.i++
}

func (c *Cursor) skipSpace() {
	for c.i < len(c.s) {
		switch c.s[c.i] {
		case ' ', '\t', '\n', '\r':
			c.i++
		default:
			return
		}
	}
}

// Next returns the next member's name (unescaped) and raw value, and false
// at the end of the object.
func (c *Cursor) Next() (key, val string, ok bool) {
	if c.done {
		return "", "", false
	}
	c.skipSpace()
	if c.i < len(c.s) && c.s[c.i] == ',' {
		c.i++
		c.skipSpace()
	}
	if c.i >= len(c.s) || c.s[c.i] != '"' {
		c.done = true // '}' or malformed
		return "", "", false
	}
	end := skipString(c.s, c.i)
	if end < 0 {
		c.done = true
		return "", "", false
	}
	key = c.s[c.i+1 : end-1]
	if strings.IndexByte(key, '\\') >= 0 {
		key = gjson.Parse(c.s[c.i:end]).Str
	}
	c.i = end
	c.skipSpace()
	if c.i >= len(c.s) || c.s[c.i] != ':' {
		c.done = true
		return "", "", false
	}
	c.i++
	c.skipSpace()
	start := c.i
	end = skipValue(c.s, c.i)
	if end < 0 {
		c.done = true
		return "", "", false
	}
	c.i = end
	return key, c.s[start:end], true
}

// skipString returns the offset just past the JSON string starting at
// s[i] == '"', or -1.
func skipString(s string, i int) int {
	j := i + 1
	for {
		k := strings.IndexByte(s[j:], '"')
		if k < 0 {
			return -1
		}
		j += k
		// The quote ends the string unless an odd number of backslashes precede it.
		n := 0
		for b := j - 1; b > i && s[b] == '\\'; b-- {
			n++
		}
		if n%2 == 0 {
			return j + 1
		}
		j++
	}
}

// skipValue returns the offset just past the JSON value starting at s[i],
// or -1.
func skipValue(s string, i int) int {
	if i >= len(s) {
		return -1
	}
	switch s[i] {
	case '"':
		return skipString(s, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(s); j++ {
			switch s[j] {
			case '"':
				e := skipString(s, j)
				if e < 0 {
					return -1
				}
				j = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(s) {
		switch s[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			if j == i {
				return -1
			}
			return j
		}
		j++
	}
	if j == i {
		return -1
	}
	return j
}
