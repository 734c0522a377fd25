package sentinel

import (
	"context"
	"flag"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/diff"
	"gopkg.in/yaml.v3"

	"github.com/socc-dev/socc/compiler"
	"github.com/socc-dev/socc/compiler/diag"
	"github.com/socc-dev/socc/compiler/emit"
	"github.com/socc-dev/socc/compiler/internal/siemcheck"
	"github.com/socc-dev/socc/compiler/ir"
	"github.com/socc-dev/socc/compiler/load"
	"github.com/socc-dev/socc/compiler/lower"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

const mappingDir = "../../../mappings/fields"

// program lowers one detection of log source service together with the
// bundled Sentinel field mappings (sentinel.yaml and sentinel-*.yaml).
func program(t *testing.T, service, body string) (*ir.Program, *ir.Detection) {
	t.Helper()
	src := "kind: detection\nid: aws-x\ntitle: X\nstatus: stable\nversion: 1\n" +
		"logsource: {product: aws, service: " + service + "}\nseverity: {level: Lv2}\n" + body
	doc, ds := load.Parse("d.yaml", strings.NewReader(src))
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	docs := []*load.Document{doc}
	files, err := filepath.Glob(filepath.Join(mappingDir, "sentinel*.yaml"))
	if err != nil || len(files) < 4 {
		t.Fatalf("sentinel mappings: %v %v", files, err)
	}
	for _, f := range files {
		mb, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		mdoc, ds := load.Parse("mappings/fields/"+filepath.Base(f), strings.NewReader(string(mb)))
		if ds.HasErrors() {
			t.Fatal(ds)
		}
		docs = append(docs, mdoc)
	}
	p, ds := lower.Lower(docs)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return p, p.Detections[0]
}

func TestCompile(t *testing.T) {
	tests := []struct {
		name, service, body string
		want                string // the KQL
		status              string
		reason              string // a substring of the reason
	}{
		{"equals is case-sensitive, i is =~", "cloudtrail",
			"match:\n  s:\n    eventName: ConsoleLogin\n    userIdentity.type|i: root\n",
			"AWSCloudTrail\n| where EventName == \"ConsoleLogin\"\n    and UserIdentityType =~ \"root\"", emit.Exact, ""},
		{"lists are in and in~, negated !in", "cloudtrail",
			"match:\n  s:\n    eventName: [A, B]\n  f:\n    awsRegion|i: [x, y]\n  condition: s and not f\n",
			"AWSCloudTrail\n| where EventName in (\"A\", \"B\")\n    and AWSRegion !in~ (\"x\", \"y\")", emit.Exact, ""},
		{"escaping quotes backslashes newlines unicode", "cloudtrail",
			"match:\n  s:\n    userAgent: \"a\\\"b\\\\c\\nd\\te é 日本 \\u0001\"\n",
			"AWSCloudTrail\n| where UserAgent == \"a\\\"b\\\\c\\nd\\te é 日本 \\u0001\"", emit.Exact, ""},
		{"keywords and wildcards are just values", "cloudtrail",
			"match:\n  s:\n    eventName: [\"and\", \"or not\", \"*\", \"?\", \"where\"]\n",
			"AWSCloudTrail\n| where EventName in (\"and\", \"or not\", \"*\", \"?\", \"where\")", emit.Exact, ""},
		{"substrings use _cs operators unless i", "cloudtrail",
			"match:\n  s:\n    userAgent|contains: Boto3\n    userAgent|startswith|i: aws-cli\n    errorMessage|endswith: '*'\n",
			"AWSCloudTrail\n| where UserAgent contains_cs \"Boto3\"\n    and UserAgent startswith \"aws-cli\"\n    and ErrorMessage endswith_cs \"*\"", emit.Exact, ""},
		{"negated substring", "cloudtrail",
			"match:\n  s:\n    eventName: A\n  f:\n    userAgent|contains: x\n  condition: s and not f\n",
			"AWSCloudTrail\n| where EventName == \"A\"\n    and UserAgent !contains_cs \"x\"", emit.Exact, ""},
		{"wildcard shapes become operators, others regex", "cloudtrail",
			"match:\n  s:\n    eventName|wildcard: Get*\n    userAgent|wildcard: '*a?b*'\n    errorCode|wildcard: 'x\\*y'\n",
			"AWSCloudTrail\n| where EventName startswith_cs \"Get\"\n    and UserAgent matches regex \"(?s)^.*a.b.*$\"\n    and ErrorCode == \"x*y\"", emit.Exact, ""},
		{"regex is RE2, i is (?i)", "cloudtrail",
			"match:\n  s:\n    userAgent|re: '^Boto3/\\d+ \"x\"'\n    errorMessage|re|i: denied\n",
			"AWSCloudTrail\n| where UserAgent matches regex @\"^Boto3/\\d+ \"\"x\"\"\"\n    and ErrorMessage matches regex \"(?i)denied\"", emit.Exact, ""},
		{"a regex matching the empty string needs a present value", "cloudtrail",
			"match:\n  s:\n    userAgent|re: 'x*'\n",
			"AWSCloudTrail\n| where isnotempty(UserAgent) and UserAgent matches regex \"x*\"", emit.Exact, ""},
		{"dynamic members, typed values", "cloudtrail",
			"match:\n  s:\n    requestParameters.bucketName: b\n    requestParameters.x-amz-acl: public-read\n    requestParameters.where: w\n    requestParameters.minimumPasswordLength|lt: 14\n    requestParameters.enable: false\n    readOnly: false\n",
			"AWSCloudTrail\n| where tostring(parse_json(RequestParameters).bucketName) == \"b\"\n    and tostring(parse_json(RequestParameters)[\"x-amz-acl\"]) == \"public-read\"\n    and tostring(parse_json(RequestParameters)[\"where\"]) == \"w\"\n    and toreal(parse_json(RequestParameters).minimumPasswordLength) < 14.0\n    and tobool(parse_json(RequestParameters)[\"enable\"]) == false\n    and ReadOnly == false", emit.Exact, ""},
		{"negated nullable values are true when absent", "cloudtrail",
			"match:\n  s:\n    eventName: A\n  f:\n    readOnly: true\n  g:\n    requestParameters.port|gt: 5\n  condition: s and not f and not g\n",
			"AWSCloudTrail\n| where EventName == \"A\"\n    and (isnull(ReadOnly) or not(ReadOnly == true))\n    and (isnull(toreal(parse_json(RequestParameters)[\"port\"])) or not(toreal(parse_json(RequestParameters)[\"port\"]) > 5.0))", emit.Exact, ""},
		{"exists", "cloudtrail",
			"match:\n  s:\n    errorCode|exists: false\n    requestParameters.userData|exists: true\n",
			"AWSCloudTrail\n| where isempty(ErrorCode)\n    and isnotnull(parse_json(RequestParameters).userData)", emit.Exact, ""},
		{"cidr v4 and v6", "cloudtrail",
			"match:\n  s:\n    eventName: A\n  f:\n    sourceIPAddress|cidr: [10.0.0.0/8, '2001:db8::/32']\n  condition: s and not f\n",
			"AWSCloudTrail\n| where EventName == \"A\"\n    and not(coalesce(ipv4_is_in_range(SourceIpAddress, \"10.0.0.0/8\"), false))\n    and not(coalesce(ipv6_is_in_range(SourceIpAddress, \"2001:db8::/32\") and not(ipv6_is_in_range(SourceIpAddress, \"::ffff:0:0/96\")), false))", emit.Exact, ""},
		{"fieldref needs both present", "cloudtrail",
			"match:\n  s:\n    eventName: A\n  f:\n    requestParameters.userName|fieldref: userIdentity.userName\n  condition: s and not f\n",
			"AWSCloudTrail\n| where EventName == \"A\"\n    and not(isnotnull(parse_json(RequestParameters).userName) and isnotempty(UserIdentityUserName) and tostring(parse_json(RequestParameters).userName) == UserIdentityUserName)", emit.Exact, ""},
		{"arrays become mv-apply counts", "cloudtrail",
			"match:\n  s:\n    eventName: PutBucketPolicy\n    requestParameters.bucketPolicy.Statement.Principal.AWS: '*'\n",
			"let socc_array = (v:dynamic) { iff(gettype(v) == \"array\", v, pack_array(v)) };\nAWSCloudTrail\n| where EventName == \"PutBucketPolicy\"\n| mv-apply socc_e1 = socc_array(parse_json(RequestParameters).bucketPolicy.Statement) to typeof(dynamic) on (mv-apply socc_e2 = socc_array(socc_e1.Principal.AWS) to typeof(dynamic) on (summarize socc_n1 = countif(tostring(socc_e2) == \"*\")) | summarize socc_n1 = countif(socc_n1 > 0))\n| where socc_n1 > 0", emit.Exact, ""},
		{"required keys pre-filter an or", "cloudtrail",
			"match:\n  a:\n    eventSource: s3.amazonaws.com\n    eventName: A\n  b:\n    eventSource: s3.amazonaws.com\n    eventName: B\n  condition: a or b\n",
			"AWSCloudTrail\n| where EventSource == \"s3.amazonaws.com\"\n    and EventName in (\"A\", \"B\")\n    and ((EventSource == \"s3.amazonaws.com\" and EventName == \"A\") or (EventSource == \"s3.amazonaws.com\" and EventName == \"B\"))", emit.Exact, ""},
		{"non-ASCII i is approximate", "cloudtrail",
			"match:\n  s:\n    userIdentity.userName|i: ÄBC\n",
			"AWSCloudTrail\n| where UserIdentityUserName =~ \"äbc\"", emit.Approximate, "non-ASCII"},
		{"null is left out", "cloudtrail",
			"match:\n  s:\n    eventName: A\n    requestParameters.x: null\n",
			"AWSCloudTrail\n| where EventName == \"A\"", emit.Approximate, "null"},
		{"an unavailable column is left out", "cloudtrail",
			"match:\n  s:\n    eventName: A\n    userIdentity.sessionContext.attributes.creationDate: x\n",
			"AWSCloudTrail\n| where EventName == \"A\"", emit.Approximate, "no column"},
		{"threshold", "cloudtrail",
			"match:\n  s:\n    eventName: GetSecretValue\nthreshold: {count: 5, distinct: requestParameters.secretId, window: 10m, by: [userIdentity.arn, requestParameters.x]}\n",
			"AWSCloudTrail\n| where EventName == \"GetSecretValue\"\n| extend socc_by2 = tostring(parse_json(RequestParameters)[\"x\"])\n| summarize socc_count = count_distinct(tostring(parse_json(RequestParameters).secretId)), StartTime = min(TimeGenerated), EndTime = max(TimeGenerated) by UserIdentityArn, socc_by2\n| where socc_count >= 5", emit.Approximate, "threshold"},
		{"envelope field without a column", "cloudtrail",
			"match:\n  s:\n    $.detail-type: AWS API Call via CloudTrail\n", "", emit.Unsupported, "envelope"},
		{"log source without a mapping", "vpcflow",
			"match:\n  s:\n    action: REJECT\n", "", emit.Unsupported, "no sentinel field mapping for log source vpcflow"},

		// GuardDuty findings: AWSGuardDuty, whose resource and service are
		// dynamic columns and whose Severity is an int.
		{"guardduty: detail-type folded, severity approximate, dynamic members", "guardduty",
			"match:\n  s:\n    $.detail-type: GuardDuty Finding\n    $.source: aws.guardduty\n    severity|gte: 7\n    service.archived: false\n    service.additionalInfo.sample|exists: false\n    resource.instanceDetails.instanceId: i-1\n",
			"AWSGuardDuty\n| where Severity >= 7.0\n    and tobool(ServiceDetails[\"archived\"]) == false\n    and isnull(ServiceDetails.additionalInfo[\"sample\"])\n    and tostring(ResourceDetails.instanceDetails.instanceId) == \"i-1\"", emit.Approximate, "Severity column is an int"},
		{"guardduty: no severity, exact", "guardduty",
			"match:\n  s:\n    type|startswith: 'Recon:EC2/'\n    accountId: '111122223333'\n  f:\n    service.action.actionType: PORT_PROBE\n  condition: s and not f\n",
			"AWSGuardDuty\n| where ActivityType startswith_cs \"Recon:EC2/\"\n    and AccountId == \"111122223333\"\n    and tostring(ServiceDetails[\"action\"].actionType) != \"PORT_PROBE\"", emit.Exact, ""},
		{"guardduty: arrays below a dynamic column", "guardduty",
			"match:\n  s:\n    resource.instanceDetails.tags.key: env\n",
			"let socc_array = (v:dynamic) { iff(gettype(v) == \"array\", v, pack_array(v)) };\nAWSGuardDuty\n| mv-apply socc_e1 = socc_array(ResourceDetails.instanceDetails[\"tags\"]) to typeof(dynamic) on (summarize socc_n1 = countif(tostring(socc_e1[\"key\"]) == \"env\"))\n| where socc_n1 > 0", emit.Exact, ""},
		{"guardduty: only the constant detail-type is the whole table", "guardduty",
			"match:\n  s:\n    $.detail-type|startswith: GuardDuty\n", "AWSGuardDuty", emit.Exact, ""},
		{"guardduty: another detail-type never holds", "guardduty",
			"match:\n  s:\n    $.detail-type: GuardDuty Malware Protection Object Scan Result\n    severity|gte: 7\n", "", emit.Unsupported, "never holds in sentinel's guardduty data: $.detail-type"},
		{"guardduty: envelope fields have no column", "guardduty",
			"match:\n  s:\n    type: x\n    $.account: '111122223333'\n",
			"AWSGuardDuty\n| where ActivityType == \"x\"", emit.Approximate, "no column for $.account"},

		// Security Hub findings: AWSSecurityHubFindings, the first finding of
		// each event, in columns and in RawData.
		{"securityhub: RawData for fields without a column", "securityhub",
			"match:\n  s:\n    $.detail-type: Security Hub Findings - Imported\n    Severity.Label: CRITICAL\n    Workflow.Status: NEW\n    RecordState: ACTIVE\n    FindingProviderFields.Severity.Label: HIGH\n  f:\n    ProductArn|endswith: /guardduty\n  condition: s and not f\n",
			"AWSSecurityHubFindings\n| where tostring(RawData[\"findings\"][0].Severity.Label) == \"CRITICAL\"\n    and tostring(RawData[\"findings\"][0].Workflow.Status) == \"NEW\"\n    and RecordState == \"ACTIVE\"\n    and tostring(AwsSecurityFindingSeverity.Label) == \"HIGH\"\n    and AwsSecurityFindingProductArn !endswith_cs \"/guardduty\"", emit.Approximate, "keeps only the first finding"},
		{"securityhub: an exact entry that is an array", "securityhub",
			"match:\n  s:\n    Types|startswith: 'Software and Configuration Checks/'\n    Compliance.Status: FAILED\n",
			"let socc_array = (v:dynamic) { iff(gettype(v) == \"array\", v, pack_array(v)) };\nAWSSecurityHubFindings\n| where ComplianceStatus == \"FAILED\"\n| mv-apply socc_e1 = socc_array(AwsSecurityFindingTypes) to typeof(dynamic) on (summarize socc_n1 = countif(tostring(socc_e1) startswith_cs \"Software and Configuration Checks/\"))\n| where socc_n1 > 0", emit.Approximate, "first finding"},
		{"securityhub: custom actions are not in the table", "securityhub",
			"match:\n  s:\n    $.detail-type: Security Hub Findings - Custom Action\n    Severity.Label: CRITICAL\n", "", emit.Unsupported, "never holds in sentinel's securityhub data"},

		// Config rule evaluations: no table.
		{"config: unsupported with the mapping's reason", "config",
			"match:\n  s:\n    $.detail-type: Config Rules Compliance Change\n    configRuleName: restricted-ssh\n", "", emit.Unsupported, "no Microsoft Sentinel table holds AWS Config rule compliance changes"},
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
			if q.KQL != tc.want {
				t.Errorf("KQL:\n%s\nwant:\n%s", q.KQL, tc.want)
			}
		})
		if tc.want != "" {
			items = append(items, siemcheck.Item{ID: tc.name, Dialect: "kql", Query: tc.want})
		}
	}
	for _, r := range siemcheck.Check(t, items) {
		if !r.OK {
			t.Errorf("%s: Kusto rejects the query: %v", r.ID, r.Errors)
		}
	}
}

