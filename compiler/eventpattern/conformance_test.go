package eventpattern

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"testing"
)

// conformanceCase is one line of testdata/conformance.jsonl, recorded
// against the EventBridge TestEventPattern API.
type conformanceCase struct {
	Name    string          `json:"name"`
	Expect  string          `json:"expect"`
	Pattern json.RawMessage `json:"pattern"`
	Event   json.RawMessage `json:"event"`
}

func loadConformance(tb testing.TB) []conformanceCase {
	tb.Helper()
	f, err := os.Open("testdata/conformance.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var cases []conformanceCase
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var c conformanceCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			tb.Fatalf("line %d: %v", len(cases)+1, err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return cases
}

// decodeEvent decodes an event the way MatchValue expects.
func decodeEvent(tb testing.TB, event []byte) any {
	tb.Helper()
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		tb.Fatalf("decode event: %v", err)
	}
	return v
}

func TestConformance(t *testing.T) {
	cases := loadConformance(t)
	if len(cases) != 104 {
		t.Fatalf("got %d conformance cases, want 104", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			p, err := Compile(c.Pattern)
			if c.Expect == "invalid" {
				var invalid *InvalidPatternError
				if !errors.As(err, &invalid) {
					t.Fatalf("Compile(%s) = %v, want *InvalidPatternError", c.Pattern, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Compile(%s): %v", c.Pattern, err)
			}
			want := c.Expect == "match"
			got, err := p.Match(c.Event)
			if err != nil {
				t.Fatalf("Match: %v", err)
			}
			if got != want {
				t.Errorf("Match(%s) against %s = %v, want %v", c.Event, c.Pattern, got, want)
			}
			if got := p.MatchValue(decodeEvent(t, c.Event)); got != want {
				t.Errorf("MatchValue = %v, want %v", got, want)
			}
		})
	}
}
