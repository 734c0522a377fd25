package eval

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/socc-dev/socc/compiler/event"
	"github.com/socc-dev/socc/compiler/ir"
)

var t0 = time.Date(2025, 3, 3, 12, 0, 0, 0, time.UTC)

// login returns a failed console login record at t0+offset ("" offset: no
// eventTime), with extra top-level JSON members.
func login(t *testing.T, id string, offset string, extra string) *event.Event {
	t.Helper()
	tm := ""
	if offset != "" {
		d, err := time.ParseDuration(offset)
		if err != nil {
			t.Fatal(err)
		}
		tm = fmt.Sprintf(`"eventTime":%q,`, t0.Add(d).Format(time.RFC3339Nano))
	}
	if extra != "" {
		extra = "," + extra
	}
	return ev(t, fmt.Sprintf(`{"eventID":%q,%s"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventType":"AwsConsoleSignIn","responseElements":{"ConsoleLogin":"Failure"}%s}`, id, tm, extra))
}

// ids renders alerts as their events' IDs: "a b c|d e f".
func ids(alerts []*Alert) string {
	var groups []string
	for _, a := range alerts {
		var s []string
		for _, e := range a.Events {
			s = append(s, e.ID)
		}
		groups = append(groups, strings.Join(s, " "))
	}
	return strings.Join(groups, "|")
}

