package verify

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/socc-dev/socc/compiler/diag"
	"github.com/socc-dev/socc/compiler/emit"
	"github.com/socc-dev/socc/compiler/eval"
	"github.com/socc-dev/socc/compiler/event"
	"github.com/socc-dev/socc/compiler/eventpattern"
	"github.com/socc-dev/socc/compiler/ir"
)

// EventBridge re-runs every emitted event pattern with the EventBridge
// pattern engine on the EventBridge envelope of every fixture event of its
// detection, and records the number of events each pattern was proven on.
func EventBridge(p *ir.Program, fixtures map[string][]*event.Event, sink *emit.Sink) diag.Diagnostics {
	var ds diag.Diagnostics
	statuses := sink.Statuses()
	for _, d := range p.Detections {
		st, ok := statuses[d.ID]["eventbridge"]
		if !ok || st.Path == "" {
			continue
		}
		src := sink.File(st.Path)
		pat, err := eventpattern.Compile(src)
		if err != nil {
			ds.Errorf(diag.At(d.Source.File, d.Source.Line, 1), diag.VerifyFailed,
				"eventbridge pattern of %s is invalid: %v", d.ID, err)
			continue
		}
		cond := d.Cond()
		n, hits := 0, 0
		for _, s := range fixtureEvents(d, fixtures) {
			env := s.ev.Envelope()
			got, err := pat.Match(env)
			if err != nil {
				ds.Errorf(diag.At(s.fixture, s.ev.Line, 1), diag.VerifyFailed, "event %s: %v", s.ev.ID, err)
				continue
			}
			want := eval.Eval(cond, s.ev)
			n++
			if got {
				hits++
			}
			switch {
			case want && !got:
				ds.Errorf(diag.At(d.Source.File, s.test.Source.Line, 1), diag.VerifyFailed,
					"eventbridge pattern of %s misses event %s of %s, which the detection matches", d.ID, s.ev.ID, s.fixture).
					WithDetail("%s", culprit(src, env)).
					WithHint("the pattern must match every event the detection matches; report this as a socc bug with the fixture")
			case got && !want && st.Status == emit.Exact:
				ds.Errorf(diag.At(d.Source.File, s.test.Source.Line, 1), diag.VerifyFailed,
					"eventbridge pattern of %s is marked exact but matches event %s of %s, which the detection does not", d.ID, s.ev.ID, s.fixture).
					WithHint("report this as a socc bug with the fixture")
			}
		}
		st.Verified = &emit.Verification{Engine: "eventpattern", Events: n, Matches: hits}
		sink.SetStatus(d.ID, "eventbridge", st)
	}
	return ds
}

// culprit names the pattern fields that the event fails, by matching the
// event against a pattern of each leaf field alone.
func culprit(pattern, envelope []byte) string {
	var p map[string]any
	if json.Unmarshal(pattern, &p) != nil {
		return ""
	}
	var failed []string
	var walk func(prefix []string, o map[string]any)
	walk = func(prefix []string, o map[string]any) {
		for k, v := range o {
			path := append(slices.Clone(prefix), k)
			switch v := v.(type) {
			case map[string]any:
				walk(path, v)
			case []any:
				if k == "$or" {
					continue
				}
				leaf := any(v)
				for i := len(path) - 1; i >= 0; i-- {
					leaf = map[string]any{path[i]: leaf}
				}
				b, _ := json.Marshal(leaf)
				if ok, err := eventpattern.TestEventPattern(b, envelope); err == nil && !ok {
					failed = append(failed, strings.Join(path, "."))
				}
			}
		}
	}
	walk(nil, p)
	slices.Sort(failed)
	if len(failed) == 0 {
		return "the event fails the pattern's $or branches"
	}
	return fmt.Sprintf("the event fails the pattern on %s", strings.Join(failed, ", "))
}
