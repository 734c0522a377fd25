// Package ir defines socc's lowered, target-neutral program: detections whose
// conditions are boolean expressions over JSON paths, thresholds, the
// severity matrix, escalation criteria and runbooks. Every pass after
// lowering and every emitter sees only this package's types.
package ir

import (
	"net/netip"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Program is a whole lowered content repository. Slices are sorted by ID.
type Program struct {
	Detections []*Detection `json:"detections"`
	Matrix     *Matrix      `json:"matrix,omitempty"`
	Criteria   []*Criterion `json:"criteria,omitempty"`
	Runbooks   []*Runbook   `json:"runbooks,omitempty"`
	FieldMaps  []*FieldMap  `json:"field_maps,omitempty"` // sorted by target, then logsource
}

// FieldMap names the record fields of one log source in one target.
type FieldMap struct {
	Target    string            `json:"target"`
	Logsource string            `json:"logsource"`
	Options   map[string]string `json:"options,omitempty"`
	// Fields maps a record field path, or a prefix written "a.b.*", to the
	// target's field, column or expression.
	Fields map[string]string `json:"fields"`
	// Constants are the fields that hold the same value in every record of
	// the target's table or sourcetype (the envelope's detail-type of a
	// table that holds one kind of event): predicates on them are decided
	// when a query is compiled.
	Constants map[string]Value `json:"constants,omitempty"`
	// Approximate maps a field path, a prefix "a.b.*", or "*" (every
	// detection of the log source) to why the target's copy of the field
	// differs from the record's.
	Approximate map[string]string `json:"approximate,omitempty"`
	// Unsupported, when not empty, says why the target cannot hold this log
	// source at all.
	Unsupported string    `json:"unsupported,omitempty"`
	Source      SourceRef `json:"source"`
}

// FieldMap returns the field map of target for logsource service, or nil.
func (p *Program) FieldMap(target, logsource string) *FieldMap {
	for _, m := range p.FieldMaps {
		if m.Target == target && m.Logsource == logsource {
			return m
		}
	}
	return nil
}

// Lookup returns the target name of field path, and the rest of the path
// below a matching prefix entry ("requestParameters.*" maps
// requestParameters.bucketName with rest "bucketName"). The exact entry wins
// over a prefix; the longest prefix wins over shorter ones.
func (m *FieldMap) Lookup(path string) (target, rest string, ok bool) {
	if t, ok := m.Fields[path]; ok {
		return t, "", true
	}
	best := -1
	for k, t := range m.Fields {
		pre, isPrefix := strings.CutSuffix(k, ".*")
		if isPrefix && strings.HasPrefix(path, pre+".") && len(pre) > best {
			best, target, rest = len(pre), t, path[len(pre)+1:]
		}
	}
	return target, rest, best >= 0
}

// Detection is one lowered detection.
type Detection struct {
	ID             string       `json:"id"`
	Title          string       `json:"title"`
	Description    string       `json:"description,omitempty"`
	Status         string       `json:"status"`
	Version        int          `json:"version"`
	Owner          string       `json:"owner,omitempty"`
	Source         SourceRef    `json:"source"`
	Logsource      Logsource    `json:"logsource"`
	Severity       Severity     `json:"severity"`
	Attack         []string     `json:"attack,omitempty"`
	Controls       []string     `json:"controls,omitempty"`
	Runbook        string       `json:"runbook,omitempty"`
	Match          Expr         `json:"-"`
	Exceptions     []*Exception `json:"-"`
	Threshold      *Threshold   `json:"threshold,omitempty"`
	FalsePositives []string     `json:"falsepositives,omitempty"`
	Tests          []*Test      `json:"-"`
}

// Cond returns the detection's full per-event condition: its match, and not
// any of its exceptions.
func (d *Detection) Cond() Expr {
	if len(d.Exceptions) == 0 {
		return d.Match
	}
	x := []Expr{d.Match}
	for _, e := range d.Exceptions {
		x = append(x, &Not{X: e.Cond})
	}
	return &And{X: x}
}

// SourceRef locates the content an IR object was lowered from.
type SourceRef struct {
	File string `json:"file"`
	Line int    `json:"line"`
}

// Logsource says which log a detection reads.
type Logsource struct {
	Product string `json:"product"`
	Service string `json:"service"`
}

// Severity is a detection's severity inputs and the base level they give.
type Severity struct {
	Impact  string `json:"impact,omitempty"`
	Urgency string `json:"urgency,omitempty"`
	Level   Level  `json:"level"`
}

// Level is an incident level, 1 (Lv1, lowest) to 4 (Lv4, highest).
type Level int

// String returns "Lv1" to "Lv4".
func (l Level) String() string { return "Lv" + strconv.Itoa(int(l)) }

// MarshalText renders the level as "LvN".
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// ParseLevel parses "Lv1" to "Lv4".
func ParseLevel(s string) (Level, bool) {
	if len(s) == 3 && strings.HasPrefix(s, "Lv") && s[2] >= '1' && s[2] <= '4' {
		return Level(s[2] - '0'), true
	}
	return 0, false
}

// MaxLevel is the highest level.
const MaxLevel Level = 4

// Exception suppresses the events its condition selects.
type Exception struct {
	Name    string    `json:"name"`
	Reason  string    `json:"reason"`
	Owner   string    `json:"owner"`
	Expires time.Time `json:"expires"`
	Cond    Expr      `json:"-"`
}

// Threshold turns matching events into alerts: Count events (or Count
// distinct values of Distinct) per group of By within Window.
type Threshold struct {
	Count    int           `json:"count"`
	Distinct *Path         `json:"distinct,omitempty"`
	Window   time.Duration `json:"window"`
	By       []Path        `json:"by,omitempty"`
}

// Test is one fixture test of a detection.
type Test struct {
	Name   string    `json:"name"`
	Source SourceRef `json:"source"`
	Events []string  `json:"events"` // fixture paths, slash-separated, relative to the content root
	Expect Expect    `json:"expect"`
}

// Expect is what a test expects. Nil pointers and slices are not checked.
type Expect struct {
	Matches     int       `json:"matches"`
	Level       *Level    `json:"level,omitempty"`
	Escalations *[]string `json:"escalations,omitempty"`
	Runbook     *string   `json:"runbook,omitempty"`
}

// Matrix maps impact and urgency to a level, and describes each level.
type Matrix struct {
	Cells  map[string]map[string]Level `json:"matrix"` // impact -> urgency -> level
	Levels map[string]*LevelInfo       `json:"levels"` // "Lv1".. -> info
}

// LevelInfo is the SLA and route of a level.
type LevelInfo struct {
	Name  map[string]string `json:"name,omitempty"` // language -> name
	SLA   map[string]string `json:"sla,omitempty"`
	Route map[string]string `json:"route,omitempty"`
}

// Criterion is an escalation criterion: when it holds for an alert, the
// alert's level rises by Raise.
type Criterion struct {
	ID       string            `json:"id"`
	Title    map[string]string `json:"title,omitempty"`
	Raise    int               `json:"raise"`
	Cond     Expr              `json:"-"`
	Distinct *DistinctRule     `json:"distinct,omitempty"`
	Scope    *Scope            `json:"scope,omitempty"`
	Source   SourceRef         `json:"source"`
}

// Scope limits a criterion to the alerts of some detections: those whose
// ID matches one of Detections (IDs or path.Match patterns such as
// "aws-iam-*"), and whose log source is one of Logsources. An empty list
// does not limit.
type Scope struct {
	Detections []string `json:"detections,omitempty"`
	Logsources []string `json:"logsources,omitempty"`
}

// Applies reports whether the criterion is evaluated for alerts of d.
func (c *Criterion) Applies(d *Detection) bool {
	if c.Scope == nil {
		return true
	}
	if len(c.Scope.Logsources) > 0 && !slices.Contains(c.Scope.Logsources, d.Logsource.Service) {
		return false
	}
	if len(c.Scope.Detections) == 0 {
		return true
	}
	for _, pat := range c.Scope.Detections {
		if ok, _ := path.Match(pat, d.ID); ok {
			return true
		}
	}
	return false
}

// DistinctRule holds when the events of an alert have at least Min distinct
// values of Field.
type DistinctRule struct {
	Field Path `json:"field"`
	Min   int  `json:"min"`
}

// Runbook is a lowered runbook. Later passes extend it.
type Runbook struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Triggers []string  `json:"triggers,omitempty"`
	Source   SourceRef `json:"source"`
}

