// Command bench measures the throughput of socc's reference evaluator on
// the bundled detection library over a million or more CloudTrail events
// generated from public recorded samples, side by side in one run with the
// baselines it must beat: decoding the same events without evaluating
// anything, decoding them fully with encoding/json, and OPA evaluating one
// prepared query per detection per event (the detections compiled to Rego).
// It also runs the evaluator with the library replicated 4 and 16 times, to
// show that its cost grows slower than the number of detections, and the
// EventBridge pattern engine with every compiled pattern of the library on
// the same events.
//
// Usage (from the repository root):
//
//	go run ./tools/bench [-events 1000000] [-opa-events 5000]
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/tidwall/gjson"

	"github.com/socc-dev/socc/compiler"
	"github.com/socc-dev/socc/compiler/emit/eventbridge"
	"github.com/socc-dev/socc/compiler/emit/opa"
	"github.com/socc-dev/socc/compiler/eval"
	"github.com/socc-dev/socc/compiler/event"
	"github.com/socc-dev/socc/compiler/eventpattern"
	"github.com/socc-dev/socc/compiler/fixture"
	"github.com/socc-dev/socc/compiler/ir"
)

const chunkLines = 10_000

func main() {
	nEvents := flag.Int("events", 1_000_000, "events to evaluate (at least 1000000 for the report)")
	nOPA := flag.Int("opa-events", 5_000, "events for the OPA baseline (it is slow: one query per detection per event)")
	dir := flag.String("dir", ".", "the content repository (the socc repository root for the bundled library)")
	flag.Parse()
	if err := run(*dir, *nEvents, *nOPA); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
}

