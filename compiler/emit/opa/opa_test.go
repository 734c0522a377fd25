package opa

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/tidwall/gjson"

	"github.com/socc-dev/socc/compiler/event"
	"github.com/socc-dev/socc/compiler/ir"
	"github.com/socc-dev/socc/compiler/load"
	"github.com/socc-dev/socc/compiler/lower"
)

// lowerMatch lowers a detection with the given match: block (indented two
// spaces) and optional extra top-level YAML.
func lowerMatch(t *testing.T, id, match, extra string) *ir.Detection {
	t.Helper()
	src := "kind: detection\nid: " + id + "\ntitle: T\nstatus: stable\n" +
		"logsource: {product: aws, service: cloudtrail}\nseverity: {level: Lv2}\nmatch:\n" + match + extra
	doc, ds := load.Parse("detections/"+id+".yaml", strings.NewReader(src))
	if ds.HasErrors() {
		t.Fatalf("parse: %v", ds.Err())
	}
	p, ds := lower.Lower([]*load.Document{doc})
	if ds.HasErrors() {
		t.Fatalf("lower: %v", ds.Err())
	}
	if len(p.Detections) != 1 {
		t.Fatalf("lowered %d detections", len(p.Detections))
	}
	return p.Detections[0]
}

// prepare renders d and prepares its match query once.
func prepare(t *testing.T, d *ir.Detection) rego.PreparedEvalQuery {
	t.Helper()
	mod, err := Module(d)
	if err != nil {
		t.Fatalf("Module: %v", err)
	}
	pq, err := rego.New(rego.Query(Query(d.ID)), rego.Module(d.ID+".rego", mod)).PrepareForEval(context.Background())
	if err != nil {
		t.Fatalf("prepare: %v\n%s", err, mod)
	}
	return pq
}

