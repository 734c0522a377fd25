package lower

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/socc-dev/socc/compiler/diag"
	"github.com/socc-dev/socc/compiler/ir"
	"github.com/socc-dev/socc/compiler/load"
)

const matrix = `kind: severity-matrix
matrix:
  critical: {high: Lv4, medium: Lv4, low: Lv3}
  high: {high: Lv4, medium: Lv3, low: Lv2}
  medium: {high: Lv3, medium: Lv2, low: Lv1}
  low: {high: Lv2, medium: Lv1, low: Lv1}
levels: {Lv1: {}, Lv2: {}, Lv3: {}, Lv4: {}}
`

func detection(match string) string {
	return `kind: detection
id: aws-x
title: X
status: stable
logsource: {product: aws, service: cloudtrail}
severity: {impact: high, urgency: medium}
match:
` + match
}

func lowerOne(t *testing.T, match string) (*ir.Program, diag.Diagnostics) {
	t.Helper()
	var docs []*load.Document
	for i, src := range []string{matrix, detection(match)} {
		doc, ds := load.Parse([]string{"m.yaml", "d.yaml"}[i], strings.NewReader(src))
		if ds.HasErrors() {
			t.Fatalf("parse: %v", ds)
		}
		docs = append(docs, doc)
	}
	return Lower(docs)
}

func exprString(x ir.Expr) string {
	b, _ := json.Marshal(ir.ExprJSON(x))
	return string(b)
}

