package athena

// Tables of EventBridge events: the athena mappings of the guardduty,
// securityhub and config log sources read EventBridge events that an
// EventBridge rule sends through Amazon Data Firehose to S3, one JSON event
// per line, in a table whose DDL the mappings document and eventBridgeDDL
// holds. The DuckDB emulation of that table is built from the DDL, loaded
// with the fixture events of the mapping's source, and every query must
// return exactly the records (events, or Security Hub findings) that the
// reference evaluator matches.

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/socc-dev/socc/compiler"
	"github.com/socc-dev/socc/compiler/diag"
	"github.com/socc-dev/socc/compiler/emit"
	"github.com/socc-dev/socc/compiler/eval"
	"github.com/socc-dev/socc/compiler/event"
	"github.com/socc-dev/socc/compiler/ir"
)

// eventBridgeDDL is the Athena DDL of a table of EventBridge events, as
// the athena field mappings of the guardduty, securityhub and config log
// sources document it: the envelope in string columns (detail-type mapped
// to detail_type, since Athena column names allow no dash), the resources
// as an array of strings, and the detail as JSON text, read by the OpenX
// JSON SerDe with case-sensitive keys.
func eventBridgeDDL(table, location string) string {
	return "CREATE EXTERNAL TABLE " + table + " (\n" +
		"  version string,\n" +
		"  id string,\n" +
		"  detail_type string,\n" +
		"  source string,\n" +
		"  account string,\n" +
		"  `time` string,\n" +
		"  region string,\n" +
		"  resources array<string>,\n" +
		"  detail string)\n" +
		"ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'\n" +
		"WITH SERDEPROPERTIES (\n" +
		"  'case.insensitive' = 'FALSE',\n" +
		"  'mapping.detail_type' = 'detail-type')\n" +
		"LOCATION '" + location + "'\n"
}

// eventBridgeLocation is the S3 location the mapping of a log source
// documents.
func eventBridgeLocation(logsource string) string {
	return "s3://amzn-s3-demo-bucket/eventbridge/" + logsource + "/"
}

var (
	reDDLColumn  = regexp.MustCompile("^\\s+`?([a-z_]+)`? (string|array<string>)[,)]$")
	reDDLMapping = regexp.MustCompile(`'mapping\.([a-z_]+)' = '([^']+)'`)
)

// eventBridgeTable derives the emulated table from the DDL: each column's
// name, the envelope key it reads (its SerDe mapping, or its name), and its
// conversion: a string column gets a JSON string's text and the JSON text
// of any other value, as the OpenX SerDe renders it (detail is an object's
// text); array<string> the elements' texts.
func eventBridgeTable(t testing.TB, ddl string) []tableColumn {
	t.Helper()
	keys := map[string]string{}
	for _, m := range reDDLMapping.FindAllStringSubmatch(ddl, -1) {
		keys[m[1]] = m[2]
	}
	var cols []tableColumn
	for _, line := range strings.Split(ddl, "\n") {
		m := reDDLColumn.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		c := tableColumn{name: m[1], key: m[1], conv: "string"}
		if k, ok := keys[m[1]]; ok {
			c.key = k
		}
		if m[2] == "array<string>" {
			c.conv = "strings"
		}
		cols = append(cols, c)
	}
	if len(cols) != 9 {
		t.Fatalf("the DDL has %d columns, want 9:\n%s", len(cols), ddl)
	}
	return cols
}

// eventBridgeMappings are the athena field mappings of the log sources
// whose events the EventBridge tables hold.
var eventBridgeMappings = []string{"guardduty", "securityhub", "config"}

