package eval

import (
	"testing"

	"github.com/socc-dev/socc/compiler/ir"
)

// record is the event the predicate tests run against.
const record = `{
  "eventName": "CreateAccessKey",
  "eventSource": "iam.amazonaws.com",
  "eventType": "AwsApiCall",
  "eventTime": "2024-01-01T00:00:00Z",
  "recipientAccountId": "111122223333",
  "awsRegion": "us-east-1",
  "userAgent": "Boto3/1.34 Python/3.12",
  "sourceIPAddress": "10.1.2.3",
  "v6": "2001:db8::1",
  "mapped": "::ffff:192.168.1.5",
  "zoned": "fe80::1%eth0",
  "internal": "AWS Internal",
  "errorCode": "403",
  "int": 22,
  "float": 22.0,
  "exp": 2.2e1,
  "str22": "22",
  "flag": true,
  "off": false,
  "nul": null,
  "empty": "",
  "tags": ["a", "b"],
  "mixed": ["x", 1, true, null],
  "resources": [{"ARN": "arn:1", "type": "AWS::S3::Bucket"}, {"ARN": "arn:2"}],
  "nested": [[{"x": 1}], [{"x": 2}, {"x": [3, [4]]}]],
  "obj": {"k": "v"},
  "emptyArr": [],
  "emptyObj": {},
  "unicode": "ÄBC straße",
  "i": "i",
  "longs": "ſ",
  "dotted.key": "d",
  "star": "a*b",
  "escaped": "line\nbreak \"q\" \u00e9",
  "requestParameters": {"userName": "bob", "n": 22},
  "userIdentity": {"userName": "bob", "upper": "BOB", "n": 22.0, "s": "22"}
}`

