package opensearch

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/diff"

	"github.com/socc-dev/socc/compiler"
	"github.com/socc-dev/socc/compiler/diag"
	"github.com/socc-dev/socc/compiler/emit"
	"github.com/socc-dev/socc/compiler/internal/siemcheck"
	"github.com/socc-dev/socc/compiler/ir"
	"github.com/socc-dev/socc/compiler/load"
	"github.com/socc-dev/socc/compiler/lower"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// mappingGlob names the bundled OpenSearch field mappings: CloudTrail's
// opensearch.yaml and one opensearch-<logsource>.yaml per other log source.
const mappingGlob = "../../../mappings/fields/opensearch*.yaml"

// program lowers one detection of service together with every bundled
// OpenSearch field mapping.
func program(t *testing.T, service, body string) (*ir.Program, *ir.Detection) {
	t.Helper()
	src := "kind: detection\nid: aws-x\ntitle: X\nstatus: stable\nversion: 1\n" +
		"logsource: {product: aws, service: " + service + "}\nseverity: {level: Lv2}\n" + body
	doc, ds := load.Parse("d.yaml", strings.NewReader(src))
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	docs := []*load.Document{doc}
	files, err := filepath.Glob(mappingGlob)
	if err != nil || len(files) == 0 {
		t.Fatalf("no mapping files %s: %v", mappingGlob, err)
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

func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestCompile(t *testing.T) {
	tests := []struct {
		name, service, body string
		dsl, lucene         string
		status, reason      string
	}{
		{"equality, i", "cloudtrail",
			"match:\n  s:\n    eventName: ConsoleLogin\n    userIdentity.type|i: root\n",
			`{"bool":{"filter":[{"term":{"eventName":{"value":"ConsoleLogin"}}},{"term":{"userIdentity.type":{"case_insensitive":true,"value":"root"}}}]}}`,
			`eventName:"ConsoleLogin" AND userIdentity.type:/[Rr][Oo][Oo][Tt]/`, emit.Exact, ""},
		{"lists, negation", "cloudtrail",
			"match:\n  s:\n    eventName: [A, B]\n  f:\n    awsRegion: [x, y]\n  condition: s and not f\n",
			`{"bool":{"filter":[{"terms":{"eventName":["A","B"]}}],"must_not":[{"terms":{"awsRegion":["x","y"]}}]}}`,
			`(eventName:"A" OR eventName:"B") AND NOT awsRegion:"x" AND NOT awsRegion:"y"`, emit.Exact, ""},
		{"escaping quotes backslashes newlines unicode", "cloudtrail",
			"match:\n  s:\n    userAgent: \"a\\\"b\\\\c\\nd é 日本\"\n",
			`{"term":{"userAgent":{"value":"a\"b\\c\nd é 日本"}}}`,
			"userAgent:\"a\\\"b\\\\c\nd é 日本\"", emit.Exact, ""},
		{"wildcards and keywords are literal in values", "cloudtrail",
			"match:\n  s:\n    eventName: ['*', 'a?', 'AND', 'NOT']\n",
			`{"terms":{"eventName":["*","a?","AND","NOT"]}}`,
			`eventName:"*" OR eventName:"a?" OR eventName:"AND" OR eventName:"NOT"`, emit.Exact, ""},
		{"substrings escape * ? and backslash", "cloudtrail",
			"match:\n  s:\n    userAgent|contains: 'a*b?c\\d'\n    errorCode|startswith|i: 'x.'\n    errorMessage|endswith: '/'\n",
			`{"bool":{"filter":[{"wildcard":{"userAgent":{"value":"*a\\*b\\?c\\\\d*"}}},{"prefix":{"errorCode":{"case_insensitive":true,"value":"x."}}},{"wildcard":{"errorMessage":{"value":"*/"}}}]}}`,
			`userAgent:/.*a\*b\?c\\d.*/ AND errorCode:/[Xx][.].*/ AND errorMessage:/.*\//`, emit.Exact, ""},
		{"wildcard keeps * and ?, re-escapes backslashes", "cloudtrail",
			"match:\n  s:\n    eventName|wildcard: 'Get*'\n    userAgent|wildcard: 'a?\\*\\x'\n",
			`{"bool":{"filter":[{"wildcard":{"eventName":{"value":"Get*"}}},{"wildcard":{"userAgent":{"value":"a?\\*\\\\x"}}}]}}`,
			`eventName:/Get.*/ AND userAgent:/a.\*\\x/`, emit.Exact, ""},
		{"regular expressions become anchored Lucene", "cloudtrail",
			"match:\n  s:\n    userAgent|re: '^Boto3/\\d+'\n    errorMessage|re|i: 'k.s$'\n",
			"{\"bool\":{\"filter\":[{\"regexp\":{\"userAgent\":{\"value\":\"Boto3\\\\/[0-9]+.*\"}}},{\"regexp\":{\"errorMessage\":{\"value\":\".*[Kk\u212a][^\\n][Ss\u017f]\"}}}]}}",
			"userAgent:/Boto3\\/[0-9]+.*/ AND errorMessage:/.*[Kk\u212a][^\n][Ss\u017f]/", emit.Exact, ""},
		{"word boundaries are left out", "cloudtrail",
			"match:\n  s:\n    eventName: A\n    userAgent|re: '\\bx'\n",
			`{"term":{"eventName":{"value":"A"}}}`, `eventName:"A"`, emit.Approximate, "word boundaries"},
		{"typed values, ranges, exists", "cloudtrail",
			"match:\n  s:\n    readOnly: false\n    requestParameters.port: -1\n    requestParameters.minimumPasswordLength|lt: 14\n    requestParameters.x|gte: 1.5\n    errorCode|exists: false\n",
			`{"bool":{"filter":[{"term":{"readOnly":{"value":false}}},{"term":{"requestParameters.port":{"value":-1}}},{"range":{"requestParameters.minimumPasswordLength":{"lt":14}}},{"range":{"requestParameters.x":{"gte":1.5}}}],"must_not":[{"exists":{"field":"errorCode"}}]}}`,
			`readOnly:false AND requestParameters.port:\-1 AND requestParameters.minimumPasswordLength:[* TO 14} AND requestParameters.x:[1.5 TO *] AND NOT _exists_:errorCode`, emit.Exact, ""},
		{"ipv4 cidr as a regular expression, ipv6 left out", "cloudtrail",
			"match:\n  s:\n    eventName: A\n  f:\n    sourceIPAddress|cidr: [10.40.0.0/16, '2001:db8::/32']\n  condition: s and not f\n",
			`{"bool":{"filter":[{"term":{"eventName":{"value":"A"}}}],"must_not":[{"regexp":{"sourceIPAddress":{"value":"10[.]40[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"}}}]}}`,
			`eventName:"A" AND NOT sourceIPAddress:/10[.]40[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])/`,
			emit.Approximate, "IPv6"},
		{"field names with query-string specials", "cloudtrail",
			"match:\n  s:\n    requestParameters.x-amz-acl: public-read\n",
			`{"term":{"requestParameters.x-amz-acl":{"value":"public-read"}}}`,
			`requestParameters.x\-amz\-acl:"public-read"`, emit.Exact, ""},
		{"an or of negations", "cloudtrail",
			"match:\n  s:\n    eventName: A\n  f:\n    userIdentity.invokedBy: sso.amazonaws.com\n    userIdentity.arn|contains: /SSO/\n  condition: s and not f\n",
			`{"bool":{"filter":[{"term":{"eventName":{"value":"A"}}},{"bool":{"minimum_should_match":1,"should":[{"bool":{"must_not":[{"term":{"userIdentity.invokedBy":{"value":"sso.amazonaws.com"}}}]}},{"bool":{"must_not":[{"wildcard":{"userIdentity.arn":{"value":"*/SSO/*"}}}]}}]}}]}}`,
			`eventName:"A" AND ((*:* AND NOT userIdentity.invokedBy:"sso.amazonaws.com") OR (*:* AND NOT userIdentity.arn:/.*\/SSO\/.*/))`,
			emit.Exact, ""},
		{"fieldref is a script, not in the query string", "cloudtrail",
			"match:\n  s:\n    eventName: A\n  f:\n    requestParameters.userName|fieldref: userIdentity.userName\n  condition: s and not f\n",
			`{"bool":{"filter":[{"term":{"eventName":{"value":"A"}}}],"must_not":[{"script":{"script":{"lang":"painless","params":{"a":"requestParameters.userName","b":"userIdentity.userName","fold":false},"source":` + mustJSON(fieldRefScript) + `}}}]}}`,
			`eventName:"A"`, emit.Approximate, "in the Lucene query string only"},
		{"null is left out", "cloudtrail",
			"match:\n  s:\n    eventName: A\n    requestParameters.x: null\n",
			`{"term":{"eventName":{"value":"A"}}}`, `eventName:"A"`, emit.Approximate, "null"},
		{"envelope field without a mapping", "cloudtrail",
			"match:\n  s:\n    $.detail-type: AWS API Call via CloudTrail\n", "", "", emit.Unsupported, "envelope"},
		{"log source without a mapping", "vpcflow",
			"match:\n  s:\n    action: REJECT\n", "", "", emit.Unsupported, "no opensearch field mapping for log source vpcflow"},
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
				if q.DSL != nil {
					t.Errorf("DSL %s, want none", compact(q.DSL))
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

func mustJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
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
	if !strings.Contains(ds[0].Hint, "mappings/fields/opensearch.yaml") {
		t.Errorf("hint %q does not name the mapping file", ds[0].Hint)
	}
}

// fromLucene translates the Lucene RegExp subset that lucene() writes back
// into an anchored RE2 expression, independently of the writer.
func fromLucene(t *testing.T, s string) string {
	t.Helper()
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		switch c := rs[i]; c {
		case '\\':
			i++
			b.WriteString(regexp.QuoteMeta(string(rs[i])))
		case '.':
			b.WriteString(`(?s:.)`)
		case '"':
			j := i + 1
			for rs[j] != '"' {
				j++
			}
			b.WriteString(regexp.QuoteMeta(string(rs[i+1 : j])))
			i = j
		case '[':
			b.WriteByte('[')
			i++
			if rs[i] == '^' {
				b.WriteByte('^')
				i++
			}
			for ; rs[i] != ']'; i++ {
				switch {
				case rs[i] == '\\':
					i++
					b.WriteString(`\x{` + fmt.Sprintf("%x", rs[i]) + `}`)
				case rs[i] == '-':
					b.WriteByte('-')
				default:
					b.WriteString(`\x{` + fmt.Sprintf("%x", rs[i]) + `}`)
				}
			}
			b.WriteByte(']')
		case '(', ')', '|', '*', '+', '?':
			b.WriteRune(c)
		case '{':
			j := i
			for rs[j] != '}' {
				j++
			}
			b.WriteString(string(rs[i : j+1]))
			i = j
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	return `^(?:` + b.String() + `)$`
}

// TestLuceneRegex checks that the Lucene rendering of regular expressions
// matches exactly the strings the RE2 original matches (unanchored).
func TestLuceneRegex(t *testing.T) {
	patterns := []string{
		`"Action"\s*:\s*\[?\s*"(iam:)?\*"`, `"(Principal|AWS)"\s*:\s*\[?\s*"\*"`, `(?i)admin|poweruser|superuser`,
		`^a.b$`, `(?s)^a.*b$`, `x{2,3}y+?z*`, `[^a-c]`, `(?i)k[a-z]+`, `^ab|cd$`, `é+`, `[\d\-\]]`, `^$`,
		`a\.b#c@d<e>f~g&h`, `\[\](){}`, `/x/`, `^(?:a|b)c`, `(?s)^.*$`,
	}
	inputs := []string{"", "a", "ab", "a\nb", "a.b", "AxB", "ADMIN", "PowerUser", "xxyz", "xxxyyy", "d", "-", "]", "Kelvin",
		`{"Action": ["iam:*"]}`, `"Action":"*"`, `"Principal" : "*"`, "abx", "xcd", "éé", "e", "kab", "KXYZ", "ac", "bc",
		"a.b#c@d<e>f~g&h", "[](){}", "/x/", "z/x/z", "a\n"}
	for _, src := range patterns {
		re, err := syntax.Parse(src, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		lre, err := lucene(re)
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		back := fromLucene(t, lre)
		rendered, err := regexp.Compile(back)
		if err != nil {
			t.Errorf("%s -> %s -> %s: %v", src, lre, back, err)
			continue
		}
		orig := regexp.MustCompile(src)
		for _, in := range inputs {
			if orig.MatchString(in) != rendered.MatchString(in) {
				t.Errorf("%s -> %s: %q: %v vs %v", src, lre, in, orig.MatchString(in), rendered.MatchString(in))
			}
		}
	}
	for _, src := range []string{`\bx`, `(?m)^x`, `a^b`} {
		re, _ := syntax.Parse(src, syntax.Perl)
		if _, err := lucene(re); err == nil {
			t.Errorf("%s: no error", src)
		}
	}
}

func TestIPv4Regex(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, pfx := range []string{"10.40.0.0/16", "0.0.0.0/0", "192.168.1.128/25", "172.16.0.0/12", "100.64.0.0/10", "1.2.3.4/32", "200.0.0.0/5"} {
		n := netip.MustParsePrefix(pfx)
		re := regexp.MustCompile(fromLucene(t, ipv4Regex(n)))
		for i := 0; i < 3000; i++ {
			var a [4]byte
			for j := range a {
				a[j] = byte(rng.IntN(256))
			}
			if i%3 == 0 { // addresses near the network
				base := n.Addr().As4()
				copy(a[:], base[:])
				a[3] = byte(rng.IntN(256))
				a[2] ^= byte(rng.IntN(4))
			}
			ip := netip.AddrFrom4(a)
			if got, want := re.MatchString(ip.String()), n.Contains(ip); got != want {
				t.Errorf("%s: %s matches %v, want %v", pfx, ip, got, want)
			}
		}
		for _, bad := range []string{"010.40.1.1", "10.40.1", "10.40.1.1.1", "10.40.256.1", "::ffff:10.40.1.1"} {
			if re.MatchString(bad) {
				t.Errorf("%s matches %q", pfx, bad)
			}
		}
	}
}

func TestEscape(t *testing.T) {
	tests := []struct{ got, want string }{
		{phrase(`a"b\c`), `"a\"b\\c"`},
		{escapeTerm(`a b:c*d-1/`), `a\ b\:c\*d\-1\/`},
		{escapeWildcard(`a*b?c\d`), `a\*b\?c\\d`},
		{wildcardPattern(`a*\*b?\?c\\d\e`), `a*\*b?\?c\\d\\e`},
		{literalRegex("a.b", false), `a[.]b`},
		{literalRegex("Sk", true), "[Ss][Kk\u212a]"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %s, want %s", tc.got, tc.want)
		}
	}
	if _, ok := fieldName("a<b"); ok {
		t.Error("fieldName accepts <")
	}
}

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

// libraryCounts is the status count of the bundled library (57
// detections): the 5 threshold detections and the 4 with fieldref are
// approximate; the GuardDuty, Security Hub and Config detections are exact
// under their mappings' index assumptions.
var libraryCounts = map[string]int{emit.Exact: 48, emit.Approximate: 9}

// findingDetections are the library's detections of log sources other than
// CloudTrail, with their status.
var findingDetections = map[string]string{
	"aws-guardduty-finding-critical":                 emit.Exact,
	"aws-guardduty-finding-high":                     emit.Exact,
	"aws-guardduty-instance-credential-exfiltration": emit.Exact,
	"aws-securityhub-finding-critical":               emit.Exact,
	"aws-config-critical-rule-noncompliant":          emit.Exact,
}

// TestLibrary compiles every bundled detection, checks the monitors'
// shape and query DSL, and has the lucene parser read every query string.
func TestLibrary(t *testing.T) {
	res := library(t)
	sink := emitAll(t, res.Program)
	var items []siemcheck.Item
	counts := map[string]int{}
	types := map[string]bool{}
	for _, d := range res.Program.Detections {
		st := sink.Statuses()[d.ID][Target]
		counts[st.Status]++
		if want, ok := findingDetections[d.ID]; ok && st.Status != want {
			t.Errorf("%s: status %s (%s), want %s", d.ID, st.Status, st.Reason, want)
		}
		if d.Logsource.Service != "cloudtrail" {
			if _, ok := findingDetections[d.ID]; !ok {
				t.Errorf("%s: a %s detection missing from findingDetections", d.ID, d.Logsource.Service)
			}
		}
		if st.Status != emit.Exact && st.Reason == "" {
			t.Errorf("%s: %s without a reason", d.ID, st.Status)
		}
		mon := sink.File("opensearch/" + d.ID + ".json")
		if (mon == nil) != (st.Status == emit.Unsupported) {
			t.Errorf("%s: status %s but monitor present = %v", d.ID, st.Status, mon != nil)
		}
		if mon == nil {
			continue
		}
		var m struct {
			Type        string `json:"type"`
			MonitorType string `json:"monitor_type"`
			Inputs      []struct {
				Search struct {
					Indices []string       `json:"indices"`
					Query   map[string]any `json:"query"`
				} `json:"search"`
			} `json:"inputs"`
			Triggers []map[string]any `json:"triggers"`
		}
		if err := json.Unmarshal(mon, &m); err != nil {
			t.Errorf("%s: %v", d.ID, err)
			continue
		}
		if m.Type != "monitor" || len(m.Inputs) != 1 || len(m.Inputs[0].Search.Indices) == 0 || len(m.Triggers) != 1 {
			t.Errorf("%s: malformed monitor %s", d.ID, mon)
		}
		if _, ok := m.Triggers[0][strings.TrimSuffix(m.MonitorType, "_monitor")+"_trigger"]; !ok {
			t.Errorf("%s: a %s without its trigger type", d.ID, m.MonitorType)
		}
		// The search's query: the time range of the mapping's time field
		// and the condition, both of the emitter's query types.
		fm := res.Program.FieldMap(Target, d.Logsource.Service)
		if q, ok := m.Inputs[0].Search.Query["query"]; !ok {
			t.Errorf("%s: a search without a query", d.ID)
		} else if err := validQuery(q, "query", types); err != nil {
			t.Errorf("%s: %v", d.ID, err)
		} else if tf := timeField(q); tf != fm.Options["time"] {
			t.Errorf("%s: time range on %q, want the mapping's %q", d.ID, tf, fm.Options["time"])
		}
		if got := strings.Join(m.Inputs[0].Search.Indices, ","); got != fm.Options["index"] {
			t.Errorf("%s: indices %s, want the mapping's %s", d.ID, got, fm.Options["index"])
		}
		items = append(items, siemcheck.Item{ID: d.ID, Dialect: "lucene", Query: strings.TrimSuffix(string(sink.File("opensearch/"+d.ID+".lucene")), "\n")})
	}
	t.Logf("opensearch over %d detections: %v; query types %v", len(res.Program.Detections), counts, slices.Sorted(maps.Keys(types)))
	if !maps.Equal(counts, libraryCounts) {
		t.Errorf("statuses %v, want %v", counts, libraryCounts)
	}
	checked := map[string]bool{}
	for _, r := range siemcheck.Check(t, items) {
		checked[r.ID] = true
		if !r.OK {
			t.Errorf("%s: the query string does not parse: %v", r.ID, r.Errors)
		}
	}
	for id := range findingDetections {
		if !checked[id] {
			t.Errorf("%s: its query string was not checked", id)
		}
	}
}

// timeField returns the field of the monitor query's leading time range.
func timeField(q any) string {
	f, _ := q.(map[string]any)["bool"].(map[string]any)["filter"].([]any)
	if len(f) == 0 {
		return ""
	}
	r, _ := f[0].(map[string]any)["range"].(map[string]any)
	for k := range r {
		return k
	}
	return ""
}

var goldenIDs = []string{
	"aws-account-access-denied-burst",
	"aws-config-critical-rule-noncompliant",
	"aws-ec2-security-group-admin-port-open-to-world",
	"aws-guardduty-finding-high",
	"aws-guardduty-instance-credential-exfiltration",
	"aws-iam-access-key-created-for-other-user",
	"aws-iam-inline-admin-policy",
	"aws-s3-bucket-policy-public",
	"aws-secretsmanager-secrets-read-in-bulk",
	"aws-securityhub-finding-critical",
	"aws-signin-console-login-without-mfa",
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
			got += "\n" + string(sink.File("opensearch/"+id+".lucene")) + "\n" + string(sink.File("opensearch/"+id+".json"))
			golden := filepath.Join("testdata", id+".opensearch.golden")
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