func TestUnmappedField(t *testing.T) {
	p, d := program(t, "cloudtrail", "match:\n  s:\n    eventName: A\n    noSuchField: x\n")
	q, ds := Compile(p, d)
	if q.Status != emit.Unsupported {
		t.Errorf("status %s, want unsupported", q.Status)
	}
	if len(ds) != 1 || ds[0].Code != diag.UnmappedField || ds[0].Severity != diag.Error {
		t.Fatalf("diagnostics %v, want one %s error", ds, diag.UnmappedField)
	}
	if got := ds[0].Subject.String(); got != "d.yaml:1:1" {
		t.Errorf("at %s, want the detection (d.yaml:1:1)", got)
	}
	if !strings.Contains(ds[0].Hint, "mappings/fields/sentinel.yaml") {
		t.Errorf("hint %q does not name the mapping file", ds[0].Hint)
	}
	// The same for a finding field that the GuardDuty mapping lacks.
	p, d = program(t, "guardduty", "match:\n  s:\n    noSuchField: x\n")
	if _, ds = Compile(p, d); len(ds) != 1 || ds[0].Code != diag.UnmappedField || !strings.Contains(ds[0].Hint, "mappings/fields/sentinel-guardduty.yaml") {
		t.Errorf("guardduty: diagnostics %v, want one %s naming sentinel-guardduty.yaml", ds, diag.UnmappedField)
	}
}

