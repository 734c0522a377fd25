package load

import (
	"io"
	"strings"
	"testing"

	"github.com/socc-dev/socc/compiler/diag"
)

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		wantCode diag.Code
		wantLine int
	}{
		{"empty", "", diag.EmptyFile, 1},
		{"comments only", "# nothing\n", diag.EmptyFile, 1},
		{"null document", "~\n", diag.EmptyFile, 1},
		{"syntax", "kind: detection\nid: a\n b: c\n", diag.InvalidYAML, 3},
		{"tab indent", "kind: detection\n\tid: x\n", diag.InvalidYAML, 2},
		{"not a mapping", "- a\n- b\n", diag.WrongType, 1},
		{"nul byte", "kind: detection\nid: \x00\n", diag.NotText, 2},
		{"invalid utf-8", "kind: detection\nid: \xff\xfe\n", diag.NotText, 2},
		{"alias", "a: &x 1\nb: *x\n", diag.AliasNotAllowed, 1},
		{"merge key", "base: {a: 1}\nc:\n  <<: {a: 2}\n", diag.AliasNotAllowed, 3},
		{"duplicate key", "kind: runbook\nid: a\nid: b\n", diag.DuplicateKey, 3},
		{"nested duplicate", "match:\n  sel:\n    eventName: A\n    eventName: B\n", diag.DuplicateKey, 4},
		{"two documents", "kind: runbook\n---\nkind: runbook\n", diag.MultiDocument, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, ds := Parse("f.yaml", strings.NewReader(tc.src))
			if doc != nil {
				t.Fatalf("Parse returned a document, want none")
			}
			if len(ds) == 0 {
				t.Fatal("no diagnostics")
			}
			d := ds[0]
			if d.Code != tc.wantCode || d.Subject == nil || d.Subject.Start.Line != tc.wantLine {
				t.Errorf("got %v, want %s at line %d", d, tc.wantCode, tc.wantLine)
			}
			if d.Hint == "" && d.Code != diag.InvalidYAML {
				t.Errorf("diagnostic %s has no hint", d.Code)
			}
		})
	}
}

// endless yields 'a' forever, to prove Parse never reads more than it must.
type endless struct{ n int }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	e.n += len(p)
	return len(p), nil
}

func TestParseBoundsMemory(t *testing.T) {
	r := &endless{}
	doc, ds := Parse("big.yaml", r)
	if doc != nil || len(ds) != 1 || ds[0].Code != diag.FileTooLarge {
		t.Fatalf("Parse(endless) = %v, %v; want FileTooLarge", doc, ds)
	}
	if r.n > MaxFileSize+64<<10 {
		t.Errorf("read %d bytes, want at most about %d", r.n, MaxFileSize)
	}
}

func TestParseAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		b.WriteString(n + ": &" + n + " [" + strings.Repeat("*"+prev+",", 8) + "*" + prev + "]\n")
		prev = n
	}
	doc, ds := Parse("bomb.yaml", strings.NewReader(b.String()))
	if doc != nil || !ds.HasErrors() || ds[0].Code != diag.AliasNotAllowed {
		t.Fatalf("alias bomb: got %v %v", doc, ds)
	}
}

func TestLookup(t *testing.T) {
	doc, ds := Parse("f.yaml", strings.NewReader("kind: detection\ntests:\n  - name: a\n    events: [x.json, y.json]\n"))
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	n := Lookup(doc.Root, "tests", 0, "events", 1)
	if n == nil || n.Value != "y.json" || n.Line != 4 || n.Column != 22 {
		t.Fatalf("Lookup = %+v", n)
	}
	for _, path := range [][]any{{"nope"}, {"tests", 3}, {"kind", 0}, {"tests", "name"}} {
		if n := Lookup(doc.Root, path...); n != nil {
			t.Errorf("Lookup(%v) = %v, want nil", path, n)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"kind: detection\nid: a\n", "a: &x 1\nb: *x\n", "- 1\n", "k: [", "a: 1\na: 2\n", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 64<<10 {
			t.Skip()
		}
		doc, ds := Parse("f.yaml", strings.NewReader(s))
		if doc == nil && !ds.HasErrors() {
			t.Fatal("no document and no error")
		}
		for _, d := range ds {
			if d.Code == "" || d.Subject == nil || d.Subject.Filename != "f.yaml" {
				t.Fatalf("diagnostic without code or position: %#v", d)
			}
		}
	})
}

var _ io.Reader = (*endless)(nil)
