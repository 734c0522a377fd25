// Package splunk compiles detections into Splunk searches: one .spl file
// per detection and a savedsearches.conf with a scheduled Enterprise
// Security correlation search per detection. The sourcetype and field names
// of each log source come from its Splunk field mapping
// (mappings/fields/splunk.yaml for CloudTrail, sourcetype aws:cloudtrail;
// splunk-guardduty.yaml, splunk-securityhub.yaml and splunk-config.yaml for
// GuardDuty, Security Hub and Config events), prepared by package fieldmap:
// tests on the mapping's constant fields are decided before compiling, and
// the mapping's approximations and unsupported reason carry over to the
// status.
//
// A search is a case-insensitive pre-filter in the search command followed
// by one where clause with the exact condition: case-sensitive comparisons
// with == and match(), multivalue fields (paths below arrays, which Splunk
// names with {}) through mvfilter(), and negated predicates written so that
// a missing field satisfies them. Field names come from the Splunk field
// mapping of the log source; values pass through one escaping function per
// lexical context (escape.go), and regular expressions are rewritten from
// RE2 into PCRE constructs with the same meaning (regex.go). Lint checks SPL
// at the level of its lexer. docs/targets.md describes each construct and
// what is approximate.
package splunk
