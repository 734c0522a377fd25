package eval

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/socc-dev/socc/compiler/event"
	"github.com/socc-dev/socc/compiler/ir"
)

// Alert is what a detection raises: one matching event, or the events of a
// threshold group when it reaches its count.
type Alert struct {
	Detection   *ir.Detection
	Events      []*event.Event // the matching event, or a threshold group's events in time order
	Level       ir.Level       // base level raised by escalation criteria, capped at ir.MaxLevel
	Escalations []string       // IDs of criteria that fired, sorted
}

// Run evaluates the program over events (in input order) and returns the
// alerts of each detection that raised any, by detection ID. A detection
// without a threshold raises one alert per matching event, in input order;
// one with a threshold raises alerts in the order its groups reach their
// count. m is Compile(p), or nil (or a matcher of another program): then p
// is compiled.
func Run(p *ir.Program, m *Matcher, events []*event.Event) map[string][]*Alert {
	if m == nil || m.prog != p {
		m = Compile(p)
	}
	matched := make([][]*event.Event, len(p.Detections))
	var buf []int
	for _, ev := range events {
		buf = m.Match(ev, buf[:0])
		for _, i := range buf {
			matched[i] = append(matched[i], ev)
		}
	}
	st := newState(m)
	out := map[string][]*Alert{}
	for i, d := range p.Detections {
		if len(matched[i]) == 0 {
			continue
		}
		var alerts []*Alert
		if d.Threshold == nil {
			for _, ev := range matched[i] {
				alerts = append(alerts, &Alert{Detection: d, Events: []*event.Event{ev}})
			}
		} else {
			alerts = st.threshold(d, i, matched[i])
		}
		for _, a := range alerts {
			st.escalate(a)
		}
		if len(alerts) > 0 {
			out[d.ID] = alerts
		}
	}
	return out
}

// timed is an event with its time, for ordering.
type timed struct {
	ev *event.Event
	t  time.Time
	ok bool // the event has a time
}

// Order returns events ordered by Time(): timed events by time, then the
// events without a time; input order breaks ties. This is the order in
// which thresholds see events.
func Order(events []*event.Event) []*event.Event {
	ts := order(events)
	out := make([]*event.Event, len(ts))
	for i, t := range ts {
		out[i] = t.ev
	}
	return out
}

func order(events []*event.Event) []timed {
	ts := make([]timed, len(events))
	for i, ev := range events {
		t, ok := ev.Time()
		ts[i] = timed{ev: ev, t: t, ok: ok}
	}
	slices.SortStableFunc(ts, func(a, b timed) int {
		switch {
		case a.ok && b.ok:
			return a.t.Compare(b.t)
		case a.ok:
			return -1
		case b.ok:
			return 1
		}
		return 0
	})
	return ts
}

// group is the window of one threshold group.
type group struct {
	events []timed
	keys   [][]string     // distinct value keys of each event (distinct thresholds)
	counts map[string]int // distinct value key -> events in the window holding it
}

// threshold turns the matching events of detection d (index i) into alerts.
// Events are taken in Order; an event without a time is taken to happen
// after every timed event, at one instant shared by all untimed events.
func (st *state) threshold(d *ir.Detection, i int, events []*event.Event) []*Alert {
	t := d.Threshold
	count := max(t.Count, 1)
	by, dist := st.m.byPaths[i], st.m.distinct[i]
	groups := map[string]*group{}
	var alerts []*Alert
	var kb strings.Builder
	for _, te := range order(events) {
		st.reset(te.ev)
		kb.Reset()
		for j, slot := range by {
			if j > 0 {
				kb.WriteByte(0x1f)
			}
			writeKeys(&kb, st.values(slot))
		}
		key := kb.String()
		g := groups[key]
		if g == nil {
			g = &group{counts: map[string]int{}}
			groups[key] = g
		}
		// Evict what is no longer within the window of te.
		n := 0
		for n < len(g.events) && !within(g.events[n], te, t.Window) {
			if dist >= 0 {
				for _, k := range g.keys[n] {
					if g.counts[k]--; g.counts[k] == 0 {
						delete(g.counts, k)
					}
				}
			}
			n++
		}
		g.events = g.events[n:]
		if dist >= 0 {
			g.keys = g.keys[n:]
			ks := valueKeys(st.values(dist))
			g.keys = append(g.keys, ks)
			for _, k := range ks {
				g.counts[k]++
			}
		}
		g.events = append(g.events, te)
		reached := len(g.events) >= count
		if dist >= 0 {
			reached = len(g.counts) >= count
		}
		if reached {
			a := &Alert{Detection: d}
			for _, e := range g.events {
				a.Events = append(a.Events, e.ev)
			}
			alerts = append(alerts, a)
			g.events, g.keys = nil, nil
			clear(g.counts)
		}
	}
	return alerts
}

// within reports whether old is still in the window of cur: both timed and
// at most window apart, or both untimed. A window of 0 or less is unbounded.
func within(old, cur timed, window time.Duration) bool {
	if window <= 0 {
		return true
	}
	switch {
	case old.ok && cur.ok:
		return cur.t.Sub(old.t) <= window
	case !old.ok && !cur.ok:
		return true
	}
	return false
}

// writeKeys writes the typed keys of a field's values, sorted and without
// duplicates, separated by 0x1e; nothing for a missing field.
func writeKeys(b *strings.Builder, vs []gjson.Result) {
	for j, k := range valueKeys(vs) {
		if j > 0 {
			b.WriteByte(0x1e)
		}
		b.WriteString(k)
	}
}

// valueKeys returns the typed keys of values, sorted and without
// duplicates: "s" and the string, "n" and the shortest form of the number,
// "t", "f", "z" (null), or "j" and the raw text of an object.
func valueKeys(vs []gjson.Result) []string {
	ks := make([]string, 0, len(vs))
	for _, v := range vs {
		ks = append(ks, valueKey(v))
	}
	slices.Sort(ks)
	return slices.Compact(ks)
}

func valueKey(v gjson.Result) string {
	switch v.Type {
	case gjson.String:
		return "s" + v.Str
	case gjson.Number:
		return "n" + strconv.FormatFloat(v.Num, 'g', -1, 64)
	case gjson.True:
		return "t"
	case gjson.False:
		return "f"
	case gjson.Null:
		return "z"
	}
	return "j" + v.Raw
}

// escalate sets the alert's level and escalations: a criterion that applies
// to the alert's detection (its scope) fires when its condition (none: true) holds for any event of the alert and its
// distinct rule (none: true) holds over the alert's events; the level is the
// detection's base level raised by the highest raise among the criteria
// that fired, capped at ir.MaxLevel.
func (st *state) escalate(a *Alert) {
	raise := 0
	for ci, c := range st.m.prog.Criteria {
		if !c.Applies(a.Detection) {
			continue
		}
		if n := st.m.crits[ci]; n != nil {
			hit := false
			for _, ev := range a.Events {
				st.reset(ev)
				if st.eval(n) {
					hit = true
					break
				}
			}
			if !hit {
				continue
			}
		}
		if slot := st.m.critDist[ci]; slot >= 0 {
			seen := map[string]bool{}
			for _, ev := range a.Events {
				st.reset(ev)
				for _, k := range valueKeys(st.values(slot)) {
					seen[k] = true
				}
			}
			if len(seen) < c.Distinct.Min {
				continue
			}
		}
		a.Escalations = append(a.Escalations, c.ID)
		raise = max(raise, c.Raise)
	}
	slices.Sort(a.Escalations)
	a.Level = min(ir.MaxLevel, a.Detection.Severity.Level+ir.Level(raise))
}
