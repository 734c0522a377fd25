package athena

import (
	"fmt"
	"strings"
	"testing"

	"github.com/socc-dev/socc/compiler/emit"
)

// constructCases cover each IR construct: the SQL it becomes (fragments),
// its status, and its verdicts on records chosen to tell right from wrong
// (typed values, case, nulls and missing fields, arrays, escapes), which
// DuckDB must reproduce exactly.
var constructCases = []struct {
	name   string
	match  string
	recs   []string
	status string
	sql    []string // fragments the Athena query must contain
}{
	{
		name:  "equals on a string column is case-sensitive",
		match: "  s:\n    eventName: CreateUser\n",
		recs:  []string{`{"eventName":"CreateUser"}`, `{"eventName":"createuser"}`, `{}`},
		sql:   []string{"eventname = 'CreateUser'"},
	},
	{
		name:  "equals list becomes IN",
		match: "  s:\n    eventName: [B, A]\n",
		recs:  []string{`{"eventName":"A"}`, `{"eventName":"B"}`, `{"eventName":"C"}`},
		sql:   []string{"eventname IN ('A', 'B')"},
	},
	{
		name:  "i lower-cases both sides",
		match: "  s:\n    userIdentity.type|i: ROOT\n",
		recs:  []string{`{"userIdentity":{"type":"Root"}}`, `{"userIdentity":{"type":"ROOT"}}`, `{"userIdentity":{"type":"Roots"}}`, `{}`},
		sql:   []string{"lower(useridentity.type) = 'root'"},
	},
	{
		name:  "typed equality in JSON: string",
		match: "  s:\n    requestParameters.port: \"22\"\n",
		recs:  []string{`{"requestParameters":{"port":"22"}}`, `{"requestParameters":{"port":22}}`, `{"requestParameters":{"port":"022"}}`, `{"requestParameters":{"port":["22"]}}`, `{"requestParameters":null}`, `{}`},
		sql:   []string{`json_format(v2) LIKE '"%' AND json_extract_scalar(v2, '$') = '22'`},
	},
	{
		name:  "typed equality in JSON: number",
		match: "  s:\n    requestParameters.port: 22\n",
		recs:  []string{`{"requestParameters":{"port":22}}`, `{"requestParameters":{"port":22.0}}`, `{"requestParameters":{"port":2.2e1}}`, `{"requestParameters":{"port":"22"}}`, `{"requestParameters":{"port":[21,22]}}`, `{"requestParameters":{"port":true}}`},
		sql:   []string{"TRY_CAST(json_format(v2) AS DOUBLE) = 22"},
	},
	{
		name:  "typed equality in JSON: boolean and null",
		match: "  s:\n    requestParameters.flag: [false, null]\n",
		recs:  []string{`{"requestParameters":{"flag":false}}`, `{"requestParameters":{"flag":"false"}}`, `{"requestParameters":{"flag":null}}`, `{"requestParameters":{}}`, `{"requestParameters":{"flag":0}}`},
		sql:   []string{"json_format(v2) IN ('false', 'null')"},
	},
	{
		name:  "boolean text column",
		match: "  s:\n    readOnly: false\n",
		recs:  []string{`{"readOnly":false}`, `{"readOnly":true}`, `{}`},
		sql:   []string{"readonly = 'false'"},
	},
	{
		name:  "a string never equals a boolean column, a number never a string column",
		match: "  s:\n    readOnly: \"false\"\n  t:\n    eventName: 5\n  condition: s or t\n",
		recs:  []string{`{"readOnly":false,"eventName":"5"}`},
		sql:   []string{"WHERE FALSE"},
	},
	{
		name:  "startswith, endswith, contains escape LIKE metacharacters",
		match: "  s:\n    eventName|startswith: '50%_'\n  t:\n    eventName|endswith: 'a\\b'\n  u:\n    eventName|contains: \"it's\"\n  condition: s or t or u\n",
		recs:  []string{`{"eventName":"50%_off"}`, `{"eventName":"500_off"}`, `{"eventName":"50%x"}`, `{"eventName":"xa\\b"}`, `{"eventName":"xab"}`, `{"eventName":"it's"}`, `{"eventName":"its"}`},
		sql:   []string{`eventname LIKE '50\%\_%' ESCAPE '\'`, `eventname LIKE '%a\\b' ESCAPE '\'`, `eventname LIKE '%it''s%' ESCAPE '\'`},
	},
	{
		name:  "string operators read JSON strings only",
		match: "  s:\n    requestParameters.port|startswith: '2'\n  t:\n    requestParameters.flag|contains: ru\n  condition: s or t\n",
		recs:  []string{`{"requestParameters":{"port":22}}`, `{"requestParameters":{"port":"22"}}`, `{"requestParameters":{"flag":true}}`, `{"requestParameters":{"flag":"true"}}`, `{"requestParameters":{"port":{"a":"2"}}}`},
	},
	{
		name:  "contains with i",
		match: "  s:\n    userAgent|contains|i: Boto3\n",
		recs:  []string{`{"userAgent":"BOTO3/1.2"}`, `{"userAgent":"aws-cli"}`, `{}`},
		sql:   []string{"lower(useragent) LIKE '%boto3%' ESCAPE '\\'"},
	},
	{
		name:  "wildcard becomes LIKE",
		match: "  s:\n    eventName|wildcard: 'Get*_?x\\*'\n",
		recs:  []string{`{"eventName":"Get_ax*"}`, `{"eventName":"GetFoo_bx*"}`, `{"eventName":"GetFoo_bxy"}`, `{"eventName":"GetFooxbx*"}`, `{"eventName":"Get_\nx*"}`},
		sql:   []string{`eventname LIKE 'Get%\__x*' ESCAPE '\'`},
	},
	{
		name:  "wildcard with i becomes an explicit case-folded regex",
		match: "  s:\n    eventName|wildcard|i: 'k*s'\n",
		recs:  []string{`{"eventName":"Ks"}`, `{"eventName":"\u212aaſ"}`, `{"eventName":"kx"}`},
		sql:   []string{"regexp_like(eventname, '\\A[Kk\u212a](?:[^\\n]|\\n)*[Ss\u017f]\\z')"},
	},
	{
		name:  "re is rewritten to the RE2 and Java common subset",
		match: "  s:\n    requestParameters.groupName|re|i: '^(admin|ops)\\s+\\d$'\n",
		recs:  []string{`{"requestParameters":{"groupName":"Admin 1"}}`, `{"requestParameters":{"groupName":"ops\t2"}}`, `{"requestParameters":{"groupName":"ops\u000b2"}}`, `{"requestParameters":{"groupName":"admin 1\n"}}`, `{"requestParameters":{"groupName":5}}`},
		sql:   []string{`'\A(?:[Aa][Dd][Mm][Ii][Nn]|[Oo][Pp][Ssſ])[\x09\x0A\x0C\x0D ]+[0-9]\z'`},
	},
	{
		name:   "re with a word boundary is unsupported",
		match:  "  s:\n    eventName|re: '\\bGet'\n",
		status: emit.Unsupported,
	},
	{
		name:  "cidr: families, mapped addresses, zones and leading zeros",
		match: "  s:\n    sourceIPAddress|cidr: [10.0.0.0/8, '2001:db8::/32', '::/0']\n",
		recs: []string{`{"sourceIPAddress":"10.1.2.3"}`, `{"sourceIPAddress":"::ffff:10.1.2.3"}`, `{"sourceIPAddress":"11.1.2.3"}`,
			`{"sourceIPAddress":"2001:db8::1"}`, `{"sourceIPAddress":"fe80::1%eth0"}`, `{"sourceIPAddress":"010.1.2.3"}`,
			`{"sourceIPAddress":"AWS Internal"}`, `{"sourceIPAddress":"192.168.0.1"}`, `{}`},
		sql: []string{"(strpos(sourceipaddress, '%') = 0 AND contains('10.0.0.0/8', TRY_CAST(sourceipaddress AS IPADDRESS)))"},
	},
	{
		name:  "cidr in an IPv4-mapped network matches nothing",
		match: "  s:\n    sourceIPAddress|cidr: '::ffff:10.0.0.0/104'\n",
		recs:  []string{`{"sourceIPAddress":"10.1.2.3"}`, `{"sourceIPAddress":"::ffff:10.1.2.3"}`},
		sql:   []string{"WHERE FALSE"},
	},
	{
		name:  "numeric comparisons read JSON numbers only",
		match: "  s:\n    requestParameters.minimumPasswordLength|lt: 14\n",
		recs:  []string{`{"requestParameters":{"minimumPasswordLength":8}}`, `{"requestParameters":{"minimumPasswordLength":"8"}}`, `{"requestParameters":{"minimumPasswordLength":14}}`, `{"requestParameters":{}}`},
		sql:   []string{"TRY_CAST(json_format(v2) AS DOUBLE) < 14"},
	},
	{
		name:  "exists in JSON: null is a value, an empty array is none",
		match: "  s:\n    requestParameters.userData|exists: true\n",
		recs:  []string{`{"requestParameters":{"userData":"x"}}`, `{"requestParameters":{"userData":null}}`, `{"requestParameters":{"userData":[]}}`, `{"requestParameters":{"userData":[[]]}}`, `{"requestParameters":{"userData":{}}}`, `{"requestParameters":{}}`, `{}`},
	},
	{
		name:  "exists false on a column",
		match: "  s:\n    errorCode|exists: false\n",
		recs:  []string{`{"errorCode":"AccessDenied"}`, `{}`},
		sql:   []string{"WHERE errorcode IS NULL"},
	},
	{
		name:  "not over a missing field is true (COALESCE)",
		match: "  s:\n    eventName: A\n  f:\n    errorCode: AccessDenied\n  condition: s and not f\n",
		recs:  []string{`{"eventName":"A"}`, `{"eventName":"A","errorCode":"AccessDenied"}`, `{"eventName":"A","errorCode":"Other"}`},
		sql:   []string{"NOT COALESCE(errorcode = 'AccessDenied', FALSE)"},
	},
	{
		name:  "not over a missing JSON field is true",
		match: "  s:\n    eventName: A\n  f:\n    requestParameters.kind: x\n  condition: s and not f\n",
		recs:  []string{`{"eventName":"A"}`, `{"eventName":"A","requestParameters":null}`, `{"eventName":"A","requestParameters":{"kind":"x"}}`, `{"eventName":"A","requestParameters":{"kind":["y","x"]}}`},
	},
	{
		name:  "fields reach every element of arrays, nested arrays included",
		match: "  s:\n    requestParameters.items.name: a\n",
		recs: []string{`{"requestParameters":{"items":{"name":"a"}}}`, `{"requestParameters":{"items":[{"name":"b"},{"name":"a"}]}}`,
			`{"requestParameters":{"items":[[{"name":"a"}]]}}`, `{"requestParameters":{"items":[{"name":["b",["a"]]}]}}`,
			`{"requestParameters":{"items":[{"name":"b"}]}}`, `{"requestParameters":{"items":"a"}}`, `{"requestParameters":{"items":{"0":{"name":"a"}}}}`},
	},
	{
		name:  "all: every listed value is some value of the field",
		match: "  s:\n    requestParameters.tags|all: [a, b]\n",
		recs:  []string{`{"requestParameters":{"tags":["a","b","c"]}}`, `{"requestParameters":{"tags":["a"]}}`, `{"requestParameters":{"tags":"a"}}`},
	},
	{
		name:  "all on a column: every value must equal it",
		match: "  s:\n    eventName|contains|all: [Get, Object]\n",
		recs:  []string{`{"eventName":"GetObject"}`, `{"eventName":"GetBucket"}`},
		sql:   []string{"eventname LIKE '%Get%' ESCAPE '\\' AND eventname LIKE '%Object%' ESCAPE '\\'"},
	},
	{
		name:  "fieldref between a JSON field and a column",
		match: "  s:\n    requestParameters.userName|fieldref: userIdentity.userName\n",
		recs: []string{`{"requestParameters":{"userName":"bob"},"userIdentity":{"userName":"bob"}}`, `{"requestParameters":{"userName":"bob"},"userIdentity":{"userName":"Bob"}}`,
			`{"requestParameters":{"userName":["x","bob"]},"userIdentity":{"userName":"bob"}}`, `{"requestParameters":{},"userIdentity":{"userName":"bob"}}`},
	},
	{
		name:  "fieldref with i",
		match: "  s:\n    requestParameters.userName|fieldref|i: userIdentity.userName\n",
		recs:  []string{`{"requestParameters":{"userName":"bob"},"userIdentity":{"userName":"Bob"}}`, `{"requestParameters":{"userName":"bob"},"userIdentity":{"userName":"Bobby"}}`},
	},
	{
		name:  "fieldref between JSON fields is typed",
		match: "  s:\n    requestParameters.a|fieldref: responseElements.b\n",
		recs: []string{`{"requestParameters":{"a":1},"responseElements":{"b":1.0}}`, `{"requestParameters":{"a":1},"responseElements":{"b":"1"}}`,
			`{"requestParameters":{"a":null},"responseElements":{"b":null}}`, `{"requestParameters":{"a":{"x":1}},"responseElements":{"b":{"x":1}}}`,
			`{"requestParameters":{"a":"x"},"responseElements":{"b":"x"}}`, `{"requestParameters":{"a":true},"responseElements":{"b":"true"}}`},
	},
	{
		name:  "fieldref between columns",
		match: "  s:\n    userIdentity.accountId|fieldref: recipientAccountId\n",
		recs:  []string{`{"userIdentity":{"accountId":"1"},"recipientAccountId":"1"}`, `{"userIdentity":{"accountId":"1"},"recipientAccountId":"2"}`, `{"recipientAccountId":"2"}`},
		sql:   []string{"useridentity.accountid = recipientaccountid"},
	},
	{
		name:  "resources: an array of rows",
		match: "  s:\n    resources.ARN|endswith: ':key/1'\n",
		recs:  []string{`{"resources":[{"ARN":"arn:aws:kms:x:key/1"},{"ARN":"b"}]}`, `{"resources":[{"ARN":"b"}]}`, `{"resources":[]}`, `{}`},
		sql:   []string{"UNNEST(transform(resources, elem -> elem.arn))"},
	},
	{
		name:  "JSON member names with odd characters",
		match: "  s:\n    requestParameters.x-amz-acl: public-read\n  t:\n    requestParameters.it's.é: 1\n  condition: s or t\n",
		recs:  []string{`{"requestParameters":{"x-amz-acl":["public-read"]}}`, `{"requestParameters":{"x-amz-acl":"private"}}`, `{"requestParameters":{"it's":{"é":1}}}`},
		sql:   []string{`'$["x-amz-acl"]'`, `'$["it''s"]'`},
	},
	{
		name:   "a JSON member name with a double quote is unsupported",
		match:  "  s:\n    requestParameters.a\"b: 1\n",
		status: emit.Unsupported,
	},
	{
		name:   "a JSON column itself is approximate (null and missing are both NULL)",
		match:  "  s:\n    requestParameters|exists: true\n",
		status: emit.Approximate,
	},
	{
		name:   "i with non-ASCII letters is approximate",
		match:  "  s:\n    eventName|i: Straße\n",
		status: emit.Approximate,
	},
	{
		name:  "empty and, empty or, constants",
		match: "  s:\n    eventName: A\n  t:\n    errorCode: 5\n  condition: s and not t\n",
		recs:  []string{`{"eventName":"A"}`, `{"eventName":"B"}`},
		sql:   []string{"WHERE eventname = 'A'\n"},
	},
	{
		name:  "literals with quotes, newlines and comment markers",
		match: "  s:\n    eventName: \"a' OR '1'='1 -- x\\n/*\"\n",
		recs:  []string{"{\"eventName\":\"a' OR '1'='1 -- x\\n/*\"}", `{"eventName":"a"}`, `{"eventName":"x"}`},
		sql:   []string{`eventname = ('a'' OR ''1''=''1 -- x' || chr(10) || '/*')`},
	},
}

