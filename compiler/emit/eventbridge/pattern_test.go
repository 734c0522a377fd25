package eventbridge

import (
	"strings"
	"testing"

	"github.com/socc-dev/socc/compiler/ir"
	"github.com/socc-dev/socc/compiler/load"
	"github.com/socc-dev/socc/compiler/lower"
)

// detection lowers one detection with the given logsource service and match.
func detection(t *testing.T, service, match string) *ir.Detection {
	t.Helper()
	src := `kind: detection
id: aws-x
title: X
status: stable
logsource: {product: aws, service: ` + service + `}
severity: {level: Lv2}
match:
` + match
	doc, ds := load.Parse("d.yaml", strings.NewReader(src))
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	p, ds := lower.Lower([]*load.Document{doc})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return p.Detections[0]
}

const ctTypes = `"detail-type":["AWS API Call via CloudTrail","AWS Console Action via CloudTrail","AWS Console Signin via CloudTrail","AWS Service Event via CloudTrail"]`

func TestCompile(t *testing.T) {
	tests := []struct {
		name, service, match string
		want, status         string
		reason               string
	}{
		{"equals", "cloudtrail", "  s:\n    eventSource: iam.amazonaws.com\n    eventName: [CreateUser, DeleteUser]\n",
			`{"detail":{"eventName":["CreateUser","DeleteUser"],"eventSource":["iam.amazonaws.com"]},` + ctTypes + `}`, "exact", ""},
		{"typed values and operators", "cloudtrail", "  s:\n    a: 22\n    b: true\n    c: null\n    d|startswith: ab\n    e|endswith|i: .PNG\n    f|cidr: 10.0.0.0/8\n    g|gte: 7\n    h|exists: false\n    i|i: Root\n  condition: s\n",
			`{"detail":{"a":[22],"b":[true],"c":[null],"d":[{"prefix":"ab"}],"e":[{"suffix":{"equals-ignore-case":".png"}}],"f":[{"cidr":"10.0.0.0/8"}],"g":[{"numeric":[">=",7]}],"h":[{"exists":false}],"i":[{"equals-ignore-case":"root"}]},` + ctTypes + `}`, "exact", ""},
		{"contains and wildcard escape", "cloudtrail", "  s:\n    a|contains: 'x*y\\z'\n    b|wildcard: 'arn:*:role/\\*'\n  condition: s\n",
			`{"detail":{"a":[{"wildcard":"*x\\*y\\\\z*"}],"b":[{"wildcard":"arn:*:role/\\*"}]},` + ctTypes + `}`, "exact", ""},
		{"numeric range merges", "guardduty", "  s:\n    severity|gte: 7\n  t:\n    severity|lt: 9\n  condition: s and t\n",
			`{"detail":{"severity":[{"numeric":[">=",7,"<",9]}]},"detail-type":["GuardDuty Finding"],"source":["aws.guardduty"]}`, "exact", ""},
		{"not is anything-but or missing", "cloudtrail", "  s:\n    eventName: A\n  f:\n    userIdentity.type: [AWSService, Root]\n  condition: s and not f\n",
			`{"$or":[{"detail":{"userIdentity":{"type":[{"anything-but":["AWSService","Root"]}]}}},{"detail":{"userIdentity":{"type":[{"exists":false}]}}}],"detail":{"eventName":["A"]},` + ctTypes + `}`, "exact", ""},
		{"or becomes $or", "cloudtrail", "  a:\n    eventName: A\n    x: 1\n  b:\n    eventName: B\n    y: 2\n  condition: a or b\n",
			`{"$or":[{"detail":{"eventName":["A"],"x":[1]}},{"detail":{"eventName":["B"],"y":[2]}}],` + ctTypes + `}`, "exact", ""},
		{"security hub finding paths", "securityhub", "  s:\n    Severity.Label: CRITICAL\n",
			`{"detail":{"findings":{"Severity":{"Label":["CRITICAL"]}}},"source":["aws.securityhub"]}`, "exact", ""},
		{"envelope path", "config", "  s:\n    $.detail-type: Config Rules Compliance Change\n    newEvaluationResult.complianceType: NON_COMPLIANT\n",
			`{"detail":{"newEvaluationResult":{"complianceType":["NON_COMPLIANT"]}},"detail-type":["Config Rules Compliance Change"],"source":["aws.config"]}`, "exact", ""},
		{"regex is dropped", "cloudtrail", "  s:\n    eventName: A\n    b|re: ^x.*y$\n  condition: s\n",
			`{"detail":{"eventName":["A"]},` + ctTypes + `}`, "approximate", "regular expression on b cannot be expressed"},
		{"question mark widens", "cloudtrail", "  s:\n    a|wildcard: ab?d\n",
			`{"detail":{"a":[{"wildcard":"ab*d"}]},` + ctTypes + `}`, "approximate", "the single-character wildcard ? on a is widened to *"},
		{"negated regex keeps the rest", "cloudtrail", "  s:\n    eventName: A\n  f:\n    b|re: x\n  condition: s and not f\n",
			`{"detail":{"eventName":["A"]},` + ctTypes + `}`, "approximate", "negated re on b cannot be expressed"},
		{"fieldref", "cloudtrail", "  s:\n    eventName: A\n    a|fieldref: b\n  condition: s\n",
			`{"detail":{"eventName":["A"]},` + ctTypes + `}`, "approximate", "comparing field a with field b cannot be expressed"},
		{"pure not is unsupported", "cloudtrail", "  f:\n    a|re: x\n  condition: not f\n", ``, "unsupported", "EventBridge can express no part of the condition: negated re on a cannot be expressed"},
		{"vpc flow logs", "vpcflow", "  s:\n    action: REJECT\n", ``, "unsupported", "VPC Flow Logs are not delivered to EventBridge"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Compile(detection(t, tc.service, tc.match))
			if r.Status != tc.status || r.Reason != tc.reason {
				t.Errorf("status = %s (%q), want %s (%q)", r.Status, r.Reason, tc.status, tc.reason)
			}
			got := ""
			if r.Pattern != nil {
				got = strings.TrimSpace(string(PatternJSON(r.Pattern)))
			}
			if got != tc.want {
				t.Errorf("pattern =\n%s\nwant\n%s", got, tc.want)
			}
			if (r.Status == "approximate") != (r.Residual != nil) {
				t.Errorf("residual = %v for status %s", r.Residual, r.Status)
			}
		})
	}
}

func TestRuleSettings(t *testing.T) {
	tests := []struct {
		match, state, region string
	}{
		{"  s:\n    eventSource: iam.amazonaws.com\n    eventName: CreateUser\n", StateEnabled, GlobalRegion},
		{"  s:\n    eventSource: s3.amazonaws.com\n    eventName: PutBucketPolicy\n", StateEnabled, "*"},
		{"  s:\n    eventSource: secretsmanager.amazonaws.com\n    eventName: GetSecretValue\n", StateAllMgmt, "*"},
		{"  s:\n    userIdentity.type: Root\n", StateAllMgmt, "*"},
	}
	for _, tc := range tests {
		r := Compile(detection(t, "cloudtrail", tc.match))
		if r.State != tc.state || r.Region != tc.region {
			t.Errorf("%q: state %s region %s, want %s %s", tc.match, r.State, r.Region, tc.state, tc.region)
		}
	}
}

func TestRuleName(t *testing.T) {
	if got := RuleName(strings.Repeat("a", 80)); len(got) != 64 {
		t.Errorf("RuleName length %d", len(got))
	}
	if got := LogicalID("aws-iam-user-created"); got != "RuleAwsIamUserCreated" {
		t.Errorf("LogicalID = %s", got)
	}
}
