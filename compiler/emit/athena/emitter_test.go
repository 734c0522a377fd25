package athena

import (
	"bytes"
	"context"
	"flag"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/diff"

	"github.com/socc-dev/socc/compiler/diag"
	"github.com/socc-dev/socc/compiler/emit"
	"github.com/socc-dev/socc/compiler/ir"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// goldenDetections are representative detections of the bundled library:
// field references and exceptions under not, arrays of objects and
// numbers, a case-insensitive regex, a wildcard, a JSON member name with a
// dash, both kinds of threshold with CIDR, and the EventBridge tables of
// GuardDuty (a finding in detail), Security Hub (one row per finding) and
// Config, which CloudTrail Lake does not hold.
var goldenDetections = []string{
	"aws-iam-access-key-created-for-other-user",
	"aws-ec2-security-group-admin-port-open-to-world",
	"aws-iam-user-added-to-admin-group",
	"aws-ssm-start-session",
	"aws-s3-bucket-acl-public",
	"aws-account-access-denied-burst",
	"aws-secretsmanager-secrets-read-in-bulk",
	"aws-guardduty-finding-high",
	"aws-securityhub-finding-critical",
	"aws-config-critical-rule-noncompliant",
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\n%s", path, diff.Diff(path, want, "got", got))
	}
}

func TestGolden(t *testing.T) {
	res, c := library(t)
	var qs []*Query
	for _, id := range goldenDetections {
		i := slices.IndexFunc(res.Program.Detections, func(d *ir.Detection) bool { return d.ID == id })
		if i < 0 {
			t.Fatalf("no detection %s in the library", id)
		}
		for _, v := range variants {
			q := c.Queries[v.target][i]
			got := q.SQL
			if got == "" {
				// No query: the golden file pins why.
				got = "-- " + q.Status + ": " + q.Reason + "\n"
			}
			checkGolden(t, id+"."+v.target+".golden", []byte(got))
			if v.target == "athena" {
				qs = append(qs, q)
			}
		}
	}
	checkGolden(t, "athena-queries.cloudformation.golden", CloudFormation(qs))
}

// TestDeterministic emits the library twice, the second time with the
// detections and field mappings shuffled, and compares every byte.
func TestDeterministic(t *testing.T) {
	res, _ := library(t)
	emitAll := func(p *ir.Program) *emit.Sink {
		s := emit.NewSink()
		if ds := (Emitter{}).Emit(context.Background(), p, s); ds.HasErrors() {
			t.Fatal(ds.Err())
		}
		return s
	}
	a := emitAll(res.Program)
	p2 := *res.Program
	p2.Detections = slices.Clone(p2.Detections)
	p2.FieldMaps = slices.Clone(p2.FieldMaps)
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(p2.Detections), func(i, j int) { p2.Detections[i], p2.Detections[j] = p2.Detections[j], p2.Detections[i] })
	slices.Reverse(p2.FieldMaps)
	b := emitAll(&p2)
	if !slices.Equal(a.Paths(), b.Paths()) {
		t.Fatalf("paths differ:\n%v\n%v", a.Paths(), b.Paths())
	}
	for _, p := range a.Paths() {
		if !bytes.Equal(a.File(p), b.File(p)) {
			t.Errorf("%s differs between runs", p)
		}
	}
	sa, sb := a.Statuses(), b.Statuses()
	for id, m := range sa {
		for tgt, st := range m {
			if sb[id][tgt] != st {
				t.Errorf("%s/%s: status %v, then %v", id, tgt, st, sb[id][tgt])
			}
		}
	}
	if !slices.Contains(a.Paths(), "athena/aws-iam-user-created.sql") ||
		!slices.Contains(a.Paths(), "athena/lake/aws-iam-user-created.sql") ||
		!slices.Contains(a.Paths(), "cloudformation/athena-queries.yaml") {
		t.Errorf("missing artifacts: %v", a.Paths())
	}
}

func TestRegistered(t *testing.T) {
	e, ok := emit.Lookup("athena")
	if !ok || e.Name() != "athena" {
		t.Fatalf("athena is not registered: %v", emit.Names())
	}
}

