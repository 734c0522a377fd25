package eval

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/socc-dev/socc/compiler/event"
	"github.com/socc-dev/socc/compiler/fixture"
	"github.com/socc-dev/socc/compiler/ir"
	"github.com/socc-dev/socc/compiler/lower"
)

// path parses a field path or fails.
func mustPath(s string) ir.Path {
	p, ok := ir.ParsePath(s)
	if !ok {
		panic("bad path " + s)
	}
	return p
}

// val converts a Go literal to an ir.Value: string, int, float64, bool, nil.
func val(v any) ir.Value {
	switch v := v.(type) {
	case string:
		return ir.Value{Kind: ir.String, Str: v}
	case int:
		return ir.Value{Kind: ir.Number, Num: float64(v), Str: fmt.Sprint(v)}
	case float64:
		return ir.Value{Kind: ir.Number, Num: v, Str: fmt.Sprint(v)}
	case bool:
		return ir.Value{Kind: ir.Bool, Bool: v}
	case nil:
		return ir.Value{Kind: ir.Null}
	}
	panic(fmt.Sprintf("bad value %T", v))
}

// mk builds a predicate the way the lowering pass does: modifiers "i" and
// "all" are flags; values lower-cased for case-insensitive string
// comparisons; Re and Nets compiled.
func mk(field string, op ir.Op, flags string, vals ...any) *ir.Pred {
	p := &ir.Pred{Field: mustPath(field), Op: op, Fold: strings.Contains(flags, "i"), All: strings.Contains(flags, "all")}
	for _, v := range vals {
		x := val(v)
		switch {
		case op == ir.OpRegex:
			src := x.Str
			if p.Fold {
				src = "(?i)" + src
			}
			p.Re = append(p.Re, regexp.MustCompile(src))
		case op == ir.OpWildcard:
			p.Re = append(p.Re, regexp.MustCompile(lower.WildcardRegexp(x.Str, p.Fold)))
		case op == ir.OpCIDR:
			p.Nets = append(p.Nets, netip.MustParsePrefix(x.Str))
		case p.Fold && x.Kind == ir.String:
			x.Str = strings.ToLower(x.Str)
		}
		p.Values = append(p.Values, x)
	}
	return p
}

func eq(field string, vals ...any) *ir.Pred { return mk(field, ir.OpEquals, "", vals...) }

func and(x ...ir.Expr) *ir.And { return &ir.And{X: x} }
func or(x ...ir.Expr) *ir.Or   { return &ir.Or{X: x} }
func not(x ir.Expr) *ir.Not    { return &ir.Not{X: x} }

// ev decodes one JSON event (any fixture format) or fails.
func ev(t testing.TB, js string) *event.Event {
	t.Helper()
	evs, err := fixture.Decode("test.json", []byte(js))
	if err != nil || len(evs) != 1 {
		t.Fatalf("decode %s: %d events, %v", js, len(evs), err)
	}
	return evs[0]
}

// detection builds a detection with the given match.
func detection(id string, match ir.Expr) *ir.Detection {
	return &ir.Detection{ID: id, Match: match, Severity: ir.Severity{Level: 2}}
}

// samples reads every event of the recorded samples in testdata/samples:
// the panther test events and Security Hub findings that decode (the
// others are log types socc does not read), and the OTRF records.
func samples(t testing.TB) []*event.Event {
	t.Helper()
	var out []*event.Event
	lines := func(name string, field string) {
		f, err := os.Open("testdata/samples/" + name)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			data := sc.Bytes()
			if field != "" {
				var m map[string]json.RawMessage
				if err := json.Unmarshal(data, &m); err != nil {
					t.Fatal(err)
				}
				data = m[field]
			}
			evs, err := fixture.Decode(name, bytes.Clone(data))
			if err != nil {
				continue
			}
			out = append(out, evs...)
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	lines("panther-aws-tests.jsonl", "log")
	lines("securityhub-asff-findings.jsonl", "finding")
	lines("otrf-ec2-proxy-s3-exfiltration.ndjson", "")
	return out
}

// progOf returns a program of one detection with match x.
func progOf(x ir.Expr) *ir.Program {
	return &ir.Program{Detections: []*ir.Detection{detection("d", x)}}
}
