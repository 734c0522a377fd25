// Package ruletest runs the fixture tests of detections behind `socc test`:
// it evaluates every detection over each test's recorded events with the
// reference evaluator and compares match counts, levels, escalations and
// runbooks with what the test expects.
package ruletest

import (
	"regexp"
	"slices"
	"strings"

	"github.com/socc-dev/socc/compiler/eval"
	"github.com/socc-dev/socc/compiler/event"
	"github.com/socc-dev/socc/compiler/ir"
)

// Outcome is what a test expects or what it got. Only the keys a test
// checks are set.
type Outcome struct {
	Matches     int       `json:"matches"`
	Level       *string   `json:"level,omitempty"`
	Levels      []string  `json:"levels,omitempty"` // got: when alerts differ in level
	Escalations *[]string `json:"escalations,omitempty"`
	Runbook     *string   `json:"runbook,omitempty"`
}

// Result is the verdict of one test.
type Result struct {
	Detection string   `json:"detection"`
	Test      string   `json:"test"`
	Status    string   `json:"status"` // "pass" or "fail"
	File      string   `json:"file"`
	Line      int      `json:"line"`
	Fixtures  []string `json:"fixtures"`
	Expected  Outcome  `json:"expected"`
	Got       Outcome  `json:"got"`
	Problems  []string `json:"problems,omitempty"` // one line per difference
}

// Summary counts results.
type Summary struct {
	Passed int `json:"passed"`
	Failed int `json:"failed"`
}

// Report is the outcome of a test run, in file order.
type Report struct {
	Summary Summary  `json:"summary"`
	Results []Result `json:"results"`
}

// Run runs the tests of every detection in p whose "<detection>/<test>"
// name matches filter (nil runs all). fixtures holds the events of every
// fixture path the tests name.
func Run(p *ir.Program, fixtures map[string][]*event.Event, filter *regexp.Regexp) *Report {
	m := eval.Compile(p)
	rep := &Report{Results: []Result{}}
	for _, d := range p.Detections {
		for _, t := range d.Tests {
			if filter != nil && !filter.MatchString(d.ID+"/"+t.Name) {
				continue
			}
			var events []*event.Event
			for _, f := range t.Events {
				events = append(events, fixtures[f]...)
			}
			alerts := eval.Run(p, m, events)[d.ID]
			r := judge(d, t, alerts)
			if r.Status == "pass" {
				rep.Summary.Passed++
			} else {
				rep.Summary.Failed++
			}
			rep.Results = append(rep.Results, r)
		}
	}
	slices.SortStableFunc(rep.Results, func(a, b Result) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		return a.Line - b.Line
	})
	return rep
}

func judge(d *ir.Detection, t *ir.Test, alerts []*eval.Alert) Result {
	r := Result{Detection: d.ID, Test: t.Name, File: t.Source.File, Line: t.Source.Line, Fixtures: t.Events, Status: "pass"}
	r.Expected.Matches = t.Expect.Matches
	r.Got.Matches = len(alerts)
	if r.Got.Matches != r.Expected.Matches {
		r.Problems = append(r.Problems, "match count differs")
	}
	if t.Expect.Level != nil {
		want := t.Expect.Level.String()
		r.Expected.Level = &want
		var levels []string
		for _, a := range alerts {
			if s := a.Level.String(); !slices.Contains(levels, s) {
				levels = append(levels, s)
			}
		}
		slices.Sort(levels)
		switch {
		case len(levels) == 1:
			r.Got.Level = &levels[0]
		case len(levels) > 1:
			r.Got.Levels = levels
		}
		if len(alerts) > 0 && (len(levels) != 1 || levels[0] != want) {
			r.Problems = append(r.Problems, "level differs")
		}
	}
	if t.Expect.Escalations != nil {
		r.Expected.Escalations = t.Expect.Escalations
		got := []string{}
		for _, a := range alerts {
			for _, e := range a.Escalations {
				if !slices.Contains(got, e) {
					got = append(got, e)
				}
			}
		}
		slices.Sort(got)
		r.Got.Escalations = &got
		if !slices.Equal(got, *t.Expect.Escalations) {
			r.Problems = append(r.Problems, "escalations differ")
		}
	}
	if t.Expect.Runbook != nil {
		r.Expected.Runbook = t.Expect.Runbook
		rb := d.Runbook
		r.Got.Runbook = &rb
		if rb != *t.Expect.Runbook {
			r.Problems = append(r.Problems, "runbook differs")
		}
	}
	if len(r.Problems) > 0 {
		r.Status = "fail"
	}
	return r
}
