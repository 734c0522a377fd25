// Package policy evaluates Rego content policies over a lowered program: the
// built-in policies of schema/policies and the repository's own, from
// policies/*.rego. A policy is a package socc.policy.<name> whose rule deny
// (errors) or warn (warnings) is a set of violations
// {"id", "field", "msg", "hint"}; each becomes one diagnostic at the field of
// the detection, runbook or criterion it names. docs/policies.md documents the
// input document and the conventions for policy authors.
//
// Policies are deterministic and offline: they compile against OPA's pinned
// capabilities without network or non-deterministic built-in functions
// (http.send, net.lookup_ip_addr, time.now_ns, opa.runtime, ...).
package policy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"
	"gopkg.in/yaml.v3"

	"github.com/socc-dev/socc/compiler/diag"
	"github.com/socc-dev/socc/compiler/ir"
	"github.com/socc-dev/socc/compiler/load"
	"github.com/socc-dev/socc/schema"
)

// Root is the package below which policies live.
const Root = "data.socc.policy"

// BuiltinPrefix prefixes the file names of the built-in policies in
// diagnostics: "builtin:policies/runbook.rego".
const BuiltinPrefix = "builtin:policies/"

// capabilitiesVersion pins the OPA capabilities (the language features and
// built-in functions) that policies compile against, so that an OPA upgrade
// does not silently change what a policy may call.
const capabilitiesVersion = "v1.22.0"

// denied are built-in functions removed from the capabilities on top of every
// function OPA marks non-deterministic: they reach the network, read the
// environment or depend on the current time.
var denied = []string{
	"http.send",
	"net.lookup_ip_addr",
	"opa.runtime",
	"time.now_ns",
	"rand.intn",
	"uuid.rfc4122",
	"io.jwt.decode_verify",
	"crypto.x509.parse_and_verify_certificates",
	"crypto.x509.parse_and_verify_certificates_with_options",
}

// Capabilities returns the capabilities policies compile against: OPA's
// capabilities of the pinned version without network, non-deterministic or
// time-dependent built-in functions, and with no network host allowed. The
// result is shared: do not modify it.
func Capabilities() *ast.Capabilities { return capabilities() }

var capabilities = sync.OnceValue(func() *ast.Capabilities {
	c, err := ast.LoadCapabilitiesVersion(capabilitiesVersion)
	if err != nil {
		// The pinned version ships inside OPA's module; without it, fall back
		// to the linked version rather than failing every validation.
		c = ast.CapabilitiesForThisVersion()
	}
	c.Builtins = slices.DeleteFunc(slices.Clone(c.Builtins), func(b *ast.Builtin) bool {
		return b.Nondeterministic || slices.Contains(denied, b.Name)
	})
	c.AllowNet = []string{} // empty, not nil: no host at all
	return c
})

func parserOptions() ast.ParserOptions {
	return ast.ParserOptions{RegoVersion: ast.RegoV1, Capabilities: Capabilities(), ProcessAnnotation: true}
}

// builtins parses the built-in policies once.
var builtins = sync.OnceValues(func() (map[string]*ast.Module, error) {
	fsys := schema.Policies()
	names, err := fs.Glob(fsys, "*.rego")
	if err != nil {
		return nil, err
	}
	mods := map[string]*ast.Module{}
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		m, err := ast.ParseModuleWithOpts(BuiltinPrefix+n, string(b), parserOptions())
		if err != nil {
			return nil, err
		}
		mods[BuiltinPrefix+n] = m
	}
	return mods, nil
})