// Path is a field path. Envelope paths ("$.source") address the EventBridge
// envelope; the others address the event's record.
type Path struct {
	Envelope bool
	Segs     []string
}

// ParsePath parses "a.b.c" or "$.detail-type".
func ParsePath(s string) (Path, bool) {
	var p Path
	if rest, ok := strings.CutPrefix(s, "$."); ok {
		p.Envelope = true
		s = rest
	}
	if s == "" {
		return p, false
	}
	p.Segs = strings.Split(s, ".")
	for _, seg := range p.Segs {
		if seg == "" {
			return p, false
		}
	}
	return p, true
}

// String renders the path as it is written in content.
func (p Path) String() string {
	s := strings.Join(p.Segs, ".")
	if p.Envelope {
		return "$." + s
	}
	return s
}

// MarshalText renders the path as it is written in content.
func (p Path) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// Expr is a boolean condition over one event: *And, *Or, *Not, *Pred or
// *FieldRef.
type Expr interface{ isExpr() }

// And holds when every X holds. An empty And holds.
type And struct{ X []Expr }

// Or holds when any X holds. An empty Or does not hold.
type Or struct{ X []Expr }

// Not holds when X does not.
type Not struct{ X Expr }

func (*And) isExpr()      {}
func (*Or) isExpr()       {}
func (*Not) isExpr()      {}
func (*Pred) isExpr()     {}
func (*FieldRef) isExpr() {}