func run(dir string, nEvents, nOPA int) error {
	ctx := context.Background()
	res, ds, err := compiler.Load(ctx, dir, compiler.WithoutPolicies())
	if err != nil {
		return err
	}
	if ds.HasErrors() {
		return fmt.Errorf("the content has errors; run socc validate")
	}
	pool, err := records(dir, res)
	if err != nil {
		return err
	}
	chunks := makeChunks(pool, nEvents)
	var bytesTotal int
	for _, c := range chunks {
		bytesTotal += len(c.data)
	}
	fmt.Printf("# socc evaluator throughput\n\n%s/%s, %d CPU, %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	fmt.Printf("%d events (%.1f MB NDJSON, %.0f bytes/event) cycled from %d distinct recorded CloudTrail records; %d detections.\n\n",
		nEvents, float64(bytesTotal)/1e6, float64(bytesTotal)/float64(nEvents), len(pool), len(res.Program.Detections))

	type row struct {
		name string
		n    int
		d    time.Duration
		hits int
	}
	var rows []row
	add := func(name string, n int, d time.Duration, hits int) {
		rows = append(rows, row{name, n, d, hits})
		fmt.Fprintf(os.Stderr, "%-58s %10.0f events/s\n", name, float64(n)/d.Seconds())
	}

	// (a) Decoding only: the fixture reader builds every event and reads
	// the fields it needs, and nothing is evaluated.
	start := time.Now()
	n := 0
	for _, c := range chunks {
		evs, err := fixture.Decode("bench.ndjson", c.data)
		if err != nil {
			return err
		}
		for _, ev := range evs {
			_ = ev.Record.Get("eventName")
		}
		n += len(evs)
	}
	add("decode only (socc fixture reader, gjson)", n, time.Since(start), 0)

	// (b) encoding/json into map[string]any, nothing evaluated.
	start = time.Now()
	n = 0
	for _, c := range chunks {
		for line := range bytes.Lines(c.data) {
			var m map[string]any
			if err := json.Unmarshal(line, &m); err != nil {
				return err
			}
			n++
		}
	}
	add("decode only (encoding/json into map[string]any)", n, time.Since(start), 0)

	// (c) The reference evaluator: decode and match every detection.
	evalRun := func(p *ir.Program, limit int) (int, time.Duration, int) {
		m := eval.Compile(p)
		var buf []int
		start := time.Now()
		n, hits := 0, 0
		for _, c := range chunks {
			evs, err := fixture.Decode("bench.ndjson", c.data)
			if err != nil {
				panic(err)
			}
			for _, ev := range evs {
				buf = m.Match(ev, buf[:0])
				hits += len(buf)
			}
			n += len(evs)
			if limit > 0 && n >= limit {
				break
			}
		}
		return n, time.Since(start), hits
	}
	n, d, hits := evalRun(res.Program, 0)
	add(fmt.Sprintf("socc evaluator, %d detections (decode + match)", len(res.Program.Detections)), n, d, hits)
	for _, k := range []int{4, 16} {
		p := replicate(res.Program, k)
		n, d, hits := evalRun(p, 0)
		add(fmt.Sprintf("socc evaluator, %d detections (library x%d, other APIs)", len(p.Detections), k), n, d, hits)
	}

	// (d) The EventBridge engine: every compiled pattern of the library
	// against the EventBridge envelope of each event.
	var patterns []*eventpattern.Pattern
	for _, det := range res.Program.Detections {
		if r := eventbridge.Compile(det); r.Pattern != nil {
			pat, err := eventpattern.Compile(eventbridge.PatternJSON(r.Pattern))
			if err != nil {
				return fmt.Errorf("%s: %w", det.ID, err)
			}
			patterns = append(patterns, pat)
		}
	}
	start = time.Now()
	n, hits = 0, 0
	for _, c := range chunks {
		evs, err := fixture.Decode("bench.ndjson", c.data)
		if err != nil {
			return err
		}
		for _, ev := range evs {
			// Decode the envelope once, then run every pattern on it.
			dec := json.NewDecoder(bytes.NewReader(ev.Envelope()))
			dec.UseNumber()
			var env any
			if err := dec.Decode(&env); err != nil {
				return err
			}
			for _, pat := range patterns {
				if pat.MatchValue(env) {
					hits++
				}
			}
		}
		n += len(evs)
		if n >= nEvents/10 {
			break
		}
	}
	add(fmt.Sprintf("EventBridge engine, %d patterns per envelope (%d events)", len(patterns), n), n, time.Since(start), hits)

	// (e) OPA: one prepared query per detection, evaluated per event.
	var queries []rego.PreparedEvalQuery
	for _, det := range res.Program.Detections {
		mod, err := opa.Module(det)
		if err != nil {
			return err
		}
		pq, err := rego.New(rego.Query(opa.Query(det.ID)), rego.Module(det.ID+".rego", mod)).PrepareForEval(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", det.ID, err)
		}
		queries = append(queries, pq)
	}
	var sample []*event.Event
	for _, c := range chunks {
		evs, err := fixture.Decode("bench.ndjson", c.data)
		if err != nil {
			return err
		}
		sample = append(sample, evs...)
		if len(sample) >= nOPA {
			sample = sample[:nOPA]
			break
		}
	}
	m := eval.Compile(res.Program)
	disagree := 0
	var verdicts [][]bool
	start = time.Now()
	n, hits = 0, 0
	for _, ev := range sample {
		v, err := ast.InterfaceToValue(opa.Input(ev))
		if err != nil {
			return err
		}
		in := rego.EvalParsedInput(v) // converted once per event, shared by every query
		got := make([]bool, len(queries))
		for i, pq := range queries {
			rs, err := pq.Eval(ctx, in)
			if err != nil {
				return err
			}
			if rs.Allowed() {
				hits++
				got[i] = true
			}
		}
		verdicts = append(verdicts, got)
		n++
	}
	add(fmt.Sprintf("OPA, one prepared query per detection per event (%d events)", n), n, time.Since(start), hits)
	// The same events through the reference evaluator: every verdict must agree.
	var buf []int
	for i, ev := range sample {
		buf = m.Match(ev, buf[:0])
		for j := range queries {
			if verdicts[i][j] != slices.Contains(buf, j) {
				disagree++
			}
		}
	}

	fmt.Println("| run | events | seconds | events/s | vs decode only |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: |")
	base := float64(rows[0].n) / rows[0].d.Seconds()
	for _, r := range rows {
		rate := float64(r.n) / r.d.Seconds()
		fmt.Printf("| %s | %d | %.2f | %.0f | %.2fx |\n", r.name, r.n, r.d.Seconds(), rate, rate/base)
	}
	opaRow := rows[len(rows)-1]
	soccRow := rows[2]
	fmt.Printf("\nsocc evaluator / OPA: %.0fx more events per second (OPA: %.1f us per query evaluation).\n",
		(float64(soccRow.n)/soccRow.d.Seconds())/(float64(opaRow.n)/opaRow.d.Seconds()),
		float64(opaRow.d.Microseconds())/float64(opaRow.n*len(queries)))
	fmt.Printf("On the OPA sample, OPA and the socc evaluator disagree on %d of %d verdicts (%d matches).\n",
		disagree, n*len(queries), opaRow.hits)
	if disagree > 0 {
		return fmt.Errorf("the evaluator and OPA disagree on %d verdicts", disagree)
	}
	return nil
}