func TestEval(t *testing.T) {
	e := ev(t, record)
	tests := []struct {
		name string
		x    ir.Expr
		want bool
	}{
		// equals: typed, case-sensitive by default
		{"equals", eq("eventName", "CreateAccessKey"), true},
		{"equals case", eq("eventName", "createaccesskey"), false},
		{"equals fold", mk("eventName", ir.OpEquals, "i", "createACCESSkey"), true},
		{"equals list", eq("eventName", "X", "Y", "CreateAccessKey"), true},
		{"equals list none", eq("eventName", "X", "Y"), false},
		{"equals set", eq("eventName", "a", "b", "c", "d", "e", "f", "g", "h", "CreateAccessKey"), true},
		{"equals set none", eq("eventName", "a", "b", "c", "d", "e", "f", "g", "h", "i"), false},
		{"equals set fold", mk("eventName", ir.OpEquals, "i", "a", "b", "c", "d", "e", "f", "g", "h", "CREATEACCESSKEY"), true},
		{"equals no wildcard", eq("star", "a*b"), true},
		{"equals star is literal", eq("eventName", "Create*"), false},
		{"equals escaped string", eq("escaped", "line\nbreak \"q\" é"), true},
		{"number int", eq("int", 22), true},
		{"number float field", eq("float", 22), true},
		{"number exponent field", eq("exp", 22), true},
		{"number float value", eq("int", 22.0), true},
		{"number vs string field", eq("str22", 22), false},
		{"string vs number field", eq("int", "22"), false},
		{"quoted number", eq("errorCode", "403"), true},
		{"unquoted number vs string", eq("errorCode", 403), false},
		{"bool", eq("flag", true), true},
		{"bool false", eq("off", false), true},
		{"bool mismatch", eq("flag", false), false},
		{"bool vs string", eq("flag", "true"), false},
		{"null", eq("nul", nil), true},
		{"null vs missing", eq("missing", nil), false},
		{"null vs empty string", eq("empty", nil), false},
		{"empty string vs null", eq("nul", ""), false},
		{"empty string", eq("empty", ""), true},
		{"null vs string value", eq("nul", "null"), false},

		// string operators, JSON strings only
		{"prefix", mk("eventName", ir.OpPrefix, "", "Create"), true},
		{"prefix case", mk("eventName", ir.OpPrefix, "", "create"), false},
		{"prefix fold", mk("eventName", ir.OpPrefix, "i", "CREATE"), true},
		{"suffix", mk("eventName", ir.OpSuffix, "", "Key"), true},
		{"suffix fold", mk("eventName", ir.OpSuffix, "i", "KEY"), true},
		{"contains", mk("userAgent", ir.OpContains, "", "Python"), true},
		{"contains case", mk("userAgent", ir.OpContains, "", "boto3"), false},
		{"contains fold", mk("userAgent", ir.OpContains, "i", "boto3", "aws-cli"), true},
		{"contains on number", mk("int", ir.OpContains, "", "2"), false},
		{"prefix on bool", mk("flag", ir.OpPrefix, "", "t"), false},
		{"contains empty", mk("empty", ir.OpContains, "", ""), true},
		{"fold unicode", mk("unicode", ir.OpEquals, "i", "äbc STRASSE"), false},
		{"fold unicode lower", mk("unicode", ir.OpEquals, "i", "äbc STRAßE"), true},
		{"fold unicode contains", mk("unicode", ir.OpContains, "i", "ÄB"), true},
		// Lower-casing (equals...) and RE2 case folding (re, wildcard) differ on a few characters.
		{"fold dotted I equals", mk("i", ir.OpEquals, "i", "İ"), true},
		{"fold dotted I regex", mk("i", ir.OpRegex, "i", "^İ$"), false},
		{"fold long s equals", mk("longs", ir.OpEquals, "i", "s"), false},
		{"fold long s regex", mk("longs", ir.OpRegex, "i", "^s$"), true},
		{"fold long s wildcard", mk("longs", ir.OpWildcard, "i", "S"), true},

		// wildcard, anchored
		{"wildcard", mk("eventName", ir.OpWildcard, "", "Create*Key"), true},
		{"wildcard anchored", mk("eventName", ir.OpWildcard, "", "Access*"), false},
		{"wildcard question", mk("eventName", ir.OpWildcard, "", "Create?ccessKey"), true},
		{"wildcard case", mk("eventName", ir.OpWildcard, "", "create*"), false},
		{"wildcard fold", mk("eventName", ir.OpWildcard, "i", "create*"), true},
		{"wildcard escaped star", mk("star", ir.OpWildcard, "", `a\*b`), true},
		{"wildcard escaped star literal", mk("eventName", ir.OpWildcard, "", `Create\*`), false},
		{"wildcard on number", mk("int", ir.OpWildcard, "", "*"), false},

		// regex, unanchored RE2
		{"regex", mk("eventName", ir.OpRegex, "", "Access"), true},
		{"regex anchored", mk("eventName", ir.OpRegex, "", "^Access"), false},
		{"regex fold", mk("eventName", ir.OpRegex, "i", "^create.*key$"), true},
		{"regex on number", mk("int", ir.OpRegex, "", "2"), false},

		// cidr
		{"cidr v4", mk("sourceIPAddress", ir.OpCIDR, "", "10.0.0.0/8"), true},
		{"cidr v4 miss", mk("sourceIPAddress", ir.OpCIDR, "", "192.168.0.0/16"), false},
		{"cidr list", mk("sourceIPAddress", ir.OpCIDR, "", "192.168.0.0/16", "10.1.2.0/24"), true},
		{"cidr v6", mk("v6", ir.OpCIDR, "", "2001:db8::/32"), true},
		{"cidr v6 vs v4 net", mk("v6", ir.OpCIDR, "", "0.0.0.0/0"), false},
		{"cidr mapped", mk("mapped", ir.OpCIDR, "", "192.168.0.0/16"), true},
		{"cidr zoned", mk("zoned", ir.OpCIDR, "", "fe80::/10"), false},
		{"cidr not an address", mk("internal", ir.OpCIDR, "", "0.0.0.0/0"), false},
		{"cidr on number", mk("int", ir.OpCIDR, "", "0.0.0.0/0"), false},

		// numeric, JSON numbers only
		{"gt", mk("int", ir.OpGT, "", 21), true},
		{"gt equal", mk("int", ir.OpGT, "", 22), false},
		{"gte", mk("int", ir.OpGTE, "", 22), true},
		{"lt", mk("float", ir.OpLT, "", 22.5), true},
		{"lte", mk("int", ir.OpLTE, "", 21), false},
		{"gt on numeric string", mk("str22", ir.OpGT, "", 1), false},
		{"gt list", mk("int", ir.OpGT, "", 100, 1), true},

		// exists
		{"exists", mk("eventName", ir.OpExists, "", true), true},
		{"exists null", mk("nul", ir.OpExists, "", true), true},
		{"exists object", mk("obj", ir.OpExists, "", true), true},
		{"exists empty object", mk("emptyObj", ir.OpExists, "", true), true},
		{"exists empty array", mk("emptyArr", ir.OpExists, "", true), false},
		{"exists empty string", mk("empty", ir.OpExists, "", true), true},
		{"exists missing", mk("missing", ir.OpExists, "", true), false},
		{"not exists missing", mk("missing", ir.OpExists, "", false), true},
		{"not exists present", mk("nul", ir.OpExists, "", false), false},
		{"exists below scalar", mk("eventName.x", ir.OpExists, "", true), false},

		// missing fields
		{"missing equals", eq("missing", "x"), false},
		{"missing not equals", not(eq("missing", "x")), true},
		{"missing contains", mk("missing.deep", ir.OpContains, "", ""), false},
		{"not missing contains", not(mk("missing.deep", ir.OpContains, "", "")), true},
		{"missing gt", mk("missing", ir.OpGT, "", 0), false},

		// arrays: every value, flattened at every level
		{"array element", eq("tags", "b"), true},
		{"array none", eq("tags", "c"), false},
		{"array of objects", eq("resources.ARN", "arn:2"), true},
		{"array of objects partial", eq("resources.type", "AWS::S3::Bucket"), true},
		{"nested arrays", eq("nested.x", 4), true},
		{"nested arrays 2", eq("nested.x", 2), true},
		{"mixed array typed", eq("mixed", 1), true},
		{"mixed array null", eq("mixed", nil), true},
		{"mixed array string", eq("mixed", "1"), false},
		{"all", mk("tags", ir.OpEquals, "all", "a", "b"), true},
		{"all missing one", mk("tags", ir.OpEquals, "all", "a", "c"), false},
		{"all fold", mk("tags", ir.OpEquals, "i,all", "A", "B"), true},
		{"all contains", mk("userAgent", ir.OpContains, "all", "Boto3", "Python"), true},
		{"all contains one missing", mk("userAgent", ir.OpContains, "all", "Boto3", "Java"), false},
		{"all on missing", mk("missing", ir.OpEquals, "all", "a", "b"), false},
		{"all across elements", mk("resources.ARN", ir.OpEquals, "all", "arn:1", "arn:2"), true},
		{"array index is not a path", eq("tags.0", "a"), false},

		// dotted keys are not addressable
		{"dotted key", eq("dotted.key", "d"), false},

		// field references
		{"fieldref", &ir.FieldRef{Field: mustPath("requestParameters.userName"), Other: mustPath("userIdentity.userName")}, true},
		{"fieldref case", &ir.FieldRef{Field: mustPath("requestParameters.userName"), Other: mustPath("userIdentity.upper")}, false},
		{"fieldref fold", &ir.FieldRef{Field: mustPath("requestParameters.userName"), Other: mustPath("userIdentity.upper"), Fold: true}, true},
		{"fieldref numbers", &ir.FieldRef{Field: mustPath("requestParameters.n"), Other: mustPath("userIdentity.n")}, true},
		{"fieldref typed", &ir.FieldRef{Field: mustPath("requestParameters.n"), Other: mustPath("userIdentity.s")}, false},
		{"fieldref missing", &ir.FieldRef{Field: mustPath("requestParameters.userName"), Other: mustPath("missing")}, false},
		{"fieldref both missing", &ir.FieldRef{Field: mustPath("missing"), Other: mustPath("missing2")}, false},
		{"fieldref arrays", &ir.FieldRef{Field: mustPath("tags"), Other: mustPath("mixed")}, false},
		{"fieldref objects", &ir.FieldRef{Field: mustPath("obj"), Other: mustPath("obj")}, false},
		{"fieldref nulls", &ir.FieldRef{Field: mustPath("nul"), Other: mustPath("mixed")}, true},
		{"not fieldref", not(&ir.FieldRef{Field: mustPath("requestParameters.userName"), Other: mustPath("userIdentity.userName")}), false},

		// boolean structure
		{"and", and(eq("eventName", "CreateAccessKey"), eq("eventSource", "iam.amazonaws.com")), true},
		{"and one false", and(eq("eventName", "CreateAccessKey"), eq("eventSource", "s3.amazonaws.com")), false},
		{"or", or(eq("eventName", "X"), eq("eventSource", "iam.amazonaws.com")), true},
		{"empty and", and(), true},
		{"empty or", or(), false},
		{"not", not(eq("eventName", "X")), true},
		{"nil", nil, false},

		// envelope
		{"$.source", eq("$.source", "aws.iam"), true},
		{"$.detail-type", eq("$.detail-type", "AWS API Call via CloudTrail"), true},
		{"$.account", eq("$.account", "111122223333"), true},
		{"$.region", eq("$.region", "us-east-1"), true},
		{"$.time", eq("$.time", "2024-01-01T00:00:00Z"), true},
		{"$.version", eq("$.version", "0"), true},
		{"$.resources empty", mk("$.resources", ir.OpExists, "", true), false},
		{"$.detail path", eq("$.detail.eventName", "CreateAccessKey"), true},
		{"$.unknown", mk("$.nope", ir.OpExists, "", false), true},
		{"record is not envelope", eq("source", "aws.iam"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Eval(tc.x, e); got != tc.want {
				t.Errorf("Eval = %v, want %v", got, tc.want)
			}
			// The Matcher gives the same answer, with and without the index.
			p := &ir.Program{Detections: []*ir.Detection{detection("d", tc.x)}}
			for _, noIndex := range []bool{false, true} {
				m := Compile(p)
				m.noIndex = noIndex
				got := len(m.Match(e, nil)) == 1
				if got != tc.want {
					t.Errorf("Match (noIndex %v) = %v, want %v", noIndex, got, tc.want)
				}
			}
		})
	}
}

