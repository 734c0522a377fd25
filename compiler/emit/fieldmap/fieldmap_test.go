package fieldmap

import (
	"strings"
	"testing"

	"github.com/socc-dev/socc/compiler/ir"
)

func pred(field string, op ir.Op, vals ...ir.Value) *ir.Pred {
	p, _ := ir.ParsePath(field)
	return &ir.Pred{Field: p, Op: op, Values: vals}
}

func str(s string) ir.Value { return ir.Value{Kind: ir.String, Str: s} }

var consts = map[string]ir.Value{
	"$.detail-type": str("GuardDuty Finding"),
	"schemaVersion": str("2.0"),
	"partition.num": {Kind: ir.Number, Num: 3, Str: "3"},
}

func TestFold(t *testing.T) {
	other := pred("severity", ir.OpGTE, ir.Value{Kind: ir.Number, Num: 7, Str: "7"})
	tests := []struct {
		name string
		in   ir.Expr
		want string
	}{
		{"equal constant is true", &ir.And{X: []ir.Expr{pred("$.detail-type", ir.OpEquals, str("GuardDuty Finding")), other}}, "keep"},
		{"other value is false", &ir.And{X: []ir.Expr{pred("$.detail-type", ir.OpEquals, str("Config Rules Compliance Change")), other}}, "false"},
		{"case matters", pred("$.detail-type", ir.OpEquals, str("guardduty finding")), "false"},
		{"prefix", pred("$.detail-type", ir.OpPrefix, str("GuardDuty")), "true"},
		{"not of a true predicate", &ir.Or{X: []ir.Expr{&ir.Not{X: pred("schemaVersion", ir.OpEquals, str("2.0"))}, other}}, "keep"},
		{"exists false on a constant", pred("schemaVersion", ir.OpExists, ir.Value{Kind: ir.Bool, Bool: false}), "false"},
		{"numeric constant", pred("partition.num", ir.OpLT, ir.Value{Kind: ir.Number, Num: 4, Str: "4"}), "true"},
		{"string is not a number", pred("schemaVersion", ir.OpGT, ir.Value{Kind: ir.Number, Num: 1, Str: "1"}), "false"},
		{"untouched field", other, "keep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := Fold(tt.in, consts)
			switch tt.want {
			case "true":
				if !isTrue(got) {
					t.Fatalf("got %#v, want true", got)
				}
			case "false":
				if !isFalse(got) {
					t.Fatalf("got %#v, want false", got)
				}
			default:
				if got != other {
					t.Fatalf("got %#v, want the severity predicate alone", got)
				}
			}
		})
	}
}

func TestPrepare(t *testing.T) {
	d := &ir.Detection{ID: "d", Logsource: ir.Logsource{Product: "aws", Service: "guardduty"},
		Match: &ir.And{X: []ir.Expr{pred("$.detail-type", ir.OpEquals, str("GuardDuty Finding")), pred("severity", ir.OpGTE, ir.Value{Kind: ir.Number, Num: 7, Str: "7"})}}}
	fm := &ir.FieldMap{Target: "t", Logsource: "guardduty", Constants: consts,
		Approximate: map[string]string{"severity": "severity is an int column", "service.*": "never read"}}
	p := &ir.Program{Detections: []*ir.Detection{d}, FieldMaps: []*ir.FieldMap{fm}}

	got := Prepare(p, "t", d)
	if got.Unsupported != "" {
		t.Fatalf("unsupported: %s", got.Unsupported)
	}
	if pr, ok := got.Detection.Match.(*ir.Pred); !ok || pr.Field.String() != "severity" {
		t.Errorf("match = %#v, want the severity predicate alone", got.Detection.Match)
	}
	if strings.Join(got.Approximate, "|") != "severity is an int column" {
		t.Errorf("approximate = %q", got.Approximate)
	}

	if got := Prepare(p, "other", d); !strings.Contains(got.Unsupported, "no other field mapping for log source guardduty") {
		t.Errorf("missing mapping: %q", got.Unsupported)
	}
	d.Match = pred("$.detail-type", ir.OpEquals, str("Config Rules Compliance Change"))
	if got := Prepare(p, "t", d); got.Unsupported != "the condition never holds in t's guardduty data: $.detail-type" {
		t.Errorf("never holds: %q", got.Unsupported)
	}
	fm.Unsupported = "no table holds GuardDuty findings"
	if got := Prepare(p, "t", d); got.Unsupported != fm.Unsupported {
		t.Errorf("mapping unsupported: %q", got.Unsupported)
	}
}