// TestSchedule pins the rule's frequency, look-back and time filter with
// and without an ingestion delay, and the diagnostic for a bad delay.
func TestSchedule(t *testing.T) {
	p, d := program(t, "cloudtrail", "match:\n  s:\n    eventName: A\n")
	thr := &ir.Detection{Threshold: &ir.Threshold{Count: 3, Window: 30 * time.Minute}}
	for _, tc := range []struct {
		d          *ir.Detection
		delay      time.Duration
		freq       time.Duration
		wantFilter string
	}{
		{d, 0, 5 * time.Minute, ""},
		{d, 15 * time.Minute, 5 * time.Minute, "| where ingestion_time() > ago(5m)"},
		{thr, 0, 30 * time.Minute, ""},
		{thr, 90 * time.Second, 30 * time.Minute, "| where TimeGenerated > ago(1890s) and TimeGenerated <= ago(90s)"},
	} {
		freq, filter := scheduleFilter(tc.d, "TimeGenerated", tc.delay)
		if freq != tc.freq || filter != tc.wantFilter {
			t.Errorf("delay %s, threshold %v: %s %q, want %s %q", tc.delay, tc.d.Threshold != nil, freq, filter, tc.freq, tc.wantFilter)
		}
	}
	q, _ := Compile(p, d)
	rule := string(Rule(p, d, q))
	if !strings.Contains(rule, "queryPeriod: 20m\n") || !strings.Contains(rule, "  AWSCloudTrail\n  | where ingestion_time() > ago(5m)\n  | where EventName == \"A\"") {
		t.Errorf("rule with the bundled 15m delay:\n%s", rule)
	}
	if strings.Contains(q.KQL, "ingestion_time") {
		t.Errorf("the bare query holds the schedule filter:\n%s", q.KQL)
	}
	for _, bad := range []string{"soon", "-5m", "25h", "1.5s"} {
		fm := p.FieldMap(Target, "cloudtrail")
		saved := fm.Options["ingestion-delay"]
		fm.Options["ingestion-delay"] = bad
		ds := (Emitter{}).Emit(context.Background(), p, emit.NewSink())
		fm.Options["ingestion-delay"] = saved
		if len(ds) != 1 || ds[0].Code != diag.InvalidValue || !strings.Contains(ds[0].Summary, "ingestion-delay") || !strings.HasSuffix(ds[0].Subject.Filename, "sentinel.yaml") {
			t.Errorf("ingestion-delay %q: diagnostics %v, want one %s at sentinel.yaml", bad, ds, diag.InvalidValue)
		}
	}
}

