// Package eventbridge compiles detections into Amazon EventBridge event
// patterns, one per detection, with a CloudFormation template and a
// Terraform configuration for the rules and their targets.
//
// Where EventBridge can express a detection's condition exactly the pattern
// is exact. Where it cannot (regular expressions, field references,
// case-insensitive substrings, thresholds) the emitter writes the tightest
// pattern it can that still matches every event the detection matches, marks
// it approximate with the reason, and records the residual condition, which
// the triage state machine enforces. The construction works on the negation
// normal form of the condition, so every dropped predicate only widens the
// pattern; docs/eventbridge.md describes each rule.
package eventbridge
