package diag

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestWriteText(t *testing.T) {
	src := []byte("kind: detection\nmatch:\n  condition: selection and not filtr\n")
	var ds Diagnostics
	d := ds.Errorf(&Range{Filename: "d.yaml", Start: Pos{3, 32, -1}, End: Pos{3, 37, -1}}, UndefinedSelection, "condition names undefined selection %q", "filtr")
	d.WithHint("did you mean %q?", "filter")
	ds.Warnf(At("a.yaml", 1, 1), UnusedSelection, "selection %q is not used", "x")
	ds.Sort()
	var b bytes.Buffer
	if err := WriteText(&b, ds, func(f string) []byte {
		if f == "d.yaml" {
			return src
		}
		return nil
	}, 0); err != nil {
		t.Fatal(err)
	}
	want := `a.yaml:1:1: warning[SOCC2021]: selection "x" is not used
d.yaml:3:32: error[SOCC2002]: condition names undefined selection "filtr"
 3 |   condition: selection and not filtr
   |                                ^^^^^
  hint: did you mean "filter"?
`
	if got := b.String(); got != want {
		t.Errorf("WriteText =\n%s\nwant\n%s", got, want)
	}
}

func TestWriteTextLimit(t *testing.T) {
	var ds Diagnostics
	for i := range 5 {
		ds.Errorf(At("f.yaml", i+1, 1), InvalidYAML, "bad %d", i)
	}
	var b bytes.Buffer
	_ = WriteText(&b, ds, nil, 2)
	if !strings.HasSuffix(b.String(), "... and 3 more diagnostics not shown\n") || strings.Count(b.String(), "error[") != 2 {
		t.Errorf("WriteText with limit 2:\n%s", b.String())
	}
}

func TestSortDedupErr(t *testing.T) {
	var ds Diagnostics
	ds.Errorf(At("b.yaml", 2, 1), InvalidYAML, "x")
	ds.Errorf(At("a.yaml", 9, 1), InvalidYAML, "y")
	ds.Errorf(At("b.yaml", 2, 1), InvalidYAML, "x")
	ds.Warnf(At("a.yaml", 1, 1), UnusedSelection, "w")
	ds.Sort()
	var order []string
	for _, d := range ds {
		order = append(order, d.Subject.String())
	}
	if got := strings.Join(order, " "); got != "a.yaml:1:1 a.yaml:9:1 b.yaml:2:1" {
		t.Errorf("sorted = %s", got)
	}
	if e, w := ds.Count(); e != 2 || w != 1 {
		t.Errorf("Count = %d, %d", e, w)
	}
	var only Diagnostics
	only.Warnf(nil, UnusedSelection, "w")
	if err := only.Err(); err != nil {
		t.Errorf("Err() of warnings = %v, want nil", err)
	}
	if ds.Err() == nil {
		t.Error("Err() of errors = nil")
	}
}

func TestWriteJSON(t *testing.T) {
	var ds Diagnostics
	ds.Errorf(At("d.yaml", 3, 5), InvalidRegex, "invalid regular expression").WithHint("use RE2")
	var b bytes.Buffer
	if err := WriteJSON(&b, ds); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Diagnostics []struct {
			Severity, Code, Summary, Hint string
			Subject                       Range
		}
		Errors int
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	g := got.Diagnostics[0]
	if got.Errors != 1 || g.Severity != "error" || g.Code != "SOCC2004" || g.Subject.Start.Line != 3 || g.Hint != "use RE2" {
		t.Errorf("WriteJSON = %s", b.String())
	}
}
