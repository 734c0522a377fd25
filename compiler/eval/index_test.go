package eval

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/socc-dev/socc/compiler/ir"
)

func TestRequire(t *testing.T) {
	name := indexKeys[0]
	tests := []struct {
		name string
		x    ir.Expr
		want []string // nil: no requirement
	}{
		{"equals", eq("eventName", "A"), []string{"A"}},
		{"equals list", eq("eventName", "A", "B"), []string{"A", "B"}},
		{"other field", eq("eventSource", "A"), nil},
		{"fold", mk("eventName", ir.OpEquals, "i", "A"), nil},
		{"prefix", mk("eventName", ir.OpPrefix, "", "A"), nil},
		{"number value", eq("eventName", "A", 1), nil},
		{"all", mk("eventName", ir.OpEquals, "all", "A", "B"), []string{"A", "B"}},
		{"and any child", and(eq("eventSource", "s"), eq("eventName", "A")), []string{"A"}},
		{"and smallest", and(eq("eventName", "A", "B"), eq("eventName", "B")), []string{"B"}},
		{"or all children", or(eq("eventName", "A"), and(eq("eventName", "B"), eq("x", 1))), []string{"A", "B"}},
		{"or missing child", or(eq("eventName", "A"), eq("eventSource", "s")), nil},
		{"or dedupe", or(eq("eventName", "B", "A"), eq("eventName", "A")), []string{"A", "B"}},
		{"not", not(eq("eventName", "A")), nil},
		{"and with not", and(not(eq("eventName", "A")), eq("eventName", "B")), []string{"B"}},
		{"empty or", or(), []string{}},
		{"empty and", and(), nil},
		{"fieldref", &ir.FieldRef{Field: mustPath("eventName"), Other: mustPath("x")}, nil},
		{"envelope path is another key", eq("$.eventName", "A"), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := require(tc.x, name)
			if !ok {
				got = nil
			} else if got == nil {
				got = []string{}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("require (-want +got):\n%s", diff)
			}
		})
	}
}

// TestIndexSkips checks that a detection indexed by eventName is only
// evaluated for events with one of its names, and that the index picks the
// key the brief asks for.
func TestIndexSkips(t *testing.T) {
	p := &ir.Program{Detections: []*ir.Detection{
		detection("by-name", and(eq("eventSource", "iam.amazonaws.com"), eq("eventName", "CreateAccessKey"))),
		detection("by-source", and(eq("eventSource", "iam.amazonaws.com"), not(eq("eventName", "CreateAccessKey")))),
		detection("by-envelope-source", eq("$.source", "aws.guardduty")),
		detection("by-detail-type", or(eq("$.detail-type", "GuardDuty Finding"), eq("$.detail-type", "X"))),
		detection("unindexed", mk("eventName", ir.OpPrefix, "", "Create")),
		detection("names", or(eq("eventName", "DeleteUser"), eq("eventName", "CreateAccessKey", "CreateUser"))),
		detection("never", and(eq("eventName", "CreateAccessKey"), or())),
	}}
	m := Compile(p)
	if diff := cmp.Diff([]int32{4}, m.unindexed); diff != "" {
		t.Errorf("unindexed (-want +got):\n%s", diff)
	}
	var evaluated []int
	m.onEval = func(i int) { evaluated = append(evaluated, i) }
	tests := []struct {
		event     string
		evaluated []int
		matched   []int
	}{
		{`{"eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey"}`, []int{0, 1, 4, 5}, []int{0, 4, 5}}, // 6 requires the empty set,
		{`{"eventSource":"iam.amazonaws.com","eventName":"CreateUser"}`, []int{1, 4, 5}, []int{1, 4, 5}},
		{`{"eventSource":"iam.amazonaws.com","eventName":"ListUsers"}`, []int{1, 4}, []int{1}},
		{`{"eventSource":"s3.amazonaws.com","eventName":"GetObject"}`, []int{4}, nil},
		{`{"version":"0","id":"x","detail-type":"GuardDuty Finding","source":"aws.guardduty","detail":{"type":"T"}}`, []int{2, 3, 4}, []int{2, 3}},
	}
	for _, tc := range tests {
		evaluated = nil
		got := m.Match(ev(t, tc.event), nil)
		if diff := cmp.Diff(tc.evaluated, evaluated); diff != "" {
			t.Errorf("%s: evaluated (-want +got):\n%s", tc.event, diff)
		}
		if diff := cmp.Diff(tc.matched, got); diff != "" {
			t.Errorf("%s: matched (-want +got):\n%s", tc.event, diff)
		}
	}
}

