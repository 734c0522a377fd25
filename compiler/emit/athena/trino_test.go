package athena

import (
	"testing"

	"github.com/socc-dev/socc/compiler/internal/siemcheck"
)

// checkTrino parses every query as TrinoSQL with tools/siemcheck.mjs
// (dt-sql-parser's Trino grammar, plus a lint that rejects backticks). It
// skips when node or tools/node_modules is missing, except in CI.
func checkTrino(t *testing.T, qs []*Query) {
	t.Helper()
	items := make([]siemcheck.Item, len(qs))
	for i, q := range qs {
		items[i] = siemcheck.Item{ID: q.Target + "/" + q.ID, Dialect: "trino", Query: q.SQL}
	}
	for i, r := range siemcheck.Check(t, items) {
		if !r.OK {
			t.Errorf("%s does not parse as TrinoSQL: %v\n%s", r.ID, r.Errors, qs[i].SQL)
		}
	}
}

// TestTrinoSyntax parses every query of the bundled library, both
// dialects, as TrinoSQL.
func TestTrinoSyntax(t *testing.T) {
	_, c := library(t)
	var qs []*Query
	for _, v := range variants {
		for _, q := range c.Queries[v.target] {
			if q.SQL != "" {
				qs = append(qs, q)
			}
		}
	}
	checkTrino(t, qs)
}
