package sentinel

import (
	"fmt"
	"regexp"
	"strings"
)

// One function per lexical context of KQL.

// kqlString renders s as a KQL string literal: "..." with \\, \", \n, \r,
// \t, and \uXXXX for other control characters.
func kqlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// kqlRegex renders an RE2 pattern as a KQL string literal: verbatim
// (@"...", where only " is doubled) when it has backslashes and no control
// characters, so that the pattern reads as written; else as kqlString.
func kqlRegex(s string) string {
	if !strings.Contains(s, `\`) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return kqlString(s)
	}
	return `@"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

var (
	plainMember = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	upper       = regexp.MustCompile(`[A-Z]`)
	identifier  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	columnFunc  = regexp.MustCompile(`^(parse_json|todynamic|tostring)\(([^()]*)\)$`)
)

// member renders access to member name of a dynamic value: .name for
// camelCase names (KQL's keywords are all lower case), ["name"] otherwise.
func member(name string) string {
	if plainMember.MatchString(name) && upper.MatchString(name) {
		return "." + name
	}
	return "[" + kqlString(name) + "]"
}
