// Package compiler is the socc driver: it runs the passes over a content
// repository in order (load, validate, lower, check, policy, fixtures) and
// hands the checked program to the fixture tests and the emitters. Only the
// driver knows the order of the passes; each pass is a package of its own.
package compiler

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/socc-dev/socc/compiler/check"
	"github.com/socc-dev/socc/compiler/diag"
	"github.com/socc-dev/socc/compiler/event"
	"github.com/socc-dev/socc/compiler/fixture"
	"github.com/socc-dev/socc/compiler/ir"
	"github.com/socc-dev/socc/compiler/load"
	"github.com/socc-dev/socc/compiler/lower"
	"github.com/socc-dev/socc/compiler/policy"
	"github.com/socc-dev/socc/compiler/validate"
)

// Option configures a compilation.
type Option func(*config)

type config struct {
	now      time.Time
	policies bool
}

// WithNow sets the time against which exception expiry is checked.
func WithNow(t time.Time) Option { return func(c *config) { c.now = t } }

// WithoutPolicies skips the Rego content policies.
func WithoutPolicies() Option { return func(c *config) { c.policies = false } }

// Result is a loaded and checked content repository.
type Result struct {
	Dir      string                    // the content root as given
	Docs     []*load.Document          // every content document, sorted by path
	Program  *ir.Program               // the lowered program
	Fixtures map[string][]*event.Event // events of every fixture the tests name, by path
	Sources  load.Sources              // bytes of every content file read, parsed or not
}

// Source returns the bytes of a content file, for diagnostic snippets.
func (r *Result) Source(file string) []byte {
	if r == nil {
		return nil
	}
	return r.Sources[file]
}

// Load loads, validates, lowers and checks the content repository at dir
// (or the single content file dir names) and reads the fixtures its tests
// name. It returns an error only for failures of the environment (dir does
// not exist or cannot be read); problems in the content are diagnostics.
func Load(ctx context.Context, dir string, opts ...Option) (*Result, diag.Diagnostics, error) {
	cfg := config{now: time.Now(), policies: true}
	for _, o := range opts {
		o(&cfg)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, nil, err
	}
	rootDir, only := dir, ""
	if !fi.IsDir() {
		rootDir, only = filepath.Dir(dir), filepath.Base(dir)
	}
	root, err := os.OpenRoot(rootDir)
	if err != nil {
		return nil, nil, err
	}
	defer root.Close()

	res := &Result{Dir: dir, Fixtures: map[string][]*event.Event{}, Sources: load.Sources{}}
	var ds diag.Diagnostics
	var docs []*load.Document
	if only != "" {
		doc, fds := load.ParseFile(root, only, res.Sources)
		ds.Append(fds...)
		if doc != nil {
			docs = append(docs, doc)
		}
	} else {
		var lds diag.Diagnostics
		docs, lds = load.Repo(root, res.Sources)
		ds.Append(lds...)
	}
	res.Docs = docs

	var valid, invalid []*load.Document
	for _, d := range docs {
		vds := validate.Document(d)
		ds.Append(vds...)
		if vds.HasErrors() {
			invalid = append(invalid, d)
		} else {
			valid = append(valid, d)
		}
	}
	prog, lds := lower.Lower(valid)
	ds.Append(lds...)
	res.Program = prog
	ds.Append(check.Program(valid, invalid, prog, cfg.now)...)
	ds.Append(readFixtures(root, res)...)
	if cfg.policies && only == "" {
		user, pds := userPolicies(root)
		ds.Append(pds...)
		ds.Append(policy.Evaluate(ctx, prog, valid, user)...)
	}
	ds.Sort()
	return res, ds, nil
}

// readFixtures reads every fixture that a test names, once.
func readFixtures(root *os.Root, res *Result) diag.Diagnostics {
	var ds diag.Diagnostics
	docs := map[string]*load.Document{}
	for _, d := range res.Docs {
		docs[d.Path] = d
	}
	for _, det := range res.Program.Detections {
		for ti, t := range det.Tests {
			for _, f := range t.Events {
				if _, done := res.Fixtures[f]; done {
					continue
				}
				evs, err := fixture.Open(root, f)
				res.Fixtures[f] = evs
				if err == nil {
					continue
				}
				at := eventNode(docs[det.Source.File], ti, f)
				var fe *fixture.FormatError
				switch {
				case errors.Is(err, fixture.ErrOutside):
					ds.Errorf(at, diag.FixtureOutside, "fixture %q is outside the content repository", f).
						WithHint("fixtures and the links to them must stay inside the content repository; copy the events into testdata/")
				case errors.Is(err, fs.ErrNotExist):
					ds.Errorf(at, diag.FixtureMissing, "fixture %q does not exist", f).
						WithHint("paths are relative to the detection file; check the name under %s", path.Dir(f))
				case errors.As(err, &fe):
					d := ds.Errorf(at, diag.FixtureInvalid, "fixture %q: %s", f, fe.Msg).
						WithHint("fixtures hold EventBridge envelopes, CloudTrail log files, NDJSON, JSON arrays or single records")
					if fe.Line > 0 {
						d.Related = append(d.Related, diag.Related{Message: "in the fixture", Subject: diag.At(f, fe.Line, 1)})
					}
				default:
					ds.Errorf(at, diag.FixtureInvalid, "fixture %q: %v", f, err)
				}
			}
		}
	}
	return ds
}

// eventNode finds the position of the events entry of test ti that names
// fixture f.
func eventNode(doc *load.Document, ti int, f string) *diag.Range {
	if doc == nil {
		return diag.At(f, 0, 0)
	}
	evs := load.Lookup(doc.Root, "tests", ti, "events")
	if evs != nil && evs.Kind == yaml.SequenceNode {
		for _, n := range evs.Content {
			if path.Join(path.Dir(doc.Path), n.Value) == f {
				return doc.Range(n)
			}
		}
	}
	return doc.Range(load.Lookup(doc.Root, "tests", ti))
}

// userPolicies reads the repository's own Rego policies from policies/.
func userPolicies(root *os.Root) (map[string][]byte, diag.Diagnostics) {
	var ds diag.Diagnostics
	out := map[string][]byte{}
	var names []string
	_ = fs.WalkDir(root.FS(), "policies", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".rego") {
			names = append(names, p)
		}
		return nil
	})
	slices.Sort(names)
	for _, p := range names {
		b, err := root.ReadFile(p)
		if err != nil {
			ds.Errorf(diag.At(p, 0, 0), diag.ReadFailed, "cannot read policy: %v", err)
			continue
		}
		out[p] = b
	}
	return out, ds
}
