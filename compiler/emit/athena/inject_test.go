package athena

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/socc-dev/socc/compiler/emit"
	"github.com/socc-dev/socc/compiler/eval"
	"github.com/socc-dev/socc/compiler/ir"
)

// Injection-proofing: detections whose values hold quotes, backslashes,
// wildcard and LIKE metacharacters, line breaks, Unicode, SQL keywords and
// comment markers must select exactly the events holding that value. Each
// literal is tried under every string operator, on a plain column
// (eventName) and below a JSON column (requestParameters.value), over
// records that hold the literal and near misses: case variants, with a
// prefix or suffix, and escaped forms (doubled quotes, backslash escapes,
// LIKE escapes).

// literalOps are the entries built for a literal v; the function returns
// the YAML value (a string, or nil to skip the operator).
var literalOps = []struct {
	mod   string
	value func(v string) any
}{
	{"", func(v string) any { return v }},
	{"|i", func(v string) any { return v }},
	{"|contains", func(v string) any { return v }},
	{"|contains|i", func(v string) any { return v }},
	{"|startswith", func(v string) any { return v }},
	{"|endswith", func(v string) any { return v }},
	{"|wildcard", func(v string) any { return wildcardQuote(v) }},
	{"|wildcard|i", func(v string) any { return "*" + wildcardQuote(v) + "?" }},
	{"|wildcard", func(v string) any { return v }}, // the literal as a pattern
	{"|re", func(v string) any { return "^" + regexp.QuoteMeta(v) + "$" }},
	{"|re|i", func(v string) any { return regexp.QuoteMeta(v) }},
}

var literalFields = []string{"eventName", "requestParameters.value"}

// wildcardQuote escapes a literal for the wildcard modifier.
func wildcardQuote(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`)
	return r.Replace(v)
}

// nearMisses returns v and strings close to it, deduplicated.
func nearMisses(v string) []string {
	c := []string{v, strings.ToUpper(v), strings.ToLower(v), "x" + v, v + "x", "x" + v + "x", v + "\n", "",
		strings.ReplaceAll(v, "'", "''"), strings.ReplaceAll(v, "'", `\'`), strings.ReplaceAll(v, `\`, `\\`),
		strings.NewReplacer("%", `\%`, "_", `\_`).Replace(v), strings.NewReplacer("%", "x", "_", "y", "*", "z", "?", "w").Replace(v)}
	if r, n := utf8.DecodeRuneInString(v); n > 0 {
		c = append(c, v[n:], string(unicode.SimpleFold(r))+v[n:])
	}
	if r, n := utf8.DecodeLastRuneInString(v); n > 0 {
		c = append(c, v[:len(v)-n], v[:len(v)-n]+string(unicode.SimpleFold(r)))
	}
	slices.Sort(c)
	return slices.Compact(c)
}

// literalRecords builds the records for literal number k: each near miss
// in both fields, and the literal as a JSON number when it is one.
func literalRecords(k int, v string) []string {
	var out []string
	for i, s := range nearMisses(v) {
		if !utf8.ValidString(s) {
			continue
		}
		b, _ := json.Marshal(map[string]any{"eventID": fmt.Sprintf("l%d-%d", k, i), "eventName": s, "requestParameters": map[string]any{"value": s}})
		out = append(out, string(b))
	}
	var n json.Number = json.Number(strings.TrimSpace(v))
	if _, err := n.Float64(); err == nil && json.Valid([]byte(n)) {
		out = append(out, fmt.Sprintf(`{"eventID":"l%d-n","eventName":"n","requestParameters":{"value":%s}}`, k, n))
	}
	return out
}

// literalDetections builds one detection per operator and field for
// literal number k; it skips entries the content rules refuse (a regex
// RE2 rejects cannot come from QuoteMeta, but a YAML string can be
// invalid UTF-8).
func literalDetections(k int, v string) []string {
	var out []string
	for i, op := range literalOps {
		for j, f := range literalFields {
			val := op.value(v)
			if s, ok := val.(string); ok && !utf8.ValidString(s) {
				continue
			}
			id := fmt.Sprintf("l%d-%d-%d", k, i, j)
			out = append(out, detectionYAML(id, matchYAML(f+op.mod, val), ""))
		}
	}
	return out
}

