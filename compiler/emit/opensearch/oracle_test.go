package opensearch

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/socc-dev/socc/compiler/emit"
	"github.com/socc-dev/socc/compiler/eval"
	"github.com/socc-dev/socc/compiler/event"
	"github.com/socc-dev/socc/compiler/ir"
)

// This file runs the query DSL of the library's detections over the
// library's fixtures, indexed as the mappings' headers say, with a small
// interpreter of the query types the emitter writes (as OpenSearch reads
// them on an index whose template maps strings as keyword, numbers as
// numbers, booleans as boolean and objects as flattened object fields),
// and compares the hits with socc's reference evaluator.

// indexed says, per log source, which fixture events the mapping's index
// holds and the document each becomes.
var indexed = map[string]func(p *ir.Program, ev *event.Event) (gjson.Result, bool){
	// opensearch.yaml: one document per CloudTrail record.
	"cloudtrail": func(_ *ir.Program, ev *event.Event) (gjson.Result, bool) {
		r := ev.Record
		return r, r.Get("eventSource").Type == gjson.String && r.Get("eventID").Type == gjson.String
	},
	// opensearch-guardduty.yaml: one document per finding (the event's
	// detail), GuardDuty findings only.
	"guardduty": func(p *ir.Program, ev *event.Event) (gjson.Result, bool) {
		return ev.Record, constantsHold(p, "guardduty", ev)
	},
	// opensearch-securityhub.yaml: one document per finding of an
	// imported event.
	"securityhub": func(p *ir.Program, ev *event.Event) (gjson.Result, bool) {
		return ev.Record, constantsHold(p, "securityhub", ev)
	},
	// opensearch-config.yaml: every aws.config event, whole.
	"config": func(_ *ir.Program, ev *event.Event) (gjson.Result, bool) {
		return gjson.ParseBytes(ev.Envelope()), ev.Source == "aws.config"
	},
}

// constantsHold reports whether ev holds every constant of the log
// source's mapping: the index holds only such events.
func constantsHold(p *ir.Program, service string, ev *event.Event) bool {
	fm := p.FieldMap(Target, service)
	if len(fm.Constants) == 0 {
		panic("no constants in the " + service + " mapping")
	}
	for k, v := range fm.Constants {
		path, _ := ir.ParsePath(k)
		if !eval.Eval(&ir.Pred{Field: path, Op: ir.OpEquals, Values: []ir.Value{v}}, ev) {
			return false
		}
	}
	return true
}

// doc is a document as an object-mapped index sees it: every leaf value
// under its dotted path, arrays flattened, nulls not indexed.
type doc map[string][]gjson.Result

func flatten(r gjson.Result) doc {
	d := doc{}
	var walk func(prefix string, v gjson.Result)
	walk = func(prefix string, v gjson.Result) {
		switch {
		case v.IsObject():
			v.ForEach(func(k, x gjson.Result) bool {
				name := k.Str
				if prefix != "" {
					name = prefix + "." + name
				}
				walk(name, x)
				return true
			})
		case v.IsArray():
			for _, x := range v.Array() {
				walk(prefix, x)
			}
		case v.Type == gjson.Null:
		default:
			d[prefix] = append(d[prefix], v)
		}
	}
	walk("", r)
	return d
}

func (d doc) exists(f string) bool {
	for k := range d {
		if k == f || strings.HasPrefix(k, f+".") {
			return true
		}
	}
	return false
}

