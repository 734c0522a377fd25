package validate

import (
	"encoding/json"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/socc-dev/socc/schema"
)

var printer = message.NewPrinter(language.English)

// Suggest returns the candidate closest to s when it is close enough to be a
// likely typo (Levenshtein distance below 3, or a case-insensitive match),
// and "" otherwise.
func Suggest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if strings.EqualFold(c, s) {
			return c
		}
		if d := levenshtein(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// schemaAt returns the schema object whose keyword e reports,
// read from the embedded schema source.
func schemaAt(e *jsonschema.ValidationError) *rawSchema {
	file, ptr, _ := strings.Cut(e.SchemaURL, "#")
	k := strings.TrimSuffix(file[strings.LastIndex(file, "/")+1:], ".schema.json")
	src, ok := schema.Get(k)
	if !ok {
		return nil
	}
	var v any
	if json.Unmarshal(src, &v) != nil {
		return nil
	}
	toks := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for _, t := range toks {
		if t == "" {
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			v = x[t]
		case []any:
			i := 0
			for _, c := range t {
				i = i*10 + int(c-'0')
			}
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	props, _ := m["properties"].(map[string]any)
	return &rawSchema{Properties: props}
}

type rawSchema struct {
	Properties map[string]any
}
