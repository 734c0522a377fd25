package eventpattern

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// lexer is a strict JSON (RFC 8259) scanner over a byte slice. Strings are
// decoded the way encoding/json decodes them: invalid UTF-8 bytes and
// unpaired surrogate escapes become U+FFFD. Decoded strings alias the input
// when no decoding is needed and are otherwise written to buf.
type lexer struct {
	data []byte
	pos  int
	buf  []byte
}

// jsonError describes malformed JSON at a byte offset of the input.
type jsonError struct {
	msg    string
	offset int
}

func (e *jsonError) Error() string {
	return fmt.Sprintf("%s at offset %d", e.msg, e.offset)
}

func (l *lexer) errorf(format string, args ...any) error {
	return &jsonError{msg: fmt.Sprintf(format, args...), offset: l.pos}
}

// unexpected reports the byte at the current position, or the end of input.
func (l *lexer) unexpected(context string) error {
	if l.pos >= len(l.data) {
		return l.errorf("unexpected end of JSON input")
	}
	return l.errorf("invalid character %q %s", l.data[l.pos], context)
}

func (l *lexer) skipSpace() {
	for l.pos < len(l.data) {
		switch l.data[l.pos] {
		case ' ', '\t', '\n', '\r':
			l.pos++
		default:
			return
		}
	}
}

// atEnd reports whether only white space is left.
func (l *lexer) atEnd() bool {
	l.skipSpace()
	return l.pos >= len(l.data)
}

// peek returns the next non-space byte without consuming it, or 0 at the end.
func (l *lexer) peek() byte {
	l.skipSpace()
	if l.pos >= len(l.data) {
		return 0
	}
	return l.data[l.pos]
}

// readString consumes the string literal at the current position and
// returns its decoded value, wrapped in double quotes when quoted is true
// (the form event-ruler uses for string values).
func (l *lexer) readString(quoted bool) ([]byte, error) {
	start := l.pos + 1
	i := start
	for i < len(l.data) {
		c := l.data[i]
		switch {
		case c == '"':
			l.pos = i + 1
			if quoted {
				return l.data[start-1 : i+1 : i+1], nil
			}
			return l.data[start:i:i], nil
		case c == '\\' || c < 0x20:
			return l.readStringSlow(start, i, quoted)
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(l.data[i:])
			if r == utf8.RuneError && size == 1 {
				return l.readStringSlow(start, i, quoted)
			}
			i += size
		}
	}
	l.pos = i
	return nil, l.errorf("unexpected end of JSON input")
}

// readStringSlow decodes a string literal that contains escapes or invalid
// UTF-8; data[start:i] has already been checked and needs no decoding.
func (l *lexer) readStringSlow(start, i int, quoted bool) ([]byte, error) {
	mark := len(l.buf)
	if quoted {
		l.buf = append(l.buf, '"')
	}
	l.buf = append(l.buf, l.data[start:i]...)
	for i < len(l.data) {
		c := l.data[i]
		switch {
		case c == '"':
			l.pos = i + 1
			if quoted {
				l.buf = append(l.buf, '"')
			}
			return l.buf[mark:len(l.buf):len(l.buf)], nil
		case c == '\\':
			l.pos = i
			n, err := l.decodeEscape(i)
			if err != nil {
				return nil, err
			}
			i = n
		case c < 0x20:
			l.pos = i
			return nil, l.errorf("invalid control character %q in string literal", c)
		case c < utf8.RuneSelf:
			l.buf = append(l.buf, c)
			i++
		default:
			r, size := utf8.DecodeRune(l.data[i:])
			if r == utf8.RuneError && size == 1 {
				l.buf = utf8.AppendRune(l.buf, utf8.RuneError)
			} else {
				l.buf = append(l.buf, l.data[i:i+size]...)
			}
			i += size
		}
	}
	l.pos = i
	return nil, l.errorf("unexpected end of JSON input")
}

