// Package validate checks parsed content documents against the JSON Schema
// of their kind and turns schema errors into positioned diagnostics, with
// did-you-mean hints for unknown keys.
package validate

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"gopkg.in/yaml.v3"

	"github.com/socc-dev/socc/compiler/diag"
	"github.com/socc-dev/socc/compiler/load"
	"github.com/socc-dev/socc/schema"
)

var (
	compileOnce sync.Once
	compiled    map[string]*jsonschema.Schema
	compileErr  error
)

func schemas() (map[string]*jsonschema.Schema, error) {
	compileOnce.Do(func() {
		c := jsonschema.NewCompiler()
		for _, k := range schema.Kinds() {
			b, _ := schema.Get(k)
			doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
			if err != nil {
				compileErr = fmt.Errorf("schema %s: %w", k, err)
				return
			}
			if err := c.AddResource(schema.URL(k), doc); err != nil {
				compileErr = fmt.Errorf("schema %s: %w", k, err)
				return
			}
		}
		compiled = map[string]*jsonschema.Schema{}
		for _, k := range schema.Kinds() {
			s, err := c.Compile(schema.URL(k))
			if err != nil {
				compileErr = fmt.Errorf("schema %s: %w", k, err)
				return
			}
			compiled[k] = s
		}
	})
	return compiled, compileErr
}

// Document validates doc against the schema of its kind.
func Document(doc *load.Document) diag.Diagnostics {
	var ds diag.Diagnostics
	all, err := schemas()
	if err != nil {
		// The schemas are embedded: failing to compile them is a bug.
		panic(err)
	}
	sch, ok := all[doc.Kind]
	if !ok {
		n := load.Value(doc.Root, "kind")
		if n == nil {
			ds.Errorf(doc.Range(doc.Root), diag.UnknownKind, "missing 'kind:'").
				WithHint("add 'kind: detection' (or one of: %s)", strings.Join(schema.Kinds(), ", "))
		} else {
			d := ds.Errorf(doc.Range(n), diag.UnknownKind, "unknown kind %q", doc.Kind)
			if s := Suggest(doc.Kind, schema.Kinds()); s != "" {
				d.WithHint("did you mean %q?", s)
			} else {
				d.WithHint("use one of: %s", strings.Join(schema.Kinds(), ", "))
			}
		}
		return ds
	}
	err = sch.Validate(ToJSON(doc.Root))
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		panic(err)
	}
	var unknown []*diag.Diagnostic
	type missing struct {
		d     *diag.Diagnostic
		field string
	}
	var missed []missing
	for _, leaf := range leaves(ve) {
		d := convert(doc, leaf)
		ds.Append(d)
		switch k := leaf.ErrorKind.(type) {
		case *kind.AdditionalProperties:
			unknown = append(unknown, d)
		case *kind.Required:
			missed = append(missed, missing{d, k.Missing[0]})
		}
	}
	// A misspelt key is reported once, as unknown with a did-you-mean hint,
	// not also as the required key it misspells.
	for _, m := range missed {
		for _, u := range unknown {
			if u.Hint == fmt.Sprintf("did you mean %q?", m.field) {
				ds = slices.DeleteFunc(ds, func(d *diag.Diagnostic) bool { return d == m.d })
			}
		}
	}
	return ds
}

