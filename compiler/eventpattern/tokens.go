package eventpattern

// tokKind is the kind of a JSON token, as a streaming parser such as
// Jackson reports it; the pattern compiler mirrors event-ruler's
// token-by-token validation so that the first problem reported is the one
// AWS reports.
type tokKind uint8

const (
	tokEOF tokKind = iota
	tokObjectStart
	tokObjectEnd
	tokArrayStart
	tokArrayEnd
	tokField
	tokString
	tokNumber
	tokTrue
	tokFalse
	tokNull
)

// token is one JSON token; text is the field name, the decoded string, or
// the literal text of a number, true, false or null.
type token struct {
	kind tokKind
	text string
}

// String returns the token's text as Jackson's getText reports it, used in
// error reasons.
func (t token) String() string {
	switch t.kind {
	case tokObjectStart:
		return "{"
	case tokObjectEnd:
		return "}"
	case tokArrayStart:
		return "["
	case tokArrayEnd:
		return "]"
	case tokEOF:
		return ""
	}
	return t.text
}

// frameState tracks where a tokenStream is inside an object or array.
type frameState uint8

const (
	frameStart    frameState = iota // just after '{' or '['
	frameKey                        // after a field name, before its value
	frameAfterVal                   // after a value
)

type frame struct {
	object bool
	state  frameState
}

// tokenStream turns JSON text into tokens, checking the syntax as it goes.
type tokenStream struct {
	lx      lexer
	stack   []frame
	started bool
	// start is the offset where the last token returned by next began.
	start int
}

// next returns the next token, or a *jsonError when the input is not JSON
// or nests more than MaxNestingDepth levels.
func (ts *tokenStream) next() (token, error) {
	l := &ts.lx
	c := l.peek()
	ts.start = l.pos
	if len(ts.stack) == 0 {
		if ts.started {
			if l.pos < len(l.data) {
				return token{}, l.errorf("invalid character %q after top-level value", c)
			}
			return token{kind: tokEOF}, nil
		}
		ts.started = true
		if l.pos >= len(l.data) {
			return token{kind: tokEOF}, nil
		}
		return ts.value()
	}
	top := &ts.stack[len(ts.stack)-1]
	if top.object {
		switch top.state {
		case frameKey:
			top.state = frameAfterVal
			return ts.value()
		case frameStart:
			if c == '}' {
				return ts.pop(tokObjectEnd), nil
			}
		default:
			switch c {
			case '}':
				return ts.pop(tokObjectEnd), nil
			case ',':
				l.pos++
				c = l.peek()
				ts.start = l.pos
			default:
				return token{}, l.unexpected("after object key:value pair")
			}
		}
		if c != '"' {
			return token{}, l.unexpected("looking for beginning of object key string")
		}
		name, err := l.readString(false)
		if err != nil {
			return token{}, err
		}
		if l.peek() != ':' {
			return token{}, l.unexpected("after object key")
		}
		l.pos++
		top.state = frameKey
		return token{kind: tokField, text: string(name)}, nil
	}
	switch top.state {
	case frameStart:
		if c == ']' {
			return ts.pop(tokArrayEnd), nil
		}
	default:
		switch c {
		case ']':
			return ts.pop(tokArrayEnd), nil
		case ',':
			l.pos++
			l.peek()
			ts.start = l.pos
		default:
			return token{}, l.unexpected("after array element")
		}
	}
	top.state = frameAfterVal
	return ts.value()
}

func (ts *tokenStream) pop(kind tokKind) token {
	ts.lx.pos++
	ts.stack = ts.stack[:len(ts.stack)-1]
	return token{kind: kind}
}

// value reads the value token at the current position.
func (ts *tokenStream) value() (token, error) {
	l := &ts.lx
	switch l.peek() {
	case '{', '[':
		if len(ts.stack) >= MaxNestingDepth {
			return token{}, l.errorf("nesting deeper than %d levels", MaxNestingDepth)
		}
		object := l.data[l.pos] == '{'
		l.pos++
		ts.stack = append(ts.stack, frame{object: object})
		if object {
			return token{kind: tokObjectStart}, nil
		}
		return token{kind: tokArrayStart}, nil
	case '"':
		s, err := l.readString(false)
		if err != nil {
			return token{}, err
		}
		return token{kind: tokString, text: string(s)}, nil
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		n, err := l.readNumber()
		if err != nil {
			return token{}, err
		}
		return token{kind: tokNumber, text: string(n)}, nil
	}
	lit, err := l.readLiteral()
	if err != nil {
		return token{}, err
	}
	switch lit[0] {
	case 't':
		return token{kind: tokTrue, text: "true"}, nil
	case 'f':
		return token{kind: tokFalse, text: "false"}, nil
	}
	return token{kind: tokNull, text: "null"}, nil
}
