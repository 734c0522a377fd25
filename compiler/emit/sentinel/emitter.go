package sentinel

import (
	"bytes"
	"context"
	"crypto/sha1"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/socc-dev/socc/compiler/diag"
	"github.com/socc-dev/socc/compiler/emit"
	"github.com/socc-dev/socc/compiler/emit/fieldmap"
	"github.com/socc-dev/socc/compiler/ir"
	"github.com/socc-dev/socc/mappings"
)

func init() { emit.Register(Emitter{}) }

// Emitter is the "sentinel" target.
type Emitter struct{}

// Name returns "sentinel".
func (Emitter) Name() string { return Target }

// schedule is how often a rule without a threshold runs: Sentinel's
// shortest frequency.
const schedule = 5 * time.Minute

// ingestionDelay is the field mapping's ingestion-delay option: how long
// after its time a row may reach the table (the AWS connectors read files
// that CloudTrail and GuardDuty deliver to S3 minutes after the event). It
// is 0 when the option is absent, and an error when it is not a whole
// number of seconds, minutes or hours between 0 and 1 day.
func ingestionDelay(fm *ir.FieldMap) (time.Duration, error) {
	s, ok := fm.Options["ingestion-delay"]
	if !ok {
		return 0, nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || d < 0 || d > 24*time.Hour || d%time.Second != 0 {
		return 0, fmt.Errorf("option ingestion-delay: %q is not a duration such as 15m, between 0 and 24h", s)
	}
	return d, nil
}

// scheduleFilter returns how often the rule of d runs and the query line
// that makes consecutive runs see every row once although rows arrive up
// to delay late (none when delay is 0: each run reads the last frequency
// of timeCol). Sentinel's guidance for ingestion delay is followed: the
// look-back (queryPeriod) is the frequency plus the delay.
//
// Without a threshold, a run keeps the rows ingested since the previous
// run, ingestion_time() > ago(frequency), whatever their time within the
// look-back. With a threshold, whose window is the frequency, a run counts
// the window that ends delay before it, timeCol in (ago(window + delay),
// ago(delay)]: by then its rows have arrived, and consecutive runs tile
// time without overlap.
func scheduleFilter(d *ir.Detection, timeCol string, delay time.Duration) (freq time.Duration, filter string) {
	freq = schedule
	if d.Threshold != nil && d.Threshold.Window > freq {
		freq = d.Threshold.Window
	}
	if delay == 0 {
		return freq, ""
	}
	if d.Threshold == nil {
		return freq, "| where ingestion_time() > ago(" + duration(freq) + ")"
	}
	if timeCol == "" || !identifier.MatchString(timeCol) {
		timeCol = "TimeGenerated"
	}
	return freq, "| where " + timeCol + " > ago(" + duration(freq+delay) + ") and " + timeCol + " <= ago(" + duration(delay) + ")"
}

// insertAfterTable puts line after the line of q that names the table
// (the first, or the second after a let statement).
func insertAfterTable(q, table, line string) string {
	lines := strings.Split(q, "\n")
	for i, l := range lines {
		if l == table {
			return strings.Join(slices.Insert(lines, i+1, line), "\n")
		}
	}
	return q
}

// Emit writes sentinel/<id>.kql and sentinel/<id>.yaml (a scheduled
// analytic rule) per detection that KQL can express.
func (Emitter) Emit(_ context.Context, p *ir.Program, out *emit.Sink) diag.Diagnostics {
	var ds diag.Diagnostics
	for _, fm := range p.FieldMaps {
		if fm.Target != Target {
			continue
		}
		if _, err := ingestionDelay(fm); err != nil {
			ds.Errorf(diag.At(fm.Source.File, fm.Source.Line, 1), diag.InvalidValue, "field mapping for %s: %v", Target, err).
				WithHint("write how late rows may reach the table as a Go duration: 15m, 1h30m")
		}
	}
	// Sorted by ID whatever the program's order, so that the output is.
	dets := slices.Clone(p.Detections)
	slices.SortStableFunc(dets, func(a, b *ir.Detection) int { return strings.Compare(a.ID, b.ID) })
	for _, d := range dets {
		q, qds := Compile(p, d)
		ds.Append(qds...)
		st := emit.Status{Status: q.Status, Reason: q.Reason}
		if q.KQL != "" {
			st.Path = "sentinel/" + d.ID + ".yaml"
			out.Put("sentinel/"+d.ID+".kql", []byte(q.KQL+"\n"))
			out.Put(st.Path, Rule(p, d, q))
		}
		out.SetStatus(d.ID, Target, st)
	}
	return ds
}

// rule is a scheduled analytic rule in the YAML format of the
// Azure-Sentinel content repository (Detections/*/*.yaml); fields in that
// format's order.
type rule struct {
	ID                     string          `yaml:"id"`
	Name                   string          `yaml:"name"`
	Description            string          `yaml:"description"`
	Severity               string          `yaml:"severity"`
	RequiredDataConnectors []connector     `yaml:"requiredDataConnectors"`
	QueryFrequency         string          `yaml:"queryFrequency"`
	QueryPeriod            string          `yaml:"queryPeriod"`
	TriggerOperator        string          `yaml:"triggerOperator"`
	TriggerThreshold       int             `yaml:"triggerThreshold"`
	Tactics                []string        `yaml:"tactics,omitempty"`
	RelevantTechniques     []string        `yaml:"relevantTechniques,omitempty"`
	Query                  string          `yaml:"query"`
	EntityMappings         []entityMapping `yaml:"entityMappings,omitempty"`
	Version                string          `yaml:"version"`
	Kind                   string          `yaml:"kind"`
}

type connector struct {
	ConnectorID string   `yaml:"connectorId"`
	DataTypes   []string `yaml:"dataTypes"`
}

type entityMapping struct {
	EntityType    string         `yaml:"entityType"`
	FieldMappings []fieldMapping `yaml:"fieldMappings"`
}

type fieldMapping struct {
	Identifier string `yaml:"identifier"`
	ColumnName string `yaml:"columnName"`
}

// Rule renders the analytic rule of a compiled detection.
//
// The rule's query is the detection's query with the schedule's time
// filter (see scheduleFilter), so that rows the table receives late are
// still seen exactly once; the bare .kql query has no time filter, for
// hunting over any range.
func Rule(p *ir.Program, d *ir.Detection, q *Query) []byte {
	// The mapping that Compile used: the table, its data connectors, the
	// time column, the ingestion delay and the entity columns.
	fm := fieldmap.Prepare(p, Target, d).Map
	delay, _ := ingestionDelay(fm)
	freq, filter := scheduleFilter(d, fm.Options["time"], delay)
	query := q.KQL
	if filter != "" {
		query = insertAfterTable(query, fm.Options["table"], filter)
	}
	r := rule{
		ID:                 RuleID(d.ID),
		Name:               d.Title,
		Description:        strings.TrimSpace(d.Description) + "\n",
		Severity:           severity(d.Severity.Level),
		QueryFrequency:     duration(freq),
		QueryPeriod:        duration(freq + delay),
		TriggerOperator:    "gt",
		TriggerThreshold:   0,
		Tactics:            tactics(d.Attack),
		RelevantTechniques: d.Attack,
		Query:              query + "\n",
		Version:            strconv.Itoa(max(d.Version, 1)) + ".0.0",
		Kind:               "Scheduled",
	}
	table := fm.Options["table"]
	for _, c := range strings.Fields(fm.Options["connectors"]) {
		r.RequiredDataConnectors = append(r.RequiredDataConnectors, connector{ConnectorID: c, DataTypes: []string{table}})
	}
	if r.RequiredDataConnectors == nil {
		r.RequiredDataConnectors = []connector{}
	}
	// Entities: the principal and the source address, when the output has
	// their columns.
	for _, e := range []struct{ path, entity, id string }{
		{"userIdentity.arn", "Account", "FullName"},
		{"sourceIPAddress", "IP", "Address"},
	} {
		col, _, ok := fm.Lookup(e.path)
		if !ok || !identifier.MatchString(col) || (q.Columns != nil && !slices.Contains(q.Columns, col)) {
			continue
		}
		r.EntityMappings = append(r.EntityMappings, entityMapping{EntityType: e.entity, FieldMappings: []fieldMapping{{Identifier: e.id, ColumnName: col}}})
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(r); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// severity maps a level to a Sentinel severity.
func severity(l ir.Level) string {
	switch l {
	case 1:
		return "Low"
	case 2:
		return "Medium"
	case 3, 4:
		return "High"
	}
	return "Informational"
}

// tactics returns the Sentinel tactic names (PascalCase ATT&CK tactics) of
// techniques, sorted.
func tactics(attack []string) []string {
	var out []string
	for _, id := range attack {
		t := mappings.LookupTechnique(id)
		if t == nil {
			continue
		}
		for _, tac := range t.Tactics {
			var b strings.Builder
			for _, w := range strings.Split(tac, "-") {
				if w == "" {
					continue
				}
				b.WriteString(strings.ToUpper(w[:1]) + w[1:])
			}
			if n := b.String(); n != "" && !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	slices.Sort(out)
	return out
}

// namespace is the UUID (version 5, from the URL namespace) of socc's
// detection IDs: UUIDv5(URL, "https://socc.dev/detections").
var namespace = uuid5([16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}, "https://socc.dev/detections")

// RuleID is the analytic rule ID of a detection: a name-based (version 5)
// UUID of its ID, so that it stays the same from build to build.
func RuleID(id string) string {
	u := uuid5(namespace, id)
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// uuid5 is RFC 9562's name-based UUID with SHA-1.
func uuid5(ns [16]byte, name string) [16]byte {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return u
}