// evalMatch evaluates a prepared match query on input.
func evalMatch(t *testing.T, pq rego.PreparedEvalQuery, input any) bool {
	t.Helper()
	rs, err := pq.Eval(context.Background(), rego.EvalInput(input))
	if err != nil {
		t.Fatalf("eval: %v", err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		t.Fatalf("match is undefined: %v", rs)
	}
	b, ok := rs[0].Expressions[0].Value.(bool)
	if !ok {
		t.Fatalf("match is %T, not a boolean", rs[0].Expressions[0].Value)
	}
	return b
}

// input decodes a record and an envelope as the package documents: numbers
// as float64.
func input(t *testing.T, record, envelope string) any {
	t.Helper()
	in := map[string]any{}
	if record != "" {
		var r any
		if err := json.Unmarshal([]byte(record), &r); err != nil {
			t.Fatalf("record %s: %v", record, err)
		}
		in["record"] = r
	}
	env := map[string]any{}
	if envelope != "" {
		if err := json.Unmarshal([]byte(envelope), &env); err != nil {
			t.Fatalf("envelope %s: %v", envelope, err)
		}
	}
	in["envelope"] = env
	return in
}

type ev struct {
	record, envelope string
	want             bool
}

func TestModuleOperators(t *testing.T) {
	tests := []struct {
		name, match, extra string
		events             []ev
	}{
		{"equals string", "  sel:\n    eventName: CreateUser\n", "", []ev{
			{`{"eventName":"CreateUser"}`, "", true},
			{`{"eventName":"createuser"}`, "", false},
			{`{"eventName":"CreateUser2"}`, "", false},
			{`{"other":"CreateUser"}`, "", false},
			{`{"eventName":["X","CreateUser"]}`, "", true},
			{`{"eventName":{"CreateUser":1}}`, "", false},
			{`{"eventName":null}`, "", false},
			{`[{"eventName":"X"},{"eventName":"CreateUser"}]`, "", true},
			{`"CreateUser"`, "", false},
			{"", "", false},
		}},
		{"no wildcard without the modifier", "  sel:\n    eventName: Create*\n", "", []ev{
			{`{"eventName":"Create*"}`, "", true},
			{`{"eventName":"CreateUser"}`, "", false},
		}},
		{"quoted number is a string", "  sel:\n    errorCode: \"403\"\n", "", []ev{
			{`{"errorCode":"403"}`, "", true},
			{`{"errorCode":403}`, "", false},
		}},
		{"number compares numerically", "  sel:\n    port: 22\n", "", []ev{
			{`{"port":22}`, "", true},
			{`{"port":22.0}`, "", true},
			{`{"port":2.2e1}`, "", true},
			{`{"port":"22"}`, "", false},
			{`{"port":23}`, "", false},
		}},
		{"float", "  sel:\n    ratio: 0.1\n", "", []ev{
			{`{"ratio":0.1}`, "", true},
			{`{"ratio":1e-1}`, "", true},
			{`{"ratio":0.10000000000000001}`, "", true}, // the same float64
			{`{"ratio":0.2}`, "", false},
		}},
		{"large number", "  sel:\n    n: 1e21\n", "", []ev{
			{`{"n":1000000000000000000000}`, "", true},
			{`{"n":1e21}`, "", true},
			{`{"n":1e20}`, "", false},
		}},
		{"bool", "  sel:\n    flag: true\n", "", []ev{
			{`{"flag":true}`, "", true},
			{`{"flag":false}`, "", false},
			{`{"flag":"true"}`, "", false},
			{`{"flag":1}`, "", false},
		}},
		{"null is not missing", "  sel:\n    v: null\n", "", []ev{
			{`{"v":null}`, "", true},
			{`{"v":[1,null]}`, "", true},
			{`{}`, "", false},
			{`{"v":"null"}`, "", false},
			{`{"v":0}`, "", false},
		}},
		{"list of mixed values is any", "  sel:\n    v: [a, 3, false, null]\n", "", []ev{
			{`{"v":"a"}`, "", true},
			{`{"v":3.0}`, "", true},
			{`{"v":false}`, "", true},
			{`{"v":null}`, "", true},
			{`{"v":"3"}`, "", false},
			{`{"v":"false"}`, "", false},
			{`{"v":"A"}`, "", false},
		}},
		{"paths cross arrays at every level", "  sel:\n    resources.ARN: arn:x\n", "", []ev{
			{`{"resources":[{"ARN":"a"},{"ARN":"arn:x"}]}`, "", true},
			{`{"resources":[[{"ARN":"a"}],[[{"ARN":"arn:x"}]]]}`, "", true},
			{`{"resources":{"ARN":["q",["arn:x"]]}}`, "", true},
			{`{"resources":[{"ARN":"a"},"arn:x",{"x":{"ARN":"arn:x"}}]}`, "", false},
			{`{"resources":[]}`, "", false},
			{`{"resources":"arn:x"}`, "", false},
			{`{"resources":[{"ARN":[]}]}`, "", false},
		}},
		{"key with special characters", "  sel:\n    detail.a-b c: x\n", "", []ev{
			{`{"detail":{"a-b c":"x"}}`, "", true},
			{`{"detail":{"a-b c":"y"}}`, "", false},
		}},
		{"equals i", "  sel:\n    userAgent|i: Boto3\n", "", []ev{
			{`{"userAgent":"BOTO3"}`, "", true},
			{`{"userAgent":"boto3"}`, "", true},
			{`{"userAgent":"boto3 x"}`, "", false},
			{`{"userAgent":3}`, "", false},
		}},
		{"equals i with several values, unicode", "  sel:\n    n|i: [ÄBC, x]\n", "", []ev{
			{`{"n":"äbc"}`, "", true},
			{`{"n":"X"}`, "", true},
			{`{"n":"abc"}`, "", false},
		}},
		{"contains", "  sel:\n    userAgent|contains: [boto3, aws-cli]\n", "", []ev{
			{`{"userAgent":"Boto3/1.0 aws-cli/2"}`, "", true},
			{`{"userAgent":"x boto3 y"}`, "", true},
			{`{"userAgent":"Boto3"}`, "", false},
			{`{"userAgent":["a","b"]}`, "", false},
		}},
		{"contains i", "  sel:\n    userAgent|contains|i: BOTO3\n", "", []ev{
			{`{"userAgent":"x Boto3 y"}`, "", true},
			{`{"userAgent":"x Bot03 y"}`, "", false},
		}},
		{"startswith", "  sel:\n    a|startswith: arn:aws:iam\n", "", []ev{
			{`{"a":"arn:aws:iam::1:user/x"}`, "", true},
			{`{"a":"x arn:aws:iam"}`, "", false},
			{`{"a":"ARN:aws:iam"}`, "", false},
		}},
		{"startswith i", "  sel:\n    a|startswith|i: 'ARN:'\n", "", []ev{
			{`{"a":"arn:aws"}`, "", true},
		}},
		{"endswith", "  sel:\n    a|endswith: /AdministratorAccess\n", "", []ev{
			{`{"a":"arn:aws:iam::aws:policy/AdministratorAccess"}`, "", true},
			{`{"a":"/AdministratorAccess/x"}`, "", false},
			{`{"a":"/administratoraccess"}`, "", false},
		}},
		{"endswith i", "  sel:\n    a|endswith|i: /AdministratorAccess\n", "", []ev{
			{`{"a":"/administratoraccess"}`, "", true},
		}},
		{"wildcard", "  sel:\n    a|wildcard: 'foo*bar?'\n", "", []ev{
			{`{"a":"fooXXbarY"}`, "", true},
			{`{"a":"foobar!"}`, "", true},
			{`{"a":"foo\nbarY"}`, "", true},
			{`{"a":"fooXbar"}`, "", false},
			{`{"a":"xfooXbarY"}`, "", false},
			{`{"a":"FOOXBARY"}`, "", false},
		}},
		{"wildcard escapes", "  sel:\n    a|wildcard: 'a\\*b\\?c.\\\\'\n", "", []ev{
			{`{"a":"a*b?c.\\"}`, "", true},
			{`{"a":"aXb?c.\\"}`, "", false},
			{`{"a":"a*b?cX\\"}`, "", false},
		}},
		{"wildcard i", "  sel:\n    a|wildcard|i: 'FOO*'\n", "", []ev{
			{`{"a":"foobar"}`, "", true},
			{`{"a":"bar"}`, "", false},
		}},
		{"re", "  sel:\n    a|re: 'ab+c'\n", "", []ev{
			{`{"a":"xxabbbcxx"}`, "", true},
			{`{"a":"ac"}`, "", false},
			{`{"a":"ABC"}`, "", false},
			{`{"a":["ac","abc"]}`, "", true},
		}},
		{"re anchored, i", "  sel:\n    a|re|i: '^ab+c$'\n", "", []ev{
			{`{"a":"ABBC"}`, "", true},
			{`{"a":"xabc"}`, "", false},
		}},
		{"cidr", "  sel:\n    ip|cidr: [10.0.0.0/8, '2001:db8::/32']\n", "", []ev{
			{`{"ip":"10.1.2.3"}`, "", true},
			{`{"ip":"11.0.0.1"}`, "", false},
			{`{"ip":"::ffff:10.1.2.3"}`, "", true},
			{`{"ip":"2001:db8::1"}`, "", true},
			{`{"ip":"2001:db9::1"}`, "", false},
			{`{"ip":"10.0.0.0/16"}`, "", false},
			{`{"ip":"fe80::1%eth0"}`, "", false},
			{`{"ip":"010.1.2.3"}`, "", false},
			{`{"ip":"not an ip"}`, "", false},
			{`{"ip":167837955}`, "", false},
			{`{"ip":["x","10.9.9.9"]}`, "", true},
		}},
		{"cidr ipv6 catch-all excludes ipv4", "  sel:\n    ip|cidr: '::/0'\n", "", []ev{
			{`{"ip":"::1"}`, "", true},
			{`{"ip":"1.2.3.4"}`, "", false},
			{`{"ip":"::ffff:1.2.3.4"}`, "", false},
		}},
		{"cidr ipv4-mapped network matches nothing", "  sel:\n    ip|cidr: '::ffff:10.0.0.0/104'\n", "", []ev{
			{`{"ip":"10.1.2.3"}`, "", false},
			{`{"ip":"::ffff:10.1.2.3"}`, "", false},
		}},
		{"gt", "  sel:\n    n|gt: 5\n", "", []ev{
			{`{"n":6}`, "", true},
			{`{"n":5.5}`, "", true},
			{`{"n":5}`, "", false},
			{`{"n":"6"}`, "", false},
			{`{"n":true}`, "", false},
			{`{"n":[1,7]}`, "", true},
		}},
		{"gte", "  sel:\n    n|gte: 5\n", "", []ev{
			{`{"n":5}`, "", true},
			{`{"n":4.999}`, "", false},
		}},
		{"lt", "  sel:\n    n|lt: -1.5\n", "", []ev{
			{`{"n":-2}`, "", true},
			{`{"n":-1.5}`, "", false},
			{`{"n":"a"}`, "", false},
			{`{"n":null}`, "", false},
		}},
		{"lte", "  sel:\n    n|lte: 0\n", "", []ev{
			{`{"n":0}`, "", true},
			{`{"n":-0.0}`, "", true},
			{`{"n":0.001}`, "", false},
		}},
		{"exists", "  sel:\n    a.b|exists: true\n", "", []ev{
			{`{"a":{"b":1}}`, "", true},
			{`{"a":{"b":null}}`, "", true},
			{`{"a":{"b":{}}}`, "", true},
			{`{"a":[{"c":1},{"b":"x"}]}`, "", true},
			{`{"a":{"b":[]}}`, "", false},
			{`{"a":{"c":1}}`, "", false},
			{`{"a":"b"}`, "", false},
		}},
		{"exists false", "  sel:\n    a.b|exists: false\n", "", []ev{
			{`{"a":{"b":1}}`, "", false},
			{`{"a":{"b":null}}`, "", false},
			{`{"a":{"b":[]}}`, "", true},
			{`{}`, "", true},
			{"", "", true},
		}},
		{"all", "  sel:\n    tags|all: [a, b]\n", "", []ev{
			{`{"tags":["a","b","c"]}`, "", true},
			{`{"tags":["b","a"]}`, "", true},
			{`{"tags":["a"]}`, "", false},
			{`{"tags":"a"}`, "", false},
			{`{}`, "", false},
		}},
		{"all contains", "  sel:\n    cmd|contains|all: [curl, http]\n", "", []ev{
			{`{"cmd":"curl http://x"}`, "", true},
			{`{"cmd":["curl x","wget http://x"]}`, "", true},
			{`{"cmd":"curl x"}`, "", false},
		}},
		{"all numbers", "  sel:\n    n|gt|all: [1, 5]\n", "", []ev{
			{`{"n":6}`, "", true},
			{`{"n":[2,6]}`, "", true},
			{`{"n":[2,3]}`, "", false},
		}},
		{"fieldref", "  sel:\n    requestParameters.userName|fieldref: userIdentity.userName\n", "", []ev{
			{`{"requestParameters":{"userName":"bob"},"userIdentity":{"userName":"bob"}}`, "", true},
			{`{"requestParameters":{"userName":"bob"},"userIdentity":{"userName":"Bob"}}`, "", false},
			{`{"requestParameters":{"userName":["x","bob"]},"userIdentity":{"userName":["bob"]}}`, "", true},
			{`{"requestParameters":{"userName":1},"userIdentity":{"userName":"1"}}`, "", false},
			{`{"requestParameters":{"userName":1},"userIdentity":{"userName":1.0}}`, "", true},
			{`{"requestParameters":{"userName":null},"userIdentity":{"userName":null}}`, "", true},
			{`{"requestParameters":{"userName":false},"userIdentity":{"userName":false}}`, "", true},
			{`{"requestParameters":{"userName":{}},"userIdentity":{"userName":{}}}`, "", false},
			{`{"requestParameters":{"userName":"bob"}}`, "", false},
			{`{}`, "", false},
		}},
		{"fieldref i", "  sel:\n    a|fieldref|i: b\n", "", []ev{
			{`{"a":"Bob","b":"bOB"}`, "", true},
			{`{"a":"Bob","b":"bOBx"}`, "", false},
			{`{"a":true,"b":true}`, "", true},
			{`{"a":2,"b":"2"}`, "", false},
		}},
		{"not on a missing field holds", "  selection:\n    eventName: CreateAccessKey\n  filter_self:\n    requestParameters.userName|fieldref: userIdentity.userName\n  condition: selection and not filter_self\n", "", []ev{
			{`{"eventName":"CreateAccessKey","requestParameters":{"userName":"a"},"userIdentity":{"userName":"b"}}`, "", true},
			{`{"eventName":"CreateAccessKey","requestParameters":{"userName":"a"},"userIdentity":{"userName":"a"}}`, "", false},
			{`{"eventName":"CreateAccessKey"}`, "", true},
			{`{"eventName":"DeleteAccessKey"}`, "", false},
		}},
		{"not of a predicate", "  sel:\n    errorCode: AccessDenied\n  condition: not sel\n", "", []ev{
			{`{"errorCode":"AccessDenied"}`, "", false},
			{`{"errorCode":"Other"}`, "", true},
			{`{}`, "", true},
		}},
		{"or of selections, list of maps", "  a:\n    - x: 1\n    - y: 2\n  b:\n    z: 3\n  condition: a or b\n", "", []ev{
			{`{"x":1}`, "", true},
			{`{"y":2}`, "", true},
			{`{"z":3}`, "", true},
			{`{"x":2,"y":1,"z":"3"}`, "", false},
		}},
		{"all of them", "  s1:\n    x: 1\n  s2:\n    y: 2\n  _s3:\n    z: 3\n  condition: all of them\n", "", []ev{
			{`{"x":1,"y":2}`, "", true},
			{`{"x":1}`, "", false},
		}},
		{"envelope fields", "  sel:\n    $.source: aws.iam\n    $.detail-type: AWS API Call via CloudTrail\n    $.resources: arn:r\n", "", []ev{
			{`{}`, `{"source":"aws.iam","detail-type":"AWS API Call via CloudTrail","resources":["arn:q","arn:r"]}`, true},
			{`{"source":"aws.iam"}`, `{"source":"aws.s3","detail-type":"AWS API Call via CloudTrail","resources":["arn:r"]}`, false},
			{`{}`, `{"source":"aws.iam","detail-type":"AWS API Call via CloudTrail","resources":[]}`, false},
		}},
		{"envelope detail path", "  sel:\n    $.detail.findings.Id: f1\n", "", []ev{
			{`{}`, `{"detail":{"findings":[{"Id":"f0"},{"Id":"f1"}]}}`, true},
			{`{"Id":"f1"}`, `{"detail":{"findings":[{"Id":"f0"}]}}`, false},
		}},
		{"unknown envelope field has no value", "  sel:\n    $.foo|exists: true\n", "", []ev{
			{`{"foo":1}`, `{"foo":1}`, false},
		}},
		{"exceptions", "  sel:\n    eventName: CreateUser\n",
			"exceptions:\n  - name: ci\n    reason: r\n    owner: o\n    expires: 2099-01-01\n    match:\n      userIdentity.arn: arn:ci\n  - name: ops\n    reason: r\n    owner: o\n    expires: 2099-01-01\n    match:\n      s:\n        userIdentity.arn|startswith: arn:ops\n      condition: s\n",
			[]ev{
				{`{"eventName":"CreateUser","userIdentity":{"arn":"arn:x"}}`, "", true},
				{`{"eventName":"CreateUser","userIdentity":{"arn":"arn:ci"}}`, "", false},
				{`{"eventName":"CreateUser","userIdentity":{"arn":"arn:ops/1"}}`, "", false},
				{`{"eventName":"CreateUser"}`, "", true},
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := lowerMatch(t, "aws-test-x", tc.match, tc.extra)
			pq := prepare(t, d)
			for _, e := range tc.events {
				if got := evalMatch(t, pq, input(t, e.record, e.envelope)); got != e.want {
					mod, _ := Module(d)
					t.Errorf("record %s envelope %s: match = %v, want %v\n%s", e.record, e.envelope, got, e.want, mod)
				}
			}
		})
	}
}

// TestModuleHandBuilt covers IR that lowering does not produce: empty and
// nil expressions, values without compiled forms, values that can never
// match.
func TestModuleHandBuilt(t *testing.T) {
	f := func(s string) ir.Path { p, _ := ir.ParsePath(s); return p }
	str := func(s string) ir.Value { return ir.Value{Kind: ir.String, Str: s} }
	num := func(n float64) ir.Value { return ir.Value{Kind: ir.Number, Num: n} }
	rec := `{"a":"Hello","n":5,"ip":"192.168.1.1"}`
	tests := []struct {
		name string
		x    ir.Expr
		want bool
	}{
		{"nil", nil, false},
		{"empty and", &ir.And{}, true},
		{"empty or", &ir.Or{}, false},
		{"not empty or", &ir.Not{X: &ir.Or{}}, true},
		{"nil pred", (*ir.Pred)(nil), false},
		{"not nil pred", &ir.Not{X: (*ir.Pred)(nil)}, true},
		{"wildcard without Re", &ir.Pred{Field: f("a"), Op: ir.OpWildcard, Values: []ir.Value{str("h*O")}, Fold: true}, true},
		{"re without Re", &ir.Pred{Field: f("a"), Op: ir.OpRegex, Values: []ir.Value{str("^h")}, Fold: true}, true},
		{"invalid re never matches", &ir.Pred{Field: f("a"), Op: ir.OpRegex, Values: []ir.Value{str("(")}}, false},
		{"invalid re in all", &ir.Pred{Field: f("a"), Op: ir.OpRegex, Values: []ir.Value{str("H"), str("(")}, All: true}, false},
		{"given Re wins", &ir.Pred{Field: f("a"), Op: ir.OpRegex, Values: []ir.Value{str("x")}, Re: []*regexp.Regexp{regexp.MustCompile("ell")}}, true},
		{"cidr without Nets", &ir.Pred{Field: f("ip"), Op: ir.OpCIDR, Values: []ir.Value{str("192.168.0.0/16")}}, true},
		{"cidr host bits", &ir.Pred{Field: f("ip"), Op: ir.OpCIDR, Values: []ir.Value{str("192.168.7.7/16")}}, true},
		{"invalid cidr", &ir.Pred{Field: f("ip"), Op: ir.OpCIDR, Values: []ir.Value{str("x")}}, false},
		{"contains with a number never matches", &ir.Pred{Field: f("n"), Op: ir.OpContains, Values: []ir.Value{num(5)}}, false},
		{"gt with a string never matches", &ir.Pred{Field: f("n"), Op: ir.OpGT, Values: []ir.Value{str("1")}}, false},
		{"empty any", &ir.Pred{Field: f("a"), Op: ir.OpEquals}, false},
		{"empty all", &ir.Pred{Field: f("a"), Op: ir.OpEquals, All: true}, false},
		{"exists without value is false", &ir.Pred{Field: f("zz"), Op: ir.OpExists}, true},
		{"fold equals against a number", &ir.Pred{Field: f("n"), Op: ir.OpEquals, Values: []ir.Value{num(5), str("HELLO")}, Fold: true}, true},
		{"fold equals lower-cases values", &ir.Pred{Field: f("a"), Op: ir.OpEquals, Values: []ir.Value{str("HELLO")}, Fold: true}, true},
		{"deep and/or/not", &ir.And{X: []ir.Expr{
			&ir.Or{X: []ir.Expr{&ir.Pred{Field: f("a"), Op: ir.OpEquals, Values: []ir.Value{str("x")}}, &ir.Not{X: &ir.Not{X: &ir.Pred{Field: f("n"), Op: ir.OpGTE, Values: []ir.Value{num(5)}}}}}},
			&ir.Not{X: &ir.FieldRef{Field: f("a"), Other: f("n")}},
		}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := &ir.Detection{ID: "hand-built", Match: tc.x}
			pq := prepare(t, d)
			if got := evalMatch(t, pq, input(t, rec, "")); got != tc.want {
				mod, _ := Module(d)
				t.Errorf("match = %v, want %v\n%s", got, tc.want, mod)
			}
		})
	}
}

func TestModuleErrors(t *testing.T) {
	if _, err := Module(nil); err == nil {
		t.Error("Module(nil): no error")
	}
	if _, err := Module(&ir.Detection{}); err == nil {
		t.Error("Module without ID: no error")
	}
	p, _ := ir.ParsePath("n")
	inf := &ir.Detection{ID: "x", Match: &ir.Pred{Field: p, Op: ir.OpGT, Values: []ir.Value{{Kind: ir.Number, Num: 1 / zero}}}}
	if _, err := Module(inf); err == nil {
		t.Error("Module with an infinite number: no error")
	}
	bad := &ir.Detection{ID: "x", Match: &ir.Pred{Field: p, Op: ir.Op(99), Values: []ir.Value{{Kind: ir.String}}}}
	if _, err := Module(bad); err == nil {
		t.Error("Module with an unknown operator: no error")
	}
}

var zero float64

func TestPackageNames(t *testing.T) {
	tests := []struct{ id, pkg, query string }{
		{"aws-iam-root-login", "socc.detections.aws_iam_root_login", "data.socc.detections.aws_iam_root_login.match"},
		{"4xx-errors", `socc.detections["4xx_errors"]`, `data.socc.detections["4xx_errors"].match`},
		{"not", `socc.detections["not"]`, `data.socc.detections["not"].match`},
	}
	for _, tc := range tests {
		if got := Package(tc.id); got != tc.pkg {
			t.Errorf("Package(%q) = %s, want %s", tc.id, got, tc.pkg)
		}
		if got := Query(tc.id); got != tc.query {
			t.Errorf("Query(%q) = %s, want %s", tc.id, got, tc.query)
		}
		// The module compiles and its query answers.
		pf, _ := ir.ParsePath("a")
		d := &ir.Detection{ID: tc.id, Match: &ir.Pred{Field: pf, Op: ir.OpEquals, Values: []ir.Value{{Kind: ir.String, Str: "b"}}}}
		pq := prepare(t, d)
		if !evalMatch(t, pq, input(t, `{"a":"b"}`, "")) {
			t.Errorf("%s: no match", tc.id)
		}
	}
}

func TestProgram(t *testing.T) {
	a := lowerMatch(t, "aws-a", "  sel:\n    eventName: A\n", "")
	b := lowerMatch(t, "aws-b", "  sel:\n    eventName|contains: B\n", "")
	p := &ir.Program{Detections: []*ir.Detection{a, b}}
	m1, err := Program(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(m1) != 2 || m1["detections/aws-a.rego"] == "" || m1["detections/aws-b.rego"] == "" {
		t.Fatalf("Program: files %v", keys(m1))
	}
	m2, _ := Program(p)
	for k := range m1 {
		if m1[k] != m2[k] {
			t.Errorf("%s differs between runs", k)
		}
	}
	// Every module compiles together with the others.
	opts := []func(*rego.Rego){rego.Query("{k: m | m := data.socc.detections[k].match}"), rego.Input(input(t, `{"eventName":"xBx"}`, ""))}
	for name, src := range m1 {
		opts = append(opts, rego.Module(name, src))
	}
	rs, err := rego.New(opts...).Eval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(rs[0].Expressions[0].Value)
	if want := `{"aws_a":false,"aws_b":true}`; string(got) != want {
		t.Errorf("matches = %s, want %s", got, want)
	}
	if _, err := Program(&ir.Program{Detections: []*ir.Detection{a, a}}); err == nil {
		t.Error("duplicate IDs: no error")
	}
}

func keys(m map[string]string) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	return k
}

// TestInput checks the input document built from events.
func TestInput(t *testing.T) {
	rec := gjson.Parse(`{"eventName":"CreateUser","eventSource":"iam.amazonaws.com","recipientAccountId":"111122223333","awsRegion":"us-east-1","eventTime":"2024-01-01T00:00:00Z","n":22.0}`)
	in := Input(event.FromCloudTrail(rec))
	got, _ := json.Marshal(in)
	var m map[string]map[string]any
	if err := json.Unmarshal(got, &m); err != nil {
		t.Fatal(err)
	}
	if m["envelope"]["source"] != "aws.iam" || m["envelope"]["detail-type"] != "AWS API Call via CloudTrail" || m["record"]["eventName"] != "CreateUser" {
		t.Errorf("Input = %s", got)
	}
	d := lowerMatch(t, "aws-y", "  sel:\n    $.source: aws.iam\n    n: 22\n", "")
	if !evalMatch(t, prepare(t, d), in) {
		t.Error("no match on the input of a CloudTrail record")
	}
}