// Evaluate runs the built-in policies (schema.Policies()) and the
// repository's own (every *.rego under <root>/policies/, passed in as user:
// slash-separated path relative to the content root -> source) over the
// program and returns one diagnostic per violation, positioned at the
// offending file and line. A user policy that does not compile or evaluate
// gives SOCC2020 diagnostics; the built-in policies still run.
func Evaluate(ctx context.Context, p *ir.Program, docs []*load.Document, user map[string][]byte) diag.Diagnostics {
	var ds diag.Diagnostics
	base, err := builtins()
	if err != nil {
		// The embedded policies are part of socc: this is a bug.
		ds.Errorf(nil, diag.PolicyError, "built-in policies do not parse: %v", err)
		return ds
	}
	mods := maps.Clone(base)
	names := slices.Sorted(maps.Keys(user))
	for _, name := range names {
		if _, dup := mods[name]; dup {
			continue
		}
		m, err := ast.ParseModuleWithOpts(name, string(user[name]), parserOptions())
		if err != nil {
			ds.Append(astErrors(err, name)...)
			continue
		}
		if m == nil { // an empty file
			continue
		}
		mods[name] = m
	}

	c := compile(mods)
	if c.Failed() {
		ds.Append(astErrors(c.Errors, "")...)
		c = compile(base) // the built-in policies still apply
		if c.Failed() {
			ds.Append(astErrors(c.Errors, "")...)
			return ds
		}
	}
	pq, err := rego.New(
		rego.Query(Root),
		rego.Compiler(c),
		rego.Capabilities(Capabilities()),
	).PrepareForEval(ctx)
	if err != nil {
		ds.Append(evalErrors(err)...)
		return ds
	}
	rs, err := pq.Eval(ctx, rego.EvalInput(Input(p)))
	if err != nil {
		ds.Append(evalErrors(err)...)
		return ds
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return ds
	}
	r := newResolver(p, docs)
	for _, rule := range ruleSets(c) {
		v, ok := lookup(rs[0].Expressions[0].Value, rule.pkg, rule.name)
		if !ok {
			continue
		}
		set, ok := v.([]any)
		if !ok {
			ds.Errorf(locRange(rule.loc), diag.PolicyError, "policy %s: %s must be a set of violations, not %s", rule.pkgName(), rule.name, typeName(v)).
				WithHint("write 'deny contains v if {...}' with v = {\"id\": ..., \"msg\": ...}")
			continue
		}
		for _, x := range set {
			ds.Append(r.violation(rule, x))
		}
	}
	ds.Sort()
	return ds
}

// compile compiles mods with the policy capabilities.
func compile(mods map[string]*ast.Module) *ast.Compiler {
	c := ast.NewCompiler().WithCapabilities(Capabilities())
	c.Compile(mods)
	return c
}

// ruleSet is a deny or warn rule of one policy package.
type ruleSet struct {
	pkg  []string // path below socc.policy
	name string   // deny or warn
	loc  *ast.Location
	user bool // defined in a repository's own policy
}

func (r ruleSet) pkgName() string { return strings.Join(r.pkg, ".") }

// ruleSets returns the deny and warn rules of the compiled policies, sorted
// by package and name, with the location of the first definition.
func ruleSets(c *ast.Compiler) []ruleSet {
	root := ast.MustParseRef(Root)
	found := map[string]*ruleSet{}
	for _, name := range slices.Sorted(maps.Keys(c.Modules)) {
		m := c.Modules[name]
		if !m.Package.Path.HasPrefix(root) {
			continue
		}
		var pkg []string
		ok := true
		for _, t := range m.Package.Path[len(root):] {
			s, isStr := t.Value.(ast.String)
			if !isStr {
				ok = false
				break
			}
			pkg = append(pkg, string(s))
		}
		if !ok {
			continue
		}
		for _, rule := range m.Rules {
			ref := rule.Head.Ref()
			if len(ref) != 1 {
				continue
			}
			n := ref[0].Value.String()
			if n != "deny" && n != "warn" {
				continue
			}
			key := strings.Join(pkg, ".") + "\x00" + n
			if _, seen := found[key]; !seen {
				found[key] = &ruleSet{pkg: pkg, name: n, loc: rule.Location, user: !strings.HasPrefix(name, BuiltinPrefix)}
			}
		}
	}
	out := make([]ruleSet, 0, len(found))
	for _, k := range slices.Sorted(maps.Keys(found)) {
		out = append(out, *found[k])
	}
	return out
}

