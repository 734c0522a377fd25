package sentinel

import (
	"fmt"
	"regexp"
	"strconv"
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
	// mappingValue is the grammar of a mapping value: Column or
	// fn(Column), then .member and [index] steps.
	mappingValue = regexp.MustCompile(`^(?:(parse_json|todynamic|tostring)\(([A-Za-z_][A-Za-z0-9_]*)\)|([A-Za-z_][A-Za-z0-9_]*))((?:\.[A-Za-z_][A-Za-z0-9_]*|\[[0-9]{1,6}\])*)$`)
	mappingStep  = regexp.MustCompile(`\.[A-Za-z_][A-Za-z0-9_]*|\[[0-9]+\]`)
)

// mapValue is a parsed mapping value.
type mapValue struct {
	fn      string   // "", "parse_json", "todynamic" or "tostring"
	column  string   // the column
	members []string // the steps after it: member names, or "[n]"
}

// parseMappingValue parses a mapping value of the grammar the mapping
// files document; ok is false for anything else.
func parseMappingValue(s string) (v mapValue, ok bool) {
	m := mappingValue.FindStringSubmatch(s)
	if m == nil {
		return v, false
	}
	v.fn, v.column = m[1], m[2]
	if v.fn == "" {
		v.column = m[3]
	}
	for _, st := range mappingStep.FindAllString(m[4], -1) {
		if n, isMember := strings.CutPrefix(st, "."); isMember {
			v.members = append(v.members, n)
		} else {
			v.members = append(v.members, st)
		}
	}
	return v, true
}

// render writes a dynamic mapping value in KQL, each member through
// member() and each index as a decimal number.
func (v mapValue) render() string {
	s := v.column
	if v.fn != "" {
		s = v.fn + "(" + v.column + ")"
	}
	for _, st := range v.members {
		if idx, isIndex := strings.CutPrefix(st, "["); isIndex {
			n, _ := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			s += "[" + strconv.Itoa(n) + "]"
		} else {
			s += member(st)
		}
	}
	return s
}

// member renders access to member name of a dynamic value: .name for
// camelCase names (KQL's keywords are all lower case), ["name"] otherwise.
func member(name string) string {
	if plainMember.MatchString(name) && upper.MatchString(name) {
		return "." + name
	}
	return "[" + kqlString(name) + "]"
}