func TestLowerMatch(t *testing.T) {
	tests := []struct {
		name, match, want string
	}{
		{"single selection", "  sel:\n    eventName: A\n",
			`{"field":"eventName","op":"equals","values":["A"]}`},
		{"and of fields", "  sel:\n    eventSource: s\n    eventName: [A, B]\n  condition: sel\n",
			`{"and":[{"field":"eventSource","op":"equals","values":["s"]},{"field":"eventName","op":"equals","values":["A","B"]}]}`},
		{"list of maps is or", "  sel:\n    - eventName: A\n    - errorCode: X\n",
			`{"or":[{"field":"eventName","op":"equals","values":["A"]},{"field":"errorCode","op":"equals","values":["X"]}]}`},
		{"modifiers", "  sel:\n    userAgent|contains|i|all: [Boto3, Linux]\n",
			`{"all":true,"field":"userAgent","i":true,"op":"contains","values":["boto3","linux"]}`},
		{"typed values", "  sel:\n    a: 22\n    b: \"22\"\n    c: true\n    d: null\n    e: 1.50\n  condition: sel\n",
			`{"and":[{"field":"a","op":"equals","values":[22]},{"field":"b","op":"equals","values":["22"]},{"field":"c","op":"equals","values":[true]},{"field":"d","op":"equals","values":[null]},{"field":"e","op":"equals","values":[1.5]}]}`},
		{"envelope path", "  sel:\n    $.detail-type: Config Rules Compliance Change\n",
			`{"field":"$.detail-type","op":"equals","values":["Config Rules Compliance Change"]}`},
		{"quantifiers", "  sel_a:\n    a: 1\n  sel_b:\n    b: 2\n  filter:\n    c: 3\n  condition: 1 of sel_* and not filter\n",
			`{"and":[{"or":[{"field":"a","op":"equals","values":[1]},{"field":"b","op":"equals","values":[2]}]},{"not":{"field":"c","op":"equals","values":[3]}}]}`},
		{"all of them skips underscore", "  a:\n    x: 1\n  _helper:\n    y: 2\n  condition: all of them\n",
			`{"and":[{"field":"x","op":"equals","values":[1]}]}`},
		{"fieldref", "  sel:\n    requestParameters.userName|fieldref: userIdentity.userName\n",
			`{"field":"requestParameters.userName","fieldref":"userIdentity.userName"}`},
		{"exists", "  sel:\n    errorCode|exists: false\n",
			`{"field":"errorCode","op":"exists","values":[false]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, ds := lowerOne(t, tc.match)
			if ds.HasErrors() {
				t.Fatalf("Lower: %v", ds)
			}
			if got := exprString(p.Detections[0].Match); got != tc.want {
				t.Errorf("match =\n%s\nwant\n%s", got, tc.want)
			}
			if p.Detections[0].Severity.Level != 3 {
				t.Errorf("level = %v, want Lv3 from the matrix", p.Detections[0].Severity.Level)
			}
		})
	}
}

func TestLowerErrors(t *testing.T) {
	tests := []struct {
		name, match string
		code        diag.Code
		line, col   int
		hint        string
	}{
		{"undefined selection", "  selection:\n    a: 1\n  condition: selection and not filtr\n", diag.UndefinedSelection, 10, 32, ""},
		{"did you mean", "  selection:\n    a: 1\n  filter:\n    b: 1\n  condition: selection and not filtr\n", diag.UndefinedSelection, 12, 32, `did you mean "filter"?`},
		{"malformed", "  selection:\n    a: 1\n  condition: selection and (a\n", diag.MalformedCondition, 10, 30, ""},
		{"unknown modifier", "  s:\n    eventName|startwith: A\n", diag.UnknownModifier, 9, 5, `did you mean "startswith"?`},
		{"two operators", "  s:\n    eventName|startswith|endswith: A\n", diag.InvalidModifier, 9, 5, ""},
		{"bad regex", "  s:\n    eventName|re: 'a(b'\n", diag.InvalidRegex, 9, 19, ""},
		{"bad cidr", "  s:\n    sourceIPAddress|cidr: 10.0.0.300/8\n", diag.InvalidCIDR, 9, 27, ""},
		{"host bits", "  s:\n    sourceIPAddress|cidr: 10.1.2.3/8\n", diag.InvalidCIDR, 9, 27, `did you mean "10.0.0.0/8"?`},
		{"number for contains", "  s:\n    eventName|contains: 3\n", diag.InvalidModifier, 9, 25, ""},
		{"string for gt", "  s:\n    a|gt: '3'\n", diag.InvalidModifier, 9, 11, ""},
		{"i on number op", "  s:\n    a|gt|i: 3\n", diag.InvalidModifier, 9, 5, ""},
		{"bad path", "  s:\n    a..b: 1\n", diag.InvalidField, 9, 5, ""},
		{"no condition", "  a:\n    x: 1\n  b:\n    y: 1\n", diag.MalformedCondition, 8, 3, ""},
		{"quantifier matches nothing", "  a:\n    x: 1\n  condition: 1 of sel_*\n", diag.UndefinedSelection, 10, 19, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ds := lowerOne(t, tc.match)
			if !ds.HasErrors() {
				t.Fatal("no error")
			}
			d := ds[0]
			if d.Code != tc.code || d.Subject.Start.Line != tc.line || d.Subject.Start.Column != tc.col {
				t.Errorf("got %v, want %s at %d:%d", d, tc.code, tc.line, tc.col)
			}
			if tc.hint != "" && d.Hint != tc.hint {
				t.Errorf("hint = %q, want %q", d.Hint, tc.hint)
			}
		})
	}
}

func TestWildcardRegexp(t *testing.T) {
	tests := []struct {
		w    string
		fold bool
		want string
	}{
		{"a*b?c", false, `(?s)^a.*b.c$`},
		{`a\*b\?c\\d`, false, `(?s)^a\*b\?c\\d$`},
		{`C:\Windows\*`, true, `(?si)^C:\\Windows\*$`},
		{`x.y+(z)`, false, `(?s)^x\.y\+\(z\)$`},
		{`trailing\`, false, `(?s)^trailing\\$`},
	}
	for _, tc := range tests {
		if got := WildcardRegexp(tc.w, tc.fold); got != tc.want {
			t.Errorf("WildcardRegexp(%q) = %q, want %q", tc.w, got, tc.want)
		}
	}
}
