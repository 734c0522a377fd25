package all_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/socc-dev/socc/compiler"
	"github.com/socc-dev/socc/compiler/emit"
	_ "github.com/socc-dev/socc/compiler/emit/all"
	"github.com/socc-dev/socc/compiler/emit/splunk"
	"github.com/socc-dev/socc/compiler/internal/siemcheck"
	"github.com/socc-dev/socc/compiler/ir"
)

// literals returns the hazardous values of the Athena injection corpus and
// a seeded set of random ones built from the characters every dialect
// treats specially.
func literals(t *testing.T) []string {
	f, err := os.Open("../athena/testdata/literals.txt")
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
			t.Fatalf("literals.txt: %q: %v", line, err)
		}
		out = append(out, s)
	}
	alphabet := []string{`'`, `"`, `\`, `*`, `?`, `%`, `_`, "\n", "\t", " ", `|`, `(`, `)`, `[`, `]`, `{`, `}`, `:`, `/`,
		`~`, `!`, `=`, `<`, `>`, `&`, `^`, `$`, `#`, `;`, `-`, "a", "Z", "é", "漢", "👍", " and ", " or ", "--", "/*", "*/",
		"where ", "| ", "NOT ", "@", "`", ",", "."}
	r := rand.New(rand.NewPCG(2026, 11))
	for range 60 {
		var b strings.Builder
		for range 1 + r.IntN(8) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		out = append(out, b.String())
	}
	return out
}

// TestLiteralsParseInEveryDialect compiles detections whose values hold
// every hazardous literal, with every string operator, to every SIEM
// target, and checks that each query still parses with the dialect's own
// parser (KQL, TrinoSQL, Lucene) or passes the SPL lexer check.
func TestLiteralsParseInEveryDialect(t *testing.T) {
	root, err := siemcheck.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	res, ds, err := compiler.Load(context.Background(), root, compiler.WithoutPolicies(),
		compiler.WithNow(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)))
	if err != nil || ds.HasErrors() {
		t.Fatalf("load: %v %v", err, ds)
	}
	type variant struct {
		op   ir.Op
		fold bool
	}
	variants := []variant{{ir.OpEquals, false}, {ir.OpEquals, true}, {ir.OpContains, false}, {ir.OpContains, true},
		{ir.OpPrefix, false}, {ir.OpSuffix, true}}
	fields := []string{"userAgent", "requestParameters.bucketName"}
	p := &ir.Program{Matrix: res.Program.Matrix, FieldMaps: res.Program.FieldMaps}
	for i, lit := range literals(t) {
		for j, v := range variants {
			field, _ := ir.ParsePath(fields[(i+j)%len(fields)])
			val := ir.Value{Kind: ir.String, Str: lit}
			if v.fold {
				val.Str = strings.ToLower(lit)
			}
			p.Detections = append(p.Detections, &ir.Detection{
				ID: fmt.Sprintf("aws-lit-%03d-%d", i, j), Title: "literal", Status: "experimental", Version: 1,
				Logsource: ir.Logsource{Product: "aws", Service: "cloudtrail"},
				Severity:  ir.Severity{Level: 2},
				Match: &ir.And{X: []ir.Expr{
					&ir.Pred{Field: ir.Path{Segs: []string{"eventName"}}, Op: ir.OpEquals, Values: []ir.Value{{Kind: ir.String, Str: "PutBucketPolicy"}}},
					&ir.Pred{Field: field, Op: v.op, Fold: v.fold, Values: []ir.Value{val}},
				}},
			})
		}
	}
	sink := emit.NewSink()
	for _, name := range []string{"splunk", "sentinel", "opensearch", "athena"} {
		e, ok := emit.Lookup(name)
		if !ok {
			t.Fatalf("target %s is not registered", name)
		}
		if ds := e.Emit(context.Background(), p, sink); ds.HasErrors() {
			t.Fatalf("%s: %v", name, ds)
		}
	}
	var items []siemcheck.Item
	spl := 0
	for _, path := range sink.Paths() {
		q := string(sink.File(path))
		switch ext := filepath.Ext(path); {
		case strings.HasPrefix(path, "sentinel/") && ext == ".kql":
			items = append(items, siemcheck.Item{ID: path, Dialect: "kql", Query: q})
		case strings.HasPrefix(path, "opensearch/") && ext == ".lucene":
			items = append(items, siemcheck.Item{ID: path, Dialect: "lucene", Query: q})
		case strings.HasPrefix(path, "athena/") && ext == ".sql" && !strings.HasPrefix(path, "athena/lake/"):
			items = append(items, siemcheck.Item{ID: path, Dialect: "trino", Query: q})
		case strings.HasPrefix(path, "splunk/") && ext == ".spl":
			spl++
			for _, err := range splunk.Lint(strings.TrimSuffix(q, "\n")) { // the file ends its search with a newline
				t.Errorf("%s: %v\n%s", path, err, q)
			}
		}
	}
	checked := 0
	for _, r := range siemcheck.Check(t, items) {
		checked++
		if !r.OK {
			t.Errorf("%s does not parse: %v\n%s", r.ID, r.Errors, string(sink.File(r.ID)))
		}
	}
	if checked == 0 || spl == 0 {
		t.Fatalf("nothing was checked (%d parsed, %d SPL)", checked, spl)
	}
	t.Logf("%d detections: %d queries parsed by KQL, TrinoSQL and Lucene parsers, %d SPL searches lexed", len(p.Detections), checked, spl)
}
