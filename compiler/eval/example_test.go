package eval_test

import (
	"fmt"
	"time"

	"github.com/socc-dev/socc/compiler/eval"
	"github.com/socc-dev/socc/compiler/fixture"
	"github.com/socc-dev/socc/compiler/ir"
)

func ExampleRun() {
	field := func(s string) ir.Path { p, _ := ir.ParsePath(s); return p }
	str := func(s string) ir.Value { return ir.Value{Kind: ir.String, Str: s} }
	p := &ir.Program{Detections: []*ir.Detection{{
		ID:       "console-login-failures",
		Severity: ir.Severity{Level: 2},
		Match: &ir.And{X: []ir.Expr{
			&ir.Pred{Field: field("eventName"), Op: ir.OpEquals, Values: []ir.Value{str("ConsoleLogin")}},
			&ir.Pred{Field: field("responseElements.ConsoleLogin"), Op: ir.OpEquals, Values: []ir.Value{str("Failure")}},
		}},
		Threshold: &ir.Threshold{Count: 3, Window: 5 * time.Minute, By: []ir.Path{field("sourceIPAddress")}},
	}}}
	var data []byte
	for i := range 7 {
		data = fmt.Appendf(data, `{"eventID":"e%d","eventTime":"2025-01-01T00:0%d:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","sourceIPAddress":"198.51.100.7","responseElements":{"ConsoleLogin":"Failure"}}`+"\n", i, i)
	}
	events, _ := fixture.Decode("logins.ndjson", data)
	m := eval.Compile(p)
	for _, a := range eval.Run(p, m, events)["console-login-failures"] {
		fmt.Print(a.Level, ":")
		for _, e := range a.Events {
			fmt.Print(" ", e.ID)
		}
		fmt.Println()
	}
	// Output:
	// Lv2: e0 e1 e2
	// Lv2: e3 e4 e5
}
