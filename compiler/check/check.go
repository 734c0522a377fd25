// Package check runs the semantic checks on a lowered program that need the
// whole repository: unique IDs, references between detections, runbooks and
// escalation criteria, ATT&CK and Annex A identifiers against the embedded
// catalogs, and exception expiry.
package check

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/socc-dev/socc/compiler/diag"
	"github.com/socc-dev/socc/compiler/ir"
	"github.com/socc-dev/socc/compiler/load"
	"github.com/socc-dev/socc/compiler/validate"
	"github.com/socc-dev/socc/mappings"
)

// ExpiryWarning is how long before its expiry an exception draws a warning.
const ExpiryWarning = 14 * 24 * time.Hour

type checker struct {
	docs map[string]*load.Document
	ds   diag.Diagnostics
}

func (c *checker) at(file string, path ...any) *diag.Range {
	doc := c.docs[file]
	if doc == nil {
		return diag.At(file, 0, 0)
	}
	n := load.Lookup(doc.Root, path...)
	if n == nil {
		n = doc.Root
	}
	return doc.Range(n)
}

// Program checks p, lowered from the valid documents, as of the time now.
// invalid are the documents that failed validation: their IDs still count
// as defined, so that one broken file does not cascade into errors in
// every file that names it.
func Program(docs, invalid []*load.Document, p *ir.Program, now time.Time) diag.Diagnostics {
	c := &checker{docs: map[string]*load.Document{}}
	for _, d := range docs {
		c.docs[d.Path] = d
	}
	broken := map[string]bool{}
	for _, d := range invalid {
		if id := load.Value(d.Root, "id"); id != nil {
			broken[d.Kind+"/"+id.Value] = true
		}
	}
	runbooks := map[string]*ir.Runbook{}
	for _, r := range p.Runbooks {
		if first, ok := runbooks[r.ID]; ok {
			c.duplicate("runbook", r.ID, r.Source, first.Source)
			continue
		}
		runbooks[r.ID] = r
	}
	maps := map[string]ir.SourceRef{}
	for _, m := range p.FieldMaps {
		k := m.Target + "/" + m.Logsource
		if first, ok := maps[k]; ok {
			d := c.ds.Errorf(c.atLine(m.Source), diag.DuplicateID, "a second field mapping for target %s and log source %s", m.Target, m.Logsource).
				WithHint("keep one kind: field-mapping file per target and log source")
			d.Related = append(d.Related, diag.Related{Message: "first defined here", Subject: c.atLine(first)})
			continue
		}
		maps[k] = m.Source
	}
	criteria := map[string]bool{}
	for _, cr := range p.Criteria {
		if criteria[cr.ID] {
			c.ds.Errorf(c.atLine(cr.Source), diag.DuplicateID, "duplicate escalation criterion %q", cr.ID)
		}
		criteria[cr.ID] = true
	}
	dets := map[string]*ir.Detection{}
	var detIDs []string
	for _, d := range p.Detections {
		if first, ok := dets[d.ID]; ok {
			c.duplicate("detection", d.ID, d.Source, first.Source)
			continue
		}
		dets[d.ID] = d
		detIDs = append(detIDs, d.ID)
	}
	var rbIDs []string
	for id := range runbooks {
		rbIDs = append(rbIDs, id)
	}
	slices.Sort(rbIDs)
	for _, d := range p.Detections {
		f := d.Source.File
		if d.Runbook != "" && runbooks[d.Runbook] == nil && !broken["runbook/"+d.Runbook] {
			e := c.ds.Errorf(c.at(f, "runbook"), diag.UnknownRunbook, "detection %s names unknown runbook %q", d.ID, d.Runbook)
			if s := validate.Suggest(d.Runbook, rbIDs); s != "" {
				e.WithHint("did you mean %q?", s)
			} else {
				e.WithHint("add runbooks/%s.yaml with 'kind: runbook', or fix the name", d.Runbook)
			}
		}
		for i, t := range d.Attack {
			if mappings.LookupTechnique(t) == nil {
				e := c.ds.Errorf(c.at(f, "attack", i), diag.UnknownTechnique, "unknown ATT&CK technique %q", t)
				if parent, _, ok := strings.Cut(t, "."); ok && mappings.LookupTechnique(parent) != nil {
					e.WithHint("%s (%s) exists; check the sub-technique number in ATT&CK v%s", parent, mappings.LookupTechnique(parent).Name, mappings.AttackVersion)
				} else {
					e.WithHint("use a technique ID from MITRE ATT&CK Enterprise v%s, e.g. T1078.004", mappings.AttackVersion)
				}
			}
		}
		for i, a := range d.Controls {
			if mappings.LookupControl(a) == nil {
				e := c.ds.Errorf(c.at(f, "controls", i), diag.UnknownControl, "unknown ISO/IEC 27001:2022 Annex A control %q", a)
				if s := validate.Suggest(a, mappings.ControlIDs()); s != "" {
					e.WithHint("did you mean %q?", s)
				} else {
					e.WithHint("Annex A 2022 controls run A.5.1-A.5.37, A.6.1-A.6.8, A.7.1-A.7.14, A.8.1-A.8.34")
				}
			}
		}
		for i, e := range d.Exceptions {
			switch {
			case !e.Expires.IsZero() && !now.Before(e.Expires.AddDate(0, 0, 1)):
				c.ds.Errorf(c.at(f, "exceptions", i, "expires"), diag.ExpiredException, "exception %q of %s expired on %s", e.Name, d.ID, e.Expires.Format(time.DateOnly)).
					WithHint("review it with its owner (%s): renew it with a new date, or delete it", e.Owner)
			case !e.Expires.IsZero() && e.Expires.Sub(now) < ExpiryWarning:
				c.ds.Warnf(c.at(f, "exceptions", i, "expires"), diag.ExpiringException, "exception %q of %s expires on %s", e.Name, d.ID, e.Expires.Format(time.DateOnly)).
					WithHint("review it with its owner (%s) before then", e.Owner)
			}
		}
		if d.Severity.Level == 0 && (d.Severity.Impact != "" || d.Severity.Urgency != "") && p.Matrix != nil {
			c.ds.Errorf(c.at(f, "severity"), diag.UnknownLevel, "the severity matrix gives no level for impact %q and urgency %q", d.Severity.Impact, d.Severity.Urgency)
		}
		for i, t := range d.Tests {
			if t.Expect.Escalations == nil {
				continue
			}
			for _, id := range *t.Expect.Escalations {
				if !criteria[id] {
					c.ds.Errorf(c.at(f, "tests", i, "expect", "escalations"), diag.UnknownCriterion, "test %q expects unknown escalation criterion %q", t.Name, id).
						WithHint("criteria are defined in mappings/escalation.yaml")
				}
			}
		}
	}
	for _, r := range p.Runbooks {
		for i, t := range r.Triggers {
			if dets[t] == nil && !broken["detection/"+t] {
				e := c.ds.Errorf(c.at(r.Source.File, "triggers", i), diag.UnknownDetection, "runbook %s is triggered by unknown detection %q", r.ID, t)
				if s := validate.Suggest(t, detIDs); s != "" {
					e.WithHint("did you mean %q?", s)
				}
			}
		}
	}
	c.scopes(p, detIDs, broken)
	return c.ds
}

