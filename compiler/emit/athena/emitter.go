package athena

import (
	"context"
	"slices"

	"github.com/socc-dev/socc/compiler/diag"
	"github.com/socc-dev/socc/compiler/emit"
	"github.com/socc-dev/socc/compiler/emit/fieldmap"
	"github.com/socc-dev/socc/compiler/ir"
)

func init() { emit.Register(Emitter{}) }

// Emitter is the "athena" target.
type Emitter struct{}

// Name returns "athena".
func (Emitter) Name() string { return "athena" }

// The two dialects: Athena over the table of the AWS documentation, and
// CloudTrail Lake over an event data store (its ID is a placeholder that
// the field mapping's table option names).
var variants = []struct {
	target, engine, table, dir string
}{
	{"athena", "Athena", "cloudtrail_logs", "athena/"},
	{"athena-lake", "CloudTrail Lake", "event_data_store_id", "athena/lake/"},
}

// Compiled is the output of Compile: every detection's query per dialect.
type Compiled struct {
	Queries map[string][]*Query // target ("athena", "athena-lake") -> one query per detection, in program order
}

// Compile builds the queries of every detection of p for both dialects.
// Each detection is first prepared for its log source's field mapping
// (package fieldmap): a log source without a mapping, or whose mapping says
// the target cannot hold it, is unsupported with the reason; predicates on
// the fields the mapping declares constant are decided; the mapping's
// approximations of the fields the detection reads make the query
// approximate. The diagnostics report malformed field mappings and fields a
// detection uses that its mapping does not name.
func Compile(p *ir.Program) (*Compiled, diag.Diagnostics) {
	var ds diag.Diagnostics
	out := &Compiled{Queries: map[string][]*Query{}}
	for _, v := range variants {
		dialects := map[*ir.FieldMap]*dialect{}
		for _, m := range p.FieldMaps {
			if m.Target != v.target || m.Unsupported != "" {
				continue
			}
			d, errs := newDialect(v.target, v.engine, v.table, m)
			for _, err := range errs {
				ds.Errorf(diag.At(m.Source.File, m.Source.Line, 1), diag.InvalidValue, "field mapping for %s: %v", v.target, err).
					WithHint("write a column as col or col.member, or json(col), json(col).member..., json_map(col), boolean_text(col), boolean(col), timestamp(col), col[], col[].member")
			}
			dialects[m] = d
		}
		for _, det := range p.Detections {
			prep := fieldmap.Prepare(p, v.target, det)
			d := dialects[prep.Map]
			if prep.Unsupported != "" || d == nil {
				reason := prep.Unsupported
				if reason == "" {
					reason = "the " + v.target + " field mapping for log source " + det.Logsource.Service + " says the log source is unsupported"
				}
				out.Queries[v.target] = append(out.Queries[v.target], &Query{
					ID: det.ID, Title: det.Title, Target: v.target, Status: emit.Unsupported, Reason: reason,
				})
				continue
			}
			q := d.compile(prep.Detection, prep.Approximate)
			for _, f := range q.Unmapped {
				ds.Errorf(diag.At(det.Source.File, det.Source.Line, 1), diag.UnmappedField,
					"field %s of detection %s has no %s mapping for log source %s", f, det.ID, v.target, det.Logsource.Service).
					WithHint("add %s to the fields of %s, e.g. `%s: <column>` or a prefix entry `%s.*: json(<column>)`", f, d.m.Source.File, f, firstSegment(f))
			}
			out.Queries[v.target] = append(out.Queries[v.target], q)
		}
	}
	return out, ds
}

func firstSegment(f string) string {
	p, ok := ir.ParsePath(f)
	if !ok || len(p.Segs) == 0 {
		return f
	}
	p.Segs = p.Segs[:1]
	return p.String()
}

// Emit writes athena/<id>.sql and athena/lake/<id>.sql per renderable
// detection and, when there is any Athena query,
// cloudformation/athena-queries.yaml, and records each detection's status
// under the targets "athena" and "athena-lake" (the CloudTrail Lake
// variant, which the athena target emits too).
func (Emitter) Emit(_ context.Context, p *ir.Program, out *emit.Sink) diag.Diagnostics {
	c, ds := Compile(p)
	for _, v := range variants {
		for _, q := range c.Queries[v.target] {
			st := emit.Status{Status: q.Status, Reason: q.Reason}
			if q.SQL != "" {
				st.Path = v.dir + q.ID + ".sql"
				out.Put(st.Path, []byte(q.SQL))
			}
			out.SetStatus(q.ID, v.target, st)
		}
	}
	// A template needs at least one resource: without any query there is none.
	if qs := slices.DeleteFunc(slices.Clone(c.Queries["athena"]), func(q *Query) bool { return q.SQL == "" }); len(qs) > 0 {
		out.Put("cloudformation/athena-queries.yaml", CloudFormation(qs))
	}
	return ds
}

func sortedKeys[V any](m map[string]V) []string {
	var k []string
	for x := range m {
		k = append(k, x)
	}
	slices.Sort(k)
	return k
}
