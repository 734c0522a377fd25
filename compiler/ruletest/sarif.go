package ruletest

import (
	"encoding/json"
	"io"
	"strings"
)

// SARIF 2.1.0, the subset that code-scanning services read: one rule per
// detection with a failing test, one result per failing test, located at
// the test in the detection's file.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string       `json:"id"`
	ShortDescription sarifMessage `json:"shortDescription"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool `json:"executionSuccessful"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifMessage      `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

// WriteSARIF prints the failing tests as a SARIF 2.1.0 log, for code
// scanning on pull requests. Paths are relative to the content root
// (%SRCROOT%); the output holds no timestamps. version is socc's version.
func WriteSARIF(w io.Writer, rep *Report, version string) error {
	driver := sarifDriver{Name: "socc", Version: version, InformationURI: "https://github.com/socc-dev/socc", Rules: []sarifRule{}}
	rules := map[string]int{}
	results := []sarifResult{}
	for _, r := range rep.Results {
		if r.Status == "pass" {
			continue
		}
		i, ok := rules[r.Detection]
		if !ok {
			i = len(driver.Rules)
			rules[r.Detection] = i
			driver.Rules = append(driver.Rules, sarifRule{ID: r.Detection,
				ShortDescription: sarifMessage{Text: "Fixture tests of detection " + r.Detection}})
		}
		msg := "Test " + quote(r.Test) + " of detection " + r.Detection + " failed"
		if len(r.Problems) > 0 {
			msg += ": " + strings.Join(r.Problems, "; ")
		}
		msg += ".\nexp: " + r.Expected.text() + "\ngot: " + r.Got.text() + "\nfixtures: " + strings.Join(r.Fixtures, ", ")
		line := r.Line
		if line < 1 {
			line = 1
		}
		results = append(results, sarifResult{
			RuleID: r.Detection, RuleIndex: i, Level: "error",
			Message: sarifMessage{Text: msg},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
				ArtifactLocation: sarifArtifact{URI: r.File, URIBaseID: "%SRCROOT%"},
				Region:           sarifRegion{StartLine: line},
			}}},
			PartialFingerprints: map[string]string{"soccTest/v1": r.Detection + "/" + r.Test},
		})
	}
	log := sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{{Tool: sarifTool{Driver: driver}, Invocations: []sarifInvocation{{ExecutionSuccessful: true}}, Results: results}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
