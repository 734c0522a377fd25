// Package opensearch compiles detections into OpenSearch queries over
// records indexed as written (strings as keyword fields): an Alerting
// monitor around the query DSL (.json) and a Lucene query string (.lucene)
// per detection.
//
// Field names, the index and the time field come from the OpenSearch
// field mapping of the detection's log source (CloudTrail records,
// GuardDuty and Security Hub findings one per document, Config events
// whole), which fieldmap.Prepare reads: it decides the fields the index
// holds as constants and says what the index cannot hold faithfully.
// Arrays of objects are flattened by the index, which is socc's semantics
// for paths below arrays; negation is bool must_not, which matches
// documents without the field. Regular expressions are rewritten from RE2
// into Lucene's RegExp syntax (anchored, case folding spelled out), and
// query-string terms are escaped per context. docs/targets.md describes
// each construct and what is approximate.
package opensearch