// Op is a predicate operator.
type Op int

// The predicate operators.
const (
	OpEquals Op = iota + 1
	OpPrefix
	OpSuffix
	OpContains
	OpWildcard
	OpRegex
	OpCIDR
	OpGT
	OpGTE
	OpLT
	OpLTE
	OpExists
)

var opNames = [...]string{"", "equals", "startswith", "endswith", "contains", "wildcard", "re", "cidr", "gt", "gte", "lt", "lte", "exists"}

// String returns the operator's modifier name ("equals" for OpEquals).
func (o Op) String() string {
	if int(o) < len(opNames) {
		return opNames[o]
	}
	return "invalid"
}

// MarshalText renders the operator name.
func (o Op) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// IsString reports whether the operator compares strings.
func (o Op) IsString() bool { return o >= OpPrefix && o <= OpRegex }

// IsNumeric reports whether the operator is a numeric comparison.
func (o Op) IsNumeric() bool { return o >= OpGT && o <= OpLTE }

// Pred is a predicate on the values of one field. A field has zero or more
// values (more than one when its path crosses arrays). With All false, Pred
// holds when some field value matches some listed value; with All true, when
// every listed value is matched by some field value. OpExists holds when the
// field has a value (Values[0] true) or none (Values[0] false).
type Pred struct {
	Field  Path
	Op     Op
	Values []Value
	All    bool
	Fold   bool // case-insensitive

	// Compiled forms, index-aligned with Values, for OpWildcard and OpRegex
	// (Re) and OpCIDR (Nets).
	Re   []*regexp.Regexp
	Nets []netip.Prefix
}

// FieldRef holds when some value of Field equals some value of Other.
type FieldRef struct {
	Field Path
	Other Path
	Fold  bool
}

// Kind is the JSON type of a Value.
type Kind int

// The value kinds.
const (
	String Kind = iota + 1
	Number
	Bool
	Null
)

// Value is a typed literal from content.
type Value struct {
	Kind Kind
	Str  string  // String; also the literal text of a Number
	Num  float64 // Number
	Bool bool    // Bool
}

// String renders the value as JSON-like text (strings unquoted).
func (v Value) String() string {
	switch v.Kind {
	case String, Number:
		return v.Str
	case Bool:
		return strconv.FormatBool(v.Bool)
	}
	return "null"
}
