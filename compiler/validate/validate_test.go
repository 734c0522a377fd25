package validate

import (
	"strings"
	"testing"

	"github.com/socc-dev/socc/compiler/diag"
	"github.com/socc-dev/socc/compiler/load"
)

const good = `kind: detection
id: aws-x
title: X
status: stable
logsource: {product: aws, service: cloudtrail}
severity: {impact: high, urgency: medium}
attack: [T1078]
match:
  sel:
    eventName: A
`

func TestDocument(t *testing.T) {
	tests := []struct {
		name      string
		old, new  string
		code      diag.Code
		line, col int
		summary   string
		hint      string
	}{
		{"valid", "", "", "", 0, 0, "", ""},
		{"unknown field", "title: X", "titel: X", diag.UnknownField, 3, 1, `unknown field "titel"`, `did you mean "title"?`},
		{"unknown nested field", "{product: aws,", "{prodcut: aws,", diag.UnknownField, 5, 13, `unknown field "prodcut" in logsource`, `did you mean "product"?`},
		{"missing field", "status: stable\n", "", diag.MissingField, 1, 1, `missing required field "status"`, "add 'status:'"},
		{"wrong type", "title: X", "title: [X]", diag.WrongType, 3, 8, "title must be string, not array", ""},
		{"enum", "status: stable", "status: stabel", diag.InvalidValue, 4, 9, "invalid value for status", `did you mean "stable"?`},
		{"pattern", "attack: [T1078]", "attack: [t1078]", diag.InvalidValue, 7, 10, `attack.0 "t1078" has the wrong format`, "write ATT&CK technique IDs like T1078 or T1078.004"},
		{"selection value type", "eventName: A", "eventName: {a: 1}", diag.WrongType, 10, 16, "", ""},
		{"severity both", "urgency: medium}", "urgency: medium, level: Lv2}", diag.SchemaMismatch, 6, 11, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(good, tc.old, tc.new, 1)
			doc, ds := load.Parse("d.yaml", strings.NewReader(src))
			if ds.HasErrors() {
				t.Fatalf("parse: %v", ds)
			}
			ds = Document(doc)
			if tc.code == "" {
				if len(ds) > 0 {
					t.Fatalf("unexpected diagnostics: %v", ds)
				}
				return
			}
			if len(ds) == 0 {
				t.Fatal("no diagnostics")
			}
			d := ds[0]
			if d.Code != tc.code || d.Subject.Start.Line != tc.line || d.Subject.Start.Column != tc.col {
				t.Errorf("got %v, want %s at %d:%d", d, tc.code, tc.line, tc.col)
			}
			if !strings.Contains(d.Summary, tc.summary) {
				t.Errorf("summary = %q, want it to contain %q", d.Summary, tc.summary)
			}
			if d.Hint != tc.hint && tc.hint != "" {
				t.Errorf("hint = %q, want %q", d.Hint, tc.hint)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	cands := []string{"title", "status", "startswith"}
	for in, want := range map[string]string{"titel": "title", "TITLE": "title", "startwith": "startswith", "zzz": ""} {
		if got := Suggest(in, cands); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
}