// TestUnmappedField: a record field the mapping does not name is an error
// at the detection, whose hint names the mapping file; the detection is
// unsupported and gets no query. An envelope field ($.source) is not in
// the table: unsupported, without an error.
func TestUnmappedField(t *testing.T) {
	p := program(t, detectionYAML("aws-x", "  s:\n    eventName: A\n    userIdentity.sessionContext.sourceIdentity: bob\n    $.source: aws.iam\n", ""))
	c, ds := Compile(p)
	q := c.Queries["athena"][0]
	if q.Status != emit.Unsupported || q.SQL != "" {
		t.Errorf("status %s, query %q", q.Status, q.SQL)
	}
	p2 := program(t, detectionYAML("aws-y", "  s:\n    eventName: A\n    $.source: aws.iam\n", ""))
	c2, ds2 := Compile(p2)
	if q := c2.Queries["athena"][0]; len(ds2) > 0 || q.Status != emit.Unsupported || !strings.Contains(q.Reason, "envelope field $.source") {
		t.Errorf("envelope field: diagnostics %v, status %s: %s", ds2, q.Status, q.Reason)
	}
	var got []string
	for _, d := range ds {
		if d.Code != diag.UnmappedField || d.Severity != diag.Error {
			t.Errorf("unexpected diagnostic %v", d)
			continue
		}
		if d.Subject == nil || d.Subject.Filename != "detections/d0.yaml" || d.Subject.Start.Line != 1 {
			t.Errorf("diagnostic at %v, want detections/d0.yaml:1", d.Subject)
		}
		if !strings.Contains(d.Hint, "mappings/fields/athena") {
			t.Errorf("hint %q does not name the mapping file", d.Hint)
		}
		got = append(got, d.Summary)
	}
	slices.Sort(got)
	want := []string{
		"field userIdentity.sessionContext.sourceIdentity of detection aws-x has no athena mapping for log source cloudtrail",
		"field userIdentity.sessionContext.sourceIdentity of detection aws-x has no athena-lake mapping for log source cloudtrail",
	}
	if !slices.Equal(got, want) {
		t.Errorf("diagnostics\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestMalformedMapping: a mapping value outside the grammar is an error at
// the mapping file, so that no SQL is taken from it.
func TestMalformedMapping(t *testing.T) {
	m := &ir.FieldMap{Target: "athena", Logsource: "cloudtrail", Source: ir.SourceRef{File: "m.yaml", Line: 1},
		Fields: map[string]string{"eventName": "eventname; DROP TABLE x", "eventID": "eventid", "a.*": "a.b"}}
	p := &ir.Program{FieldMaps: []*ir.FieldMap{m}}
	_, ds := Compile(p)
	if len(ds) != 2 {
		t.Fatalf("got %d diagnostics, want 2: %v", len(ds), ds)
	}
	for _, d := range ds {
		if d.Code != diag.InvalidValue || d.Subject.Filename != "m.yaml" {
			t.Errorf("unexpected diagnostic %v", d)
		}
	}
}

// TestNoMapping: a log source without a field mapping is unsupported,
// without a diagnostic.
func TestNoMapping(t *testing.T) {
	p := program(t, strings.Replace(detectionYAML("aws-v", "  s:\n    action: REJECT\n", ""), "service: cloudtrail", "service: vpcflow", 1))
	c, ds := Compile(p)
	if len(ds) > 0 {
		t.Errorf("diagnostics: %v", ds)
	}
	for _, v := range variants {
		if q := c.Queries[v.target][0]; q.Status != emit.Unsupported || !strings.Contains(q.Reason, "no "+v.target+" field mapping for log source vpcflow") {
			t.Errorf("%s: status %s: %s", v.target, q.Status, q.Reason)
		}
	}
}

// TestCloudFormationLint runs cfn-lint over the named queries of the
// library when it is installed.
func TestCloudFormationLint(t *testing.T) {
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Skip("cfn-lint is not installed")
	}
	_, c := library(t)
	var qs []*Query
	for _, q := range c.Queries["athena"] {
		if q.SQL != "" {
			qs = append(qs, q)
		}
	}
	path := filepath.Join(t.TempDir(), "athena-queries.yaml")
	if err := os.WriteFile(path, CloudFormation(qs), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(t.Context(), lint, path).CombinedOutput()
	if err != nil {
		t.Errorf("cfn-lint: %v\n%s", err, out)
	}
}
