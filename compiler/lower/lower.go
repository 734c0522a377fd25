package lower

import (
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/socc-dev/socc/compiler/diag"
	"github.com/socc-dev/socc/compiler/ir"
	"github.com/socc-dev/socc/compiler/load"
)

type lowerer struct {
	ds    diag.Diagnostics
	lists map[string]*list // kind: list documents by id
}

// Lower lowers the documents of a content repository into a program. Each
// IR object records the file and line it came from.
func Lower(docs []*load.Document) (*ir.Program, diag.Diagnostics) {
	l := &lowerer{lists: map[string]*list{}}
	p := &ir.Program{}
	var dets []*load.Document
	for _, d := range docs {
		if d.Kind == "list" {
			l.list(d)
		}
	}
	for _, d := range docs {
		switch d.Kind {
		case "severity-matrix":
			if p.Matrix != nil {
				l.ds.Errorf(d.Range(d.Root), diag.DuplicateID, "a second severity matrix").
					WithHint("keep one kind: severity-matrix file per repository")
				continue
			}
			p.Matrix = l.matrix(d)
		case "escalation-criteria":
			p.Criteria = append(p.Criteria, l.criteria(d)...)
		case "runbook":
			p.Runbooks = append(p.Runbooks, l.runbook(d))
		case "detection":
			dets = append(dets, d)
		case "field-mapping":
			p.FieldMaps = append(p.FieldMaps, l.fieldMap(d))
		}
	}
	for _, d := range dets {
		if det := l.detection(d, p.Matrix); det != nil {
			p.Detections = append(p.Detections, det)
		}
	}
	slices.SortStableFunc(p.Detections, func(a, b *ir.Detection) int { return strings.Compare(a.ID, b.ID) })
	slices.SortStableFunc(p.Criteria, func(a, b *ir.Criterion) int { return strings.Compare(a.ID, b.ID) })
	slices.SortStableFunc(p.FieldMaps, func(a, b *ir.FieldMap) int {
		return strings.Compare(a.Target+"/"+a.Logsource, b.Target+"/"+b.Logsource)
	})
	slices.SortStableFunc(p.Runbooks, func(a, b *ir.Runbook) int { return strings.Compare(a.ID, b.ID) })
	return p, l.ds
}