// lookup finds pkg.name in the value of data.socc.policy.
func lookup(v any, pkg []string, name string) (any, bool) {
	for _, k := range append(slices.Clone(pkg), name) {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// resolver positions violations.
type resolver struct {
	objs map[string]object
}

// object is a detection, runbook or criterion that violations name.
type object struct {
	kind string // "detection", "runbook", "criterion"
	file string
	line int
	doc  *load.Document // nil when the document is unknown
	node *yaml.Node     // the object's mapping
}

func newResolver(p *ir.Program, docs []*load.Document) *resolver {
	byPath := map[string]*load.Document{}
	for _, d := range docs {
		byPath[d.Path] = d
	}
	r := &resolver{objs: map[string]object{}}
	add := func(id, kind string, src ir.SourceRef, node func(*load.Document) *yaml.Node) {
		if _, dup := r.objs[id]; dup || id == "" {
			return // detections first, then runbooks, then criteria
		}
		o := object{kind: kind, file: src.File, line: src.Line, doc: byPath[src.File]}
		if o.doc != nil {
			o.node = node(o.doc)
		}
		r.objs[id] = o
	}
	root := func(d *load.Document) *yaml.Node { return d.Root }
	for _, d := range p.Detections {
		add(d.ID, "detection", d.Source, root)
	}
	for _, rb := range p.Runbooks {
		add(rb.ID, "runbook", rb.Source, root)
	}
	for _, c := range p.Criteria {
		add(c.ID, "criterion", c.Source, func(d *load.Document) *yaml.Node {
			if cs := load.Value(d.Root, "criteria"); cs != nil {
				for _, n := range cs.Content {
					if v := load.Value(n, "id"); v != nil && v.Value == c.ID {
						return n
					}
				}
			}
			return nil
		})
	}
	return r
}

// subject returns the position of field (a top-level key, or a dotted path
// such as "tests.1.expect" whose numeric segments index lists) of object id:
// the key of a top-level field, the value of a deeper one, the deepest part
// of the path that exists, else the object itself. It returns nil when no
// object has that ID.
func (r *resolver) subject(id, field string) *diag.Range {
	o, ok := r.objs[id]
	if !ok {
		return nil
	}
	if o.doc != nil && o.node != nil && field != "" {
		var p []any
		for _, s := range strings.Split(field, ".") {
			if i, err := strconv.Atoi(s); err == nil {
				p = append(p, i)
			} else {
				p = append(p, s)
			}
		}
		for k := len(p); k >= 1; k-- {
			if k == 1 {
				if s, ok := p[0].(string); ok {
					if key := load.Key(o.node, s); key != nil {
						return o.doc.Range(key)
					}
				}
				break
			}
			if n := load.Lookup(o.node, p[:k]...); n != nil {
				return o.doc.Range(n)
			}
		}
	}
	if o.node != nil {
		return diag.At(o.file, o.node.Line, o.node.Column)
	}
	if o.line > 0 {
		return diag.At(o.file, o.line, 1)
	}
	return diag.At(o.file, 0, 0)
}

// violation turns one element of a deny or warn set into a diagnostic.
func (r *resolver) violation(rule ruleSet, x any) *diag.Diagnostic {
	d := &diag.Diagnostic{Severity: diag.Error, Code: diag.PolicyViolation}
	if rule.name == "warn" {
		d.Severity = diag.Warning
	}
	name := rule.pkgName()
	if name == "" {
		name = "socc.policy"
	}
	if rule.user && rule.loc != nil {
		d.Related = append(d.Related, diag.Related{Message: "policy " + name + " is defined here", Subject: locRange(rule.loc)})
	}
	var msg, id, field string
	switch v := x.(type) {
	case string:
		msg = v
	case map[string]any:
		msg, _ = v["msg"].(string)
		id, _ = v["id"].(string)
		field, _ = v["field"].(string)
		d.Hint, _ = v["hint"].(string)
		if msg == "" {
			b, _ := json.Marshal(v)
			msg = string(b)
		}
	default:
		b, _ := json.Marshal(v)
		msg = string(b)
	}
	d.Summary = fmt.Sprintf("policy %s: %s", name, msg)
	if id != "" {
		d.Subject = r.subject(id, field)
		if d.Subject == nil {
			d.Detail = fmt.Sprintf("the violation names %q, which is no detection, runbook or escalation criterion", id)
		}
	}
	return d
}

// astErrors maps OPA's parse and compile errors 1:1 to diagnostics. file is
// the file of errors without a location.
func astErrors(err error, file string) diag.Diagnostics {
	var ds diag.Diagnostics
	var errs ast.Errors
	var one *ast.Error
	if !errors.As(err, &errs) {
		if errors.As(err, &one) {
			errs = ast.Errors{one}
		} else {
			ds.Errorf(diag.At(file, 1, 1), diag.PolicyError, "policy: %v", err)
			return ds
		}
	}
	for _, e := range errs {
		sub := locRange(e.Location)
		switch {
		case sub != nil && sub.Start.Line == 0 && sub.Filename != "":
			sub = diag.At(sub.Filename, 1, 1)
		case sub == nil && file != "":
			sub = diag.At(file, 1, 1)
		}
		d := ds.Errorf(sub, diag.PolicyError, "policy: %s", e.Message).WithDetail("%s", e.Code)
		switch {
		case e.Message == "empty module":
			d.WithHint("a policy file starts with 'package socc.policy.<name>'; see docs/policies.md")
		case strings.Contains(e.Message, "undefined function"):
			d.WithHint("policies run offline and deterministically: network, time and random functions (http.send, net.lookup_ip_addr, time.now_ns, ...) are not available")
		}
	}
	return ds
}

// evalErrors maps evaluation errors to diagnostics.
func evalErrors(err error) diag.Diagnostics {
	var ds diag.Diagnostics
	var errs ast.Errors
	if errors.As(err, &errs) {
		return astErrors(errs, "")
	}
	var e *topdown.Error
	if errors.As(err, &e) {
		ds.Errorf(locRange(e.Location), diag.PolicyError, "policy: %s", e.Message).WithDetail("%s", e.Code)
		return ds
	}
	ds.Errorf(nil, diag.PolicyError, "policy evaluation failed: %v", err)
	return ds
}

// locRange returns the position of an OPA location.
func locRange(l *ast.Location) *diag.Range {
	if l == nil {
		return nil
	}
	return diag.At(l.File, l.Row, l.Col)
}

func typeName(v any) string {
	switch v.(type) {
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case json.Number, float64, int:
		return "a number"
	case map[string]any:
		return "an object"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// Input returns the input document of the policies; docs/policies.md
// documents it. Objects are keyed by ID; optional strings are absent when
// unset, lists are always present.
func Input(p *ir.Program) map[string]any {
	dets := map[string]any{}
	for _, d := range p.Detections {
		o := map[string]any{
			"id":     d.ID,
			"title":  d.Title,
			"status": d.Status,
			"file":   d.Source.File,
			"line":   d.Source.Line,
			"logsource": map[string]any{
				"product": d.Logsource.Product,
				"service": d.Logsource.Service,
			},
			"attack":     strs(d.Attack),
			"controls":   strs(d.Controls),
			"threshold":  d.Threshold != nil,
			"exceptions": exceptions(d.Exceptions),
			"tests":      tests(d.Tests),
		}
		if d.Severity.Level >= 1 && d.Severity.Level <= ir.MaxLevel {
			o["level"] = d.Severity.Level.String()
		}
		opt(o, "impact", d.Severity.Impact)
		opt(o, "urgency", d.Severity.Urgency)
		opt(o, "runbook", d.Runbook)
		opt(o, "owner", d.Owner)
		dets[d.ID] = o
	}
	rbs := map[string]any{}
	for _, rb := range p.Runbooks {
		o := map[string]any{
			"id":       rb.ID,
			"file":     rb.Source.File,
			"line":     rb.Source.Line,
			"triggers": strs(rb.Triggers),
		}
		opt(o, "title", rb.Title)
		rbs[rb.ID] = o
	}
	crits := map[string]any{}
	for _, c := range p.Criteria {
		title := map[string]any{}
		for k, v := range c.Title {
			title[k] = v
		}
		crits[c.ID] = map[string]any{
			"id":    c.ID,
			"file":  c.Source.File,
			"line":  c.Source.Line,
			"raise": c.Raise,
			"title": title,
		}
	}
	return map[string]any{"detections": dets, "runbooks": rbs, "criteria": crits}
}

func opt(o map[string]any, k, v string) {
	if v != "" {
		o[k] = v
	}
}

func strs(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func exceptions(es []*ir.Exception) []any {
	out := make([]any, 0, len(es))
	for _, e := range es {
		o := map[string]any{"name": e.Name}
		opt(o, "owner", e.Owner)
		if !e.Expires.IsZero() {
			o["expires"] = e.Expires.Format(time.DateOnly)
		}
		out = append(out, o)
	}
	return out
}

func tests(ts []*ir.Test) []any {
	out := make([]any, 0, len(ts))
	for _, t := range ts {
		o := map[string]any{"name": t.Name, "line": t.Source.Line, "matches": t.Expect.Matches}
		if t.Expect.Level != nil {
			o["level"] = t.Expect.Level.String()
		}
		out = append(out, o)
	}
	return out
}
