package athena

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/socc-dev/socc/compiler/eval"
	"github.com/socc-dev/socc/compiler/event"
	"github.com/socc-dev/socc/compiler/ir"
	"github.com/socc-dev/socc/compiler/load"
	"github.com/socc-dev/socc/compiler/lower"
)

// mappingFiles are the repository's field mappings, which the tests
// compile against.
var mappingFiles = []string{
	"../../../mappings/fields/athena.yaml", "../../../mappings/fields/athena-lake.yaml",
	"../../../mappings/fields/athena-guardduty.yaml", "../../../mappings/fields/athena-lake-guardduty.yaml",
	"../../../mappings/fields/athena-securityhub.yaml", "../../../mappings/fields/athena-lake-securityhub.yaml",
	"../../../mappings/fields/athena-config.yaml", "../../../mappings/fields/athena-lake-config.yaml",
}

// program lowers detections (YAML documents) together with the
// repository's field mappings.
func program(t testing.TB, detections ...string) *ir.Program {
	t.Helper()
	var docs []*load.Document
	for _, f := range mappingFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, ds := load.Parse(strings.TrimPrefix(f, "../../../"), strings.NewReader(string(b)))
		if ds.HasErrors() {
			t.Fatalf("%s: %v", f, ds.Err())
		}
		docs = append(docs, doc)
	}
	for i, src := range detections {
		doc, ds := load.Parse(fmt.Sprintf("detections/d%d.yaml", i), strings.NewReader(src))
		if ds.HasErrors() {
			t.Fatalf("parse: %v\n%s", ds.Err(), src)
		}
		docs = append(docs, doc)
	}
	p, ds := lower.Lower(docs)
	if ds.HasErrors() {
		t.Fatalf("lower: %v", ds.Err())
	}
	return p
}

// detectionYAML is a detection with the given match block (indented two
// spaces) and optional extra top-level YAML.
func detectionYAML(id, match, extra string) string {
	return "kind: detection\nid: " + id + "\ntitle: T\nstatus: stable\nversion: 1\n" +
		"logsource: {product: aws, service: cloudtrail}\nseverity: {level: Lv2}\nmatch:\n" + match + extra
}

// matchYAML renders a selection of one field entry with a value of any
// type. Key and value are written as JSON, which YAML reads as
// double-quoted (or plain) flow scalars with the same escapes.
func matchYAML(key string, value any) string {
	return "  selection:\n    " + jsonText(key) + ": " + jsonText(value) + "\n"
}

func jsonText(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// ctEvent is a bare CloudTrail record as an event.
func ctEvent(rec string) *event.Event {
	return event.FromCloudTrail(gjson.Parse(rec))
}

// compareOnDuckDB runs q over the records (already loaded into o) and
// compares the returned event IDs with eval.Eval of cond on each record.
func compareOnDuckDB(t *testing.T, o *oracle, name string, q *Query, cond ir.Expr, recs []string) {
	t.Helper()
	got, err := matchedIDs(t, o, q)
	if err != nil {
		t.Errorf("%s: %v\n%s", name, err, toDuckDB(q.SQL))
		return
	}
	for _, r := range recs {
		ev := ctEvent(r)
		want := eval.Eval(cond, ev)
		if want != got[ev.ID] {
			t.Errorf("%s: event %s: reference matches=%v, athena matches=%v\n%s", name, r, want, got[ev.ID], q.SQL)
		}
	}
}

// withIDs gives every record an eventID e1, e2, ... (prefix + index).
func withIDs(prefix string, recs []string) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		r = strings.TrimSpace(r)
		sep := ","
		if r == "{}" {
			sep = ""
		}
		out[i] = fmt.Sprintf(`{"eventID":"%s%d"%s%s`, prefix, i+1, sep, r[1:])
	}
	return out
}

func parsed(recs []string) []gjson.Result {
	out := make([]gjson.Result, len(recs))
	for i, r := range recs {
		if !gjson.Valid(r) {
			panic("invalid JSON record: " + r)
		}
		out[i] = gjson.Parse(r)
	}
	return out
}