// scopes reports escalation-criterion scopes that name no detection: an ID
// that does not exist, or a pattern that matches none.
func (c *checker) scopes(p *ir.Program, detIDs []string, broken map[string]bool) {
	for _, cr := range p.Criteria {
		if cr.Scope == nil {
			continue
		}
		idx := -1
		if doc := c.docs[cr.Source.File]; doc != nil {
			for i, n := range load.Lookup(doc.Root, "criteria").Content {
				if n.Line == cr.Source.Line {
					idx = i
				}
			}
		}
		for j, pat := range cr.Scope.Detections {
			if _, err := path.Match(pat, ""); err != nil {
				continue // reported when lowering
			}
			if broken["detection/"+pat] || slices.ContainsFunc(detIDs, func(id string) bool { ok, _ := path.Match(pat, id); return ok }) {
				continue
			}
			at := c.atLine(cr.Source)
			if idx >= 0 {
				at = c.at(cr.Source.File, "criteria", idx, "scope", "detections", j)
			}
			e := c.ds.Errorf(at, diag.UnknownDetection, "escalation criterion %s is scoped to %q, which names no detection", cr.ID, pat)
			if s := validate.Suggest(pat, detIDs); s != "" {
				e.WithHint("did you mean %q?", s)
			} else {
				e.WithHint("name detection IDs, or patterns with * and ? such as aws-iam-*")
			}
		}
	}
}

func (c *checker) atLine(s ir.SourceRef) *diag.Range { return diag.At(s.File, s.Line, 1) }

func (c *checker) duplicate(kind, id string, at, first ir.SourceRef) {
	d := c.ds.Errorf(c.at(at.File, "id"), diag.DuplicateID, "duplicate %s ID %q", kind, id).
		WithHint("IDs must be unique in the repository; rename one of them")
	d.Related = append(d.Related, diag.Related{Message: fmt.Sprintf("first defined in %s", first.File), Subject: c.at(first.File, "id")})
}
