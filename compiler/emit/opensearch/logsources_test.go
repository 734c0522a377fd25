package opensearch

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/socc-dev/socc/compiler/diag"
	"github.com/socc-dev/socc/compiler/emit"
	"github.com/socc-dev/socc/compiler/internal/siemcheck"
	"github.com/socc-dev/socc/compiler/ir"
)

// TestLogsourceMappings compiles detections of the GuardDuty, Security Hub
// and Config log sources against their bundled mappings: constants folded
// away, types of the values, envelope fields, approximate and unsupported
// reasons.
func TestLogsourceMappings(t *testing.T) {
	tests := []struct {
		name, service, body string
		dsl, lucene         string
		status, reason      string
	}{
		{"guardduty: detail-type and source are constants", "guardduty",
			"match:\n  s:\n    $.detail-type: GuardDuty Finding\n    $.source: aws.guardduty\n    severity|gte: 7\n    severity|lt: 8.5\n    service.archived: false\n    service.additionalInfo.sample|exists: false\n",
			`{"bool":{"filter":[{"range":{"severity":{"gte":7}}},{"range":{"severity":{"lt":8.5}}},{"term":{"service.archived":{"value":false}}}],"must_not":[{"exists":{"field":"service.additionalInfo.sample"}}]}}`,
			`severity:[7 TO *] AND severity:[* TO 8.5} AND service.archived:false AND NOT _exists_:service.additionalInfo.sample`,
			emit.Exact, ""},
		{"guardduty: a condition of constants only selects every finding", "guardduty",
			"match:\n  s:\n    $.detail-type: GuardDuty Finding\n",
			`{"match_all":{}}`, `*:*`, emit.Exact, ""},
		{"guardduty: a negated constant drops out of a disjunction", "guardduty",
			"match:\n  s:\n    $.detail-type: GuardDuty Finding\n  t:\n    type|startswith: 'Recon:'\n  condition: not s or t\n",
			`{"prefix":{"type":{"value":"Recon:"}}}`, `type:/Recon:.*/`, emit.Exact, ""},
		{"guardduty: another detail-type never holds", "guardduty",
			"match:\n  s:\n    $.detail-type: Security Hub Findings - Imported\n    severity|gte: 7\n",
			"", "", emit.Unsupported, "the condition never holds in opensearch's guardduty data: $.detail-type"},
		{"guardduty: paths below arrays are flattened fields", "guardduty",
			"match:\n  s:\n    resource.instanceDetails.networkInterfaces.securityGroups.groupName: orders-api\n    resource.instanceDetails.tags.key|i: env\n",
			`{"bool":{"filter":[{"term":{"resource.instanceDetails.networkInterfaces.securityGroups.groupName":{"value":"orders-api"}}},{"term":{"resource.instanceDetails.tags.key":{"case_insensitive":true,"value":"env"}}}]}}`,
			`resource.instanceDetails.networkInterfaces.securityGroups.groupName:"orders-api" AND resource.instanceDetails.tags.key:/[Ee][Nn][Vv]/`,
			emit.Exact, ""},
		{"guardduty: the time field's text is left out", "guardduty",
			"match:\n  s:\n    severity|gte: 7\n    updatedAt|startswith: '2025-'\n",
			`{"range":{"severity":{"gte":7}}}`, `severity:[7 TO *]`,
			emit.Approximate, "updatedAt is indexed as a date (the monitors' time field), not as the finding's text, so a test on its text is left out; the index has no field for updatedAt"},
		{"guardduty: envelope fields of the event are not in the finding", "guardduty",
			"match:\n  s:\n    severity|gte: 7\n    $.account: '111122223333'\n",
			`{"range":{"severity":{"gte":7}}}`, `severity:[7 TO *]`,
			emit.Approximate, "the index has no field for $.account"},
		{"securityhub: one document per finding", "securityhub",
			"match:\n  s:\n    $.detail-type: Security Hub Findings - Imported\n    Severity.Label: CRITICAL\n    RecordState: ACTIVE\n    Workflow.Status: NEW\n    Resources.Type: AwsEc2Instance\n  f:\n    ProductArn|endswith: ':product/aws/guardduty'\n  condition: s and not f\n",
			`{"bool":{"filter":[{"term":{"Severity.Label":{"value":"CRITICAL"}}},{"term":{"RecordState":{"value":"ACTIVE"}}},{"term":{"Workflow.Status":{"value":"NEW"}}},{"term":{"Resources.Type":{"value":"AwsEc2Instance"}}}],"must_not":[{"wildcard":{"ProductArn":{"value":"*:product/aws/guardduty"}}}]}}`,
			`Severity.Label:"CRITICAL" AND RecordState:"ACTIVE" AND Workflow.Status:"NEW" AND Resources.Type:"AwsEc2Instance" AND NOT ProductArn:/.*:product\/aws\/guardduty/`,
			emit.Exact, ""},
		{"securityhub: numbers and booleans keep their types", "securityhub",
			"match:\n  s:\n    Severity.Normalized|gte: 70\n    Sample: false\n",
			`{"bool":{"filter":[{"range":{"Severity.Normalized":{"gte":70}}},{"term":{"Sample":{"value":false}}}]}}`,
			`Severity.Normalized:[70 TO *] AND Sample:false`, emit.Exact, ""},
		{"securityhub: custom-action events are not in the index", "securityhub",
			"match:\n  s:\n    $.detail-type: Security Hub Findings - Custom Action\n    Severity.Label: CRITICAL\n",
			"", "", emit.Unsupported, "the condition never holds in opensearch's securityhub data: $.detail-type"},
		{"config: the envelope is in the document", "config",
			"match:\n  s:\n    $.detail-type: Config Rules Compliance Change\n    $.source: aws.config\n    $.region: ap-northeast-1\n    newEvaluationResult.complianceType: NON_COMPLIANT\n    configRuleName|wildcard: 'securityhub-restricted-ssh-*'\n",
			`{"bool":{"filter":[{"term":{"detail-type":{"value":"Config Rules Compliance Change"}}},{"term":{"source":{"value":"aws.config"}}},{"term":{"region":{"value":"ap-northeast-1"}}},{"term":{"detail.newEvaluationResult.complianceType":{"value":"NON_COMPLIANT"}}},{"wildcard":{"detail.configRuleName":{"value":"securityhub-restricted-ssh-*"}}}]}}`,
			`detail\-type:"Config Rules Compliance Change" AND source:"aws.config" AND region:"ap-northeast-1" AND detail.newEvaluationResult.complianceType:"NON_COMPLIANT" AND detail.configRuleName:/securityhub-restricted-ssh-.*/`,
			emit.Exact, ""},
		{"config: the envelope's time is a date", "config",
			"match:\n  s:\n    configRuleName: restricted-ssh\n    $.time|startswith: '2025-04'\n",
			`{"term":{"detail.configRuleName":{"value":"restricted-ssh"}}}`, `detail.configRuleName:"restricted-ssh"`,
			emit.Approximate, "the envelope's time is indexed as a date"},
	}
	var items []siemcheck.Item
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, d := program(t, tc.service, tc.body)
			q, ds := Compile(p, d)
			if len(ds) > 0 {
				t.Fatalf("diagnostics: %v", ds)
			}
			if q.Status != tc.status || !strings.Contains(q.Reason, tc.reason) {
				t.Errorf("status %s (%q), want %s (%q)", q.Status, q.Reason, tc.status, tc.reason)
			}
			if tc.dsl == "" {
				if q.DSL != nil || q.Lucene != "" {
					t.Errorf("DSL %s, Lucene %q, want none", compact(q.DSL), q.Lucene)
				}
				return
			}
			checkDSL(t, tc.name, q.DSL)
			if got := compact(q.DSL); got != tc.dsl {
				t.Errorf("DSL:\n%s\nwant:\n%s", got, tc.dsl)
			}
			if q.Lucene != tc.lucene {
				t.Errorf("Lucene:\n%s\nwant:\n%s", q.Lucene, tc.lucene)
			}
			// No envelope field of a constant survives into either artifact.
			for _, c := range []string{"GuardDuty Finding", "aws.guardduty", "Security Hub Findings - Imported", "aws.securityhub"} {
				if strings.Contains(tc.dsl+q.Lucene, c) {
					t.Errorf("the constant %q is in the query", c)
				}
			}
		})
		if tc.lucene != "" {
			items = append(items, siemcheck.Item{ID: tc.name, Dialect: "lucene", Query: tc.lucene})
		}
	}
	for _, r := range siemcheck.Check(t, items) {
		if !r.OK {
			t.Errorf("%s: the query string does not parse: %v", r.ID, r.Errors)
		}
	}
}