func TestConstructs(t *testing.T) {
	var docs []string
	for i, tc := range constructCases {
		docs = append(docs, detectionYAML(fmt.Sprintf("c%d", i), tc.match, ""))
	}
	p := program(t, docs...)
	c, _ := Compile(p)
	var all []string
	recs := map[int][]string{}
	for i, tc := range constructCases {
		recs[i] = withIDs(fmt.Sprintf("c%d-", i), tc.recs)
		all = append(all, recs[i]...)
	}
	var o *oracle
	if !testing.Short() {
		o = newOracle(t)
		o.load(t, "cloudtrail_logs", athenaTable, parsed(all))
	}
	byID := map[string]int{}
	for j, d := range p.Detections {
		byID[d.ID] = j
	}
	for i, tc := range constructCases {
		t.Run(tc.name, func(t *testing.T) {
			j := byID[fmt.Sprintf("c%d", i)]
			q := c.Queries["athena"][j]
			want := tc.status
			if want == "" {
				want = emit.Exact
			}
			if q.Status != want {
				t.Fatalf("status %s (%s), want %s\n%s", q.Status, q.Reason, want, q.SQL)
			}
			for _, f := range tc.sql {
				if !strings.Contains(q.SQL, f) {
					t.Errorf("query lacks %q:\n%s", f, q.SQL)
				}
			}
			if o != nil && q.SQL != "" && len(recs[i]) > 0 {
				compareOnDuckDB(t, o, tc.name, q, p.Detections[j].Cond(), all)
			}
		})
	}
}
