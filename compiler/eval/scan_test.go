package eval

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tidwall/gjson"

	"github.com/socc-dev/socc/compiler/event"
)

// TestCursorSamples checks that event.Cursor reads every recorded sample
// record's members as gjson does.
func TestCursorSamples(t *testing.T) {
	type member struct{ Key, Val string }
	for _, e := range samples(t) {
		var want, got []member
		e.Record.ForEach(func(k, v gjson.Result) bool {
			want = append(want, member{k.Str, v.Raw})
			return true
		})
		var c event.Cursor
		c.Reset(e.Record.Raw)
		for {
			k, v, ok := c.Next()
			if !ok {
				break
			}
			got = append(got, member{k, v})
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%s:%d (-gjson +cursor):\n%s", e.File, e.Line, diff)
		}
	}
}

func TestDuplicateKeys(t *testing.T) {
	e := ev(t, `{"eventName":"First","eventSource":"s","eventName":"Second"}`)
	if !Eval(eq("eventName", "First"), e) || Eval(eq("eventName", "Second"), e) {
		t.Errorf("a duplicated key must have its first value")
	}
	// The same through the top-level cursor, after another key was read.
	p := eq("eventSource", "s")
	m := Compile(progOf(and(p, eq("eventName", "First"))))
	if got := m.Match(e, nil); len(got) != 1 {
		t.Errorf("Match = %v", got)
	}
}
