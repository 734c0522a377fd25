package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/socc-dev/socc/compiler/diag"
	"github.com/socc-dev/socc/compiler/ir"
	"github.com/socc-dev/socc/compiler/load"
	"github.com/socc-dev/socc/compiler/lower"
)

// good is a detection that every built-in policy accepts. Line numbers
// matter to the tests below.
const good = `kind: detection
id: aws-good
title: Good
status: stable
owner: csirt@example.com
logsource: {product: aws, service: cloudtrail}
severity:
  level: Lv3
attack: [T1098.001]
controls: [A.8.16]
runbook: rb-one
match:
  sel:
    eventName: CreateAccessKey
tests:
  - name: fires
    events: [../testdata/a.json]
    expect:
      matches: 1
      level: Lv3
  - name: quiet
    events: [../testdata/b.json]
    expect:
      matches: 0
`

const runbook = `kind: runbook
id: rb-one
title: One
triggers: [aws-good]
steps:
  - id: s
    type: manual
    instructions: {en: x}
`

const criteria = `kind: escalation-criteria
criteria:
  - id: admin
    title: {en: Admin}
    raise: 1
    match:
      sel:
        a: b
  - id: spread
    raise: 1
    distinct: {field: recipientAccountId, min: 2}
`

// edit returns good with the line starting with prefix replaced by repl
// (removed when repl is empty), and the ID changed to id.
func edit(id string, edits ...string) string {
	lines := strings.Split(good, "\n")
	for i := 0; i+1 < len(edits); i += 2 {
		for j, l := range lines {
			if strings.HasPrefix(l, edits[i]) {
				lines[j] = edits[i+1]
			}
		}
	}
	var out []string
	for _, l := range lines {
		if l != "\x00" {
			out = append(out, l)
		}
	}
	return strings.Replace(strings.Join(out, "\n"), "id: aws-good", "id: "+id, 1)
}