// leaves flattens a validation error tree into its most specific causes,
// keeping only the deepest errors of each oneOf/anyOf branch so that the
// message names the real problem.
func leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	switch e.ErrorKind.(type) {
	case *kind.OneOf, *kind.AnyOf:
		// Report the branch that got furthest: the one with the deepest error.
		var best []*jsonschema.ValidationError
		depth := -1
		for _, c := range e.Causes {
			l := leaves(c)
			d := 0
			for _, x := range l {
				d = max(d, len(x.InstanceLocation))
			}
			if d > depth {
				best, depth = l, d
			}
		}
		if depth <= len(e.InstanceLocation) {
			return []*jsonschema.ValidationError{e}
		}
		return best
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

func convert(doc *load.Document, e *jsonschema.ValidationError) *diag.Diagnostic {
	path := make([]any, len(e.InstanceLocation))
	n := doc.Root
	for i, tok := range e.InstanceLocation {
		if n != nil && n.Kind == yaml.SequenceNode {
			idx, _ := strconv.Atoi(tok)
			path[i] = idx
		} else {
			path[i] = tok
		}
		n = load.Lookup(n, path[i])
	}
	node := load.Lookup(doc.Root, path...)
	where := strings.Join(e.InstanceLocation, ".")
	in := " in " + where
	if where == "" {
		where, in = "the document", ""
	}
	d := &diag.Diagnostic{Severity: diag.Error, Subject: doc.Range(node)}
	switch k := e.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		key := k.Properties[0]
		d.Code = diag.UnknownField
		d.Summary = fmt.Sprintf("unknown field %q%s", key, in)
		d.Subject = doc.Range(load.Key(node, key))
		known := knownKeys(e)
		if s := Suggest(key, known); s != "" {
			d.Hint = fmt.Sprintf("did you mean %q?", s)
		} else if len(known) > 0 {
			d.Hint = "known fields: " + strings.Join(known, ", ")
		}
	case *kind.Required:
		d.Code = diag.MissingField
		d.Summary = fmt.Sprintf("missing required field %q%s", k.Missing[0], in)
		d.Hint = fmt.Sprintf("add '%s:'", k.Missing[0])
	case *kind.Type:
		d.Code = diag.WrongType
		d.Summary = fmt.Sprintf("%s must be %s, not %s", where, strings.Join(k.Want, " or "), k.Got)
	case *kind.Enum:
		d.Code = diag.InvalidValue
		var want []string
		for _, w := range k.Want {
			want = append(want, fmt.Sprint(w))
		}
		d.Summary = fmt.Sprintf("invalid value for %s", where)
		if s := Suggest(fmt.Sprint(k.Got), want); s != "" {
			d.Hint = fmt.Sprintf("did you mean %q?", s)
		} else {
			d.Hint = "use one of: " + strings.Join(want, ", ")
		}
	case *kind.Const:
		d.Code = diag.InvalidValue
		d.Summary = fmt.Sprintf("%s must be %v", where, k.Want)
	case *kind.Pattern:
		d.Code = diag.InvalidValue
		d.Summary = fmt.Sprintf("%s %q has the wrong format", where, k.Got)
		d.Hint = patternHint(e.InstanceLocation)
	case *kind.OneOf, *kind.AnyOf:
		if want := wantedTypes(e); want != nil {
			d.Code = diag.WrongType
			d.Summary = fmt.Sprintf("%s must be %s", where, strings.Join(want, " or "))
			break
		}
		d.Code = diag.SchemaMismatch
		d.Summary = fmt.Sprintf("%s: %s", where, e.ErrorKind.LocalizedString(printer))
	default:
		d.Code = diag.SchemaMismatch
		d.Summary = fmt.Sprintf("%s: %s", where, e.ErrorKind.LocalizedString(printer))
	}
	return d
}

// wantedTypes returns the types a oneOf/anyOf would accept when every branch
// failed on the type of the value itself, and nil otherwise.
func wantedTypes(e *jsonschema.ValidationError) []string {
	var want []string
	for _, c := range e.Causes {
		for len(c.Causes) == 1 {
			if _, ref := c.ErrorKind.(*kind.Reference); !ref {
				break
			}
			c = c.Causes[0]
		}
		t, ok := c.ErrorKind.(*kind.Type)
		if !ok || len(c.InstanceLocation) != len(e.InstanceLocation) {
			return nil
		}
		for _, w := range t.Want {
			if !slices.Contains(want, w) {
				want = append(want, w)
			}
		}
	}
	return want
}

func patternHint(loc []string) string {
	if len(loc) == 0 {
		return ""
	}
	switch loc[0] {
	case "id":
		return "use lower-case kebab-case, e.g. aws-iam-root-login"
	case "attack":
		return "write ATT&CK technique IDs like T1078 or T1078.004"
	case "controls":
		return "write Annex A control IDs like A.8.16"
	case "threshold":
		return "write a window like 30s, 5m or 1h"
	case "exceptions":
		return "write the expiry date as YYYY-MM-DD"
	}
	return ""
}

// knownKeys lists the property names the failing schema allows.
func knownKeys(e *jsonschema.ValidationError) []string {
	s := schemaAt(e)
	if s == nil {
		return nil
	}
	keys := make([]string, 0, len(s.Properties))
	for k := range s.Properties {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ToJSON converts a YAML node into the JSON data model (map[string]any,
// []any, string, json.Number, bool, nil). Timestamps stay strings.
func ToJSON(n *yaml.Node) any {
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = ToJSON(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		a := make([]any, len(n.Content))
		for i, c := range n.Content {
			a[i] = ToJSON(c)
		}
		return a
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return nil
		case "!!bool":
			var b bool
			_ = n.Decode(&b)
			return b
		case "!!int", "!!float":
			if f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64); err == nil {
				return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
			}
			var i int64
			if n.Decode(&i) == nil {
				return json.Number(strconv.FormatInt(i, 10))
			}
			return n.Value
		}
		return n.Value
	}
	return nil
}
