// Package irjson emits the lowered IR of every detection as
// dist/ir/<id>.json: the normalised boolean form of its condition, which
// authors read to see what their selections and condition really mean.
package irjson

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/socc-dev/socc/compiler/diag"
	"github.com/socc-dev/socc/compiler/emit"
	"github.com/socc-dev/socc/compiler/ir"
)

func init() { emit.Register(Emitter{}) }

// Emitter is the "ir" target.
type Emitter struct{}

// Name returns "ir".
func (Emitter) Name() string { return "ir" }

// Emit writes ir/<id>.json per detection.
func (Emitter) Emit(_ context.Context, p *ir.Program, out *emit.Sink) diag.Diagnostics {
	for _, d := range p.Detections {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(ir.DetectionJSON(d)); err != nil {
			panic(err) // the IR always encodes
		}
		path := "ir/" + d.ID + ".json"
		out.Put(path, b.Bytes())
		out.SetStatus(d.ID, "ir", emit.Status{Status: emit.Exact, Path: path})
	}
	return nil
}
