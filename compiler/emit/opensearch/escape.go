package opensearch

import (
	"strings"
)

// One function per lexical context: query-string phrases, terms and field
// names, and wildcard patterns. Values of the query DSL need none: the JSON
// encoder writes them.

// queryStringSpecial are the characters that a query string reserves and
// that its parsers accept behind a backslash (and space, which would end a
// term).
const queryStringSpecial = `+-!(){}[]^"?:\&|'/~* `

// phrase renders s as a quoted query-string phrase: on a keyword field, one
// exact term. Inside quotes only " and \ are special.
func phrase(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		if r == '"' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

// escapeTerm renders s as an unquoted query-string term.
func escapeTerm(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(queryStringSpecial, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// fieldName renders a field name for a query string (field:...), where it
// is an unquoted term. Query strings cannot escape < > = (range syntax) or
// control characters, so names with them are refused.
func fieldName(name string) (string, bool) {
	if name == "" || strings.ContainsAny(name, "<>=") || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", false
	}
	return escapeTerm(name), true
}

// escapeWildcard renders a literal for a wildcard query, where \ escapes
// the next character and * and ? are wildcards.
func escapeWildcard(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '\\' || r == '*' || r == '?' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// wildcardPattern translates a socc wildcard (* any run, ? one character,
// \* \? \\ literals, any other backslash a literal backslash) into a
// wildcard query pattern (where a backslash always escapes the next
// character).
func wildcardPattern(w string) string {
	var b strings.Builder
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c == '\\' && i+1 < len(w) && strings.IndexByte(`*?\`, w[i+1]) >= 0:
			b.WriteByte('\\')
			b.WriteByte(w[i+1])
			i++
		case c == '\\':
			b.WriteString(`\\`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