func TestMappingValues(t *testing.T) {
	p, d := program(t, "cloudtrail", "match:\n  s:\n    eventName: A\n")
	fm := p.FieldMap(Target, "cloudtrail")
	for _, bad := range []string{
		`EventName) or (1 == 1`, `tostring(EventName) or true`, `strcat("a", EventName)`,
		`EventName.x`,                            // members of a string column
		`tostring(RequestParameters).x`,          // members of a string
		`parse_json(RequestParameters)["x"]`,     // only .member and [index] steps
		`parse_json(RequestParameters).x-y`,      // member names are identifiers
		`parse_json(RequestParameters)[-1]`,      // indexes are non-negative numbers
		`parse_json(RequestParameters).x | take`, // no KQL after the value
	} {
		fm.Fields["eventName"] = bad
		if q, _ := Compile(p, d); q.Status != emit.Unsupported || q.KQL != "" {
			t.Errorf("mapping value %q: status %s, query %q", bad, q.Status, q.KQL)
		}
	}
	// A dynamic value followed by members and indexes, each rendered by
	// the emitter.
	for value, want := range map[string]string{
		`parse_json(RequestParameters).where[0].Name`: `tostring(parse_json(RequestParameters)["where"][0].Name) == "A"`,
		`todynamic(RequestParameters)[007]`:           `tostring(todynamic(RequestParameters)[7]) == "A"`,
	} {
		fm.Fields["eventName"] = value
		if q, _ := Compile(p, d); q.Status != emit.Exact || !strings.Contains(q.KQL, want) {
			t.Errorf("mapping value %q: status %s (%s), query %q, want %q", value, q.Status, q.Reason, q.KQL, want)
		}
	}
	// A column is dynamic only when options.column_types says so.
	sh, sd := program(t, "securityhub", "match:\n  s:\n    Severity.Label: CRITICAL\n")
	delete(sh.FieldMap(Target, "securityhub").Options, "column_types")
	if q, _ := Compile(sh, sd); q.Status != emit.Unsupported || !strings.Contains(q.Reason, "dynamic value") {
		t.Errorf("RawData.findings[0] without RawData=dynamic: status %s (%s), query %q", q.Status, q.Reason, q.KQL)
	}
}

