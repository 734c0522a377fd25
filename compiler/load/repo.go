package load

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/socc-dev/socc/compiler/diag"
	"github.com/socc-dev/socc/schema"
)

// contentDirs are the top-level directories whose YAML files must all be
// content of a known kind. YAML elsewhere (another tool's manifests, CI
// configuration) is content only when its `kind:` is one of socc's.
var contentDirs = []string{"detections", "runbooks", "mappings"}

// skipDirs are never searched for content, at any depth.
var skipDirs = []string{"dist", "testdata", "node_modules", "vendor"}

// skipTopDirs are not searched at the top level: generated output, tools
// and documentation.
var skipTopDirs = []string{"tools", "docs", "bin"}

// Sources holds the bytes of every file read, parsed or not, for diagnostic
// snippets.
type Sources map[string][]byte

// Repo finds and parses every content file below root. Paths in the
// documents and diagnostics are slash-separated and relative to root.
// Files are read through root, so symlinks cannot lead outside it. The
// source of every file read is added to src.
func Repo(root *os.Root, src Sources) ([]*Document, diag.Diagnostics) {
	var ds diag.Diagnostics
	var files []string
	err := fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			ds.Errorf(diag.At(p, 0, 0), diag.ReadFailed, "cannot read: %v", err)
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if p != "." && (strings.HasPrefix(name, ".") || slices.Contains(skipDirs, name) ||
				(path.Dir(p) == "." && slices.Contains(skipTopDirs, name))) {
				return fs.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		ds.Errorf(diag.At(".", 0, 0), diag.ReadFailed, "cannot read content repository: %v", err)
	}
	slices.Sort(files)
	var docs []*Document
	for _, p := range files {
		doc, fds := ParseFile(root, p, src)
		ds.Append(fds...)
		if doc == nil {
			continue
		}
		top := strings.SplitN(p, "/", 2)[0]
		if !slices.Contains(contentDirs, top) && !slices.Contains(schema.Kinds(), doc.Kind) {
			continue // not socc content: another tool's YAML
		}
		if top == "mappings" && doc.Kind == "" {
			continue // a catalog, such as mappings/annex-a.yaml
		}
		docs = append(docs, doc)
	}
	return docs, ds
}

// ParseFile parses the content file at p below root and adds its bytes to
// src.
func ParseFile(root *os.Root, p string, src Sources) (*Document, diag.Diagnostics) {
	var ds diag.Diagnostics
	fi, err := root.Lstat(p)
	if err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		fi, err = root.Stat(p)
	}
	if err != nil {
		ds.Errorf(diag.At(p, 0, 0), diag.UnsafePath, "cannot read %s: %v", p, unwrapPathError(err)).
			WithHint("content files and the links to them must stay inside the content repository")
		return nil, ds
	}
	if !fi.Mode().IsRegular() {
		return nil, nil
	}
	if fi.Size() > MaxFileSize {
		ds.Errorf(diag.At(p, 1, 1), diag.FileTooLarge, "file is larger than %d MiB", MaxFileSize>>20).
			WithHint("split the content into several files; a detection is rarely more than a few kilobytes")
		return nil, ds
	}
	f, err := root.Open(p)
	if err != nil {
		ds.Errorf(diag.At(p, 0, 0), diag.ReadFailed, "cannot read %s: %v", p, unwrapPathError(err))
		return nil, ds
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		ds.Errorf(diag.At(p, 0, 0), diag.ReadFailed, "cannot read %s: %v", p, err)
		return nil, ds
	}
	src[p] = b
	return Parse(p, bytes.NewReader(b))
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}
