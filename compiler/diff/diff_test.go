package diff

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/socc-dev/socc/compiler/emit"
	"github.com/socc-dev/socc/compiler/event"
	"github.com/socc-dev/socc/compiler/fixture"
	"github.com/socc-dev/socc/compiler/ir"
)

func eq(field, v string) *ir.Pred {
	p, _ := ir.ParsePath(field)
	return &ir.Pred{Field: p, Op: ir.OpEquals, Values: []ir.Value{{Kind: ir.String, Str: v}}}
}

func events(t *testing.T, file, js string) []*event.Event {
	t.Helper()
	evs, err := fixture.Decode(file, []byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func TestCompare(t *testing.T) {
	create := `{"eventID":"e1","eventTime":"2025-01-01T00:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser"}`
	del := `{"eventID":"e2","eventTime":"2025-01-01T00:00:00Z","eventSource":"iam.amazonaws.com","eventName":"DeleteUser"}`
	old := &Side{
		Program: &ir.Program{Detections: []*ir.Detection{
			{ID: "a-kept", Match: eq("eventName", "CreateUser")},
			{ID: "b-removed", Match: eq("eventName", "DeleteUser")},
			{ID: "c-same", Match: eq("eventName", "DeleteUser")},
		}},
		Fixtures: map[string][]*event.Event{
			"create.json": events(t, "create.json", create),
			"gone.json":   events(t, "gone.json", del), // only in the old revision: still evaluated
		},
		Files:    map[string]string{"x/a-kept": "1", "x/b-removed": "2", "x/c-same": "3"},
		Statuses: map[string]map[string]emit.Status{"a-kept": {"x": {Status: emit.Exact}}},
	}
	new := &Side{
		Program: &ir.Program{Detections: []*ir.Detection{
			{ID: "a-kept", Match: &ir.Or{X: []ir.Expr{eq("eventName", "DeleteUser")}}},
			{ID: "c-same", Match: eq("eventName", "DeleteUser")},
			{ID: "d-added", Match: eq("eventName", "CreateUser")},
		}},
		Fixtures: map[string][]*event.Event{"create.json": events(t, "create.json", create)},
		Files:    map[string]string{"x/a-kept": "9", "x/c-same": "3", "x/d-added": "4"},
		Statuses: map[string]map[string]emit.Status{"a-kept": {"x": {Status: emit.Approximate, Reason: "r"}}},
	}
	got := Compare(old, new)
	want := &Report{
		Detections: []DetectionChange{
			{ID: "a-kept", Change: "changed", What: []string{"condition"}},
			{ID: "b-removed", Change: "removed"},
			{ID: "d-added", Change: "added"},
		},
		Statuses:  []StatusChange{{Detection: "a-kept", Target: "x", Old: "exact", New: "approximate", Reason: "r"}},
		Artifacts: []ArtifactChange{{Path: "x/a-kept", Change: "changed"}, {Path: "x/b-removed", Change: "removed"}, {Path: "x/d-added", Change: "added"}},
		Verdicts: []VerdictChange{
			{Detection: "a-kept", File: "create.json", Line: 1, EventID: "e1", Old: true, New: false},
			{Detection: "a-kept", File: "gone.json", Line: 1, EventID: "e2", Old: false, New: true},
		},
		Events: 2,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Compare (-want +got):\n%s", diff)
	}
}
