package athena

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/socc-dev/socc/compiler/emit"
	"github.com/socc-dev/socc/compiler/eval"
	"github.com/socc-dev/socc/compiler/event"
	"github.com/socc-dev/socc/compiler/ir"
)

// series returns n records, step apart from 2024-01-01T00:00:00Z, each
// built by f(i, time).
func series(n int, step time.Duration, f func(i int, ts string) string) []string {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var out []string
	for i := range n {
		out = append(out, f(i, base.Add(time.Duration(i)*step).Format(time.RFC3339Nano)))
	}
	return out
}

func login(user, ip string) func(int, string) string {
	return func(i int, ts string) string {
		return fmt.Sprintf(`{"eventTime":%q,"eventName":"ConsoleLogin","userIdentity":{"arn":%q},"sourceIPAddress":%q}`, ts, user, ip)
	}
}

// TestThresholdConstructs compares the groups a threshold query returns
// with the groups of the reference evaluator's alerts, on the examples of
// docs/semantics.md 5 and on boundaries: the inclusive window, events
// without a time, missing group keys, and typed distinct values.
func TestThresholdConstructs(t *testing.T) {
	if testing.Short() {
		t.Skip("DuckDB oracle skipped in -short mode")
	}
	const count5 = "threshold: {count: 5, window: 5m, by: [userIdentity.arn]}\n"
	cases := []struct {
		name, threshold string
		recs            []string
		groups          int // groups that alert
	}{
		{"10 ten seconds apart", count5, series(10, 10*time.Second, login("u1", "1.1.1.1")), 1},
		{"5 two minutes apart", count5, series(5, 2*time.Minute, login("u1", "1.1.1.1")), 0},
		{"5 at 75 s: exactly the window", count5, series(5, 75*time.Second, login("u1", "1.1.1.1")), 1},
		{"5 at 75.001 s", count5, series(5, 75*time.Second+time.Millisecond, login("u1", "1.1.1.1")), 0},
		{"two users", count5, append(series(5, time.Second, login("u1", "1.1.1.1")), series(4, time.Second, login("u2", "1.1.1.1"))...), 1},
		{"a missing key is a group of its own", count5, append(series(3, time.Second, login("u1", "1.1.1.1")),
			series(5, time.Second, func(i int, ts string) string { return fmt.Sprintf(`{"eventTime":%q,"eventName":"ConsoleLogin"}`, ts) })...), 1},
		{"events without a time share one instant", count5, series(5, time.Second, func(i int, _ string) string {
			return `{"eventName":"ConsoleLogin","userIdentity":{"arn":"u1"},"eventTime":"2023-01-10 21:04:02"}`
		}), 1},
		{"timed and untimed never share a window", count5, append(series(3, time.Second, login("u1", "1.1.1.1")),
			series(2, time.Second, func(int, string) string { return `{"eventName":"ConsoleLogin","userIdentity":{"arn":"u1"}}` })...), 0},
		{"distinct source addresses", "threshold: {count: 3, window: 1m, distinct: sourceIPAddress, by: [userIdentity.arn]}\n",
			series(6, time.Second, func(i int, ts string) string { return login("u1", []string{"a", "a", "b", "a", "b", "c"}[i])(i, ts) }), 1},
		{"distinct typed JSON values", "threshold: {count: 3, window: 1m, distinct: requestParameters.secretId}\n",
			series(5, time.Second, func(i int, ts string) string {
				v := []string{`1`, `"1"`, `1.0`, `["1",2]`, `null`}[i]
				return fmt.Sprintf(`{"eventTime":%q,"eventName":"ConsoleLogin","requestParameters":{"secretId":%s}}`, ts, v)
			}), 1},
		{"distinct below the count", "threshold: {count: 4, window: 1m, distinct: requestParameters.secretId}\n",
			series(4, time.Second, func(i int, ts string) string {
				v := []string{`1`, `1.0`, `"1"`, `null`}[i]
				return fmt.Sprintf(`{"eventTime":%q,"eventName":"ConsoleLogin","requestParameters":{"secretId":%s}}`, ts, v)
			}), 0},
	}
	var docs []string
	for i, tc := range cases {
		docs = append(docs, detectionYAML(fmt.Sprintf("t%d", i), "  s:\n    eventName: ConsoleLogin\n", tc.threshold))
	}
	p := program(t, docs...)
	c, ds := Compile(p)
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	o := newOracle(t)
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			j := -1
			for k, d := range p.Detections {
				if d.ID == fmt.Sprintf("t%d", i) {
					j = k
				}
			}
			d, q := p.Detections[j], c.Queries["athena"][j]
			if q.Status != emit.Approximate {
				t.Fatalf("status %s: %s", q.Status, q.Reason)
			}
			recs := withIDs(fmt.Sprintf("t%d-", i), tc.recs)
			o.load(t, "cloudtrail_logs", athenaTable, parsed(recs))
			var evs []*event.Event
			for _, r := range recs {
				evs = append(evs, ctEvent(r))
			}
			want := map[string]bool{}
			for _, a := range eval.Run(&ir.Program{Detections: []*ir.Detection{d}}, nil, evs)[d.ID] {
				var key []string
				for _, f := range d.Threshold.By {
					key = append(key, recordKey(a.Events[0], f))
				}
				want[strings.Join(key, "|")] = true
			}
			rows, err := o.rows(t, toDuckDB(q.SQL))
			if err != nil {
				t.Fatalf("%v\n%s", err, q.SQL)
			}
			got := map[string]bool{}
			for _, r := range rows {
				var key []string
				for _, c := range q.GroupColumns {
					key = append(key, keyText(r[c]))
				}
				got[strings.Join(key, "|")] = true
			}
			if fmt.Sprint(sortedIDs(got)) != fmt.Sprint(sortedIDs(want)) {
				t.Errorf("groups that alert: reference %v, athena %v\n%s", sortedIDs(want), sortedIDs(got), q.SQL)
			}
			if len(want) != tc.groups {
				t.Errorf("the reference evaluator alerts for %d groups, the case expects %d", len(want), tc.groups)
			}
		})
	}
}
