// Package sentinel compiles detections into KQL for Microsoft Sentinel's
// AWSCloudTrail table: one .kql query and one scheduled analytic rule
// (.yaml, in the format of the Azure-Sentinel content repository) per
// detection.
//
// Column names and the JSON text columns read through parse_json() come
// from the Sentinel field mapping of the log source. Comparisons keep
// socc's case semantics (==, =~, the _cs operators), regular expressions run
// unchanged (KQL's are RE2), paths below arrays become mv-apply counts, and
// negated predicates are written so that an absent value satisfies them.
// The tests parse and type-check every query with Kusto's language service.
// docs/targets.md describes each construct and what is approximate.
package sentinel
