package siemcheck

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		item Item
		ok   bool
		err  string // a substring of the first error
	}{
		{Item{"kql-ok", "kql", `AWSCloudTrail | where EventName =~ "ConsoleLogin" and UserIdentityType == "Root"`}, true, ""},
		{Item{"kql-quote", "kql", `AWSCloudTrail | where EventName =~ "Console"Login"`}, false, "KS"},
		{Item{"kql-column", "kql", `AWSCloudTrail | where UserIdentityTyp == "Root"`}, false, "KS142"},
		{Item{"kql-literal-left", "kql", `AWSCloudTrail | where "Root" == UserIdentityType`}, false, "lint"},
		{Item{"kql-dynamic", "kql", `AWSCloudTrail | where tostring(parse_json(RequestParameters).bucketName) == "b" and ReadOnly == false`}, true, ""},
		// Each query is checked against the schema of the table it reads.
		{Item{"kql-guardduty", "kql", `AWSGuardDuty | where Severity >= 7.0 and ActivityType startswith_cs "Recon:" and tobool(ServiceDetails["archived"]) == false and isnull(ResourceDetails.instanceDetails.instanceId)`}, true, ""},
		{Item{"kql-guardduty-column", "kql", `AWSGuardDuty | where EventName == "x"`}, false, "KS142"},
		{Item{"kql-securityhub", "kql", `AWSSecurityHubFindings | where tostring(RawData["findings"][0].Severity.Label) == "CRITICAL" and RecordState == "ACTIVE" and AwsSecurityFindingProductArn !endswith_cs ":product/aws/guardduty"`}, true, ""},
		{Item{"kql-securityhub-column", "kql", `AWSSecurityHubFindings | where ProductArn == "x"`}, false, "KS142"},
		{Item{"kql-unknown-table", "kql", `AWSConfig | take 1`}, false, "KS204"},
		{Item{"kql-literal-left-guardduty", "kql", `AWSGuardDuty | where "Recon" == ActivityType`}, false, "lint"},
		{Item{"trino-ok", "trino", `SELECT * FROM cloudtrail_logs WHERE eventname = 'O''Brien'`}, true, ""},
		{Item{"trino-backslash", "trino", `SELECT * FROM cloudtrail_logs WHERE eventname = 'o\'brien'`}, false, ""},
		{Item{"trino-backtick", "trino", "SELECT `eventname` FROM cloudtrail_logs"}, false, "backtick"},
		{Item{"lucene-ok", "lucene", `userIdentity.type:"Root" AND requestParameters.bucketName:/prod.*/`}, true, ""},
		{Item{"lucene-paren", "lucene", `eventName:(a OR b`}, false, ""},
		{Item{"unknown", "spl", `index=main`}, false, "unknown dialect"},
	}
	items := make([]Item, len(tests))
	for i, tc := range tests {
		items[i] = tc.item
	}
	res := Check(t, items)
	for i, tc := range tests {
		r := res[i]
		if r.OK != tc.ok {
			t.Errorf("%s: ok = %v, want %v (errors %q)", tc.item.ID, r.OK, tc.ok, r.Errors)
			continue
		}
		if tc.err != "" && (len(r.Errors) == 0 || !strings.Contains(r.Errors[0], tc.err)) {
			t.Errorf("%s: errors %q, want one containing %q", tc.item.ID, r.Errors, tc.err)
		}
	}
}
