package athena

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/socc-dev/socc/compiler"
	"github.com/socc-dev/socc/compiler/emit"
	"github.com/socc-dev/socc/compiler/eval"
	"github.com/socc-dev/socc/compiler/event"
	"github.com/socc-dev/socc/compiler/ir"
)

// library loads the bundled content and compiles it.
func library(t testing.TB) (*compiler.Result, *Compiled) {
	t.Helper()
	res, ds, err := compiler.Load(context.Background(), "../../..", compiler.WithoutPolicies())
	if err != nil {
		t.Fatal(err)
	}
	if ds.HasErrors() {
		t.Fatalf("the bundled library does not load: %v", ds.Err())
	}
	c, cds := Compile(res.Program)
	if cds.HasErrors() {
		for _, d := range cds {
			t.Errorf("%s (hint: %s)", d.Error(), d.Hint)
		}
		t.FailNow()
	}
	return res, c
}

// sample is a fixture event and where it came from.
type sample struct {
	ev      *event.Event
	fixture string
}

// cloudTrailEvents returns the CloudTrail records among the fixtures (the
// events the Athena table can hold: records with an eventID), each once,
// by fixture path and position.
func cloudTrailEvents(res *compiler.Result) []sample {
	var paths []string
	for p := range res.Fixtures {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	var out []sample
	seen := map[string]bool{}
	for _, p := range paths {
		for _, ev := range res.Fixtures[p] {
			if id := ev.Record.Get("eventID"); id.Type != gjson.String || id.Str == "" || seen[id.Str] {
				continue
			}
			seen[ev.ID] = true
			out = append(out, sample{ev: ev, fixture: p})
		}
	}
	return out
}

func records(ss []sample) []gjson.Result {
	out := make([]gjson.Result, len(ss))
	for i, s := range ss {
		out[i] = s.ev.Record
	}
	return out
}

// matchedIDs runs a query and returns the eventid of each row; a row
// without one, or an event returned twice, is an error.
func matchedIDs(t *testing.T, o *oracle, q *Query) (map[string]bool, error) {
	rows, err := o.rows(t, toDuckDB(q.SQL))
	if err != nil {
		return nil, err
	}
	got := map[string]bool{}
	for _, r := range rows {
		id, ok := r["eventid"].(string)
		if !ok {
			return nil, fmt.Errorf("a row without eventid: %v", r)
		}
		if got[id] {
			return nil, fmt.Errorf("event %s returned twice", id)
		}
		got[id] = true
	}
	return got, nil
}

// TestLibraryDuckDB runs every Athena query of the bundled library in
// DuckDB over every CloudTrail fixture event and requires the rows to be
// exactly the events the reference evaluator matches; for threshold
// detections, the groups that alert on each test's fixtures. CloudTrail
// Lake queries run over the Lake emulation: exact ones must agree as well,
// approximate ones are reported.
func TestLibraryDuckDB(t *testing.T) {
	if testing.Short() {
		t.Skip("DuckDB oracle skipped in -short mode")
	}
	start := time.Now()
	res, c := library(t)
	samples := cloudTrailEvents(res)
	o := newOracle(t)
	o.load(t, "cloudtrail_logs", athenaTable, records(samples))
	o.load(t, "event_data_store_id", lakeTable, records(samples))
	loaded := time.Since(start)

	verdicts, thresholdGroups := 0, 0
	statuses := map[string]map[string]int{}
	lakeDiff := 0
	for i, d := range res.Program.Detections {
		for _, v := range variants {
			q := c.Queries[v.target][i]
			if statuses[v.target] == nil {
				statuses[v.target] = map[string]int{}
			}
			statuses[v.target][q.Status]++
			if q.Status == emit.Unsupported || d.Logsource.Service != "cloudtrail" {
				continue // libraryEventBridge compares the others
			}
			lake := v.target == "athena-lake"
			strict := q.Status == emit.Exact || (!lake && d.Threshold != nil)
			if d.Threshold != nil {
				n, diffs := checkThreshold(t, d, q, res, lake)
				if !lake {
					thresholdGroups += n
				}
				for _, msg := range diffs {
					if strict {
						t.Error(msg)
					} else {
						lakeDiff++
						t.Log(msg)
					}
				}
				continue
			}
			got, err := matchedIDs(t, o, q)
			if err != nil {
				t.Errorf("detection %s (%s): %v\n%s", d.ID, v.target, err, toDuckDB(q.SQL))
				continue
			}
			cond := d.Cond()
			for _, s := range samples {
				want := eval.Eval(cond, s.ev)
				if !lake {
					verdicts++
				}
				if want == got[s.ev.ID] {
					continue
				}
				msg := fmt.Sprintf("detection %s, %s, fixture %s (event %d), event %s: reference matches=%v, %s matches=%v",
					d.ID, v.target, s.fixture, s.ev.Line, s.ev.ID, want, v.target, got[s.ev.ID])
				if strict {
					t.Error(msg)
				} else {
					lakeDiff++
					t.Log(msg)
				}
			}
		}
	}
	ebVerdicts := libraryEventBridge(t, res, c)
	t.Logf("%d CloudTrail fixture events loaded in %v", len(samples), loaded.Round(time.Millisecond))
	t.Logf("athena: %d event verdicts compared (%d over CloudTrail records: events x non-threshold detections; %d over EventBridge events: records x detections of their log source), %d threshold groups compared; statuses %v",
		verdicts+ebVerdicts, verdicts, ebVerdicts, thresholdGroups, statuses["athena"])
	t.Logf("athena-lake: statuses %v; %d differences on approximate queries", statuses["athena-lake"], lakeDiff)
	t.Logf("total %v", time.Since(start).Round(time.Millisecond))
}

// checkThreshold compares, for each test of a threshold detection, the
// groups the query returns with the groups of the reference evaluator's
// alerts. It returns the number of groups compared and the differences.
func checkThreshold(t *testing.T, d *ir.Detection, q *Query, res *compiler.Result, lake bool) (int, []string) {
	var diffs []string
	n := 0
	for _, tc := range d.Tests {
		var ss []sample
		var evs []*event.Event
		for _, f := range tc.Events {
			for _, ev := range res.Fixtures[f] {
				if id := ev.Record.Get("eventID"); id.Type == gjson.String && id.Str != "" {
					ss = append(ss, sample{ev: ev, fixture: f})
					evs = append(evs, ev)
				}
			}
		}
		o := newOracle(t)
		table, cols := "cloudtrail_logs", athenaTable
		if lake {
			table, cols = "event_data_store_id", lakeTable
		}
		o.load(t, table, cols, records(ss))
		rows, err := o.rows(t, toDuckDB(q.SQL))
		if err != nil {
			diffs = append(diffs, fmt.Sprintf("detection %s (%s), test %q: %v\n%s", d.ID, q.Target, tc.Name, err, toDuckDB(q.SQL)))
			continue
		}
		got := map[string]bool{}
		for _, r := range rows {
			var key []string
			for _, c := range q.GroupColumns {
				key = append(key, keyText(r[c]))
			}
			got[strings.Join(key, "|")] = true
		}
		want := map[string]bool{}
		alerts := eval.Run(&ir.Program{Detections: []*ir.Detection{d}}, nil, evs)[d.ID]
		for _, a := range alerts {
			var key []string
			for _, f := range d.Threshold.By {
				key = append(key, recordKey(a.Events[0], f))
			}
			want[strings.Join(key, "|")] = true
		}
		n += len(want)
		if fmt.Sprint(sortedIDs(got)) != fmt.Sprint(sortedIDs(want)) {
			diffs = append(diffs, fmt.Sprintf("detection %s (%s), test %q, fixtures %v: groups that alert: reference %v, %s %v",
				d.ID, q.Target, tc.Name, tc.Events, sortedIDs(want), q.Target, sortedIDs(got)))
		}
	}
	return n, diffs
}

func keyText(v any) string {
	if v == nil {
		return "<none>"
	}
	return fmt.Sprint(v)
}

// recordKey is the group key of a by field with one string value, as the
// query returns it.
func recordKey(ev *event.Event, f ir.Path) string {
	r := ev.Record
	for _, s := range f.Segs {
		r = r.Get(gjsonEscape(s))
	}
	if r.Type != gjson.String {
		return "<none>"
	}
	return r.Str
}

func gjsonEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`.*?|#@\!=<>%`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