// syntheticDetections returns n detections in the style of the bundled
// library, over the event names and sources found in events: most indexed
// by eventName, some by eventSource or the envelope, one in twenty
// unindexed.
func syntheticDetections(names, sources []string, n int) []*ir.Detection {
	var out []*ir.Detection
	for i := range n {
		name := names[i%len(names)]
		src := sources[i%len(sources)]
		var x ir.Expr
		switch i % 20 {
		case 19: // unindexed
			x = and(mk("userAgent", ir.OpContains, "i", "aws-cli", "boto3"), mk("errorCode", ir.OpExists, "", true))
		case 7: // by eventSource, with a not
			x = and(eq("eventSource", src), not(eq("readOnly", true)), mk("userIdentity.type", ir.OpEquals, "", "IAMUser", "AssumedRole"))
		case 13: // by envelope
			x = and(eq("$.source", "aws.securityhub"), eq("Compliance.Status", "FAILED"), mk("Severity.Label", ir.OpEquals, "", "HIGH", "CRITICAL"))
		case 17:
			x = and(eq("$.detail-type", "AWS Console Signin via CloudTrail"), eq("responseElements.ConsoleLogin", "Failure"))
		default:
			x = and(
				eq("eventSource", src),
				or(eq("eventName", name), eq("eventName", names[(i*7+3)%len(names)])),
				not(mk("sourceIPAddress", ir.OpCIDR, "", "10.0.0.0/8")),
				or(mk("userIdentity.arn", ir.OpWildcard, "", "arn:aws:iam::*:root"), mk("userIdentity.type", ir.OpEquals, "", "IAMUser", "AssumedRole", "Root")),
			)
		}
		d := detection(fmt.Sprintf("d%03d", i), x)
		if i%10 == 5 {
			d.Exceptions = []*ir.Exception{{Name: "ci", Cond: mk("userIdentity.arn", ir.OpSuffix, "", ":user/ci")}}
		}
		out = append(out, d)
	}
	return out
}

// namesAndSources returns the distinct eventName and eventSource values of
// events, sorted.
func namesAndSources(t testing.TB) ([]string, []string) {
	var names, sources []string
	for _, e := range samples(t) {
		if n := e.Record.Get("eventName"); n.Type == 3 /* gjson.String */ {
			names = append(names, n.Str)
		}
		if s := e.Record.Get("eventSource"); s.Type == 3 {
			sources = append(sources, s.Str)
		}
	}
	slices.Sort(names)
	slices.Sort(sources)
	return slices.Compact(names), slices.Compact(sources)
}

// TestIndexEquivalence checks that the index changes nothing: over every
// recorded sample event, the matches with and without it are identical.
func TestIndexEquivalence(t *testing.T) {
	events := samples(t)
	if len(events) < 600 {
		t.Fatalf("only %d sample events", len(events))
	}
	names, sources := namesAndSources(t)
	p := &ir.Program{Detections: syntheticDetections(names, sources, 400)}
	// Add detections over the operators on fields the samples have.
	p.Detections = append(p.Detections,
		detection("x-fold", mk("eventName", ir.OpEquals, "i", "consolelogin")),
		detection("x-fieldref", &ir.FieldRef{Field: mustPath("requestParameters.userName"), Other: mustPath("userIdentity.userName")}),
		detection("x-region", and(eq("$.region", "us-east-1"), eq("eventName", "AssumeRole"))),
		detection("x-gd", and(eq("$.source", "aws.guardduty"), mk("severity", ir.OpGTE, "", 5))),
		detection("x-sh-all", and(eq("$.source", "aws.securityhub"), mk("Types", ir.OpPrefix, "", "Software and Configuration Checks"))),
	)
	indexed := Compile(p)
	full := Compile(p)
	full.noIndex = true
	matches := 0
	evaluatedIndexed, evaluatedFull := 0, 0
	indexed.onEval = func(int) { evaluatedIndexed++ }
	full.onEval = func(int) { evaluatedFull++ }
	for i, e := range events {
		a := indexed.Match(e, nil)
		b := full.Match(e, nil)
		if !slices.Equal(a, b) {
			t.Fatalf("event %d (%s:%d): index %v, no index %v", i, e.File, e.Line, a, b)
		}
		matches += len(a)
	}
	if matches < 100 {
		t.Errorf("only %d matches: the synthetic detections do not exercise the samples", matches)
	}
	t.Logf("%d events, %d detections, %d matches; evaluated %d with the index, %d without",
		len(events), len(p.Detections), matches, evaluatedIndexed, evaluatedFull)
	if evaluatedIndexed*5 > evaluatedFull {
		t.Errorf("index evaluated %d detections, no index %d", evaluatedIndexed, evaluatedFull)
	}
}

func TestMatchBuffer(t *testing.T) {
	p := &ir.Program{Detections: []*ir.Detection{
		detection("a", eq("eventName", "A")),
		detection("b", eq("eventName", "A")),
	}}
	m := Compile(p)
	buf := []int{99}
	got := m.Match(ev(t, `{"eventName":"A"}`), buf)
	if diff := cmp.Diff([]int{99, 0, 1}, got); diff != "" {
		t.Errorf("Match appends (-want +got):\n%s", diff)
	}
}

func TestMatchConcurrent(t *testing.T) {
	events := samples(t)
	names, sources := namesAndSources(t)
	p := &ir.Program{Detections: syntheticDetections(names, sources, 100)}
	m := Compile(p)
	want := make([][]int, len(events))
	for i, e := range events {
		want[i] = m.Match(e, nil)
	}
	done := make(chan error)
	for range 4 {
		go func() {
			for i, e := range events {
				if got := m.Match(e, nil); !slices.Equal(got, want[i]) {
					done <- fmt.Errorf("event %d: %v, want %v", i, got, want[i])
					return
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
