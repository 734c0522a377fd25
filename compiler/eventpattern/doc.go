// Package eventpattern parses, validates and matches Amazon EventBridge event
// patterns with AWS's semantics, so that a detection can be checked offline
// against recorded events before it is deployed as an EventBridge rule.
//
// The behaviour follows the AWS TestEventPattern API as recorded in the
// conformance corpus under testdata/, and the open-source aws/event-ruler
// engine that EventBridge is built on wherever the corpus is silent:
//
//   - every leaf of a pattern is a non-empty JSON array; values in one array
//     are alternatives (OR) and fields are conjunctive (AND);
//   - exact values compare strings byte for byte, numbers numerically when
//     they are exactly representable as float64, and true, false and null
//     only with themselves;
//   - arrays in the event match when any element matches, arrays of objects
//     are flattened, and all fields matched by one sub-pattern must come from
//     the same element of an array ("array-consistent matching");
//   - dotted keys in events and patterns are equivalent to nesting;
//   - the operators prefix, suffix, equals-ignore-case, wildcard,
//     anything-but (with all its forms), numeric, cidr, exists and $or, with
//     the reasons AWS gives when a pattern is rejected, the wildcard
//     complexity limit, the $or combination limit and the pattern size
//     limits.
//
// Compile a pattern once and match it against many events:
//
//	p, err := eventpattern.Compile(patternJSON)
//	if err != nil {
//		// err is an *InvalidPatternError with AWS's reason
//	}
//	ok, err := p.Match(eventJSON)
//
// A compiled Pattern is safe for concurrent use.
package eventpattern
