package ir

import (
	"encoding/json"
	"time"
)

// ExprJSON returns the JSON form of an expression, as written to
// dist/ir/<id>.json: {"and":[...]}, {"or":[...]}, {"not":X},
// {"field":F,"op":OP,"values":[...],"all":true,"i":true} and
// {"field":F,"fieldref":G,"i":true}.
func ExprJSON(x Expr) any {
	switch x := x.(type) {
	case *And:
		xs := make([]any, len(x.X))
		for i, c := range x.X {
			xs[i] = ExprJSON(c)
		}
		return map[string]any{"and": xs}
	case *Or:
		xs := make([]any, len(x.X))
		for i, c := range x.X {
			xs[i] = ExprJSON(c)
		}
		return map[string]any{"or": xs}
	case *Not:
		return map[string]any{"not": ExprJSON(x.X)}
	case *Pred:
		vals := make([]any, len(x.Values))
		for i, v := range x.Values {
			vals[i] = v.JSON()
		}
		m := map[string]any{"field": x.Field.String(), "op": x.Op.String(), "values": vals}
		if x.All {
			m["all"] = true
		}
		if x.Fold {
			m["i"] = true
		}
		return m
	case *FieldRef:
		m := map[string]any{"field": x.Field.String(), "fieldref": x.Other.String()}
		if x.Fold {
			m["i"] = true
		}
		return m
	}
	return nil
}

// JSON returns the value in the JSON data model; numbers keep their literal.
func (v Value) JSON() any {
	switch v.Kind {
	case String:
		return v.Str
	case Number:
		return json.Number(v.Str)
	case Bool:
		return v.Bool
	}
	return nil
}

// DetectionJSON returns the lowered form of a detection as written to
// dist/ir/<id>.json.
func DetectionJSON(d *Detection) any {
	type exception struct {
		Name    string `json:"name"`
		Reason  string `json:"reason"`
		Owner   string `json:"owner"`
		Expires string `json:"expires"`
		Cond    any    `json:"condition"`
	}
	type threshold struct {
		Count    int      `json:"count"`
		Distinct string   `json:"distinct,omitempty"`
		Window   string   `json:"window"`
		By       []string `json:"by,omitempty"`
	}
	out := struct {
		ID         string      `json:"id"`
		Title      string      `json:"title"`
		Status     string      `json:"status"`
		Version    int         `json:"version"`
		Source     SourceRef   `json:"source"`
		Logsource  Logsource   `json:"logsource"`
		Severity   Severity    `json:"severity"`
		Attack     []string    `json:"attack,omitempty"`
		Controls   []string    `json:"controls,omitempty"`
		Runbook    string      `json:"runbook,omitempty"`
		Match      any         `json:"match"`
		Exceptions []exception `json:"exceptions,omitempty"`
		Threshold  *threshold  `json:"threshold,omitempty"`
	}{ID: d.ID, Title: d.Title, Status: d.Status, Version: d.Version, Source: d.Source, Logsource: d.Logsource,
		Severity: d.Severity, Attack: d.Attack, Controls: d.Controls, Runbook: d.Runbook, Match: ExprJSON(d.Match)}
	for _, e := range d.Exceptions {
		out.Exceptions = append(out.Exceptions, exception{e.Name, e.Reason, e.Owner, e.Expires.Format(time.DateOnly), ExprJSON(e.Cond)})
	}
	if t := d.Threshold; t != nil {
		th := &threshold{Count: t.Count, Window: t.Window.String()}
		if t.Distinct != nil {
			th.Distinct = t.Distinct.String()
		}
		for _, b := range t.By {
			th.By = append(th.By, b.String())
		}
		out.Threshold = th
	}
	return out
}