func TestKQLString(t *testing.T) {
	tests := []struct{ in, want string }{
		{`plain`, `"plain"`},
		{`a"b`, `"a\"b"`},
		{`a\b`, `"a\\b"`},
		{"a\nb\r\tc\x01\x7f", `"a\nb\r\tc\u0001\u007f"`},
		{"é 日本", `"é 日本"`},
	}
	for _, tc := range tests {
		if got := kqlString(tc.in); got != tc.want {
			t.Errorf("kqlString(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	if got := kqlRegex(`"a"\s`); got != `@"""a""\s"` {
		t.Errorf("kqlRegex = %s", got)
	}
	if got := kqlRegex("a\n\\s"); got != `"a\n\\s"` {
		t.Errorf("kqlRegex with a newline = %s", got)
	}
	if got := member("items"); got != `["items"]` {
		t.Errorf("member(items) = %s", got)
	}
	if got := member("bucketName"); got != `.bucketName` {
		t.Errorf("member(bucketName) = %s", got)
	}
}

func TestRuleID(t *testing.T) {
	// RFC 9562 test vector: UUIDv5(DNS namespace, "www.example.com").
	dns := [16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	u := uuid5(dns, "www.example.com")
	if got := formatUUID(u); got != "2ed6657d-e927-568b-95e1-2665a8aea6a2" {
		t.Errorf("uuid5 = %s", got)
	}
	if RuleID("aws-x") != RuleID("aws-x") || RuleID("aws-x") == RuleID("aws-y") {
		t.Error("RuleID is not a function of the ID")
	}
}

func formatUUID(u [16]byte) string {
	const hex = "0123456789abcdef"
	var b strings.Builder
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b.WriteByte('-')
		}
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// library loads the bundled detections and mappings.
func library(t *testing.T) *compiler.Result {
	t.Helper()
	res, ds, err := compiler.Load(context.Background(), "../../..", compiler.WithoutPolicies())
	if err != nil {
		t.Fatal(err)
	}
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return res
}

func emitAll(t *testing.T, p *ir.Program) *emit.Sink {
	t.Helper()
	sink := emit.NewSink()
	if ds := (Emitter{}).Emit(context.Background(), p, sink); len(ds) > 0 {
		t.Fatalf("diagnostics: %v", ds)
	}
	return sink
}

// TestLibrary compiles every bundled detection, and has Kusto parse and
// type-check every query against the AWSCloudTrail schema.
func TestLibrary(t *testing.T) {
	res := library(t)
	sink := emitAll(t, res.Program)
	var items []siemcheck.Item
	counts := map[string]int{}
	for _, d := range res.Program.Detections {
		st := sink.Statuses()[d.ID][Target]
		counts[st.Status]++
		if st.Status != emit.Exact && st.Reason == "" {
			t.Errorf("%s: %s without a reason", d.ID, st.Status)
		}
		kql := sink.File("sentinel/" + d.ID + ".kql")
		if (kql == nil) != (st.Status == emit.Unsupported) {
			t.Errorf("%s: status %s but query file present = %v", d.ID, st.Status, kql != nil)
		}
		if kql != nil {
			items = append(items, siemcheck.Item{ID: d.ID, Dialect: "kql", Query: string(kql)})
			rule := string(sink.File("sentinel/" + d.ID + ".yaml"))
			var r struct {
				Query string `yaml:"query"`
			}
			if err := yaml.Unmarshal([]byte(rule), &r); err != nil || !strings.Contains(r.Query, "ingestion_time()") && !strings.Contains(r.Query, "<= ago(15m)") {
				t.Errorf("%s: the rule's query has no schedule filter for the ingestion delay (%v):\n%s", d.ID, err, r.Query)
			}
			items = append(items, siemcheck.Item{ID: d.ID + " (rule)", Dialect: "kql", Query: r.Query})
			for _, k := range []string{"id: " + RuleID(d.ID), "requiredDataConnectors:", "queryFrequency:", "triggerOperator: gt", "query: |"} {
				if !strings.Contains(rule, k) {
					t.Errorf("%s: rule lacks %q", d.ID, k)
				}
			}
		}
	}
	t.Logf("sentinel over %d detections: %v", len(res.Program.Detections), counts)
	if want := map[string]int{emit.Exact: 48, emit.Approximate: 8, emit.Unsupported: 1}; !maps.Equal(counts, want) {
		t.Errorf("statuses %v, want %v", counts, want)
	}
	// The findings detections: GuardDuty and Security Hub from their own
	// tables, Config from none.
	for id, want := range map[string]struct{ status, reason, table string }{
		"aws-guardduty-finding-high":                     {emit.Approximate, "Severity column is an int", "AWSGuardDuty"},
		"aws-guardduty-finding-critical":                 {emit.Approximate, "Severity column is an int", "AWSGuardDuty"},
		"aws-guardduty-instance-credential-exfiltration": {emit.Exact, "", "AWSGuardDuty"},
		"aws-securityhub-finding-critical":               {emit.Approximate, "keeps only the first finding", "AWSSecurityHubFindings"},
		"aws-config-critical-rule-noncompliant":          {emit.Unsupported, "no Microsoft Sentinel table holds AWS Config", ""},
	} {
		st := sink.Statuses()[id][Target]
		if st.Status != want.status || !strings.Contains(st.Reason, want.reason) {
			t.Errorf("%s: %s (%q), want %s (%q)", id, st.Status, st.Reason, want.status, want.reason)
		}
		kql := string(sink.File("sentinel/" + id + ".kql"))
		if want.table != "" && !strings.HasPrefix(kql, want.table+"\n") {
			t.Errorf("%s: query does not read %s:\n%s", id, want.table, kql)
		}
		if strings.Contains(kql, "detail") || strings.Contains(kql, "Finding\"") {
			t.Errorf("%s: the constant detail-type is still tested:\n%s", id, kql)
		}
	}
	for _, r := range siemcheck.Check(t, items) {
		if !r.OK {
			t.Errorf("%s: Kusto rejects the query: %v", r.ID, r.Errors)
		}
	}
}

// goldenIDs are representative bundled detections whose artifacts are
// kept in testdata.
var goldenIDs = []string{
	"aws-account-access-denied-burst",                 // cidr v4/v6, threshold
	"aws-ec2-security-group-admin-port-open-to-world", // nested arrays, numbers
	"aws-iam-access-key-created-for-other-user",       // fieldref, exception
	"aws-iam-inline-admin-policy",                     // regular expressions
	"aws-s3-bucket-policy-public",                     // sometimes-arrays
	"aws-secretsmanager-secrets-read-in-bulk",         // distinct threshold
	"aws-signin-console-login-without-mfa",            // plain equality
	"aws-guardduty-finding-high",                      // AWSGuardDuty: int severity, dynamic columns, folded detail-type
	"aws-securityhub-finding-critical",                // AWSSecurityHubFindings: RawData, first finding only
}

func TestGolden(t *testing.T) {
	res := library(t)
	sink := emitAll(t, res.Program)
	for _, id := range goldenIDs {
		t.Run(id, func(t *testing.T) {
			st := sink.Statuses()[id][Target]
			got := "# status: " + st.Status + "\n"
			if st.Reason != "" {
				got += "# reason: " + st.Reason + "\n"
			}
			got += "\n" + string(sink.File("sentinel/"+id+".yaml"))
			golden := filepath.Join("testdata", id+".sentinel.golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("%s differs (run go test -update):\n%s", golden, diff.Diff("want", want, "got", []byte(got)))
			}
		})
	}
}

// TestDeterministic emits twice, the second time from the detections in
// another order, and compares the bytes.
func TestDeterministic(t *testing.T) {
	res := library(t)
	a := emitAll(t, res.Program)
	shuffled := *res.Program
	shuffled.Detections = slices.Clone(res.Program.Detections)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled.Detections), func(i, j int) {
		shuffled.Detections[i], shuffled.Detections[j] = shuffled.Detections[j], shuffled.Detections[i]
	})
	b := emitAll(t, &shuffled)
	if !slices.Equal(a.Paths(), b.Paths()) {
		t.Fatalf("paths differ: %v vs %v", a.Paths(), b.Paths())
	}
	for _, p := range a.Paths() {
		if string(a.File(p)) != string(b.File(p)) {
			t.Errorf("%s differs between two emits", p)
		}
	}
}