// decodeEscape appends the character of the escape sequence at data[i] to
// buf and returns the index after the sequence.
func (l *lexer) decodeEscape(i int) (int, error) {
	if i+1 >= len(l.data) {
		l.pos = len(l.data)
		return 0, l.errorf("unexpected end of JSON input")
	}
	switch c := l.data[i+1]; c {
	case '"', '\\', '/':
		l.buf = append(l.buf, c)
	case 'b':
		l.buf = append(l.buf, '\b')
	case 'f':
		l.buf = append(l.buf, '\f')
	case 'n':
		l.buf = append(l.buf, '\n')
	case 'r':
		l.buf = append(l.buf, '\r')
	case 't':
		l.buf = append(l.buf, '\t')
	case 'u':
		r, ok := hex4(l.data[i+2:])
		if !ok {
			l.pos = i
			return 0, l.errorf("invalid \\u escape in string literal")
		}
		i += 6
		if utf16.IsSurrogate(r) {
			// A valid pair is consumed whole; anything else decodes to
			// U+FFFD, as encoding/json does.
			if len(l.data) >= i+6 && l.data[i] == '\\' && l.data[i+1] == 'u' {
				if r2, ok := hex4(l.data[i+2:]); ok {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						l.buf = utf8.AppendRune(l.buf, dec)
						return i + 6, nil
					}
				}
			}
			r = utf8.RuneError
		}
		l.buf = utf8.AppendRune(l.buf, r)
		return i, nil
	default:
		l.pos = i
		return 0, l.errorf("invalid escape character %q in string literal", c)
	}
	return i + 2, nil
}

// hex4 decodes the four hexadecimal digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// plainStringByte marks the bytes that may appear in a string literal
// without ending it or starting an escape.
var plainStringByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// skipString consumes a string literal without decoding it.
func (l *lexer) skipString() error {
	i := l.pos + 1
	for i < len(l.data) {
		for i < len(l.data) && plainStringByte[l.data[i]] {
			i++
		}
		if i == len(l.data) {
			break
		}
		c := l.data[i]
		switch {
		case c == '"':
			l.pos = i + 1
			return nil
		case c == '\\':
			if i+1 >= len(l.data) {
				l.pos = len(l.data)
				return l.errorf("unexpected end of JSON input")
			}
			switch l.data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if _, ok := hex4(l.data[i+2:]); !ok {
					l.pos = i
					return l.errorf("invalid \\u escape in string literal")
				}
				i += 6
			default:
				l.pos = i
				return l.errorf("invalid escape character %q in string literal", l.data[i+1])
			}
		default: // a control character
			l.pos = i
			return l.errorf("invalid control character %q in string literal", c)
		}
	}
	l.pos = i
	return l.errorf("unexpected end of JSON input")
}

// readNumber consumes a number literal and returns its text.
func (l *lexer) readNumber() ([]byte, error) {
	start := l.pos
	n := numberLen(l.data[start:])
	if n <= 0 {
		l.pos = start - n
		return nil, l.unexpected("in numeric literal")
	}
	l.pos = start + n
	return l.data[start:l.pos:l.pos], nil
}

// numberLen returns the length of the JSON number at the start of b, or,
// when b does not start with a valid number, minus the offset of the first
// offending byte.
func numberLen(b []byte) int {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	default:
		return -i
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return -i
		}
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return -i
		}
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	}
	return i
}

// readLiteral consumes true, false or null and returns its text.
func (l *lexer) readLiteral() ([]byte, error) {
	for _, lit := range [...]string{"true", "false", "null"} {
		if len(l.data)-l.pos >= len(lit) && string(l.data[l.pos:l.pos+len(lit)]) == lit {
			start := l.pos
			l.pos += len(lit)
			return l.data[start:l.pos:l.pos], nil
		}
	}
	return nil, l.unexpected("looking for beginning of value")
}

// skipValue consumes one value, checking its syntax; depth is the nesting
// level of the value.
func (l *lexer) skipValue(depth int) error {
	switch l.peek() {
	case '{':
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
			if err := l.skipString(); err != nil {
				return err
			}
			if l.peek() != ':' {
				return l.unexpected("after object key")
			}
			l.pos++
			if err := l.skipValue(depth + 1); err != nil {
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
	case '[':
		if depth > MaxNestingDepth {
			return l.errorf("nesting deeper than %d levels", MaxNestingDepth)
		}
		l.pos++
		if l.peek() == ']' {
			l.pos++
			return nil
		}
		for {
			if err := l.skipValue(depth + 1); err != nil {
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
	case '"':
		return l.skipString()
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		_, err := l.readNumber()
		return err
	default:
		_, err := l.readLiteral()
		return err
	}
}
