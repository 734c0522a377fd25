// Package sentinel compiles detections into KQL for Microsoft Sentinel's
// AWS tables (AWSCloudTrail, AWSGuardDuty, AWSSecurityHubFindings: the
// table is the field mapping's): one .kql query and one scheduled analytic
// rule (.yaml, in the format of the Azure-Sentinel content repository) per
// detection.
//
// The Sentinel field mapping of the log source, prepared by package
// fieldmap, gives the table, its column names and the dynamic values
// (parse_json() of JSON text columns, dynamic columns) below which record
// paths are members; it decides the fields the table holds as constants
// and says what the table cannot hold faithfully. Comparisons keep
// socc's case semantics (==, =~, the _cs operators), regular expressions run
// unchanged (KQL's are RE2), paths below arrays become mv-apply counts, and
// negated predicates are written so that an absent value satisfies them.
// The tests parse and type-check every query with Kusto's language service.
// docs/targets.md describes each construct and what is approximate.
package sentinel
