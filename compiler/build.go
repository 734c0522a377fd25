package compiler

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/socc-dev/socc/compiler/diag"
	"github.com/socc-dev/socc/compiler/emit"
	"github.com/socc-dev/socc/compiler/verify"
)

// Manifest is dist/manifest.json: what a build wrote and how exactly each
// target renders each detection. Other tools read it.
type Manifest struct {
	SoccVersion string                            `json:"socc_version"`
	Targets     []string                          `json:"targets"`
	Files       []ManifestFile                    `json:"files"`
	Detections  map[string]map[string]emit.Status `json:"detections"`
}

// ManifestFile is one artifact and its SHA-256.
type ManifestFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Size   int    `json:"size"`
}

// Emit runs the named targets over the program of res into a sink and adds
// manifest.json. It never writes to disk.
func Emit(ctx context.Context, res *Result, targets []string, version string) (*emit.Sink, *Manifest, diag.Diagnostics, error) {
	sink := emit.NewSink()
	var ds diag.Diagnostics
	targets = slices.Clone(targets)
	slices.Sort(targets)
	for _, t := range targets {
		e, ok := emit.Lookup(t)
		if !ok {
			return nil, nil, nil, fmt.Errorf("unknown target %q (targets: %v)", t, emit.Names())
		}
		ds.Append(e.Emit(ctx, res.Program, sink)...)
	}
	if slices.Contains(targets, "eventbridge") {
		ds.Append(verify.EventBridge(res.Program, res.Fixtures, sink)...)
	}
	ds.Sort()
	m := &Manifest{SoccVersion: version, Targets: targets, Files: []ManifestFile{}, Detections: sink.Statuses()}
	for _, p := range sink.Paths() {
		b := sink.File(p)
		sum := sha256.Sum256(b)
		m.Files = append(m.Files, ManifestFile{Path: p, SHA256: hex.EncodeToString(sum[:]), Size: len(b)})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, nil, nil, err
	}
	sink.Put("manifest.json", buf.Bytes())
	return sink, m, ds, nil
}

// Write writes every artifact of sink to dir atomically: into a fresh
// directory beside dir, which then replaces dir. On failure dir is left as
// it was.
func Write(sink *emit.Sink, dir string) (err error) {
	dir = filepath.Clean(dir)
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	for _, p := range sink.Paths() {
		full := filepath.Join(tmp, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, sink.File(p), 0o644); err != nil {
			return err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	old := ""
	if _, statErr := os.Stat(dir); statErr == nil {
		old = tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			_ = os.Rename(old, dir)
		}
		return err
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}
