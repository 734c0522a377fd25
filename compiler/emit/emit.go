// Package emit defines the Emitter interface that every compilation target
// implements, the registry of targets, and the in-memory Sink that collects
// their artifacts and per-detection statuses before the driver writes them.
package emit

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/socc-dev/socc/compiler/diag"
	"github.com/socc-dev/socc/compiler/ir"
)

// Emitter turns a checked program into artifacts for one target.
type Emitter interface {
	Name() string // "ir", "eventbridge", "splunk", ...
	Emit(ctx context.Context, p *ir.Program, out *Sink) diag.Diagnostics
}

var (
	mu       sync.Mutex
	registry = map[string]Emitter{}
)

// Register adds e to the registry. It panics on nil or a duplicate name.
func Register(e Emitter) {
	mu.Lock()
	defer mu.Unlock()
	if e == nil {
		panic("emit: Register of nil emitter")
	}
	if _, dup := registry[e.Name()]; dup {
		panic("emit: Register called twice for " + e.Name())
	}
	registry[e.Name()] = e
}

// Lookup returns the emitter named name.
func Lookup(name string) (Emitter, bool) {
	mu.Lock()
	defer mu.Unlock()
	e, ok := registry[name]
	return e, ok
}

// Names returns the registered target names, sorted.
func Names() []string {
	mu.Lock()
	defer mu.Unlock()
	var names []string
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Status is how exactly one target renders one detection.
type Status struct {
	Status string `json:"status"` // "exact", "approximate" or "unsupported"
	Reason string `json:"reason,omitempty"`
	Path   string `json:"path,omitempty"` // the artifact, relative to the output directory
	// Residual is the part of the condition the artifact does not enforce
	// (the IR's JSON form), for approximate artifacts whose consumer
	// enforces it downstream.
	Residual any `json:"residual,omitempty"`
	// Verified says on how many fixture events an independent engine
	// proved the artifact, when one exists for the target.
	Verified *Verification `json:"verified,omitempty"`
}

// Verification is the proof of one artifact on the fixtures.
type Verification struct {
	Engine  string `json:"engine"`  // the engine that ran the artifact
	Events  int    `json:"events"`  // fixture events it ran on
	Matches int    `json:"matches"` // events the artifact matched
}

// The statuses.
const (
	Exact       = "exact"
	Approximate = "approximate"
	Unsupported = "unsupported"
)

// Sink collects artifacts (slash-separated path to bytes) and statuses.
type Sink struct {
	mu       sync.Mutex
	files    map[string][]byte
	statuses map[string]map[string]Status // detection -> target -> status
}

// NewSink returns an empty sink.
func NewSink() *Sink {
	return &Sink{files: map[string][]byte{}, statuses: map[string]map[string]Status{}}
}

// Put stores an artifact. Writing the same path twice is a bug and panics.
func (s *Sink) Put(path string, b []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.files[path]; dup {
		panic(fmt.Sprintf("emit: %s written twice", path))
	}
	s.files[path] = b
}

// SetStatus records how target renders detection id.
func (s *Sink) SetStatus(id, target string, st Status) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.statuses[id] == nil {
		s.statuses[id] = map[string]Status{}
	}
	s.statuses[id][target] = st
}

// Paths returns the artifact paths, sorted.
func (s *Sink) Paths() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var p []string
	for k := range s.files {
		p = append(p, k)
	}
	slices.Sort(p)
	return p
}

// File returns the artifact at path.
func (s *Sink) File(path string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.files[path]
}

// Statuses returns a copy of every status: detection -> target -> status.
func (s *Sink) Statuses() map[string]map[string]Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]map[string]Status, len(s.statuses))
	for id, m := range s.statuses {
		c := make(map[string]Status, len(m))
		for k, v := range m {
			c[k] = v
		}
		out[id] = c
	}
	return out
}
