package opensearch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/socc-dev/socc/compiler/diag"
	"github.com/socc-dev/socc/compiler/emit"
	"github.com/socc-dev/socc/compiler/emit/fieldmap"
	"github.com/socc-dev/socc/compiler/ir"
)

func init() { emit.Register(Emitter{}) }

// Emitter is the "opensearch" target.
type Emitter struct{}

// Name returns "opensearch".
func (Emitter) Name() string { return Target }

// schedule is how often a monitor without a threshold runs, over as long a
// period.
const schedule = 5 * time.Minute

// ingestionDelay is the field mapping's ingestion-delay option: how long
// after its time a document may be indexed. It is 0 when the option is
// absent, and an error when it is not a duration between 0 and 1 day.
func ingestionDelay(fm *ir.FieldMap) (time.Duration, error) {
	s, ok := fm.Options["ingestion-delay"]
	if !ok {
		return 0, nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || d < 0 || d > 24*time.Hour {
		return 0, fmt.Errorf("option ingestion-delay: %q is not a duration such as 15m, between 0 and 24h", s)
	}
	return d, nil
}

// Emit writes opensearch/<id>.json (an Alerting monitor around the query
// DSL) and opensearch/<id>.lucene (the query string) per detection that
// OpenSearch can express.
func (Emitter) Emit(_ context.Context, p *ir.Program, out *emit.Sink) diag.Diagnostics {
	var ds diag.Diagnostics
	for _, fm := range p.FieldMaps {
		if fm.Target != Target {
			continue
		}
		if _, err := ingestionDelay(fm); err != nil {
			ds.Errorf(diag.At(fm.Source.File, fm.Source.Line, 1), diag.InvalidValue, "field mapping for %s: %v", Target, err).
				WithHint("write how late documents may be indexed as a Go duration: 15m, 1h30m")
		}
	}
	// Sorted by ID whatever the program's order, so that the output is.
	dets := slices.Clone(p.Detections)
	slices.SortStableFunc(dets, func(a, b *ir.Detection) int { return strings.Compare(a.ID, b.ID) })
	for _, d := range dets {
		q, qds := Compile(p, d)
		ds.Append(qds...)
		st := emit.Status{Status: q.Status, Reason: q.Reason}
		if q.DSL != nil {
			st.Path = "opensearch/" + d.ID + ".json"
			out.Put(st.Path, Monitor(p, d, q))
			out.Put("opensearch/"+d.ID+".lucene", []byte(q.Lucene+"\n"))
		}
		out.SetStatus(d.ID, Target, st)
	}
	return ds
}

// Monitor renders the OpenSearch Alerting monitor of a compiled detection
// (the body of POST _plugins/_alerting/monitors): a query-level monitor
// that fires when the period that ended the mapping's ingestion delay ago
// holds a matching document, or, for a
// threshold grouped by fields, a bucket-level monitor over a composite
// aggregation whose trigger selects the groups that reach the count.
func Monitor(p *ir.Program, d *ir.Detection, q *Query) []byte {
	fm := fieldmap.Prepare(p, Target, d).Map
	period := schedule
	if d.Threshold != nil {
		period = d.Threshold.Window
	}
	minutes := int((period + time.Minute - 1) / time.Minute)
	delay, _ := ingestionDelay(fm)
	lag := int((delay + time.Minute - 1) / time.Minute)
	filter := []any{q.DSL}
	if tf := fm.Options["time"]; tf != "" {
		// The window of a run ends the ingestion delay before it, so that
		// its documents have been indexed; consecutive windows tile time
		// (start included, end excluded).
		end := "{{period_end}}"
		if lag > 0 {
			end += "||-" + strconv.Itoa(lag) + "m"
		}
		filter = append([]any{map[string]any{"range": map[string]any{tf: map[string]any{
			"gte":    "{{period_end}}||-" + strconv.Itoa(minutes+lag) + "m",
			"lt":     end,
			"format": "epoch_millis",
		}}}}, filter...)
	}
	search := map[string]any{
		"size":             10,
		"track_total_hits": true,
		"query":            map[string]any{"bool": map[string]any{"filter": filter}},
	}
	monitorType := "query_level_monitor"
	trigger := map[string]any{
		"name":     d.Title,
		"severity": severity(d.Severity.Level),
		"condition": map[string]any{"script": map[string]any{
			"lang":   "painless",
			"source": "ctx.results[0].hits.total.value > 0",
		}},
		"actions": []any{},
	}
	triggerKey := "query_level_trigger"
	if t := d.Threshold; t != nil {
		search["size"] = 0
		var distinct string
		if t.Distinct != nil {
			distinct, _ = fieldPath(fm, *t.Distinct)
		}
		metric := map[string]any{}
		if distinct != "" {
			metric["socc_distinct"] = map[string]any{"cardinality": map[string]any{"field": distinct, "precision_threshold": 40000}}
		}
		var sources []any
		for i, b := range t.By {
			if f, ok := fieldPath(fm, b); ok {
				sources = append(sources, map[string]any{"by" + strconv.Itoa(i+1): map[string]any{"terms": map[string]any{"field": f, "missing_bucket": true}}})
			}
		}
		count := strconv.Itoa(t.Count)
		switch {
		case len(sources) > 0:
			monitorType, triggerKey = "bucket_level_monitor", "bucket_level_trigger"
			agg := map[string]any{"composite": map[string]any{"sources": sources, "size": 1000}}
			path := map[string]any{"socc_count": "_count"}
			if distinct != "" {
				agg["aggregations"] = metric
				path = map[string]any{"socc_count": "socc_distinct"}
			}
			search["aggregations"] = map[string]any{"composite_agg": agg}
			trigger["condition"] = map[string]any{
				"buckets_path":       path,
				"parent_bucket_path": "composite_agg",
				"script":             map[string]any{"lang": "painless", "source": "params.socc_count >= " + count},
			}
		case distinct != "":
			search["aggregations"] = metric
			trigger["condition"].(map[string]any)["script"].(map[string]any)["source"] = "ctx.results[0].aggregations.socc_distinct.value >= " + count
		default:
			trigger["condition"].(map[string]any)["script"].(map[string]any)["source"] = "ctx.results[0].hits.total.value >= " + count
		}
	}
	var indices []string
	for _, ix := range strings.Split(fm.Options["index"], ",") {
		if ix = strings.TrimSpace(ix); ix != "" {
			indices = append(indices, ix)
		}
	}
	if indices == nil {
		indices = []string{"*"}
	}
	m := map[string]any{
		"type":         "monitor",
		"monitor_type": monitorType,
		"name":         "socc: " + d.Title,
		"enabled":      true,
		"schedule":     map[string]any{"period": map[string]any{"interval": minutes, "unit": "MINUTES"}},
		"inputs":       []any{map[string]any{"search": map[string]any{"indices": indices, "query": search}}},
		"triggers":     []any{map[string]any{triggerKey: trigger}},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// fieldPath resolves a threshold field through the mapping.
func fieldPath(fm *ir.FieldMap, p ir.Path) (string, bool) {
	target, rest, ok := fm.Lookup(p.String())
	if !ok || target == unavailable {
		return "", false
	}
	if rest != "" {
		target += "." + rest
	}
	return target, true
}

// severity maps a level to an Alerting severity ("1" highest to "5").
func severity(l ir.Level) string {
	if l < 1 || l > 4 {
		return "5"
	}
	return strconv.Itoa(5 - int(l))
}