// TestLogsourceMonitor checks the index and time field of each log
// source's monitors.
func TestLogsourceMonitor(t *testing.T) {
	for _, tc := range []struct{ service, field, index, time string }{
		{"cloudtrail", "eventName", "cloudtrail-*", "eventTime"},
		{"guardduty", "type", "guardduty-*", "updatedAt"},
		{"securityhub", "Title", "securityhub-findings-*", "UpdatedAt"},
		{"config", "configRuleName", "eventbridge-config-*", "time"},
	} {
		t.Run(tc.service, func(t *testing.T) {
			p, d := program(t, tc.service, "match:\n  s:\n    "+tc.field+": x\n")
			q, ds := Compile(p, d)
			if len(ds) > 0 || q.Status != emit.Exact {
				t.Fatalf("status %s (%s), diagnostics %v", q.Status, q.Reason, ds)
			}
			var m struct {
				Inputs []struct {
					Search struct {
						Indices []string       `json:"indices"`
						Query   map[string]any `json:"query"`
					} `json:"search"`
				} `json:"inputs"`
			}
			if err := json.Unmarshal(Monitor(p, d, q), &m); err != nil {
				t.Fatal(err)
			}
			s := m.Inputs[0].Search
			if strings.Join(s.Indices, ",") != tc.index {
				t.Errorf("indices %v, want %s", s.Indices, tc.index)
			}
			if got := timeField(s.Query["query"]); got != tc.time {
				t.Errorf("time field %q, want %q", got, tc.time)
			}
			// The run's window ends the bundled 15m ingestion delay ago.
			b, _ := json.Marshal(s.Query)
			if want := `{"format":"epoch_millis","gte":"{{period_end}}||-20m","lt":"{{period_end}}||-15m"}`; !strings.Contains(string(b), want) {
				t.Errorf("time range is not %s:\n%s", want, b)
			}
		})
	}
}