func TestEvalEnvelopes(t *testing.T) {
	gd := ev(t, `{"version":"0","id":"e1","detail-type":"GuardDuty Finding","source":"aws.guardduty","account":"123","time":"2024-01-01T00:00:00Z","region":"us-east-1","resources":[],
		"detail":{"type":"Recon:EC2/PortProbeUnprotectedPort","severity":5.0,"resource":{"resourceType":"Instance"},"service":{"serviceName":"guardduty"}}}`)
	sh := ev(t, `{"version":"0","id":"e2","detail-type":"Security Hub Findings - Custom Action","source":"aws.securityhub","account":"123","time":"2024-01-01T00:00:00Z","region":"us-east-1",
		"resources":["arn:aws:securityhub:us-east-1:123:action/custom/x"],
		"detail":{"actionName":"Remediate","findings":[{"Id":"f1","Severity":{"Label":"CRITICAL"},"Compliance":{"Status":"FAILED"},"Resources":[{"Type":"AwsS3Bucket"}]}]}}`)
	tests := []struct {
		name string
		e    int // 0 gd, 1 sh
		x    ir.Expr
		want bool
	}{
		{"gd type", 0, eq("type", "Recon:EC2/PortProbeUnprotectedPort"), true},
		{"gd severity", 0, mk("severity", ir.OpGTE, "", 4), true},
		{"gd nested", 0, eq("resource.resourceType", "Instance"), true},
		{"gd source", 0, eq("$.source", "aws.guardduty"), true},
		{"gd detail-type", 0, eq("$.detail-type", "GuardDuty Finding"), true},
		{"gd id", 0, eq("$.id", "e1"), true},
		{"gd no eventName", 0, mk("eventName", ir.OpExists, "", false), true},
		{"sh label", 1, eq("Severity.Label", "CRITICAL"), true},
		{"sh resources", 1, eq("Resources.Type", "AwsS3Bucket"), true},
		{"sh envelope resources", 1, mk("$.resources", ir.OpSuffix, "", "/custom/x"), true},
		{"sh action", 1, eq("$.detail.actionName", "Remediate"), true},
		{"sh record is the finding", 1, eq("Id", "f1"), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := gd
			if tc.e == 1 {
				e = sh
			}
			if got := Eval(tc.x, e); got != tc.want {
				t.Errorf("Eval = %v, want %v", got, tc.want)
			}
		})
	}
}