// seq returns the items of a sequence node (none for nil or another kind).
func seq(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

func str(n *yaml.Node, key string) string {
	if v := load.Value(n, key); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

func strs(n *yaml.Node, key string) []string {
	v := load.Value(n, key)
	if v == nil {
		return nil
	}
	var out []string
	for _, c := range v.Content {
		out = append(out, c.Value)
	}
	return out
}

func texts(n *yaml.Node, key string) map[string]string {
	v := load.Value(n, key)
	if v == nil {
		return nil
	}
	m := map[string]string{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		m[v.Content[i].Value] = v.Content[i+1].Value
	}
	return m
}

func (l *lowerer) detection(doc *load.Document, m *ir.Matrix) *ir.Detection {
	n := doc.Root
	d := &ir.Detection{
		ID:             str(n, "id"),
		Title:          str(n, "title"),
		Description:    strings.TrimSpace(str(n, "description")),
		Status:         str(n, "status"),
		Version:        1,
		Owner:          str(n, "owner"),
		Source:         ir.SourceRef{File: doc.Path, Line: n.Line},
		Attack:         strs(n, "attack"),
		Controls:       strs(n, "controls"),
		Runbook:        str(n, "runbook"),
		FalsePositives: strs(n, "falsepositives"),
	}
	if v := load.Value(n, "version"); v != nil {
		_ = v.Decode(&d.Version)
	}
	if ls := load.Value(n, "logsource"); ls != nil {
		d.Logsource = ir.Logsource{Product: str(ls, "product"), Service: str(ls, "service")}
	}
	d.Severity = l.severity(doc, load.Value(n, "severity"), m)
	d.Match = l.lowerMatch(doc, load.Value(n, "match"))
	if t := load.Value(n, "threshold"); t != nil {
		d.Threshold = l.threshold(doc, t)
	}
	if ex := load.Value(n, "exceptions"); ex != nil {
		for _, e := range ex.Content {
			d.Exceptions = append(d.Exceptions, l.exception(doc, e))
		}
	}
	if ts := load.Value(n, "tests"); ts != nil {
		for i, t := range ts.Content {
			d.Tests = append(d.Tests, l.test(doc, t, i))
		}
	}
	return d
}

func (l *lowerer) severity(doc *load.Document, n *yaml.Node, m *ir.Matrix) ir.Severity {
	s := ir.Severity{Impact: str(n, "impact"), Urgency: str(n, "urgency")}
	if lv, ok := ir.ParseLevel(str(n, "level")); ok {
		s.Level = lv
		return s
	}
	if s.Impact == "" || s.Urgency == "" {
		return s
	}
	if m == nil {
		l.ds.Errorf(doc.Range(n), diag.MissingMatrix, "severity uses impact and urgency, but the repository has no severity matrix").
			WithHint("add mappings/severity.yaml with 'kind: severity-matrix' (socc init writes one), or give an explicit 'level:'")
		return s
	}
	s.Level = m.Cells[s.Impact][s.Urgency]
	return s
}

func (l *lowerer) threshold(doc *load.Document, n *yaml.Node) *ir.Threshold {
	t := &ir.Threshold{}
	_ = load.Value(n, "count").Decode(&t.Count)
	w := load.Value(n, "window")
	dur, err := time.ParseDuration(w.Value)
	if err != nil || dur <= 0 || dur > 24*time.Hour {
		l.ds.Errorf(doc.Range(w), diag.InvalidThreshold, "threshold window %q must be between 1s and 24h", w.Value).
			WithHint("write a window like 30s, 5m or 1h")
	}
	t.Window = dur
	if dv := load.Value(n, "distinct"); dv != nil {
		p, ok := ir.ParsePath(dv.Value)
		if !ok {
			l.ds.Errorf(doc.Range(dv), diag.InvalidField, "malformed field path %q", dv.Value)
		}
		t.Distinct = &p
	}
	if by := load.Value(n, "by"); by != nil {
		for _, b := range by.Content {
			p, ok := ir.ParsePath(b.Value)
			if !ok {
				l.ds.Errorf(doc.Range(b), diag.InvalidField, "malformed field path %q", b.Value)
			}
			t.By = append(t.By, p)
		}
	}
	return t
}

func (l *lowerer) exception(doc *load.Document, n *yaml.Node) *ir.Exception {
	e := &ir.Exception{Name: str(n, "name"), Reason: str(n, "reason"), Owner: str(n, "owner")}
	if v := load.Value(n, "expires"); v != nil {
		t, err := time.Parse(time.DateOnly, v.Value)
		if err != nil {
			l.ds.Errorf(doc.Range(v), diag.InvalidDate, "invalid expiry date %q", v.Value).WithHint("write the date as YYYY-MM-DD")
		}
		e.Expires = t
	}
	if m := load.Value(n, "match"); isFields(m) {
		e.Cond = l.lowerFields(doc, m)
	} else {
		e.Cond = l.lowerMatch(doc, m)
	}
	if e.Cond == nil {
		e.Cond = &ir.Or{}
	}
	return e
}

func (l *lowerer) test(doc *load.Document, n *yaml.Node, i int) *ir.Test {
	t := &ir.Test{Name: str(n, "name"), Source: ir.SourceRef{File: doc.Path, Line: n.Line}}
	if t.Name == "" {
		t.Name = "unnamed#" + strconv.Itoa(i+1)
	}
	dir := path.Dir(doc.Path)
	for _, ev := range load.Value(n, "events").Content {
		p := ev.Value
		if !path.IsAbs(p) && !strings.HasPrefix(p, "/") {
			p = path.Join(dir, p)
		}
		if path.IsAbs(p) || p == ".." || strings.HasPrefix(p, "../") {
			l.ds.Errorf(doc.Range(ev), diag.FixtureOutside, "fixture %q is outside the content repository", ev.Value).
				WithHint("copy the recorded events into testdata/ and name them relative to this file")
			continue
		}
		t.Events = append(t.Events, p)
	}
	ex := load.Value(n, "expect")
	_ = load.Value(ex, "matches").Decode(&t.Expect.Matches)
	if lv, ok := ir.ParseLevel(str(ex, "level")); ok {
		t.Expect.Level = &lv
	}
	if load.Value(ex, "escalations") != nil {
		e := strs(ex, "escalations")
		if e == nil {
			e = []string{}
		}
		slices.Sort(e)
		t.Expect.Escalations = &e
	}
	if rb := load.Value(ex, "runbook"); rb != nil {
		s := rb.Value
		t.Expect.Runbook = &s
	}
	return t
}

func (l *lowerer) matrix(doc *load.Document) *ir.Matrix {
	m := &ir.Matrix{Cells: map[string]map[string]ir.Level{}, Levels: map[string]*ir.LevelInfo{}}
	mx := load.Value(doc.Root, "matrix")
	for i := 0; i+1 < len(mx.Content); i += 2 {
		row := map[string]ir.Level{}
		r := mx.Content[i+1]
		for j := 0; j+1 < len(r.Content); j += 2 {
			lv, _ := ir.ParseLevel(r.Content[j+1].Value)
			row[r.Content[j].Value] = lv
		}
		m.Cells[mx.Content[i].Value] = row
	}
	lv := load.Value(doc.Root, "levels")
	for i := 0; i+1 < len(lv.Content); i += 2 {
		v := lv.Content[i+1]
		m.Levels[lv.Content[i].Value] = &ir.LevelInfo{Name: texts(v, "name"), SLA: texts(v, "sla"), Route: texts(v, "route")}
	}
	return m
}

func (l *lowerer) criteria(doc *load.Document) []*ir.Criterion {
	var out []*ir.Criterion
	for _, n := range load.Value(doc.Root, "criteria").Content {
		c := &ir.Criterion{ID: str(n, "id"), Title: texts(n, "title"), Source: ir.SourceRef{File: doc.Path, Line: n.Line}}
		_ = load.Value(n, "raise").Decode(&c.Raise)
		if m := load.Value(n, "match"); m != nil {
			c.Cond = l.lowerMatch(doc, m)
		}
		if d := load.Value(n, "distinct"); d != nil {
			f := load.Value(d, "field")
			p, ok := ir.ParsePath(f.Value)
			if !ok {
				l.ds.Errorf(doc.Range(f), diag.InvalidField, "malformed field path %q", f.Value)
			}
			c.Distinct = &ir.DistinctRule{Field: p}
			_ = load.Value(d, "min").Decode(&c.Distinct.Min)
		}
		if sc := load.Value(n, "scope"); sc != nil {
			c.Scope = &ir.Scope{Detections: strs(sc, "detections"), Logsources: strs(sc, "logsources")}
			for _, pn := range seq(load.Value(sc, "detections")) {
				if _, err := path.Match(pn.Value, ""); err != nil {
					l.ds.Errorf(doc.Range(pn), diag.InvalidValue, "malformed detection pattern %q", pn.Value).
						WithHint("use a detection ID, or a pattern with * and ? such as aws-iam-*")
				}
			}
		}
		out = append(out, c)
	}
	return out
}

func (l *lowerer) fieldMap(doc *load.Document) *ir.FieldMap {
	n := doc.Root
	m := &ir.FieldMap{Target: str(n, "target"), Logsource: str(n, "logsource"), Options: texts(n, "options"),
		Fields: texts(n, "fields"), Approximate: texts(n, "approximate"), Unsupported: strings.TrimSpace(str(n, "unsupported")),
		Source: ir.SourceRef{File: doc.Path, Line: n.Line}}
	if len(m.Fields) == 0 && m.Unsupported == "" {
		l.ds.Errorf(doc.Range(n), diag.MissingField, "the field mapping for target %s and log source %s names no fields", m.Target, m.Logsource).
			WithHint("add fields:, or unsupported: with the reason the target cannot hold %s records", m.Logsource)
	}
	if c := load.Value(n, "constants"); c != nil {
		m.Constants = map[string]ir.Value{}
		for i := 0; i+1 < len(c.Content); i += 2 {
			k := c.Content[i]
			if _, ok := ir.ParsePath(k.Value); !ok {
				l.ds.Errorf(doc.Range(k), diag.InvalidField, "malformed field path %q", k.Value)
				continue
			}
			m.Constants[k.Value] = scalar(c.Content[i+1])
		}
	}
	return m
}

// list is a kind: list document: its values are lowered where a detection
// names it, so that diagnostics point at the list's lines.
type list struct {
	doc    *load.Document
	values []*yaml.Node
}

func (l *lowerer) list(doc *load.Document) {
	id := str(doc.Root, "id")
	if prev, ok := l.lists[id]; ok {
		d := l.ds.Errorf(doc.Range(load.Value(doc.Root, "id")), diag.DuplicateID, "list %q is defined twice", id)
		d.Related = append(d.Related, diag.Related{Message: "first defined here", Subject: prev.doc.Range(load.Value(prev.doc.Root, "id"))})
		return
	}
	var vals []*yaml.Node
	if v := load.Value(doc.Root, "values"); v != nil && v.Kind == yaml.SequenceNode {
		vals = v.Content
	}
	l.lists[id] = &list{doc: doc, values: vals}
}

func (l *lowerer) runbook(doc *load.Document) *ir.Runbook {
	n := doc.Root
	return &ir.Runbook{ID: str(n, "id"), Title: str(n, "title"), Triggers: strs(n, "triggers"),
		Source: ir.SourceRef{File: doc.Path, Line: n.Line}}
}

// isFields reports whether a match node is a bare selection (field: scalar
// or list of scalars) rather than named selections plus a condition.
func isFields(n *yaml.Node) bool {
	if n == nil || n.Kind != yaml.MappingNode {
		return false
	}
	for i := 1; i < len(n.Content); i += 2 {
		v := n.Content[i]
		if v.Kind == yaml.MappingNode || (v.Kind == yaml.SequenceNode && len(v.Content) > 0 && v.Content[0].Kind == yaml.MappingNode) {
			return false
		}
	}
	return true
}