// asKeyword is the term a query value becomes on a keyword field.
func asKeyword(v any) string {
	switch v := v.(type) {
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprint(v)
}

func asciiFold(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// termMatch is a term query's test of one indexed value, by the field's
// type: numbers and booleans parse the query value, keywords compare text.
func termMatch(x gjson.Result, v any, fold bool) bool {
	switch x.Type {
	case gjson.Number:
		switch v := v.(type) {
		case float64:
			return x.Num == v
		case string:
			n, err := strconv.ParseFloat(v, 64)
			return err == nil && x.Num == n
		}
		return false
	case gjson.True, gjson.False:
		return asKeyword(v) == strconv.FormatBool(x.Bool())
	}
	if fold {
		return asciiFold(x.Str) == asciiFold(asKeyword(v))
	}
	return x.Str == asKeyword(v)
}

func rangeMatch(x gjson.Result, op string, bound any) bool {
	var c int
	switch {
	case x.Type == gjson.Number:
		b, ok := bound.(float64)
		if !ok {
			return false
		}
		switch {
		case x.Num < b:
			c = -1
		case x.Num > b:
			c = 1
		}
	case x.Type == gjson.String: // a keyword range compares text
		c = strings.Compare(x.Str, asKeyword(bound))
	default:
		return false
	}
	switch op {
	case "gt":
		return c > 0
	case "gte":
		return c >= 0
	case "lt":
		return c < 0
	case "lte":
		return c <= 0
	}
	return false
}

// wildcardRegex translates a wildcard query pattern into anchored RE2.
func wildcardRegex(p string, fold bool) *regexp.Regexp {
	var b strings.Builder
	if fold {
		b.WriteString("(?i)")
	}
	b.WriteString(`^(?s:`)
	rs := []rune(p)
	for i := 0; i < len(rs); i++ {
		switch rs[i] {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '\\':
			i++
			b.WriteString(regexp.QuoteMeta(string(rs[i])))
		default:
			b.WriteString(regexp.QuoteMeta(string(rs[i])))
		}
	}
	b.WriteString(`)$`)
	return regexp.MustCompile(b.String())
}

// run evaluates query q (decoded JSON) on d.
func run(t *testing.T, q any, d doc) bool {
	m := q.(map[string]any)
	for typ, body := range m {
		b := body.(map[string]any)
		switch typ {
		case "match_all":
			return true
		case "match_none":
			return false
		case "bool":
			for _, k := range sliceOf(b["filter"]) {
				if !run(t, k, d) {
					return false
				}
			}
			for _, k := range sliceOf(b["must_not"]) {
				if run(t, k, d) {
					return false
				}
			}
			if should := sliceOf(b["should"]); len(should) > 0 {
				return slices.ContainsFunc(should, func(k any) bool { return run(t, k, d) })
			}
			return true
		case "exists":
			return d.exists(b["field"].(string))
		case "script":
			p := b["script"].(map[string]any)["params"].(map[string]any)
			fold := p["fold"].(bool)
			for _, x := range d[p["a"].(string)] {
				for _, y := range d[p["b"].(string)] {
					xs, ys := x.String(), y.String()
					if fold {
						xs, ys = strings.ToLower(xs), strings.ToLower(ys)
					}
					if x.Type == y.Type && xs == ys {
						return true
					}
				}
			}
			return false
		}
		for f, fb := range b {
			vals := d[f]
			if typ == "terms" {
				return slices.ContainsFunc(vals, func(x gjson.Result) bool {
					return slices.ContainsFunc(fb.([]any), func(v any) bool { return termMatch(x, v, false) })
				})
			}
			o := fb.(map[string]any)
			fold := o["case_insensitive"] == true
			return slices.ContainsFunc(vals, func(x gjson.Result) bool {
				switch typ {
				case "term":
					return termMatch(x, o["value"], fold)
				case "range":
					for op, bound := range o {
						if !rangeMatch(x, op, bound) {
							return false
						}
					}
					return true
				}
				if x.Type != gjson.String {
					return false
				}
				switch typ {
				case "prefix":
					if fold {
						return strings.HasPrefix(asciiFold(x.Str), asciiFold(o["value"].(string)))
					}
					return strings.HasPrefix(x.Str, o["value"].(string))
				case "wildcard":
					return wildcardRegex(o["value"].(string), fold).MatchString(x.Str)
				case "regexp":
					return regexp.MustCompile(fromLucene(t, o["value"].(string))).MatchString(x.Str)
				}
				t.Fatalf("query type %s", typ)
				return false
			})
		}
	}
	t.Fatalf("malformed query %v", q)
	return false
}

func sliceOf(v any) []any {
	s, _ := v.([]any)
	return s
}

// TestQueryOracle compares, for every detection of the library that
// OpenSearch can express, the hits of its query DSL on the fixtures that
// the log source's index holds with the reference evaluator's matches:
// the same for exact detections, a superset for approximate ones. For
// every test of a detection without threshold, the hits on the test's
// fixtures are the matches the test expects.
func TestQueryOracle(t *testing.T) {
	res := library(t)
	p := res.Program
	var paths []string
	for f := range res.Fixtures {
		paths = append(paths, f)
	}
	slices.Sort(paths)
	type item struct {
		ev  *event.Event
		doc doc
	}
	byService := map[string][]item{}
	byFile := map[string]map[string][]item{}
	for service, in := range indexed {
		byFile[service] = map[string][]item{}
		for _, f := range paths {
			for _, ev := range res.Fixtures[f] {
				if r, ok := in(p, ev); ok {
					it := item{ev, flatten(r)}
					byService[service] = append(byService[service], it)
					byFile[service][f] = append(byFile[service][f], it)
				}
			}
		}
	}
	findings := 0
	for _, d := range p.Detections {
		q, _ := Compile(p, d)
		if q.Status == emit.Unsupported {
			continue
		}
		b, _ := json.Marshal(q.DSL)
		var dsl any
		if err := json.Unmarshal(b, &dsl); err != nil {
			t.Fatal(err)
		}
		hits := 0
		for _, it := range byService[d.Logsource.Service] {
			got, want := run(t, dsl, it.doc), eval.Eval(d.Cond(), it.ev)
			if got {
				hits++
			}
			if got != want && (q.Status == emit.Exact || want) {
				t.Errorf("%s (%s) on %s:%d: the query DSL says %v, socc %v", d.ID, q.Status, it.ev.File, it.ev.Line, got, want)
			}
		}
		if _, ok := findingDetections[d.ID]; ok {
			findings++
			if hits == 0 || hits == len(byService[d.Logsource.Service]) {
				t.Errorf("%s: %d hits of %d documents: the fixtures do not tell matches from others", d.ID, hits, len(byService[d.Logsource.Service]))
			}
		}
		if d.Threshold != nil {
			continue
		}
		for _, tc := range d.Tests {
			n := 0
			for _, f := range tc.Events {
				for _, it := range byFile[d.Logsource.Service][f] {
					if run(t, dsl, it.doc) {
						n++
					}
				}
			}
			if n != tc.Expect.Matches && (q.Status == emit.Exact || n < tc.Expect.Matches) {
				t.Errorf("%s/%s: %d hits in the index, the test expects %d matches", d.ID, tc.Name, n, tc.Expect.Matches)
			}
		}
	}
	if findings != len(findingDetections) {
		t.Errorf("%d of the %d GuardDuty, Security Hub and Config detections were run", findings, len(findingDetections))
	}
	for s, its := range byService {
		t.Logf("%s index: %d documents", s, len(its))
	}
}

// TestWholeEventsFlatten shows why Security Hub findings are indexed one
// per document: with an imported event as one document, the findings'
// fields flatten together, and a condition on two fields matches an event
// where no single finding satisfies it.
func TestWholeEventsFlatten(t *testing.T) {
	env := gjson.Parse(`{"version":"0","id":"e1","detail-type":"Security Hub Findings - Imported","source":"aws.securityhub",
		"account":"111122223333","time":"2025-04-04T02:35:10Z","region":"ap-northeast-1","resources":[],
		"detail":{"findings":[{"Severity":{"Label":"CRITICAL"},"RecordState":"ARCHIVED"},{"Severity":{"Label":"LOW"},"RecordState":"ACTIVE"}]}}`)
	p, d := program(t, "securityhub", "match:\n  s:\n    Severity.Label: CRITICAL\n    RecordState: ACTIVE\n")
	q, _ := Compile(p, d)
	b, _ := json.Marshal(q.DSL)
	var dsl any
	_ = json.Unmarshal(b, &dsl)
	whole := flatten(env.Get("detail.findings"))
	if !run(t, dsl, whole) {
		t.Fatal("the flattened event does not match: the illustration is wrong")
	}
	for _, ev := range event.FromEnvelope(env) {
		if eval.Eval(d.Cond(), ev) || run(t, dsl, flatten(ev.Record)) {
			t.Errorf("finding %s matches", ev.Record.Raw)
		}
	}
}
