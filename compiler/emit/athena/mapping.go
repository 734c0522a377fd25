package athena

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/socc-dev/socc/compiler/ir"
)

// colKind is how a mapped column holds a record field's values.
type colKind int

const (
	// kString is a VARCHAR column (or struct member) that holds a JSON
	// string of the record, or NULL when the record lacks it. Written as
	// the column path: `eventname`, `useridentity.sessioncontext.sessionissuer.arn`.
	kString colKind = iota + 1
	// kBoolText is a VARCHAR column holding the text ('true' or 'false')
	// of a JSON boolean, as Athena's JSON SerDe stores readOnly:
	// `boolean_text(readonly)`.
	kBoolText
	// kBool is a BOOLEAN column (CloudTrail Lake's readOnly):
	// `boolean(readOnly)`.
	kBool
	// kTimestamp is a TIMESTAMP column (CloudTrail Lake's eventTime):
	// `timestamp(eventTime)`.
	kTimestamp
	// kJSON is a VARCHAR column holding the JSON text of an object
	// (requestparameters): `json(requestparameters)`. Paths below it are
	// read with json_extract.
	kJSON
	// kJSONMap is a MAP(VARCHAR, VARCHAR) whose values are strings or the
	// JSON text of other values (CloudTrail Lake's requestParameters):
	// `json_map(requestParameters)`.
	kJSONMap
	// kArray is an ARRAY of ROW whose member holds a JSON string per
	// element (resources): `resources[].arn`; or, without a member, an
	// ARRAY of VARCHAR holding one JSON string per element (the resources
	// of an EventBridge event): `resources[]`.
	kArray
)

// column is a parsed field-mapping value.
type column struct {
	kind   colKind
	path   []string // the column, and struct members below it
	member string   // kArray: the member of each element ("" for the elements themselves)
	// base lists the JSON members of a kJSON column that the value
	// addresses (json(detail).service: [service]); a field's path below
	// the mapping entry continues from there.
	base []string
}

var (
	identPart  = `[A-Za-z_][A-Za-z0-9_]*`
	colPath    = identPart + `(?:\.` + identPart + `)*`
	jsonMember = `[A-Za-z_][A-Za-z0-9_-]*`
	reColumn   = regexp.MustCompile(`^(` + colPath + `)$`)
	reFunc     = regexp.MustCompile(`^(boolean_text|boolean|timestamp|json|json_map)\((` + colPath + `)\)$`)
	reJSONBase = regexp.MustCompile(`^json\((` + colPath + `)\)((?:\.` + jsonMember + `)+)$`)
	reArray    = regexp.MustCompile(`^(` + colPath + `)\[\](?:\.(` + identPart + `))?$`)
)

// parseColumn parses one field-mapping value of the athena and athena-lake
// targets. Column and member names are plain identifiers (JSON members
// may also hold a dash, and reach the query as JSONPath string literals),
// so a mapping cannot smuggle SQL into a query.
func parseColumn(s string) (column, error) {
	s = strings.TrimSpace(s)
	if m := reColumn.FindStringSubmatch(s); m != nil {
		return column{kind: kString, path: strings.Split(m[1], ".")}, nil
	}
	if m := reFunc.FindStringSubmatch(s); m != nil {
		k := map[string]colKind{"boolean_text": kBoolText, "boolean": kBool, "timestamp": kTimestamp, "json": kJSON, "json_map": kJSONMap}[m[1]]
		return column{kind: k, path: strings.Split(m[2], ".")}, nil
	}
	if m := reJSONBase.FindStringSubmatch(s); m != nil {
		return column{kind: kJSON, path: strings.Split(m[1], "."), base: strings.Split(m[2][1:], ".")}, nil
	}
	if m := reArray.FindStringSubmatch(s); m != nil {
		return column{kind: kArray, path: strings.Split(m[1], "."), member: m[2]}, nil
	}
	return column{}, fmt.Errorf("%q is not a column (col or col.member), boolean_text(col), boolean(col), timestamp(col), json(col), json(col).member..., json_map(col), col[] or col[].member", s)
}

// ref renders the column path as SQL, qualified by alias when not empty.
func (c column) ref(alias string) string {
	var parts []string
	if alias != "" {
		parts = append(parts, quoteIdent(alias))
	}
	for _, p := range c.path {
		parts = append(parts, quoteIdent(p))
	}
	return strings.Join(parts, ".")
}

// source is where the values of one content field come from.
type source struct {
	field ir.Path
	col   column
	rest  []string // member names below a kJSON or kJSONMap column
}

