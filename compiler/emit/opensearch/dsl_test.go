package opensearch

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// queryKeys lists the query types the emitter writes and, for each, the
// keys allowed inside its field object (nil: the query has no field
// object; its own keys are checked by validQuery).
var queryKeys = map[string][]string{
	"term":     {"value", "case_insensitive"},
	"prefix":   {"value", "case_insensitive"},
	"wildcard": {"value", "case_insensitive"},
	"regexp":   {"value"},
	"range":    {"gt", "gte", "lt", "lte", "format"},
	"terms":    nil,
	"exists":   nil,
	"script":   nil,
	"bool":     nil,

	"match_all":  nil,
	"match_none": nil,
}

// validQuery checks that q, decoded from JSON, is a query the emitter's
// query types can form: one query type per object, known keys, values of
// the expected JSON types. It returns the query types it saw.
func validQuery(q any, at string, seen map[string]bool) error {
	m, ok := q.(map[string]any)
	if !ok || len(m) != 1 {
		return fmt.Errorf("%s: a query is an object with one query type, got %v", at, q)
	}
	for typ, body := range m {
		at := at + "." + typ
		if _, ok := queryKeys[typ]; !ok {
			return fmt.Errorf("%s: query type %q is not one the emitter writes", at, typ)
		}
		seen[typ] = true
		b, ok := body.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: body is not an object", at)
		}
		switch typ {
		case "match_all", "match_none":
			if len(b) != 0 {
				return fmt.Errorf("%s: unexpected keys %v", at, b)
			}
		case "bool":
			if len(b) == 0 {
				return fmt.Errorf("%s: empty bool", at)
			}
			for k, v := range b {
				switch k {
				case "filter", "must_not", "should":
					kids, ok := v.([]any)
					if !ok || len(kids) == 0 {
						return fmt.Errorf("%s.%s: not a non-empty array", at, k)
					}
					for i, kid := range kids {
						if err := validQuery(kid, fmt.Sprintf("%s.%s[%d]", at, k, i), seen); err != nil {
							return err
						}
					}
				case "minimum_should_match":
					if v != 1.0 {
						return fmt.Errorf("%s: minimum_should_match %v", at, v)
					}
				default:
					return fmt.Errorf("%s: unexpected bool key %q", at, k)
				}
			}
			if _, ok := b["should"]; ok != (b["minimum_should_match"] != nil) {
				return fmt.Errorf("%s: should without minimum_should_match, or the reverse", at)
			}
		case "exists":
			if f, ok := b["field"].(string); !ok || f == "" || len(b) != 1 {
				return fmt.Errorf("%s: malformed exists %v", at, b)
			}
		case "script":
			s, ok := b["script"].(map[string]any)
			if !ok || len(b) != 1 || s["lang"] != "painless" || s["source"] != fieldRefScript {
				return fmt.Errorf("%s: not the fieldref script: %v", at, b)
			}
		case "terms":
			if len(b) != 1 {
				return fmt.Errorf("%s: terms of %d fields", at, len(b))
			}
			for f, vs := range b {
				list, ok := vs.([]any)
				if f == "" || !ok || len(list) == 0 {
					return fmt.Errorf("%s: malformed terms %v", at, b)
				}
				for _, v := range list {
					if err := scalar(v); err != nil {
						return fmt.Errorf("%s: %v", at, err)
					}
				}
			}
		default: // one field, an object of known keys
			if len(b) != 1 {
				return fmt.Errorf("%s: %d fields", at, len(b))
			}
			for f, v := range b {
				fo, ok := v.(map[string]any)
				if f == "" || !ok || len(fo) == 0 {
					return fmt.Errorf("%s: malformed field object %v", at, b)
				}
				for k, x := range fo {
					if !slices.Contains(queryKeys[typ], k) {
						return fmt.Errorf("%s.%s: unexpected key %q", at, f, k)
					}
					switch {
					case k == "case_insensitive":
						if x != true {
							return fmt.Errorf("%s.%s: case_insensitive %v", at, f, x)
						}
					case k == "format":
						if x != "epoch_millis" {
							return fmt.Errorf("%s.%s: format %v", at, f, x)
						}
					case typ == "range":
						if _, num := x.(float64); !num && !strings.HasPrefix(fmt.Sprint(x), "{{period_end}}") {
							return fmt.Errorf("%s.%s: range bound %v is neither a number nor the monitor's period", at, f, x)
						}
					case typ == "term":
						if err := scalar(x); err != nil {
							return fmt.Errorf("%s.%s: %v", at, f, err)
						}
					default:
						if _, ok := x.(string); !ok {
							return fmt.Errorf("%s.%s: %s value %v is not a string", at, f, typ, x)
						}
					}
				}
				if _, ok := fo["value"]; !ok && typ != "range" {
					return fmt.Errorf("%s.%s: no value", at, f)
				}
			}
		}
	}
	return nil
}

func scalar(v any) error {
	switch v.(type) {
	case string, float64, bool:
		return nil
	}
	return fmt.Errorf("value %v (%T) is not a string, number or boolean", v, v)
}

// checkDSL round-trips q through JSON and checks its shape.
func checkDSL(t *testing.T, id string, q any) {
	t.Helper()
	b, err := json.Marshal(q)
	if err != nil {
		t.Errorf("%s: %v", id, err)
		return
	}
	var back any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Errorf("%s: the query DSL is not JSON: %v", id, err)
		return
	}
	if err := validQuery(back, "query", map[string]bool{}); err != nil {
		t.Errorf("%s: %v\n%s", id, err, b)
	}
}

func TestValidQuery(t *testing.T) {
	for _, bad := range []string{
		`{"nested":{"path":"a","query":{"match_all":{}}}}`,
		`{"match":{"a":"b"}}`,
		`{"query_string":{"query":"a:b"}}`,
		`{"term":{"a":{"value":"b"}},"exists":{"field":"a"}}`,
		`{"bool":{"must":[{"match_all":{}}]}}`,
		`{"bool":{"should":[{"match_all":{}}]}}`,
		`{"term":{"a":{"value":"b","boost":2}}}`,
		`{"range":{"a":{"gte":"now-1d"}}}`,
		`{"script":{"script":{"lang":"painless","source":"true"}}}`,
	} {
		var q any
		if err := json.Unmarshal([]byte(bad), &q); err != nil {
			t.Fatal(err)
		}
		if err := validQuery(q, "query", map[string]bool{}); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}