// TestIngestionDelay: a delay that is no duration is an error at the
// mapping; without the option the window ends at the run.
func TestIngestionDelay(t *testing.T) {
	p, d := program(t, "cloudtrail", "match:\n  s:\n    eventName: x\n")
	fm := p.FieldMap(Target, "cloudtrail")
	for _, bad := range []string{"later", "-1m", "48h"} {
		fm.Options["ingestion-delay"] = bad
		ds := (Emitter{}).Emit(context.Background(), p, emit.NewSink())
		if len(ds) != 1 || ds[0].Code != diag.InvalidValue || !strings.HasSuffix(ds[0].Subject.Filename, "opensearch.yaml") {
			t.Errorf("ingestion-delay %q: diagnostics %v, want one %s at opensearch.yaml", bad, ds, diag.InvalidValue)
		}
	}
	delete(fm.Options, "ingestion-delay")
	q, _ := Compile(p, d)
	if m := string(Monitor(p, d, q)); !strings.Contains(m, `"gte": "{{period_end}}||-5m",`) || !strings.Contains(m, `"lt": "{{period_end}}"`) {
		t.Errorf("monitor without a delay:\n%s", m)
	}
}

// TestLogsourceUnmappedField: a record field that the log source's mapping
// does not name is an error whose hint names that mapping's file.
func TestLogsourceUnmappedField(t *testing.T) {
	for service, file := range map[string]string{
		"guardduty":   "mappings/fields/opensearch-guardduty.yaml",
		"securityhub": "mappings/fields/opensearch-securityhub.yaml",
		"config":      "mappings/fields/opensearch-config.yaml",
	} {
		p, d := program(t, service, "match:\n  s:\n    noSuchField: x\n")
		q, ds := Compile(p, d)
		if q.Status != emit.Unsupported || len(ds) != 1 || ds[0].Code != diag.UnmappedField {
			t.Errorf("%s: status %s, diagnostics %v", service, q.Status, ds)
			continue
		}
		if !strings.Contains(ds[0].Hint, file) {
			t.Errorf("%s: hint %q does not name %s", service, ds[0].Hint, file)
		}
	}
}