func TestThreshold(t *testing.T) {
	type in struct{ id, off, extra string }
	seq := func(n int, step string, extra string) []in {
		d, _ := time.ParseDuration(step)
		var out []in
		for i := range n {
			out = append(out, in{fmt.Sprint(i), (time.Duration(i) * d).String(), extra})
		}
		return out
	}
	byUser := func(ids string, user string, off ...string) []in {
		var out []in
		for i, id := range strings.Fields(ids) {
			out = append(out, in{id, off[i], fmt.Sprintf(`"userIdentity":{"arn":%q}`, user)})
		}
		return out
	}
	interleave := func(a, b []in) []in {
		var out []in
		for i := range a {
			out = append(out, a[i], b[i])
		}
		return out
	}
	tests := []struct {
		name   string
		th     ir.Threshold
		events []in
		want   string
	}{
		{"burst fires twice for 2x count", ir.Threshold{Count: 5, Window: 5 * time.Minute}, seq(10, "10s", ""), "0 1 2 3 4|5 6 7 8 9"},
		{"12 failures, count 5", ir.Threshold{Count: 5, Window: 5 * time.Minute}, seq(12, "10s", ""), "0 1 2 3 4|5 6 7 8 9"},
		{"near miss outside window", ir.Threshold{Count: 5, Window: 5 * time.Minute}, seq(5, "2m", ""), ""},
		{"window is inclusive", ir.Threshold{Count: 5, Window: 5 * time.Minute}, seq(5, "75s", ""), "0 1 2 3 4"},
		{"just outside", ir.Threshold{Count: 5, Window: 5 * time.Minute}, seq(5, "75001ms", ""), ""},
		{"sliding window", ir.Threshold{Count: 3, Window: time.Minute}, []in{{"a", "0s", ""}, {"b", "50s", ""}, {"c", "70s", ""}, {"d", "100s", ""}}, "b c d"},
		{"count 1", ir.Threshold{Count: 1, Window: time.Minute}, seq(3, "1s", ""), "0|1|2"},
		{"input order does not matter", ir.Threshold{Count: 3, Window: time.Minute},
			[]in{{"c", "20s", ""}, {"a", "0s", ""}, {"x", "10m", ""}, {"b", "10s", ""}}, "a b c"},
		{"ties keep input order", ir.Threshold{Count: 3, Window: time.Minute},
			[]in{{"b", "0s", ""}, {"a", "0s", ""}, {"c", "0s", ""}}, "b a c"},
		{"by user", ir.Threshold{Count: 3, Window: time.Minute, By: []ir.Path{mustPath("userIdentity.arn")}},
			interleave(byUser("a1 a2 a3", "arn:a", "0s", "10s", "20s"), byUser("b1 b2 b3", "arn:b", "1s", "11s", "21s")), "a1 a2 a3|b1 b2 b3"},
		{"by user, one short", ir.Threshold{Count: 3, Window: time.Minute, By: []ir.Path{mustPath("userIdentity.arn")}},
			interleave(byUser("a1 a2", "arn:a", "0s", "10s"), byUser("b1 b2", "arn:b", "1s", "11s")), ""},
		{"missing by field is its own group", ir.Threshold{Count: 2, Window: time.Minute, By: []ir.Path{mustPath("userIdentity.arn")}},
			[]in{{"m1", "0s", ""}, {"u1", "1s", `"userIdentity":{"arn":""}`}, {"m2", "2s", ""}, {"n1", "3s", `"userIdentity":{"arn":null}`}}, "m1 m2"},
		{"multi-valued by is a set", ir.Threshold{Count: 2, Window: time.Minute, By: []ir.Path{mustPath("tags")}},
			[]in{{"x", "0s", `"tags":["a","b"]`}, {"y", "1s", `"tags":["b","a","b"]`}, {"z", "2s", `"tags":["a"]`}}, "x y"},
		{"typed by", ir.Threshold{Count: 2, Window: time.Minute, By: []ir.Path{mustPath("n")}},
			[]in{{"x", "0s", `"n":1`}, {"y", "1s", `"n":"1"`}, {"z", "2s", `"n":1.0`}}, "x z"},
		{"distinct", ir.Threshold{Count: 3, Window: time.Minute, Distinct: ptr(mustPath("userName"))},
			[]in{{"a", "0s", `"userName":"u1"`}, {"b", "1s", `"userName":"u1"`}, {"c", "2s", `"userName":"u2"`}, {"d", "3s", `"userName":"u1"`}, {"e", "4s", `"userName":"u3"`}, {"f", "5s", `"userName":"u3"`}},
			"a b c d e"},
		{"distinct evicts", ir.Threshold{Count: 3, Window: time.Minute, Distinct: ptr(mustPath("userName"))},
			[]in{{"a", "0s", `"userName":"u1"`}, {"b", "10s", `"userName":"u2"`}, {"c", "65s", `"userName":"u2"`}, {"d", "70s", `"userName":"u3"`}}, ""},
		{"distinct multi-valued", ir.Threshold{Count: 3, Window: time.Minute, Distinct: ptr(mustPath("tags"))},
			[]in{{"a", "0s", `"tags":["x","y"]`}, {"b", "1s", `"tags":["y"]`}, {"c", "2s", `"tags":["z"]`}}, "a b c"},
		{"distinct ignores missing", ir.Threshold{Count: 2, Window: time.Minute, Distinct: ptr(mustPath("userName"))},
			[]in{{"a", "0s", ""}, {"b", "1s", `"userName":"u1"`}, {"c", "2s", ""}}, ""},
		{"untimed after timed", ir.Threshold{Count: 3, Window: time.Minute},
			[]in{{"u1", "", ""}, {"a", "0s", ""}, {"u2", "", ""}, {"b", "1s", ""}, {"u3", "", ""}}, "u1 u2 u3"},
		{"untimed do not join timed", ir.Threshold{Count: 3, Window: time.Minute},
			[]in{{"a", "0s", ""}, {"b", "1s", ""}, {"u1", "", ""}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			th := tc.th
			d := detection("burst", eq("responseElements.ConsoleLogin", "Failure"))
			d.Threshold = &th
			p := &ir.Program{Detections: []*ir.Detection{d}}
			var evs []*event.Event
			for _, e := range tc.events {
				evs = append(evs, login(t, e.id, e.off, e.extra))
			}
			got := ids(Run(p, nil, evs)["burst"])
			if got != tc.want {
				t.Errorf("alerts %q, want %q", got, tc.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestExceptionsBeforeThreshold(t *testing.T) {
	d := detection("burst", eq("eventName", "ConsoleLogin"))
	d.Threshold = &ir.Threshold{Count: 3, Window: time.Minute}
	d.Exceptions = []*ir.Exception{{Name: "scanner", Cond: eq("userIdentity.arn", "arn:scanner")}}
	p := &ir.Program{Detections: []*ir.Detection{d}}
	scanner := `"userIdentity":{"arn":"arn:scanner"}`
	evs := []*event.Event{
		login(t, "a", "0s", ""), login(t, "s1", "1s", scanner), login(t, "b", "2s", ""),
		login(t, "s2", "3s", scanner), login(t, "c", "4s", ""),
	}
	if got := ids(Run(p, nil, evs)["burst"]); got != "a b c" {
		t.Errorf("alerts %q", got)
	}
}

func TestLevels(t *testing.T) {
	admin := &ir.Criterion{ID: "admin-privilege", Raise: 1, Cond: mk("requestParameters.policyArn", ir.OpSuffix, "", "/AdministratorAccess")}
	spread := &ir.Criterion{ID: "cross-account-spread", Raise: 1, Distinct: &ir.DistinctRule{Field: mustPath("recipientAccountId"), Min: 2}}
	root := &ir.Criterion{ID: "a-root", Raise: 3, Cond: eq("userIdentity.type", "Root")}
	both := &ir.Criterion{ID: "z-both", Raise: 1, Cond: eq("userIdentity.type", "Root"), Distinct: &ir.DistinctRule{Field: mustPath("recipientAccountId"), Min: 2}}
	always := &ir.Criterion{ID: "always", Raise: 0}
	criteria := []*ir.Criterion{root, admin, always, spread, both}

	attach := func(id, acct, policy, typ string) string {
		return fmt.Sprintf(`{"eventID":%q,"eventTime":"2025-03-03T12:00:0%sZ","eventSource":"iam.amazonaws.com","eventName":"AttachUserPolicy","recipientAccountId":%q,"userIdentity":{"type":%q},"requestParameters":{"policyArn":%q}}`,
			id, id, acct, typ, policy)
	}
	tests := []struct {
		name      string
		base      ir.Level
		threshold bool
		events    []string
		level     []ir.Level
		esc       [][]string
	}{
		{"no criterion", 2, false, []string{attach("1", "111", "arn:aws:iam::aws:policy/ReadOnlyAccess", "IAMUser")},
			[]ir.Level{2}, [][]string{{"always"}}},
		{"admin raises one", 2, false, []string{attach("1", "111", "arn:aws:iam::aws:policy/AdministratorAccess", "IAMUser")},
			[]ir.Level{3}, [][]string{{"admin-privilege", "always"}}},
		{"per alert", 2, false, []string{
			attach("1", "111", "arn:aws:iam::aws:policy/AdministratorAccess", "IAMUser"),
			attach("2", "111", "arn:aws:iam::aws:policy/ReadOnlyAccess", "IAMUser"),
		}, []ir.Level{3, 2}, [][]string{{"admin-privilege", "always"}, {"always"}}},
		{"capped at Lv4", 3, false, []string{attach("1", "111", "arn:aws:iam::aws:policy/AdministratorAccess", "Root")},
			[]ir.Level{4}, [][]string{{"a-root", "admin-privilege", "always"}}},
		{"highest raise, not the sum", 1, false, []string{attach("1", "111", "arn:aws:iam::aws:policy/AdministratorAccess", "Root")},
			[]ir.Level{4}, [][]string{{"a-root", "admin-privilege", "always"}}},
		{"distinct over the alert's events", 2, true, []string{
			attach("1", "111", "p", "IAMUser"), attach("2", "222", "p", "IAMUser"),
		}, []ir.Level{3}, [][]string{{"always", "cross-account-spread"}}},
		{"distinct not reached", 2, true, []string{
			attach("1", "111", "p", "IAMUser"), attach("2", "111", "p", "IAMUser"),
		}, []ir.Level{2}, [][]string{{"always"}}},
		{"cond on any event, and distinct", 1, true, []string{
			attach("1", "111", "p", "IAMUser"), attach("2", "222", "p", "Root"),
		}, []ir.Level{4}, [][]string{{"a-root", "always", "cross-account-spread", "z-both"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := detection("attach", eq("eventName", "AttachUserPolicy"))
			d.Severity.Level = tc.base
			if tc.threshold {
				d.Threshold = &ir.Threshold{Count: 2, Window: time.Hour}
			}
			p := &ir.Program{Detections: []*ir.Detection{d}, Criteria: criteria}
			var evs []*event.Event
			for _, s := range tc.events {
				evs = append(evs, ev(t, s))
			}
			alerts := Run(p, Compile(p), evs)["attach"]
			var level []ir.Level
			var esc [][]string
			for _, a := range alerts {
				level = append(level, a.Level)
				esc = append(esc, a.Escalations)
				if a.Detection != d {
					t.Errorf("alert detection %v", a.Detection.ID)
				}
			}
			if diff := cmp.Diff(tc.level, level); diff != "" {
				t.Errorf("levels (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.esc, esc); diff != "" {
				t.Errorf("escalations (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRun(t *testing.T) {
	p := &ir.Program{Detections: []*ir.Detection{
		detection("a-login", eq("eventName", "ConsoleLogin")),
		detection("b-none", eq("eventName", "Nothing")),
		detection("c-any", mk("eventSource", ir.OpExists, "", true)),
	}}
	evs := []*event.Event{login(t, "2", "10s", ""), login(t, "1", "0s", "")}
	got := map[string]string{}
	for id, alerts := range Run(p, nil, evs) {
		got[id] = ids(alerts)
		for _, a := range alerts {
			if a.Level != 2 || a.Escalations != nil {
				t.Errorf("%s: level %v escalations %v", id, a.Level, a.Escalations)
			}
		}
	}
	// Without a threshold: one alert per event, in input order.
	want := map[string]string{"a-login": "2|1", "c-any": "2|1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Run (-want +got):\n%s", diff)
	}
	if got := Order(evs); got[0].ID != "1" || got[1].ID != "2" {
		t.Errorf("Order: %s %s", got[0].ID, got[1].ID)
	}
}

func TestEscalationScope(t *testing.T) {
	root := eq("userIdentity.type", "Root")
	criteria := []*ir.Criterion{
		{ID: "any", Raise: 1, Cond: root},
		{ID: "iam-only", Raise: 1, Cond: root, Scope: &ir.Scope{Detections: []string{"aws-iam-*"}}},
		{ID: "named", Raise: 1, Cond: root, Scope: &ir.Scope{Detections: []string{"aws-s3-x", "aws-iam-attach"}}},
		{ID: "guardduty-only", Raise: 1, Cond: root, Scope: &ir.Scope{Logsources: []string{"guardduty"}}},
		{ID: "cloudtrail-iam", Raise: 1, Cond: root, Scope: &ir.Scope{Detections: []string{"aws-iam-*"}, Logsources: []string{"cloudtrail"}}},
	}
	rec := `{"eventID":"1","eventTime":"2025-03-03T12:00:00Z","eventSource":"iam.amazonaws.com","eventName":"AttachUserPolicy","userIdentity":{"type":"Root"}}`
	for _, tc := range []struct {
		id   string
		want []string
	}{
		{"aws-iam-attach", []string{"any", "cloudtrail-iam", "iam-only", "named"}},
		{"aws-s3-x", []string{"any", "named"}},
		{"aws-ec2-y", []string{"any"}},
	} {
		d := detection(tc.id, eq("eventName", "AttachUserPolicy"))
		d.Logsource = ir.Logsource{Product: "aws", Service: "cloudtrail"}
		p := &ir.Program{Detections: []*ir.Detection{d}, Criteria: criteria}
		alerts := Run(p, Compile(p), []*event.Event{ev(t, rec)})[tc.id]
		if len(alerts) != 1 {
			t.Fatalf("%s: %d alerts", tc.id, len(alerts))
		}
		if diff := cmp.Diff(tc.want, alerts[0].Escalations); diff != "" {
			t.Errorf("%s escalations (-want +got):\n%s", tc.id, diff)
		}
	}
}
