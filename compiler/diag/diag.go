package diag

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Severity says how serious a diagnostic is. The zero value is invalid.
type Severity int

const (
	// Error diagnostics make a command fail.
	Error Severity = iota + 1
	// Warning diagnostics are printed but do not fail a command.
	Warning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "invalid"
}

// Pos is a position in a source file. Line and Column are 1-based; Column
// counts Unicode code points. Byte is the 0-based byte offset, or -1 when
// unknown.
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// Range is a span of a source file. Start is inclusive and End is exclusive;
// End may equal Start when only a point is known.
type Range struct {
	Filename string `json:"file"`
	Start    Pos    `json:"start"`
	End      Pos    `json:"end"`
}

// At returns a Range holding the single point line:col of file.
func At(file string, line, col int) *Range {
	p := Pos{Line: line, Column: col, Byte: -1}
	return &Range{Filename: file, Start: p, End: p}
}

// String formats the start of r as "file:line:col".
func (r *Range) String() string {
	if r == nil {
		return ""
	}
	if r.Start.Line == 0 {
		return r.Filename
	}
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}

// Related is a secondary position that explains a diagnostic.
type Related struct {
	Message string `json:"message"`
	Subject *Range `json:"subject,omitempty"`
}

// Diagnostic is one problem found in user content.
type Diagnostic struct {
	Severity Severity  `json:"-"`
	Code     Code      `json:"code"`
	Summary  string    `json:"summary"`
	Detail   string    `json:"detail,omitempty"`
	Hint     string    `json:"hint,omitempty"`
	Subject  *Range    `json:"subject,omitempty"`
	Related  []Related `json:"related,omitempty"`
}

// Error implements error so that a single diagnostic can travel as one.
func (d *Diagnostic) Error() string {
	s := fmt.Sprintf("%s[%s]: %s", d.Severity, d.Code, d.Summary)
	if d.Subject != nil {
		return d.Subject.String() + ": " + s
	}
	return s
}

// Diagnostics is a list of diagnostics.
type Diagnostics []*Diagnostic

// Errorf appends an error diagnostic at subject and returns it, so that
// callers can set Hint or Detail.
func (ds *Diagnostics) Errorf(subject *Range, code Code, format string, args ...any) *Diagnostic {
	d := &Diagnostic{Severity: Error, Code: code, Summary: fmt.Sprintf(format, args...), Subject: subject}
	*ds = append(*ds, d)
	return d
}

// Warnf appends a warning diagnostic at subject and returns it.
func (ds *Diagnostics) Warnf(subject *Range, code Code, format string, args ...any) *Diagnostic {
	d := &Diagnostic{Severity: Warning, Code: code, Summary: fmt.Sprintf(format, args...), Subject: subject}
	*ds = append(*ds, d)
	return d
}

// WithHint sets the hint of d and returns d.
func (d *Diagnostic) WithHint(format string, args ...any) *Diagnostic {
	d.Hint = fmt.Sprintf(format, args...)
	return d
}

// WithDetail sets the detail of d and returns d.
func (d *Diagnostic) WithDetail(format string, args ...any) *Diagnostic {
	d.Detail = fmt.Sprintf(format, args...)
	return d
}

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	return slices.ContainsFunc(ds, func(d *Diagnostic) bool { return d.Severity == Error })
}

// Count returns the number of errors and warnings.
func (ds Diagnostics) Count() (errs, warns int) {
	for _, d := range ds {
		if d.Severity == Error {
			errs++
		} else {
			warns++
		}
	}
	return
}

// Sort orders ds by file, line, column, code and summary and removes exact
// duplicates. The order is total, so output is deterministic.
func (ds *Diagnostics) Sort() {
	slices.SortStableFunc(*ds, compare)
	*ds = slices.CompactFunc(*ds, func(a, b *Diagnostic) bool { return compare(a, b) == 0 && a.Hint == b.Hint })
}

func compare(a, b *Diagnostic) int {
	ka, kb := key(a), key(b)
	if c := cmp.Compare(ka.Filename, kb.Filename); c != 0 {
		return c
	}
	if c := cmp.Compare(ka.Start.Line, kb.Start.Line); c != 0 {
		return c
	}
	if c := cmp.Compare(ka.Start.Column, kb.Start.Column); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Severity, b.Severity); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Code, b.Code); c != 0 {
		return c
	}
	return strings.Compare(a.Summary, b.Summary)
}

func key(d *Diagnostic) Range {
	if d.Subject == nil {
		return Range{}
	}
	return *d.Subject
}

// Err returns the diagnostics as an error when any is an error, and a nil
// interface otherwise.
func (ds Diagnostics) Err() error {
	if !ds.HasErrors() {
		return nil
	}
	var errs []error
	for _, d := range ds {
		if d.Severity == Error {
			errs = append(errs, d)
		}
	}
	return errors.Join(errs...)
}

// Append adds d to ds.
func (ds *Diagnostics) Append(d ...*Diagnostic) { *ds = append(*ds, d...) }
