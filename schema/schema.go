// Package schema holds the JSON Schemas of every socc content kind and the
// built-in Rego content policies, embedded in the binary. `socc schema KIND`
// prints a schema for editors.
package schema

import (
	"embed"
	"io/fs"
	"slices"
	"strings"
)

//go:embed *.schema.json
var schemas embed.FS

//go:embed policies/*.rego
var policies embed.FS

// Kinds returns the content kinds that have a schema, sorted.
func Kinds() []string {
	ents, _ := fs.ReadDir(schemas, ".")
	var kinds []string
	for _, e := range ents {
		kinds = append(kinds, strings.TrimSuffix(e.Name(), ".schema.json"))
	}
	slices.Sort(kinds)
	return kinds
}

// Get returns the JSON Schema of kind, or false when kind has none.
func Get(kind string) ([]byte, bool) {
	b, err := schemas.ReadFile(kind + ".schema.json")
	return b, err == nil
}

// URL returns the $id under which the schema of kind is published.
func URL(kind string) string { return "https://socc.dev/schema/" + kind + ".schema.json" }

// Policies returns the built-in Rego content policies.
func Policies() fs.FS {
	sub, _ := fs.Sub(policies, "policies")
	return sub
}