type chunk struct{ data []byte }

// records collects distinct CloudTrail records (compact JSON, one a line)
// from the recorded samples and the library's fixtures.
func records(dir string, res *compiler.Result) ([][]byte, error) {
	seen := map[string]bool{}
	var pool [][]byte
	addRec := func(r gjson.Result) {
		if !r.IsObject() || !r.Get("eventSource").Exists() {
			return
		}
		var b bytes.Buffer
		if err := json.Compact(&b, []byte(r.Raw)); err != nil {
			return
		}
		if !seen[b.String()] {
			seen[b.String()] = true
			pool = append(pool, b.Bytes())
		}
	}
	samples := filepath.Join(dir, "compiler", "eval", "testdata", "samples")
	for _, name := range []string{"panther-aws-tests.jsonl", "otrf-ec2-proxy-s3-exfiltration.ndjson"} {
		f, err := os.Open(filepath.Join(samples, name))
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			line := gjson.ParseBytes(sc.Bytes())
			if l := line.Get("log"); l.Exists() {
				line = l
			}
			addRec(line)
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	for _, f := range slices.Sorted(mapsKeys(res.Fixtures)) {
		for _, ev := range res.Fixtures[f] {
			addRec(ev.Record)
		}
	}
	if len(pool) == 0 {
		return nil, fmt.Errorf("no CloudTrail records found under %s", samples)
	}
	return pool, nil
}

func mapsKeys(m map[string][]*event.Event) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// makeChunks lays out n events as NDJSON chunks, cycling through the pool
// with a stride so that consecutive events differ.
func makeChunks(pool [][]byte, n int) []chunk {
	var out []chunk
	var b bytes.Buffer
	lines := 0
	for i := range n {
		b.Write(pool[(i*7919)%len(pool)])
		b.WriteByte('\n')
		lines++
		if lines == chunkLines {
			out = append(out, chunk{slices.Clone(b.Bytes())})
			b.Reset()
			lines = 0
		}
	}
	if lines > 0 {
		out = append(out, chunk{slices.Clone(b.Bytes())})
	}
	return out
}

// replicate returns a library k times as large: the original detections,
// and k-1 copies of each whose eventName values are renamed, as a larger
// library watches more APIs. Copies of detections without an eventName
// condition stay as they are, so every event is evaluated against them.
func replicate(p *ir.Program, k int) *ir.Program {
	q := *p
	q.Detections = slices.Clone(p.Detections)
	for i := 1; i < k; i++ {
		for _, d := range p.Detections {
			c := *d
			c.ID = fmt.Sprintf("%s-copy%d", d.ID, i)
			c.Match = renameAPIs(d.Match, fmt.Sprintf("Copy%d", i))
			q.Detections = append(q.Detections, &c)
		}
	}
	slices.SortFunc(q.Detections, func(a, b *ir.Detection) int { return strings.Compare(a.ID, b.ID) })
	return &q
}

// renameAPIs returns x with every eventName value given a suffix.
func renameAPIs(x ir.Expr, suffix string) ir.Expr {
	switch x := x.(type) {
	case *ir.And:
		y := &ir.And{}
		for _, c := range x.X {
			y.X = append(y.X, renameAPIs(c, suffix))
		}
		return y
	case *ir.Or:
		y := &ir.Or{}
		for _, c := range x.X {
			y.X = append(y.X, renameAPIs(c, suffix))
		}
		return y
	case *ir.Not:
		return &ir.Not{X: renameAPIs(x.X, suffix)}
	case *ir.Pred:
		if x.Field.String() != "eventName" || x.Op != ir.OpEquals {
			return x
		}
		y := *x
		y.Values = nil
		for _, v := range x.Values {
			v.Str += suffix
			y.Values = append(y.Values, v)
		}
		return &y
	}
	return x
}