// checkLiterals compiles the detections of the literals, loads their
// records into o, and compares every exact query with the reference
// evaluator on every record. It returns the queries, for the TrinoSQL
// check, and the number of verdicts compared.
func checkLiterals(t *testing.T, o *oracle, lits []string) ([]*Query, int) {
	t.Helper()
	var docs, recs []string
	for k, v := range lits {
		docs = append(docs, literalDetections(k, v)...)
		recs = append(recs, literalRecords(k, v)...)
	}
	p := program(t, docs...)
	c, ds := Compile(p)
	if ds.HasErrors() {
		t.Fatalf("compile: %v", ds.Err())
	}
	// All records go into one table; cloudtrail_logs is a view of the
	// records of the literal under test.
	o.load(t, "literal_records", athenaTable, parsed(recs))
	type rec struct{ id, json string }
	byLit := map[int][]rec{}
	for _, r := range recs {
		id := ctEvent(r).ID
		k := 0
		fmt.Sscanf(id, "l%d-", &k)
		byLit[k] = append(byLit[k], rec{id, r})
	}
	n := 0
	view := -1
	for i, d := range p.Detections {
		q := c.Queries["athena"][i]
		k := 0
		fmt.Sscanf(d.ID, "l%d-", &k)
		if k != view {
			o.exec(t, fmt.Sprintf("CREATE OR REPLACE VIEW cloudtrail_logs AS SELECT * FROM literal_records WHERE starts_with(eventid, 'l%d-')", k))
			view = k
		}
		if q.Status != emit.Exact {
			if q.Status == emit.Unsupported {
				t.Errorf("detection %s: unsupported: %s", d.ID, q.Reason)
			}
			continue
		}
		got, err := matchedIDs(t, o, q)
		if err != nil {
			t.Errorf("detection %s: %v\n%s", d.ID, err, q.SQL)
			continue
		}
		cond := d.Cond()
		for _, e := range byLit[k] {
			want := eval.Eval(cond, ctEvent(e.json))
			n++
			if want != got[e.id] {
				t.Errorf("detection %s (%s), record %s: reference matches=%v, athena matches=%v\n%s", d.ID, describe(cond), e.json, want, got[e.id], q.SQL)
			}
		}
		// The record holding exactly the literal must match an equality.
		if pr, ok := cond.(*ir.Pred); ok && pr.Op == ir.OpEquals && !pr.Fold {
			if !got[exactRecordID(recs, k, lits[k])] {
				t.Errorf("detection %s: the record holding exactly %q does not match\n%s", d.ID, lits[k], q.SQL)
			}
		}
	}
	return slices.Collect(func(yield func(*Query) bool) {
		for _, q := range c.Queries["athena"] {
			if q.SQL != "" && !yield(q) {
				return
			}
		}
	}), n
}

func exactRecordID(recs []string, k int, v string) string {
	prefix := fmt.Sprintf(`{"eventID":"l%d-`, k)
	for _, r := range recs {
		if strings.HasPrefix(r, prefix) {
			ev := ctEvent(r)
			if ev.Record.Get("eventName").Str == v {
				return ev.ID
			}
		}
	}
	return ""
}

func describe(x ir.Expr) string {
	if p, ok := x.(*ir.Pred); ok {
		var vs []string
		for _, v := range p.Values {
			vs = append(vs, fmt.Sprintf("%q", v.Str))
		}
		return fmt.Sprintf("%s|%s fold=%v %s", p.Field, p.Op, p.Fold, strings.Join(vs, ","))
	}
	return fmt.Sprintf("%T", x)
}

// hazards are the pieces random literals are made of.
var hazards = []string{
	"'", "''", `"`, `\`, `\\`, `\'`, "*", "?", "%", "_", "\n", "\r\n", "\t", "\u0000", "\u001f",
	"é", "É", "ß", "İ", "ı", "\u212a", "ſ", "Σ", "ς", "😀", "\u2028", "\u202e", "日本",
	" OR ", "1'='1", "--", "/*", "*/", ";", "DROP TABLE cloudtrail_logs", "UNION SELECT", "chr(0)", "||",
	"$", "^", ".", "+", "(", ")", "[", "]", "{", "}", "|", "$[\"a\"]", "a", "B", "0", "22", " ",
}

// randomLiteral draws a literal from the hazards.
func randomLiteral(r *rand.Rand) string {
	var b strings.Builder
	for n := r.IntN(6); n >= 0; n-- {
		b.WriteString(hazards[r.IntN(len(hazards))])
	}
	return b.String()
}

// interestingLiterals reads testdata/literals.txt: one JSON string per
// line, the cases worth keeping (found by the fuzzer or by hand).
func interestingLiterals(t testing.TB) []string {
	t.Helper()
	f, err := os.Open("testdata/literals.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var s string
		if err := json.Unmarshal([]byte(line), &s); err != nil {
			t.Fatalf("testdata/literals.txt: %v: %s", err, line)
		}
		out = append(out, s)
	}
	return out
}

// TestLiteralInjection is the seeded property test.
func TestLiteralInjection(t *testing.T) {
	if testing.Short() {
		t.Skip("DuckDB oracle skipped in -short mode")
	}
	lits := interestingLiterals(t)
	r := rand.New(rand.NewPCG(20260101, 1))
	for range 40 {
		lits = append(lits, randomLiteral(r))
	}
	o := newOracle(t)
	qs, n := checkLiterals(t, o, lits)
	t.Logf("%d literals, %d queries, %d verdicts compared", len(lits), len(qs), n)
	checkTrino(t, qs)
}

var (
	fuzzOnce   sync.Once
	fuzzOracle *oracle
)

// FuzzAthenaLiteral checks one literal per input.
func FuzzAthenaLiteral(f *testing.F) {
	for _, s := range interestingLiterals(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if testing.Short() {
			t.Skip("DuckDB oracle skipped in -short mode")
		}
		if len(v) > 64 || !utf8.ValidString(v) {
			t.Skip()
		}
		fuzzOnce.Do(func() { fuzzOracle = newOracle(&persistentTB{TB: t}) })
		checkLiterals(t, fuzzOracle, []string{v})
	})
}

// persistentTB keeps an oracle open across fuzz iterations: its Cleanup
// functions never run (the process ends with the fuzz worker).
type persistentTB struct{ testing.TB }

func (persistentTB) Cleanup(func()) {}
