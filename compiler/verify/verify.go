// Package verify proves compiled artifacts against the same recorded events
// the detections are tested on. For each target that has an engine socc did
// not derive from its own evaluator, it runs every artifact over every
// fixture event of its detection and compares the verdicts with the
// reference evaluator: an artifact must match every event its detection
// matches (soundness), and an exact artifact no other.
package verify

import (
	"github.com/socc-dev/socc/compiler/event"
	"github.com/socc-dev/socc/compiler/ir"
)

// fixtureEvents returns the events of every test of d, each once, in test
// order.
func fixtureEvents(d *ir.Detection, fixtures map[string][]*event.Event) []sample {
	var out []sample
	seen := map[*event.Event]bool{}
	for _, t := range d.Tests {
		for _, f := range t.Events {
			for _, ev := range fixtures[f] {
				if !seen[ev] {
					seen[ev] = true
					out = append(out, sample{ev: ev, test: t, fixture: f})
				}
			}
		}
	}
	return out
}

// sample is one fixture event and where it came from.
type sample struct {
	ev      *event.Event
	test    *ir.Test
	fixture string
}
