package load

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/socc-dev/socc/compiler/diag"
)

// MaxFileSize is the largest content file socc reads. Larger files are
// rejected without being read whole, so memory stays bounded.
const MaxFileSize = 4 << 20

// maxNodes bounds the number of YAML nodes in one file.
const maxNodes = 200_000

// Document is one parsed content file.
type Document struct {
	Path string     // slash-separated, relative to the content root
	Src  []byte     // the file's bytes, for snippets
	Root *yaml.Node // the top-level mapping node
	Kind string     // the value of `kind:`
}

// Range returns the source range of node n in d.
func (d *Document) Range(n *yaml.Node) *diag.Range {
	if n == nil {
		return diag.At(d.Path, 1, 1)
	}
	r := diag.At(d.Path, n.Line, n.Column)
	if n.Kind == yaml.ScalarNode && n.Style == 0 && !bytes.ContainsAny([]byte(n.Value), "\n") {
		r.End.Column = n.Column + utf8.RuneCountInString(n.Value)
	}
	return r
}

// Lookup returns the node at path below n: strings select mapping keys,
// ints select sequence items. It returns nil when the path does not exist.
func Lookup(n *yaml.Node, path ...any) *yaml.Node {
	for _, p := range path {
		if n == nil {
			return nil
		}
		switch p := p.(type) {
		case string:
			n = Value(n, p)
		case int:
			if n.Kind != yaml.SequenceNode || p < 0 || p >= len(n.Content) {
				return nil
			}
			n = n.Content[p]
		}
	}
	return n
}

// Key returns the key node of key in mapping n, or nil.
func Key(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i]
		}
	}
	return nil
}

// Value returns the value node of key in mapping n, or nil.
func Value(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// Parse parses one content file. It returns nil and diagnostics when the file
// is not a single, well-formed YAML mapping.
func Parse(path string, r io.Reader) (*Document, diag.Diagnostics) {
	var ds diag.Diagnostics
	src, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		ds.Errorf(diag.At(path, 0, 0), diag.ReadFailed, "cannot read file: %v", err)
		return nil, ds
	}
	if len(src) > MaxFileSize {
		ds.Errorf(diag.At(path, 1, 1), diag.FileTooLarge, "file is larger than %d MiB", MaxFileSize>>20).
			WithHint("split the content into several files; a detection is rarely more than a few kilobytes")
		return nil, ds
	}
	if i := bytes.IndexByte(src, 0); i >= 0 || !utf8.Valid(src) {
		line, col := lineCol(src, max(i, firstInvalid(src)))
		ds.Errorf(diag.At(path, line, col), diag.NotText, "file is not UTF-8 text").
			WithHint("content files must be UTF-8 YAML; is this a binary file in the wrong place?")
		return nil, ds
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			ds.Errorf(diag.At(path, 1, 1), diag.EmptyFile, "empty content file").
				WithHint("add a document starting with 'kind:', or delete the file")
			return nil, ds
		}
		ds.Append(yamlError(path, err))
		return nil, ds
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		ds.Errorf(diag.At(path, extra.Line, extra.Column), diag.MultiDocument, "more than one YAML document in a file").
			WithHint("put each detection, runbook or mapping in a file of its own")
		return nil, ds
	} else if !errors.Is(err, io.EOF) {
		ds.Append(yamlError(path, err))
		return nil, ds
	}
	doc := &Document{Path: path, Src: src}
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		doc.Root = root.Content[0]
	}
	if doc.Root == nil || (doc.Root.Kind == yaml.ScalarNode && doc.Root.Tag == "!!null") {
		ds.Errorf(diag.At(path, 1, 1), diag.EmptyFile, "empty content file").
			WithHint("add a document starting with 'kind:', or delete the file")
		return nil, ds
	}
	if doc.Root.Kind != yaml.MappingNode {
		ds.Errorf(doc.Range(doc.Root), diag.WrongType, "a content file must be a YAML mapping, not a %s", kindName(doc.Root)).
			WithHint("start the file with 'kind: detection' (or runbook, severity-matrix, escalation-criteria)")
		return nil, ds
	}
	n := 0
	checkNodes(doc, doc.Root, &n, &ds)
	if ds.HasErrors() {
		return nil, ds
	}
	if k := Value(doc.Root, "kind"); k != nil && k.Kind == yaml.ScalarNode {
		doc.Kind = k.Value
	}
	return doc, ds
}

// checkNodes rejects aliases, merge keys and duplicate keys, and bounds the
// node count.
func checkNodes(doc *Document, n *yaml.Node, count *int, ds *diag.Diagnostics) {
	*count++
	if *count > maxNodes {
		if *count == maxNodes+1 {
			ds.Errorf(doc.Range(n), diag.FileTooLarge, "file has more than %d YAML nodes", maxNodes)
		}
		return
	}
	if n.Anchor != "" || n.Kind == yaml.AliasNode {
		ds.Errorf(doc.Range(n), diag.AliasNotAllowed, "YAML anchors and aliases are not allowed in content").
			WithHint("write the value out in full; socc content must read the same to people and tools")
		return
	}
	if n.Kind == yaml.MappingNode {
		seen := map[string]*yaml.Node{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				ds.Errorf(doc.Range(k), diag.WrongType, "mapping keys must be plain strings")
				continue
			}
			if k.Tag == "!!merge" {
				ds.Errorf(doc.Range(k), diag.AliasNotAllowed, "YAML merge keys (<<) are not allowed in content").
					WithHint("write the merged keys out in full")
				continue
			}
			if first, ok := seen[k.Value]; ok {
				d := ds.Errorf(doc.Range(k), diag.DuplicateKey, "duplicate key %q", k.Value).
					WithHint("remove one of the two; YAML would silently keep only the last")
				d.Related = append(d.Related, diag.Related{Message: "first defined here", Subject: doc.Range(first)})
				continue
			}
			seen[k.Value] = k
		}
	}
	for _, c := range n.Content {
		checkNodes(doc, c, count, ds)
	}
}

var yamlLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

func yamlError(path string, err error) *diag.Diagnostic {
	msg := err.Error()
	line := 1
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		if m[1] != "" {
			line, _ = strconv.Atoi(m[1])
		}
		msg = m[2]
		// yaml.v3 reports the 0-based line of the construct for parser
		// errors that carry a context (unclosed flow collections and the
		// like), and 1-based lines otherwise.
		if strings.HasPrefix(msg, "did not find expected") {
			line++
		}
	}
	return &diag.Diagnostic{Severity: diag.Error, Code: diag.InvalidYAML, Summary: "invalid YAML: " + msg,
		Subject: diag.At(path, line, 1), Hint: "check indentation and quoting on this line and the one before it"}
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "scalar"
	}
	return "node"
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

func lineCol(b []byte, off int) (int, int) {
	if off < 0 || off > len(b) {
		return 1, 1
	}
	line := 1 + bytes.Count(b[:off], []byte{'\n'})
	start := bytes.LastIndexByte(b[:off], '\n') + 1
	return line, 1 + utf8.RuneCount(b[start:off])
}
