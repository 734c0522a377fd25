// Package diag defines the diagnostics that socc reports about user content:
// positions, stable codes, severities, and the text and JSON writers that
// print them as "file:line:col: error[SOCC1234]: summary" with a source
// snippet and a hint.
package diag
