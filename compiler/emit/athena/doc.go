// Package athena compiles detections into Amazon Athena SQL (Trino) over
// the CloudTrail table of the AWS documentation (cloudtrail_logs) and, for
// GuardDuty, Security Hub and Config, over tables of EventBridge events
// (their field mappings hold the DDL), a CloudTrail Lake variant over an
// event data store, and a CloudFormation template with one
// AWS::Athena::NamedQuery per detection.
//
// Each detection is prepared for its log source's field mapping by package
// fieldmap (constant fields decided, the mapping's unsupported and
// approximate reasons applied). Field names come from the content's field
// mappings (kind: field-mapping, targets athena and athena-lake): plain
// columns and struct members, json(col) for the columns that hold JSON text
// (requestparameters and its kin, read with json_extract), json(col).member
// for a member of one (the finding in an EventBridge event's detail),
// json_map(col) for CloudTrail Lake's maps, boolean_text(col), boolean(col),
// timestamp(col), col[].member for arrays of rows and col[] for arrays of
// strings. A field that the mapping does not name is an error (SOCC3002).
// The option records (json(detail).findings) makes a query read one row per
// record of an event, as socc splits a Security Hub event into its
// findings: CROSS JOIN UNNEST over the array, WITH ORDINALITY.
//
// The queries mean what the IR means (docs/semantics.md): string equality
// is case-sensitive unless the predicate has i (lower() on both sides),
// comparisons are typed (a JSON number never equals a string), a field
// reaches every element of the arrays on its path (UNNEST), a predicate on a
// missing field is false and its negation true (every NOT over a nullable
// operand is NOT COALESCE(x, FALSE)), regular expressions are rewritten
// into the subset RE2 and Java read alike, and every value is escaped for
// its lexical context (string literal, LIKE pattern, JSONPath, identifier).
// What a dialect cannot render exactly is marked approximate or
// unsupported, with the reason; docs/targets.md has the rules.
//
// The tests prove each query by running it in DuckDB over an emulation of
// the Athena tables loaded with the fixture events, and comparing the rows
// with the reference evaluator's verdicts.
package athena