// TestEventBridgeDDLDocumented checks that each mapping documents the DDL
// of its table, that its columns are the DDL's, and that the DDL's column
// names and string literals are what Athena accepts.
func TestEventBridgeDDLDocumented(t *testing.T) {
	res, _ := library(t)
	cols := eventBridgeTable(t, eventBridgeDDL("t", "s3://b/"))
	names := map[string]bool{recordAlias: true}
	for _, c := range cols {
		names[c.name] = true
	}
	for _, ls := range eventBridgeMappings {
		fm := res.Program.FieldMap("athena", ls)
		if fm == nil {
			t.Fatalf("no athena mapping for %s", ls)
		}
		b, err := os.ReadFile("../../../" + fm.Source.File)
		if err != nil {
			t.Fatal(err)
		}
		var comment strings.Builder
		for _, line := range strings.Split(string(b), "\n") {
			if s, ok := strings.CutPrefix(line, "#   "); ok {
				comment.WriteString(s + "\n")
			}
		}
		ddl := eventBridgeDDL(fm.Options["table"], eventBridgeLocation(ls))
		if !strings.Contains(comment.String(), ddl) {
			t.Errorf("%s does not document the DDL\n%s", fm.Source.File, ddl)
		}
		if src, ok := fm.Constants["$.source"]; !ok || src.Str != "aws."+ls {
			t.Errorf("%s: $.source is not the constant aws.%s", fm.Source.File, ls)
		}
		d, errs := newDialect("athena", "Athena", "", fm)
		if len(errs) > 0 {
			t.Errorf("%s: %v", fm.Source.File, errs)
		}
		for k, c := range d.columns {
			if !names[c.path[0]] {
				t.Errorf("%s: field %s reads %s, which is not a column of the DDL", fm.Source.File, k, c.path[0])
			}
		}
	}
	for _, c := range cols {
		if !bareIdent.MatchString(c.name) || strings.ToLower(c.name) != c.name {
			t.Errorf("column %q: Athena column names are lower-case letters, digits and underscores", c.name)
		}
	}
}

// ebTable is a table of EventBridge events loaded into the oracle, with
// the records its rows hold, as the reference evaluator sees them.
type ebTable struct {
	records bool // the mapping reads one row per record of detail.findings
	samples []ebSample
}

type ebSample struct {
	ev      *event.Event
	fixture string
	key     string // the event's id, and over a table of records "#" and the record's position
}