// single reports whether the field has at most one value per event, read
// without unnesting.
func (s *source) single() bool {
	switch s.col.kind {
	case kJSON:
		return len(s.rest) == 0
	case kJSONMap:
		return len(s.rest) <= 1
	case kArray:
		return false
	}
	return true
}

// dialect is one of the two SQL targets, for one log source's field
// mapping: Athena over a table (cloudtrail_logs, or a table of EventBridge
// events), or CloudTrail Lake over an event data store.
type dialect struct {
	target  string // "athena" or "athena-lake"
	engine  string // for messages: "Athena", "CloudTrail Lake"
	m       *ir.FieldMap
	table   string
	depth   int               // levels of directly nested JSON arrays flattened per path segment
	columns map[string]column // parsed mapping values, by mapping key
	// records is set by the mapping's records option, json(col).member...:
	// each row holds the records of one event in that JSON array (the
	// findings of a Security Hub event), and a query reads one row per
	// record, in a column named record (recordAlias), numbered from 1 in
	// record_index. As socc splits an event, a value that is not a
	// non-empty array is one record: the whole JSON of col.
	records *column
	// recordID is the record field that the mapping's record-id option
	// names: its string value is returned as record_id, so that a result
	// row names the record (the finding) as well as the event.
	recordID *ir.Path
}

// The names a records query gives the record and its position.
const (
	recordAlias = "record"
	recordIndex = "record_index"
)

// Defaults of the field-mapping options.
const (
	defaultDepth = 2
	maxDepth     = 8
)

// newDialect parses a field mapping; the errors name the mapping keys whose
// values are malformed.
func newDialect(target, engine, defaultTable string, m *ir.FieldMap) (*dialect, []error) {
	d := &dialect{target: target, engine: engine, m: m, table: defaultTable, depth: defaultDepth, columns: map[string]column{}}
	var errs []error
	if t, ok := m.Options["table"]; ok {
		d.table = t
	}
	if s, ok := m.Options["array-depth"]; ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxDepth {
			errs = append(errs, fmt.Errorf("option array-depth: %q is not a number from 1 to %d", s, maxDepth))
		} else {
			d.depth = n
		}
	}
	for _, k := range sortedKeys(m.Fields) {
		c, err := parseColumn(m.Fields[k])
		if err != nil {
			errs = append(errs, fmt.Errorf("field %s: %w", k, err))
			continue
		}
		if strings.HasSuffix(k, ".*") && c.kind != kJSON && c.kind != kJSONMap {
			errs = append(errs, fmt.Errorf("field %s: a prefix entry must map to json(col) or json_map(col)", k))
			continue
		}
		d.columns[k] = c
	}
	if s, ok := m.Options["records"]; ok {
		c, err := parseColumn(s)
		if err != nil || c.kind != kJSON || len(c.base) == 0 || len(c.path) != 1 || c.path[0] == recordAlias {
			errs = append(errs, fmt.Errorf("option records: %q is not json(col).member..., the JSON array of a column that holds an event's records", s))
		} else {
			d.records = &c
		}
	}
	for _, k := range sortedKeys(d.columns) {
		if _, set := m.Options["records"]; d.columns[k].path[0] == recordAlias && !set {
			errs = append(errs, fmt.Errorf("field %s: %s names the record of the records option, which the mapping does not set", k, m.Fields[k]))
		}
	}
	if s, ok := m.Options["record-id"]; ok {
		p, ok := ir.ParsePath(s)
		var src *source
		if ok && !p.Envelope {
			src, ok = d.lookup(p)
		}
		if !ok || p.Envelope || !(src.col.kind == kString && src.single() || src.col.kind == kJSON && len(src.rest) > 0 && jsonPathMembers(src.rest) != "") {
			errs = append(errs, fmt.Errorf("option record-id: %q is not a record field that the mapping names as a column or below json(col)", s))
		} else {
			d.recordID = &p
		}
	}
	return d, errs
}

// lookup resolves a content field through the mapping.
func (d *dialect) lookup(p ir.Path) (*source, bool) {
	key := p.String()
	target, rest, ok := d.m.Lookup(key)
	if !ok {
		return nil, false
	}
	// Find the entry Lookup used: the exact key, or the longest prefix.
	entry := key
	if rest != "" {
		entry = strings.TrimSuffix(key, "."+rest) + ".*"
	}
	c, ok := d.columns[entry]
	if !ok || d.m.Fields[entry] != target {
		return nil, false
	}
	s := &source{field: p, col: c, rest: c.base}
	if rest != "" {
		s.rest = append(slices.Clone(c.base), strings.Split(rest, ".")...)
	}
	return s, true
}
