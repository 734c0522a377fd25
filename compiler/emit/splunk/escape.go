package splunk

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// One function per lexical context of SPL. Each either escapes its input
// completely or reports that the context cannot hold it; none passes
// anything through unchecked.

// evalString renders s as a string literal of eval and where ("..." with \\
// and \"). Eval strings have no escape for control characters, so those are
// refused: callers fall back to a regular expression, which can name them.
func evalString(s string) (string, bool) {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '\\' || r == '"':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || r == utf8.RuneError:
			return "", false
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String(), true
}

// searchValue renders s as a quoted value of the search command
// (field="..."). The search command reads * as a wildcard even inside
// quotes and has no escape for it, so values with * are refused, as are
// control characters.
func searchValue(s string) (string, bool) {
	if strings.ContainsRune(s, '*') {
		return "", false
	}
	return evalString(s)
}

// evalField renders a field name for eval and where: single quotes, which
// make dots and braces part of the name (a bare a.b would be the
// concatenation of a and b). SPL has no escape inside '...', so names with a
// quote, a backslash or a control character are refused.
func evalField(name string) (string, bool) {
	if name == "" || strings.ContainsAny(name, `'"\`+"`") || hasControl(name) {
		return "", false
	}
	return "'" + name + "'", true
}

var bareField = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.{}]*$`)

// searchField renders a field name for the search command, which takes only
// bare names: it refuses the others (their terms stay in the where clause).
func searchField(name string) (string, bool) {
	if bareField.MatchString(name) {
		return name, true
	}
	return "", false
}

// byField renders a field name in a BY clause of stats or streamstats:
// bare, or in double quotes.
func byField(name string) (string, bool) {
	if bareField.MatchString(name) {
		return name, true
	}
	if strings.ContainsAny(name, `"\`) || hasControl(name) {
		return "", false
	}
	return `"` + name + `"`, true
}

// confValue renders a free-text setting of savedsearches.conf on one line:
// runs of white space (newlines included) become one space, and trailing
// backslashes, which .conf reads as a line continuation, are dropped.
func confValue(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.TrimRight(s, `\`)
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return true
		}
	}
	return false
}
