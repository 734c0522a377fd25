// Package diff compares two compiled revisions of a content repository, for
// review: which detections were added, removed or changed, which per-target
// statuses and artifacts changed, and on which fixture events a detection's
// verdict changed. Both revisions' detections are evaluated over the same
// events (the newer revision's fixtures, plus the older one's that no
// longer exist), so a verdict change comes from the detection, not from an
// edited fixture.
package diff

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/socc-dev/socc/compiler/emit"
	"github.com/socc-dev/socc/compiler/eval"
	"github.com/socc-dev/socc/compiler/event"
	"github.com/socc-dev/socc/compiler/ir"
)

// Side is one compiled revision.
type Side struct {
	Program  *ir.Program
	Fixtures map[string][]*event.Event // by fixture path
	Files    map[string]string         // artifact path -> SHA-256
	Statuses map[string]map[string]emit.Status
}

// Report is what changed from the old side to the new one. Every list is
// sorted and never nil.
type Report struct {
	Detections []DetectionChange `json:"detections"`
	Statuses   []StatusChange    `json:"statuses"`
	Artifacts  []ArtifactChange  `json:"artifacts"`
	Verdicts   []VerdictChange   `json:"verdicts"`
	Events     int               `json:"events"` // fixture events evaluated
}

// DetectionChange is a detection added, removed, or changed in the parts
// listed in What (condition, exceptions, threshold, level, logsource,
// runbook, attack, controls, tests).
type DetectionChange struct {
	ID     string   `json:"id"`
	Change string   `json:"change"` // "added", "removed" or "changed"
	What   []string `json:"what,omitempty"`
}

// StatusChange is a detection whose status for a target changed.
type StatusChange struct {
	Detection string `json:"detection"`
	Target    string `json:"target"`
	Old       string `json:"old"` // "" when the detection or target was absent
	New       string `json:"new"`
	Reason    string `json:"reason,omitempty"` // the new reason
}

// ArtifactChange is a compiled file added, removed or changed.
type ArtifactChange struct {
	Path   string `json:"path"`
	Change string `json:"change"`
}

// VerdictChange is a fixture event on which a detection present in both
// revisions changed its verdict.
type VerdictChange struct {
	Detection string `json:"detection"`
	File      string `json:"file"`
	Line      int    `json:"line"`
	EventID   string `json:"event_id,omitempty"`
	Old       bool   `json:"old"`
	New       bool   `json:"new"`
}

// Compare reports what changed from old to new.
func Compare(old, new *Side) *Report {
	r := &Report{Detections: []DetectionChange{}, Statuses: []StatusChange{}, Artifacts: []ArtifactChange{}, Verdicts: []VerdictChange{}}
	olds, news := byID(old.Program), byID(new.Program)
	for _, id := range sortedKeys(olds, news) {
		o, n := olds[id], news[id]
		switch {
		case o == nil:
			r.Detections = append(r.Detections, DetectionChange{ID: id, Change: "added"})
		case n == nil:
			r.Detections = append(r.Detections, DetectionChange{ID: id, Change: "removed"})
		default:
			if what := changed(o, n); len(what) > 0 {
				r.Detections = append(r.Detections, DetectionChange{ID: id, Change: "changed", What: what})
			}
		}
	}
	for _, id := range sortedKeys(old.Statuses, new.Statuses) {
		ot, nt := old.Statuses[id], new.Statuses[id]
		for _, t := range sortedKeys(ot, nt) {
			os, ns := ot[t], nt[t]
			if os.Status != ns.Status || os.Reason != ns.Reason {
				r.Statuses = append(r.Statuses, StatusChange{Detection: id, Target: t, Old: os.Status, New: ns.Status, Reason: ns.Reason})
			}
		}
	}
	for _, p := range sortedKeys(old.Files, new.Files) {
		o, inOld := old.Files[p]
		n, inNew := new.Files[p]
		switch {
		case !inOld:
			r.Artifacts = append(r.Artifacts, ArtifactChange{Path: p, Change: "added"})
		case !inNew:
			r.Artifacts = append(r.Artifacts, ArtifactChange{Path: p, Change: "removed"})
		case o != n:
			r.Artifacts = append(r.Artifacts, ArtifactChange{Path: p, Change: "changed"})
		}
	}
	r.Verdicts, r.Events = verdicts(old, new, olds, news)
	return r
}

// verdicts evaluates the detections of both sides over the same events.
func verdicts(old, new *Side, olds, news map[string]*ir.Detection) ([]VerdictChange, int) {
	var events []*event.Event
	for _, p := range sortedKeys(old.Fixtures, new.Fixtures) {
		if evs, ok := new.Fixtures[p]; ok {
			events = append(events, evs...)
		} else {
			events = append(events, old.Fixtures[p]...)
		}
	}
	om, nm := eval.Compile(old.Program), eval.Compile(new.Program)
	out := []VerdictChange{}
	var ob, nb []int
	for _, ev := range events {
		ob, nb = om.Match(ev, ob[:0]), nm.Match(ev, nb[:0])
		oset := map[string]bool{}
		for _, i := range ob {
			oset[old.Program.Detections[i].ID] = true
		}
		nset := map[string]bool{}
		for _, i := range nb {
			nset[new.Program.Detections[i].ID] = true
		}
		for _, id := range sortedKeys(oset, nset) {
			if olds[id] == nil || news[id] == nil || oset[id] == nset[id] {
				continue
			}
			out = append(out, VerdictChange{Detection: id, File: ev.File, Line: ev.Line, EventID: ev.ID, Old: oset[id], New: nset[id]})
		}
	}
	slices.SortStableFunc(out, func(a, b VerdictChange) int { return strings.Compare(a.Detection, b.Detection) })
	return out, len(events)
}

// changed lists the parts of a detection that differ.
func changed(o, n *ir.Detection) []string {
	var what []string
	parts := []struct {
		name string
		o, n any
	}{
		{"condition", ir.ExprJSON(o.Match), ir.ExprJSON(n.Match)},
		{"exceptions", exceptions(o), exceptions(n)},
		{"threshold", o.Threshold, n.Threshold},
		{"level", o.Severity.Level, n.Severity.Level},
		{"logsource", o.Logsource, n.Logsource},
		{"runbook", o.Runbook, n.Runbook},
		{"attack", o.Attack, n.Attack},
		{"controls", o.Controls, n.Controls},
		{"tests", tests(o), tests(n)},
	}
	for _, p := range parts {
		a, _ := json.Marshal(p.o)
		b, _ := json.Marshal(p.n)
		if string(a) != string(b) {
			what = append(what, p.name)
		}
	}
	return what
}

func exceptions(d *ir.Detection) any {
	var out []any
	for _, e := range d.Exceptions {
		out = append(out, []any{e.Name, e.Expires, ir.ExprJSON(e.Cond)})
	}
	return out
}

func tests(d *ir.Detection) any {
	var out []any
	for _, t := range d.Tests {
		out = append(out, []any{t.Name, t.Events, t.Expect})
	}
	return out
}

func byID(p *ir.Program) map[string]*ir.Detection {
	m := map[string]*ir.Detection{}
	for _, d := range p.Detections {
		m[d.ID] = d
	}
	return m
}

// sortedKeys returns the keys of a and b, sorted, without repeats.
func sortedKeys[V any](a, b map[string]V) []string {
	ks := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	return ks
}