// TestMappingKeys: a mapping's unsupported reason and its approximate
// entries reach the status (the bundled mappings have no unsupported
// OpenSearch log source, so these mappings are made here).
func TestMappingKeys(t *testing.T) {
	sev, _ := ir.ParsePath("severity")
	d := &ir.Detection{ID: "aws-x", Title: "X", Logsource: ir.Logsource{Product: "aws", Service: "guardduty"},
		Match: &ir.Pred{Field: sev, Op: ir.OpGTE, Values: []ir.Value{{Kind: ir.Number, Num: 7, Str: "7"}}}}
	fm := &ir.FieldMap{Target: Target, Logsource: "guardduty", Fields: map[string]string{"severity": "severity"},
		Unsupported: "no index holds GuardDuty findings"}
	p := &ir.Program{Detections: []*ir.Detection{d}, FieldMaps: []*ir.FieldMap{fm}}
	if q, _ := Compile(p, d); q.Status != emit.Unsupported || q.Reason != fm.Unsupported || q.DSL != nil {
		t.Errorf("unsupported mapping: %s (%q)", q.Status, q.Reason)
	}

	fm.Unsupported = ""
	fm.Approximate = map[string]string{"*": "every finding is late", "severity": "severity is rounded", "service.*": "not read"}
	q, _ := Compile(p, d)
	if q.Status != emit.Approximate || q.Reason != "every finding is late; severity is rounded" {
		t.Errorf("approximate mapping: %s (%q)", q.Status, q.Reason)
	}
	if got := compact(q.DSL); got != `{"range":{"severity":{"gte":7}}}` {
		t.Errorf("DSL %s", got)
	}

	// Exceptions are part of the condition that the mapping prepares.
	arch, _ := ir.ParsePath("service.archived")
	d.Exceptions = []*ir.Exception{{Cond: &ir.Pred{Field: arch, Op: ir.OpEquals, Values: []ir.Value{{Kind: ir.Bool, Bool: true}}}}}
	fm.Fields["service.*"] = "service"
	q, _ = Compile(p, d)
	if got := compact(q.DSL); got != `{"bool":{"filter":[{"range":{"severity":{"gte":7}}}],"must_not":[{"term":{"service.archived":{"value":true}}}]}}` {
		t.Errorf("DSL with an exception %s", got)
	}
	if !strings.Contains(q.Reason, "not read") {
		t.Errorf("reason %q lacks the approximation of service.*", q.Reason)
	}
}

// TestTimeField: the mapping's time field is a date in the index, so a
// text test on it is left out (approximate) rather than sent as a query
// that OpenSearch rejects; exists stays exact.
func TestTimeField(t *testing.T) {
	for body, want := range map[string]string{
		"match:\n  s:\n    eventName: x\n    eventTime|startswith: '2024-'\n":     emit.Approximate,
		"match:\n  s:\n    eventName: x\n    eventTime: '2024-01-01T00:00:00Z'\n": emit.Approximate,
		"match:\n  s:\n    eventTime|re: '^2024'\n":                               emit.Unsupported,
		"match:\n  s:\n    eventName: x\n    eventTime|exists: true\n":            emit.Exact,
	} {
		p, d := program(t, "cloudtrail", body)
		q, ds := Compile(p, d)
		if len(ds) > 0 || q.Status != want {
			t.Errorf("%q: %s (%s), want %s; diagnostics %v", body, q.Status, q.Reason, want, ds)
			continue
		}
		if want == emit.Approximate && !strings.Contains(q.Reason, "eventTime is indexed as a date") {
			t.Errorf("%q: reason %q", body, q.Reason)
		}
		if want != emit.Unsupported {
			b, _ := json.Marshal(q.DSL)
			if strings.Contains(string(b), "2024") {
				t.Errorf("%q: the date field is still tested: %s", body, b)
			}
		}
	}
}