// envelopeJSON is the EventBridge event that a row of the table holds for
// the events of one envelope (the findings of a Security Hub event share
// it): its fields as the envelope has them, detail with every finding.
func envelopeJSON(ev *event.Event) string {
	var b strings.Builder
	b.WriteByte('{')
	for _, k := range []string{"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"} {
		v := ev.EnvelopeField(k)
		if !v.Exists() {
			continue
		}
		raw := v.Raw
		if raw == "" {
			q, _ := json.Marshal(v.Str)
			raw = string(q)
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		q, _ := json.Marshal(k)
		b.Write(q)
		b.WriteByte(':')
		b.WriteString(raw)
	}
	b.WriteByte('}')
	return b.String()
}

// loadEventBridge creates table name of the DDL's layout in o, one row per
// envelope: groups are the events of one envelope each (a Security Hub
// event split into its findings, or one event). An envelope whose id an
// earlier one has is loaded once; two different envelopes with one id are
// an error, since the id is how a result row names its event.
func loadEventBridge(t testing.TB, o *oracle, name string, records bool, groups [][]ebSample) *ebTable {
	t.Helper()
	tb := &ebTable{records: records}
	type loaded struct{ env, fixture string }
	byID := map[string]loaded{}
	var rows []gjson.Result
	for _, g := range groups {
		env := envelopeJSON(g[0].ev)
		id := g[0].ev.EnvelopeField("id").Str
		if prev, ok := byID[id]; ok {
			if prev.env != env {
				t.Fatalf("two different events with id %q (fixtures %s, %s)", id, prev.fixture, g[0].fixture)
			}
			continue
		}
		byID[id] = loaded{env, g[0].fixture}
		if !records && len(g) != 1 {
			t.Fatalf("event %s of %s holds %d records, and the table reads one per event", id, g[0].fixture, len(g))
		}
		for i, s := range g {
			s.key = id
			if records {
				s.key = fmt.Sprintf("%s#%d", id, i+1)
			}
			tb.samples = append(tb.samples, s)
		}
		rows = append(rows, gjson.Parse(env))
	}
	o.load(t, name, eventBridgeTable(t, eventBridgeDDL(name, "s3://b/")), rows)
	return tb
}

// compare runs q over the table and compares its rows with the reference
// evaluator's verdicts of cond on every record; recordID is the record
// field a row's record_id must hold. It returns the number of verdicts and
// the differences.
func (tb *ebTable) compare(t testing.TB, o *oracle, q *Query, cond ir.Expr, recordID string) (int, []string) {
	t.Helper()
	rows, err := o.rows(t, toDuckDB(q.SQL))
	if err != nil {
		return 0, []string{fmt.Sprintf("detection %s: %v\n%s", q.ID, err, toDuckDB(q.SQL))}
	}
	var diffs []string
	got := map[string]map[string]any{}
	for _, r := range rows {
		id, ok := r["id"].(string)
		if !ok {
			diffs = append(diffs, fmt.Sprintf("detection %s: a row without id: %v", q.ID, r))
			continue
		}
		key := id
		if tb.records {
			key = fmt.Sprintf("%s#%v", id, r[recordIndex])
		}
		if got[key] != nil {
			diffs = append(diffs, fmt.Sprintf("detection %s: record %s returned twice", q.ID, key))
		}
		got[key] = r
	}
	known := map[string]bool{}
	for _, s := range tb.samples {
		known[s.key] = true
		want := eval.Eval(cond, s.ev)
		r := got[s.key]
		if want != (r != nil) {
			diffs = append(diffs, fmt.Sprintf("detection %s, %s, fixture %s (event %d), record %s: reference matches=%v, athena matches=%v",
				q.ID, q.Target, s.fixture, s.ev.Line, s.key, want, r != nil))
			continue
		}
		if r != nil && recordID != "" {
			var w any
			if v := s.ev.Record.Get(gjsonEscape(recordID)); v.Type == gjson.String {
				w = v.Str
			}
			if fmt.Sprint(r["record_id"]) != fmt.Sprint(w) {
				diffs = append(diffs, fmt.Sprintf("detection %s, record %s: record_id %v, want %v", q.ID, s.key, r["record_id"], w))
			}
		}
	}
	for k := range got {
		if !known[k] {
			diffs = append(diffs, fmt.Sprintf("detection %s: a row for record %s, which no event has", q.ID, k))
		}
	}
	slices.Sort(diffs)
	return len(tb.samples), diffs
}

// eventBridgeGroups returns, per EventBridge source, the fixture events of
// that source grouped by envelope (the events of a fixture's envelope share
// its file and line), in fixture order.
func eventBridgeGroups(res *compiler.Result) map[string][][]ebSample {
	var paths []string
	for p := range res.Fixtures {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	out := map[string][][]ebSample{}
	for _, p := range paths {
		var cur []ebSample
		flush := func() {
			if len(cur) > 0 {
				src := cur[0].ev.Source
				out[src] = append(out[src], cur)
				cur = nil
			}
		}
		for _, ev := range res.Fixtures[p] {
			if len(cur) > 0 && (cur[0].ev.Line != ev.Line || cur[0].ev.EnvelopeField("id").Str != ev.EnvelopeField("id").Str) {
				flush()
			}
			cur = append(cur, ebSample{ev: ev, fixture: p})
		}
		flush()
	}
	return out
}

// libraryEventBridge runs the athena query of every detection of an
// EventBridge log source over its table, loaded with the fixture events of
// the mapping's $.source, and reports the differences with the reference
// evaluator. It returns the number of verdicts compared.
func libraryEventBridge(t *testing.T, res *compiler.Result, c *Compiled) int {
	t.Helper()
	groups := eventBridgeGroups(res)
	o := newOracle(t)
	tables := map[string]*ebTable{}
	n := 0
	for i, d := range res.Program.Detections {
		q := c.Queries["athena"][i]
		ls := d.Logsource.Service
		if ls == "cloudtrail" || q.Status == emit.Unsupported {
			continue
		}
		if d.Threshold != nil {
			t.Logf("detection %s: a threshold over EventBridge events is not compared", d.ID)
			continue
		}
		fm := res.Program.FieldMap("athena", ls)
		tb := tables[ls]
		if tb == nil {
			src := fm.Constants["$.source"].Str
			if len(groups[src]) == 0 {
				t.Fatalf("no fixture event of source %q for log source %s", src, ls)
			}
			_, records := fm.Options["records"]
			tb = loadEventBridge(t, o, fm.Options["table"], records, groups[src])
			tables[ls] = tb
			t.Logf("%s: %d events of %s, %d records", fm.Options["table"], len(groups[src]), src, len(tb.samples))
		}
		if q.Status != emit.Exact {
			t.Errorf("detection %s: %s: %s", d.ID, q.Status, q.Reason)
		}
		k, diffs := tb.compare(t, o, q, d.Cond(), fm.Options["record-id"])
		n += k
		for _, msg := range diffs {
			t.Error(msg)
		}
	}
	return n
}

// ebDetection is a detection of log source ls with the given match block.
func ebDetection(id, ls, match string) string {
	return strings.Replace(detectionYAML(id, match, ""), "service: cloudtrail", "service: "+ls, 1)
}

// TestEventBridgeConstructs runs detections over hand-made EventBridge
// events that tell a right reading of the table from a wrong one: Security
// Hub events whose findings are split into records (two findings, an empty
// array, an object instead of an array, no findings, null and string
// elements), envelopes with and without resources, CloudTrail records
// that the rule also forwards, and case-variant member names.
func TestEventBridgeConstructs(t *testing.T) {
	envs := map[string][]string{
		"securityhub": {
			`{"version":"0","id":"sh1","detail-type":"Security Hub Findings - Imported","source":"aws.securityhub","account":"1","time":"2025-01-01T00:00:00Z","region":"r","resources":["arn:x/f1","arn:x/f2"],"detail":{"findings":[{"Id":"f1","Severity":{"Label":"CRITICAL"},"Workflow":{"Status":"NEW"}},{"Id":"f2","Severity":{"Label":"LOW"},"severity":{"label":"CRITICAL"}}]}}`,
			`{"version":"0","id":"sh2","detail-type":"Security Hub Findings - Imported","source":"aws.securityhub","account":"1","time":"2025-01-01T00:00:00Z","region":"r","resources":[],"detail":{"findings":[],"Severity":{"Label":"CRITICAL"}}}`,
			`{"version":"0","id":"sh3","detail-type":"Security Hub Findings - Custom Action","source":"aws.securityhub","account":"1","time":"2025-01-01T00:00:00Z","region":"r","detail":{"findings":{"Id":"f3","Severity":{"Label":"CRITICAL"}}}}`,
			`{"version":"0","id":"sh4","detail-type":"Security Hub Insight Results","source":"aws.securityhub","account":"1","time":"2025-01-01T00:00:00Z","region":"r","resources":["arn:x/i"],"detail":{"insightName":"n","insightResults":[{"Id":"f4"}]}}`,
			`{"version":"0","id":"sh5","detail-type":"Security Hub Findings - Imported","source":"aws.securityhub","account":"1","time":"2025-01-01T00:00:00Z","region":"r","resources":["arn:x/f6"],"detail":{"findings":[null,"f5",{"Id":"f6","Severity":[{"Label":"CRITICAL"}],"Workflow":{"Status":["NEW","NOTIFIED"]}},[{"Id":"f7"}]]}}`,
		},
		"guardduty": {
			`{"version":"0","id":"gd1","detail-type":"GuardDuty Finding","source":"aws.guardduty","account":"1","time":"2025-01-01T00:00:00Z","region":"r","resources":[],"detail":{"id":"g1","severity":8,"service":{"archived":false}}}`,
			`{"version":"0","id":"gd2","detail-type":"GuardDuty Finding","source":"aws.guardduty","account":"1","time":"2025-01-01T00:00:00Z","region":"r","detail":{"id":"g2","severity":"8","service":{"archived":"false","additionalInfo":{"sample":null}}}}`,
			`{"version":"0","id":"gd3","detail-type":"GuardDuty Runtime Protection Health","source":"aws.guardduty","account":"1","time":"2025-01-01T00:00:00Z","region":"r","resources":["arn:aws:ec2:r:1:instance/i-1"],"detail":{"id":"g3","Severity":9,"service":{"archived":[true,false],"additionalInfo":{"Sample":true}}}}`,
		},
	}
	bare := map[string][]string{
		"guardduty": {`{"eventID":"ct1","eventSource":"guardduty.amazonaws.com","eventName":"UpdateDetector","eventType":"AwsApiCall","severity":8,"id":"x"}`},
	}
	cases := []struct {
		ls, match string
		all       bool // the condition holds for every record
	}{
		{"securityhub", "  s:\n    $.detail-type: Security Hub Findings - Imported\n    Severity.Label: CRITICAL\n", false},
		{"securityhub", "  s:\n    Id|exists: false\n", false},
		{"securityhub", "  s:\n    Severity.Label: LOW\n  condition: not s\n", false},
		{"securityhub", "  s:\n    Workflow.Status|startswith: N\n  t:\n    $.resources|endswith: /f6\n  condition: s and t\n", false},
		{"securityhub", "  s:\n    $.detail.findings.Id: f2\n", false},
		{"securityhub", "  s:\n    $.resources|exists: true\n", false},
		{"securityhub", "  s:\n    $.source: aws.securityhub\n", true},
		{"guardduty", "  s:\n    $.detail-type: GuardDuty Finding\n    severity|gte: 7\n    service.archived: false\n", false},
		{"guardduty", "  s:\n    service.additionalInfo.sample|exists: false\n", false},
		{"guardduty", "  s:\n    $.resources|contains: instance/\n  t:\n    id: [g2, x]\n  condition: s or t\n", false},
		{"guardduty", "  s:\n    severity: 8\n", false},
	}
	var docs []string
	for i, tc := range cases {
		docs = append(docs, ebDetection(fmt.Sprintf("e%d", i), tc.ls, tc.match))
	}
	p := program(t, docs...)
	c, ds := Compile(p)
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	checkTrino(t, slices.DeleteFunc(slices.Clone(c.Queries["athena"]), func(q *Query) bool { return q.SQL == "" }))
	if testing.Short() {
		return
	}
	o := newOracle(t)
	tables := map[string]*ebTable{}
	for _, ls := range []string{"securityhub", "guardduty"} {
		var groups [][]ebSample
		for _, e := range envs[ls] {
			var g []ebSample
			for _, ev := range event.FromEnvelope(gjson.Parse(e)) {
				g = append(g, ebSample{ev: ev, fixture: "inline"})
			}
			groups = append(groups, g)
		}
		for _, r := range bare[ls] {
			groups = append(groups, []ebSample{{ev: ctEvent(r), fixture: "inline"}})
		}
		fm := p.FieldMap("athena", ls)
		_, records := fm.Options["records"]
		tables[ls] = loadEventBridge(t, o, fm.Options["table"], records, groups)
	}
	if n := len(tables["securityhub"].samples); n != 9 {
		t.Errorf("%d Security Hub records, want 9 (2 findings, 3 details, 4 elements)", n)
	}
	byID := map[string]int{}
	for j, d := range p.Detections {
		byID[d.ID] = j
	}
	for i, tc := range cases {
		j := byID[fmt.Sprintf("e%d", i)]
		d, q := p.Detections[j], c.Queries["athena"][j]
		t.Run(fmt.Sprintf("%s/%s", tc.ls, strings.TrimSpace(strings.ReplaceAll(tc.match, "\n", " "))), func(t *testing.T) {
			if q.Status != emit.Exact {
				t.Fatalf("status %s: %s", q.Status, q.Reason)
			}
			fm := p.FieldMap("athena", tc.ls)
			tb := tables[tc.ls]
			matches := 0
			for _, s := range tb.samples {
				if eval.Eval(d.Cond(), s.ev) {
					matches++
				}
			}
			if tc.all != (matches == len(tb.samples)) || matches == 0 {
				t.Errorf("the reference matches %d of %d records: the case does not tell right from wrong", matches, len(tb.samples))
			}
			_, diffs := tb.compare(t, o, q, d.Cond(), fm.Options["record-id"])
			for _, msg := range diffs {
				t.Errorf("%s\n%s", msg, q.SQL)
			}
		})
	}
}

// TestEventBridgeUnsupported: CloudTrail Lake holds none of these events,
// and a condition that the table's constant source decides false is
// unsupported, each with its reason and without a diagnostic.
func TestEventBridgeUnsupported(t *testing.T) {
	p := program(t,
		ebDetection("g", "guardduty", "  s:\n    severity|gte: 7\n"),
		ebDetection("h", "securityhub", "  s:\n    Severity.Label: CRITICAL\n"),
		ebDetection("c", "config", "  s:\n    configRuleName: x\n"),
		ebDetection("n", "guardduty", "  s:\n    $.source: aws.securityhub\n    severity|gte: 7\n"),
	)
	c, ds := Compile(p)
	if len(ds) > 0 {
		t.Errorf("diagnostics: %v", ds)
	}
	for i, d := range p.Detections {
		if q := c.Queries["athena-lake"][i]; q.Status != emit.Unsupported || !strings.Contains(q.Reason, "no CloudTrail Lake event data store holds") {
			t.Errorf("lake %s: %s: %s", d.ID, q.Status, q.Reason)
		}
		q := c.Queries["athena"][i]
		if d.ID == "n" {
			if q.Status != emit.Unsupported || q.Reason != "the condition never holds in athena's guardduty data: $.source" || q.SQL != "" {
				t.Errorf("a condition on another source: %s: %s", q.Status, q.Reason)
			}
		} else if q.Status != emit.Exact {
			t.Errorf("athena %s: %s: %s", d.ID, q.Status, q.Reason)
		}
	}
}

// TestMalformedEventBridgeMapping: the records and record-id options, and
// the record they name, are checked where the mapping is read.
func TestMalformedEventBridgeMapping(t *testing.T) {
	base := func() *ir.FieldMap {
		return &ir.FieldMap{Target: "athena", Logsource: "securityhub", Source: ir.SourceRef{File: "m.yaml", Line: 1},
			Options: map[string]string{"table": "t", "records": "json(detail).findings", "record-id": "Id"},
			Fields:  map[string]string{"$.id": "id", "Id": "json(record).Id", "Severity.*": "json(record).Severity"}}
	}
	tests := []struct {
		name string
		edit func(m *ir.FieldMap)
		want string // in the diagnostic; "" for none
	}{
		{"well formed", func(*ir.FieldMap) {}, ""},
		{"records is not below a JSON column", func(m *ir.FieldMap) { m.Options["records"] = "json(detail)" }, "option records"},
		{"records holds SQL", func(m *ir.FieldMap) { m.Options["records"] = "json(detail).x'); DROP TABLE t; --" }, "option records"},
		{"record without records", func(m *ir.FieldMap) { delete(m.Options, "records") }, "names the record of the records option"},
		{"record-id unmapped", func(m *ir.FieldMap) { m.Options["record-id"] = "Missing" }, "option record-id"},
		{"record-id an envelope field", func(m *ir.FieldMap) { m.Options["record-id"] = "$.id" }, "option record-id"},
		{"a JSON member with a quote", func(m *ir.FieldMap) { m.Fields["Title"] = `json(record).Ti"tle` }, "field Title"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := base()
			tc.edit(m)
			_, ds := Compile(&ir.Program{FieldMaps: []*ir.FieldMap{m}})
			var got []string
			for _, d := range ds {
				if d.Code != diag.InvalidValue || d.Subject.Filename != "m.yaml" {
					t.Errorf("unexpected diagnostic %v", d)
				}
				got = append(got, d.Summary)
			}
			if tc.want == "" && len(got) > 0 || tc.want != "" && len(got) == 0 {
				t.Errorf("diagnostics %q, want %q", got, tc.want)
			}
			for _, g := range got {
				if !strings.Contains(g, tc.want) {
					t.Errorf("diagnostic %q, want %q", g, tc.want)
				}
			}
		})
	}
}

// TestEventBridgeThreshold: a threshold over a table of records counts
// records (findings), grouped by an envelope field, over the envelope's
// time; the groups that alert are the reference evaluator's.
func TestEventBridgeThreshold(t *testing.T) {
	env := func(id, account, ts string, labels ...string) string {
		var fs []string
		for i, l := range labels {
			fs = append(fs, fmt.Sprintf(`{"Id":"%s-%d","Severity":{"Label":%q}}`, id, i, l))
		}
		return fmt.Sprintf(`{"version":"0","id":%q,"detail-type":"Security Hub Findings - Imported","source":"aws.securityhub","account":%q,"time":%q,"region":"r","resources":[],"detail":{"findings":[%s]}}`,
			id, account, ts, strings.Join(fs, ","))
	}
	envs := []string{
		env("a1", "111", "2025-01-01T00:00:00Z", "CRITICAL", "LOW", "CRITICAL"), // two in one event
		env("b1", "222", "2025-01-01T00:00:00Z", "CRITICAL"),
		env("b2", "222", "2025-01-01T00:20:00Z", "CRITICAL"), // outside b1's window
		env("c1", "333", "2025-01-01T00:00:00Z", "CRITICAL"),
		env("c2", "333", "2025-01-01T00:09:00Z", "LOW", "CRITICAL"),
	}
	p := program(t, ebDetection("t", "securityhub", "  s:\n    Severity.Label: CRITICAL\n")+
		"threshold: {count: 2, window: 10m, by: [$.account]}\n")
	c, ds := Compile(p)
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	d, q := p.Detections[0], c.Queries["athena"][0]
	if q.Status != emit.Approximate || !strings.Contains(q.SQL, "WITH ORDINALITY") {
		t.Fatalf("status %s: %s\n%s", q.Status, q.Reason, q.SQL)
	}
	checkTrino(t, []*Query{q})
	if testing.Short() {
		return
	}
	o := newOracle(t)
	var groups [][]ebSample
	var evs []*event.Event
	for _, e := range envs {
		var g []ebSample
		for _, ev := range event.FromEnvelope(gjson.Parse(e)) {
			g = append(g, ebSample{ev: ev, fixture: "inline"})
			evs = append(evs, ev)
		}
		groups = append(groups, g)
	}
	loadEventBridge(t, o, "eventbridge_securityhub", true, groups)
	want := map[string]bool{}
	for _, a := range eval.Run(&ir.Program{Detections: []*ir.Detection{d}}, nil, evs)[d.ID] {
		want[a.Events[0].EnvelopeField("account").Str] = true
	}
	rows, err := o.rows(t, toDuckDB(q.SQL))
	if err != nil {
		t.Fatalf("%v\n%s", err, q.SQL)
	}
	got := map[string]bool{}
	for _, r := range rows {
		got[keyText(r[q.GroupColumns[0]])] = true
	}
	if fmt.Sprint(sortedIDs(got)) != fmt.Sprint(sortedIDs(want)) || len(want) != 2 {
		t.Errorf("groups that alert: reference %v (want 2), athena %v\n%s", sortedIDs(want), sortedIDs(got), q.SQL)
	}
}
