package diag

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// DefaultLimit is how many diagnostics a writer prints before it stops and
// says how many it left out.
const DefaultLimit = 50

// Sources gives the bytes of a file for snippets; it returns nil when the
// source is unknown.
type Sources func(file string) []byte

// WriteText prints ds (sorted already) as
//
//	file:line:col: error[SOCC1234]: summary
//	   12 | the source line
//	      |     ^^^^
//	  hint: what to do
//
// printing at most limit diagnostics (0 means DefaultLimit), then a count.
func WriteText(w io.Writer, ds Diagnostics, src Sources, limit int) error {
	if limit <= 0 {
		limit = DefaultLimit
	}
	var b strings.Builder
	for i, d := range ds {
		if i == limit {
			fmt.Fprintf(&b, "... and %d more diagnostics not shown\n", len(ds)-limit)
			break
		}
		if d.Subject != nil && d.Subject.Filename != "" {
			b.WriteString(d.Subject.String())
			b.WriteString(": ")
		}
		fmt.Fprintf(&b, "%s[%s]: %s\n", d.Severity, d.Code, d.Summary)
		if d.Subject != nil && src != nil {
			snippet(&b, d.Subject, src(d.Subject.Filename))
		}
		if d.Detail != "" {
			fmt.Fprintf(&b, "  %s\n", d.Detail)
		}
		for _, r := range d.Related {
			fmt.Fprintf(&b, "  note: %s", r.Message)
			if r.Subject != nil {
				fmt.Fprintf(&b, " (%s)", r.Subject)
			}
			b.WriteString("\n")
		}
		if d.Hint != "" {
			fmt.Fprintf(&b, "  hint: %s\n", d.Hint)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func snippet(b *strings.Builder, r *Range, src []byte) {
	if src == nil || r.Start.Line < 1 {
		return
	}
	lines := bytes.Split(src, []byte("\n"))
	if r.Start.Line > len(lines) {
		return
	}
	line := strings.TrimRight(string(lines[r.Start.Line-1]), "\r")
	if !utf8.ValidString(line) || len(line) > 200 {
		return
	}
	line = strings.ReplaceAll(line, "\t", " ")
	num := fmt.Sprint(r.Start.Line)
	pad := strings.Repeat(" ", len(num))
	fmt.Fprintf(b, " %s | %s\n", num, line)
	col := max(r.Start.Column, 1)
	width := 1
	if r.End.Line == r.Start.Line && r.End.Column > col {
		width = r.End.Column - col
	}
	if n := utf8.RuneCountInString(line); col > n+1 {
		return
	}
	fmt.Fprintf(b, " %s | %s%s\n", pad, strings.Repeat(" ", col-1), strings.Repeat("^", width))
}

// jsonDiagnostic is the JSON form of a diagnostic.
type jsonDiagnostic struct {
	Severity string `json:"severity"`
	*Diagnostic
}

// WriteJSON prints ds as {"diagnostics":[...],"errors":N,"warnings":N}.
func WriteJSON(w io.Writer, ds Diagnostics) error {
	out := struct {
		Diagnostics []jsonDiagnostic `json:"diagnostics"`
		Errors      int              `json:"errors"`
		Warnings    int              `json:"warnings"`
	}{Diagnostics: []jsonDiagnostic{}}
	for _, d := range ds {
		out.Diagnostics = append(out.Diagnostics, jsonDiagnostic{d.Severity.String(), d})
	}
	out.Errors, out.Warnings = ds.Count()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
