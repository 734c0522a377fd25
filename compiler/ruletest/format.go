package ruletest

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// WriteText prints one go-test-like line per test, the details of each
// failure (file, test, detection, fixtures, exp and got), and a summary.
func WriteText(w io.Writer, rep *Report, verbose bool) error {
	var b strings.Builder
	for _, r := range rep.Results {
		if r.Status == "pass" {
			if verbose {
				fmt.Fprintf(&b, "--- PASS: %s/%s\n", r.Detection, r.Test)
			}
			continue
		}
		fmt.Fprintf(&b, "--- FAIL: %s/%s\n", r.Detection, r.Test)
		fmt.Fprintf(&b, "    %s:%d: test %q of detection %s\n", r.File, r.Line, r.Test, r.Detection)
		fmt.Fprintf(&b, "    fixtures: %s\n", strings.Join(r.Fixtures, ", "))
		for _, p := range r.Problems {
			fmt.Fprintf(&b, "    %s\n", p)
		}
		fmt.Fprintf(&b, "        exp: %s\n", r.Expected.text())
		fmt.Fprintf(&b, "        got: %s\n", r.Got.text())
	}
	total := rep.Summary.Passed + rep.Summary.Failed
	b.WriteString(strings.Repeat("-", 80) + "\n")
	fmt.Fprintf(&b, "PASS: %d/%d\n", rep.Summary.Passed, total)
	if rep.Summary.Failed > 0 {
		fmt.Fprintf(&b, "FAIL: %d/%d\n", rep.Summary.Failed, total)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (o Outcome) text() string {
	parts := []string{fmt.Sprintf("matches=%d", o.Matches)}
	if o.Level != nil {
		parts = append(parts, "level="+*o.Level)
	}
	if o.Levels != nil {
		parts = append(parts, "levels="+strings.Join(o.Levels, ","))
	}
	if o.Escalations != nil {
		parts = append(parts, "escalations=["+strings.Join(*o.Escalations, ",")+"]")
	}
	if o.Runbook != nil {
		parts = append(parts, "runbook="+*o.Runbook)
	}
	return strings.Join(parts, " ")
}

// WriteJSON prints the report as
// {"summary":{"passed":N,"failed":N},"results":[...]}.
func WriteJSON(w io.Writer, rep *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr"`
	Line      int           `xml:"line,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit prints the report as JUnit XML, one suite per detection.
func WriteJUnit(w io.Writer, rep *Report) error {
	out := junitSuites{}
	idx := map[string]int{}
	for _, r := range rep.Results {
		i, ok := idx[r.Detection]
		if !ok {
			i = len(out.Suites)
			idx[r.Detection] = i
			out.Suites = append(out.Suites, junitSuite{Name: r.Detection})
		}
		s := &out.Suites[i]
		c := junitCase{Name: r.Test, Classname: r.Detection, File: r.File, Line: r.Line}
		s.Tests++
		out.Tests++
		if r.Status != "pass" {
			s.Failures++
			out.Failures++
			c.Failure = &junitFailure{Message: strings.Join(r.Problems, "; "),
				Text: "exp: " + r.Expected.text() + "\ngot: " + r.Got.text()}
		}
		s.Cases = append(s.Cases, c)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// WriteGitHub prints one GitHub Actions workflow command per failing test,
// so that failures show as annotations on the pull request, and the summary.
func WriteGitHub(w io.Writer, rep *Report) error {
	var b strings.Builder
	esc := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	prop := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
	for _, r := range rep.Results {
		if r.Status == "pass" {
			continue
		}
		msg := strings.Join(r.Problems, "; ") + "\nexp: " + r.Expected.text() + "\ngot: " + r.Got.text() +
			"\nfixtures: " + strings.Join(r.Fixtures, ", ")
		fmt.Fprintf(&b, "::error file=%s,line=%d,title=%s::%s\n", prop.Replace(r.File), r.Line,
			prop.Replace("socc test "+r.Detection+"/"+r.Test), esc.Replace(msg))
	}
	fmt.Fprintf(&b, "%d passed, %d failed\n", rep.Summary.Passed, rep.Summary.Failed)
	_, err := io.WriteString(w, b.String())
	return err
}
