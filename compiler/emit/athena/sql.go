package athena

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file holds the lexical layer: one function per lexical context of
// Trino SQL (string literal, LIKE pattern, identifier, JSONPath member,
// number), and a small expression tree whose printer is the only place
// where SQL text is produced. Values from content never reach the output
// except through these functions.

// quoteString renders s as a Trino string literal: single quotes, a single
// quote doubled, nothing else escaped (Trino, like standard SQL, has no
// backslash escapes). Control characters (U+0000 to U+001F and U+007F) are
// written as chr(n) and concatenated, so that no literal holds a raw line
// break or NUL byte; the result is then a parenthesized expression.
func quoteString(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	var parts []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			parts = append(parts, "'"+strings.ReplaceAll(cur.String(), "'", "''")+"'")
			cur.Reset()
		}
	}
	for _, r := range s {
		if isControl(r) {
			flush()
			parts = append(parts, "chr("+strconv.Itoa(int(r))+")")
			continue
		}
		cur.WriteRune(r)
	}
	flush()
	return "(" + strings.Join(parts, " || ") + ")"
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// likeEscape is the escape character of every LIKE pattern socc writes.
const likeEscape = `\`

// escapeLike escapes s for use inside a LIKE pattern whose ESCAPE character
// is backslash: %, _ and \ are preceded by a backslash.
func escapeLike(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '%' || r == '_' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// wildcardLike converts a socc wildcard (* any run, ? one character, \* \?
// \\ the literal characters, any other backslash itself) into a LIKE
// pattern with ESCAPE '\'.
func wildcardLike(w string) string {
	var b strings.Builder
	for i := 0; i < len(w); {
		c := w[i]
		switch {
		case c == '\\' && i+1 < len(w) && strings.IndexByte(`*?\`, w[i+1]) >= 0:
			b.WriteString(escapeLike(w[i+1 : i+2]))
			i += 2
		case c == '*':
			b.WriteByte('%')
			i++
		case c == '?':
			b.WriteByte('_')
			i++
		default:
			_, n := utf8.DecodeRuneInString(w[i:])
			b.WriteString(escapeLike(w[i : i+n]))
			i += n
		}
	}
	return b.String()
}

// reserved are the reserved keywords of Trino (and so of Athena DML and
// CloudTrail Lake), which must be quoted when used as identifiers.
var reserved = []string{
	"alter", "and", "as", "between", "by", "case", "cast", "constraint", "create", "cross", "cube",
	"current_catalog", "current_date", "current_path", "current_role", "current_schema", "current_time",
	"current_timestamp", "current_user", "deallocate", "delete", "describe", "distinct", "drop", "else",
	"end", "escape", "except", "execute", "exists", "extract", "false", "for", "from", "full", "group",
	"grouping", "having", "in", "inner", "insert", "intersect", "into", "is", "join", "json_array",
	"json_exists", "json_object", "json_query", "json_table", "json_value", "left", "like", "listagg",
	"localtime", "localtimestamp", "natural", "normalize", "not", "null", "on", "or", "order", "outer",
	"prepare", "recursive", "right", "rollup", "select", "skip", "table", "then", "trim", "true",
	"uescape", "union", "unnest", "using", "values", "when", "where", "with",
}

var bareIdent = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// quoteIdent renders one identifier: bare when it is a plain name that is
// not a reserved word, else in double quotes with double quotes doubled.
func quoteIdent(s string) string {
	if bareIdent.MatchString(s) && !slices.Contains(reserved, strings.ToLower(s)) {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// jsonPathMember returns the JSONPath selecting member name of an object,
// in the bracket form that Trino's json_extract reads ($["name"]), and
// false when Trino's JSONPath cannot name it reliably: a name holding a
// double quote, a backslash or a control character.
func jsonPathMember(name string) (string, bool) {
	if strings.ContainsAny(name, `"\`) || strings.ContainsFunc(name, isControl) {
		return "", false
	}
	return `$["` + name + `"]`, true
}

// jsonPathMembers returns the JSONPath selecting the members names, one
// below the other, in Trino's bracket form ($["a"]["b"]), or "" when one of
// them cannot be named reliably (see jsonPathMember).
func jsonPathMembers(names []string) string {
	out := "$"
	for _, n := range names {
		p, ok := jsonPathMember(n)
		if !ok {
			return ""
		}
		out += strings.TrimPrefix(p, "$")
	}
	return out
}

// formatNumber renders a double as a SQL numeric literal of the same value:
// an integer literal for integers below 2^53, else a double literal in
// scientific notation (which Trino types as DOUBLE).
func formatNumber(f float64) (string, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "", false
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return strconv.FormatInt(int64(f), 10), true
	}
	return strconv.FormatFloat(f, 'E', -1, 64), true
}

// sanitizeComment makes s safe inside a -- comment: control characters
// (line breaks included) become spaces.
func sanitizeComment(s string) string {
	return strings.Map(func(r rune) rune {
		if isControl(r) || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			return ' '
		}
		return r
	}, s)
}
