package eventpattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"testing"
)

// maxFuzzInput is the largest fuzz input worth looking at; patterns are
// rejected beyond 4096 characters anyway.
const maxFuzzInput = 64 << 10

func FuzzCompile(f *testing.F) {
	for _, c := range loadConformance(f) {
		f.Add([]byte(c.Pattern))
	}
	f.Add([]byte(`{"$or":[{"a":[{"wildcard":"*a*"}]},{"b":{"c":[{"anything-but":{"prefix":["x"]}}]}}]}`))
	f.Fuzz(func(t *testing.T, pattern []byte) {
		if len(pattern) > maxFuzzInput {
			t.Skip()
		}
		p1, err1 := Compile(pattern)
		p2, err2 := Compile(pattern)
		if err1 != nil || err2 != nil {
			var invalid *InvalidPatternError
			if !errors.As(err1, &invalid) {
				t.Fatalf("Compile(%q) = %v, want an *InvalidPatternError", pattern, err1)
			}
			if err2 == nil || err1.Error() != err2.Error() {
				t.Fatalf("Compile(%q) is not deterministic: %v, then %v", pattern, err1, err2)
			}
			return
		}
		if !reflect.DeepEqual(p1, p2) {
			t.Fatalf("Compile(%q) is not deterministic:\n%s\nthen\n%s", pattern, p1, p2)
		}
		for _, event := range []string{`{}`, `{"a":[{"b":null}],"c":"d"}`} {
			if _, err := p1.Match([]byte(event)); err != nil {
				t.Fatalf("Match(%s): %v", event, err)
			}
		}
	})
}

func FuzzMatch(f *testing.F) {
	for _, c := range loadConformance(f) {
		f.Add([]byte(c.Pattern), []byte(c.Event))
	}
	for _, name := range []string{"testdata/cloudtrail-s3-getobject.json", "testdata/securityhub-cis23.json"} {
		event, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add([]byte(`{"detail":{"findings":{"Severity":{"Label":["CRITICAL"]}},"eventName":[{"prefix":"Get"}]}}`), event)
	}
	f.Fuzz(func(t *testing.T, pattern, event []byte) {
		if len(pattern) > maxFuzzInput || len(event) > maxFuzzInput {
			t.Skip()
		}
		p, err := Compile(pattern)
		if err != nil {
			return
		}
		got, err := p.Match(event)
		if !json.Valid(event) {
			if err == nil {
				t.Fatalf("Match accepted invalid JSON %q", event)
			}
			return
		}
		depth, dup := eventShape(event)
		if bytes.TrimLeft(event, " \t\r\n")[0] != '{' || depth > MaxNestingDepth {
			if err == nil {
				t.Fatalf("Match(%q) accepted an event that is not an object or is too deep", event)
			}
			return
		}
		if err != nil {
			t.Fatalf("Match(%q) on a valid JSON object: %v", event, err)
		}
		if dup {
			return // encoding/json keeps only the last of duplicate keys
		}
		if want := p.MatchValue(decodeEvent(t, event)); got != want {
			t.Fatalf("pattern %s, event %s: Match = %v, MatchValue = %v", pattern, event, got, want)
		}
	})
}

// eventShape returns the nesting depth of a valid JSON document and whether
// an object in it repeats a key.
func eventShape(data []byte) (depth int, dup bool) {
	type frame struct {
		keys    map[string]bool
		object  bool
		wantKey bool
	}
	var stack []frame
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			return depth, dup
		}
		var top *frame
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				if top != nil && top.object {
					top.wantKey = true
				}
				stack = append(stack, frame{keys: map[string]bool{}, object: d == '{', wantKey: true})
				depth = max(depth, len(stack))
			default:
				stack = stack[:len(stack)-1]
			}
			continue
		}
		if top == nil || !top.object {
			continue
		}
		if top.wantKey {
			key := tok.(string)
			dup = dup || top.keys[key]
			top.keys[key] = true
		}
		top.wantKey = !top.wantKey
	}
}