// program parses files (path -> YAML) and lowers them.
func program(t *testing.T, files map[string]string) (*ir.Program, []*load.Document) {
	t.Helper()
	var docs []*load.Document
	for _, name := range sortedKeys(files) {
		doc, ds := load.Parse(name, strings.NewReader(files[name]))
		if ds.HasErrors() {
			t.Fatalf("parse %s: %v", name, ds.Err())
		}
		docs = append(docs, doc)
	}
	p, ds := lower.Lower(docs)
	if ds.HasErrors() {
		t.Fatalf("lower: %v", ds.Err())
	}
	return p, docs
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// render renders a diagnostic as "file:line:col severity code summary"
// (the first line of the summary).
func render(d *diag.Diagnostic) string {
	first, _, _ := strings.Cut(d.Summary, "\n")
	return fmt.Sprintf("%s %s %s %s", d.Subject.String(), d.Severity, d.Code, first)
}

func TestEvaluate(t *testing.T) {
	const det = "detections/d.yaml"
	tests := []struct {
		name  string
		files map[string]string
		user  map[string]string
		want  []string // rendered diagnostics, sorted
		hint  string   // a hint the first diagnostic must have, when set
	}{
		{
			name:  "compliant content",
			files: map[string]string{det: good, "runbooks/rb.yaml": runbook, "mappings/escalation.yaml": criteria},
		},
		{
			name:  "no positive test",
			files: map[string]string{det: edit("aws-x", "      matches: 1", "      matches: 0")},
			want:  []string{"detections/d.yaml:15:1 error SOCC2019 policy fixtures: no test expects a match"},
			hint:  "add a test whose fixture the detection must match, with 'expect: {matches: 1}'",
		},
		{
			name:  "no negative test",
			files: map[string]string{det: edit("aws-x", "      matches: 0", "      matches: 2")},
			want:  []string{"detections/d.yaml:15:1 error SOCC2019 policy fixtures: no test expects no match"},
		},
		{
			name:  "no tests at all",
			files: map[string]string{det: strings.Split(good, "tests:")[0]},
			want: []string{
				"detections/d.yaml:1:1 error SOCC2019 policy fixtures: no test expects a match",
				"detections/d.yaml:1:1 error SOCC2019 policy fixtures: no test expects no match",
			},
		},
		{
			name:  "Lv3 without runbook",
			files: map[string]string{det: edit("aws-x", "runbook:", "\x00")},
			want:  []string{"detections/d.yaml:7:1 error SOCC2019 policy runbook: a detection of level Lv3 names no runbook"},
		},
		{
			name:  "Lv4 without runbook",
			files: map[string]string{det: edit("aws-x", "runbook:", "\x00", "  level: Lv3", "  level: Lv4", "      level: Lv3", "      level: Lv4")},
			want:  []string{"detections/d.yaml:7:1 error SOCC2019 policy runbook: a detection of level Lv4 names no runbook"},
		},
		{
			name:  "Lv2 without runbook",
			files: map[string]string{det: edit("aws-x", "runbook:", "\x00", "  level: Lv3", "  level: Lv2", "      level: Lv3", "      level: Lv2")},
		},
		{
			name:  "no ATT&CK technique",
			files: map[string]string{det: edit("aws-x", "attack:", "attack: []")},
			want:  []string{"detections/d.yaml:9:1 error SOCC2019 policy mapping: the detection maps to no ATT&CK technique"},
		},
		{
			name:  "no Annex A control, key absent",
			files: map[string]string{det: edit("aws-x", "controls:", "\x00")},
			want:  []string{"detections/d.yaml:1:1 error SOCC2019 policy mapping: the detection maps to no Annex A control"},
		},
		{
			name:  "user policy",
			files: map[string]string{det: good, "runbooks/rb.yaml": runbook},
			user: map[string]string{"policies/owner.rego": `package socc.policy.owner

deny contains {"id": id, "field": "owner", "msg": "owner must be a team address", "hint": "use a team@ address"} if {
	some id, d in input.detections
	not startswith(d.owner, "team@")
}

warn contains {"id": id, "field": "tests.1.expect", "msg": "second test"} if some id, _ in input.detections

warn contains {"id": id, "field": "triggers", "msg": "runbook"} if some id, _ in input.runbooks

warn contains "a plain message" if true

warn contains {"id": "nope", "msg": "unknown object"} if true
`},
			want: []string{
				" warning SOCC2019 policy owner: a plain message",
				" warning SOCC2019 policy owner: unknown object",
				"detections/d.yaml:5:1 error SOCC2019 policy owner: owner must be a team address",
				"detections/d.yaml:24:7 warning SOCC2019 policy owner: second test",
				"runbooks/rb.yaml:4:1 warning SOCC2019 policy owner: runbook",
			},
		},
		{
			name:  "user policy on criteria",
			files: map[string]string{det: good, "mappings/escalation.yaml": criteria},
			user: map[string]string{"policies/crit.rego": `package socc.policy.crit.titles

deny contains {"id": id, "field": "title", "msg": "no title"} if {
	some id, c in input.criteria
	count(c.title) == 0
}
`},
			want: []string{"mappings/escalation.yaml:9:5 error SOCC2019 policy crit.titles: no title"},
		},
		{
			name:  "user policy with a syntax error",
			files: map[string]string{det: edit("aws-x", "runbook:", "\x00")},
			user: map[string]string{"policies/bad.rego": `package socc.policy.bad

deny contains v if {
	v := {"id": "x" "msg": "y"}
}
`},
			want: []string{
				"detections/d.yaml:7:1 error SOCC2019 policy runbook: a detection of level Lv3 names no runbook",
				"policies/bad.rego:4:18 error SOCC2020 policy: unexpected string token: non-terminated object",
			},
		},
		{
			name:  "user policy calling http.send",
			files: map[string]string{det: edit("aws-x", "runbook:", "\x00")},
			user: map[string]string{"policies/net.rego": `package socc.policy.net

deny contains {"id": id, "msg": "x"} if {
	some id, _ in input.detections
	resp := http.send({"method": "GET", "url": "https://example.com"})
	resp.status_code == 200
}
`},
			want: []string{
				"detections/d.yaml:7:1 error SOCC2019 policy runbook: a detection of level Lv3 names no runbook",
				"policies/net.rego:5:10 error SOCC2020 policy: undefined function http.send",
			},
		},
		{
			name:  "user policy calling time.now_ns and net.lookup_ip_addr",
			files: map[string]string{det: good},
			user: map[string]string{"policies/time.rego": `package socc.policy.time

deny contains {"id": id, "msg": "x"} if {
	some id, _ in input.detections
	time.now_ns() > 0
	net.lookup_ip_addr("example.com")
}
`},
			want: []string{
				"policies/time.rego:5:2 error SOCC2020 policy: undefined function time.now_ns",
				"policies/time.rego:6:2 error SOCC2020 policy: undefined function net.lookup_ip_addr",
			},
		},
		{
			name:  "empty user policy file",
			files: map[string]string{det: good},
			user:  map[string]string{"policies/empty.rego": "# nothing yet\n"},
			want:  []string{"policies/empty.rego:1:1 error SOCC2020 policy: empty module"},
		},
		{
			name:  "deny that is not a set",
			files: map[string]string{det: good},
			user:  map[string]string{"policies/bool.rego": "package socc.policy.bool\n\ndeny if true\n"},
			want:  []string{"policies/bool.rego:3:1 error SOCC2020 policy bool: deny must be a set of violations, not a boolean"},
		},
		{
			name:  "user policy failing at evaluation",
			files: map[string]string{det: good},
			user: map[string]string{"policies/conflict.rego": `package socc.policy.conflict

x := 1 if some _ in input.detections

x := 2 if some _ in input.detections

deny contains {"msg": "x"} if x
`},
			want: []string{"policies/conflict.rego:5:1 error SOCC2020 policy: rule data.socc.policy.conflict.x produced conflicting values:"},
		},
		{
			name:  "library package imported by a policy",
			files: map[string]string{det: good},
			user: map[string]string{
				"policies/lib/util.rego": "package lib.util\n\nteam(s) if endswith(s, \"@example.com\")\n",
				"policies/team.rego": `package socc.policy.team

import data.lib.util

deny contains {"id": id, "field": "owner", "msg": "owner outside example.com"} if {
	some id, d in input.detections
	not util.team(d.owner)
}
`,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, docs := program(t, tc.files)
			user := map[string][]byte{}
			for k, v := range tc.user {
				user[k] = []byte(v)
			}
			ds := Evaluate(context.Background(), p, docs, user)
			var got []string
			for _, d := range ds {
				got = append(got, render(d))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if tc.hint != "" && (len(ds) == 0 || ds[0].Hint != tc.hint) {
				t.Errorf("hint = %q, want %q", ds[0].Hint, tc.hint)
			}
			for _, d := range ds {
				if d.Code == diag.PolicyError && strings.HasPrefix(d.Summary, "policy: ") && d.Detail == "" {
					t.Errorf("%s: no OPA error code in Detail", render(d))
				}
			}
		})
	}
}

func TestViolationDetails(t *testing.T) {
	p, docs := program(t, map[string]string{"detections/d.yaml": good})
	ds := Evaluate(context.Background(), p, docs, map[string][]byte{"policies/p.rego": []byte(`package socc.policy.p

deny contains {"id": "aws-good", "field": "runbook", "msg": "m", "hint": "h"} if true
`)})
	if len(ds) != 1 {
		t.Fatalf("diagnostics: %v", ds)
	}
	d := ds[0]
	if d.Hint != "h" || d.Subject.String() != "detections/d.yaml:11:1" {
		t.Errorf("hint %q subject %s", d.Hint, d.Subject)
	}
	if len(d.Related) != 1 || d.Related[0].Subject.String() != "policies/p.rego:3:1" {
		t.Errorf("related: %+v", d.Related)
	}
	if d.Severity != diag.Error {
		t.Errorf("severity %v", d.Severity)
	}
}

func TestCapabilities(t *testing.T) {
	c := Capabilities()
	if c.AllowNet == nil || len(c.AllowNet) != 0 {
		t.Errorf("AllowNet = %v, want empty", c.AllowNet)
	}
	have := map[string]bool{}
	for _, b := range c.Builtins {
		have[b.Name] = true
		if b.Nondeterministic {
			t.Errorf("non-deterministic built-in %s allowed", b.Name)
		}
	}
	for _, n := range denied {
		if have[n] {
			t.Errorf("%s allowed", n)
		}
	}
	for _, n := range []string{"startswith", "sprintf", "count", "regex.match", "time.parse_rfc3339_ns"} {
		if !have[n] {
			t.Errorf("%s missing", n)
		}
	}
}

func TestInput(t *testing.T) {
	src := edit("aws-x", "status:", "status: experimental\nthreshold: {count: 2, window: 5m}\nexceptions:\n  - name: ci\n    reason: r\n    owner: o@example.com\n    expires: 2027-06-30\n    match:\n      a: b")
	p, _ := program(t, map[string]string{"detections/d.yaml": src, "runbooks/rb.yaml": runbook, "mappings/escalation.yaml": criteria})
	b, err := json.Marshal(Input(p))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"criteria":{"admin":{"file":"mappings/escalation.yaml","id":"admin","line":3,"raise":1,"title":{"en":"Admin"}},"spread":{"file":"mappings/escalation.yaml","id":"spread","line":9,"raise":1,"title":{}}},` +
		`"detections":{"aws-x":{"attack":["T1098.001"],"controls":["A.8.16"],"exceptions":[{"expires":"2027-06-30","name":"ci","owner":"o@example.com"}],"file":"detections/d.yaml","id":"aws-x","level":"Lv3","line":1,"logsource":{"product":"aws","service":"cloudtrail"},"owner":"csirt@example.com","runbook":"rb-one","status":"experimental","tests":[{"level":"Lv3","line":24,"matches":1,"name":"fires"},{"line":29,"matches":0,"name":"quiet"}],"threshold":true,"title":"Good"}},` +
		`"runbooks":{"rb-one":{"file":"runbooks/rb.yaml","id":"rb-one","line":1,"title":"One","triggers":["aws-good"]}}}`
	if string(b) != want {
		t.Errorf("Input =\n%s\nwant\n%s", b, want)
	}
}

func TestOfflineHint(t *testing.T) {
	p, docs := program(t, map[string]string{"detections/d.yaml": good})
	ds := Evaluate(context.Background(), p, docs, map[string][]byte{"policies/p.rego": []byte(`package socc.policy.p

deny contains {"msg": r.body} if r := http.send({"method": "GET", "url": "http://localhost"})
`)})
	if len(ds) != 1 || ds[0].Code != diag.PolicyError || ds[0].Subject.String() != "policies/p.rego:3:39" ||
		!strings.Contains(ds[0].Hint, "offline") || ds[0].Detail != "rego_type_error" {
		for _, d := range ds {
			t.Errorf("%s hint %q detail %q", render(d), d.Hint, d.Detail)
		}
	}
}
