package diag

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"
)

// TestCodesUnique parses codes.go and requires every Code constant to have
// a value of its own: a code, once published, names one diagnostic.
func TestCodesUnique(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "codes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	n := 0
	ast.Inspect(f, func(node ast.Node) bool {
		vs, ok := node.(*ast.ValueSpec)
		if !ok || len(vs.Values) != 1 {
			return true
		}
		if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
			return true
		}
		lit, ok := vs.Values[0].(*ast.BasicLit)
		if !ok {
			return true
		}
		v, _ := strconv.Unquote(lit.Value)
		n++
		if prev, dup := seen[v]; dup {
			t.Errorf("%s and %s share the code %s", prev, vs.Names[0].Name, v)
		}
		seen[v] = vs.Names[0].Name
		return true
	})
	if n < 30 {
		t.Fatalf("found %d codes in codes.go, want the whole list", n)
	}
}
