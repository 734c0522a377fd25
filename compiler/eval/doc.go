// Package eval is socc's reference evaluator: the executable form of the
// detection semantics in docs/semantics.md. It is the oracle of `socc test`
// (every target must agree with it on every fixture) and the engine of
// `socc backtest`.
//
// Compile turns a lowered program into a Matcher, which evaluates all
// detections against an event while reading the event once:
//
//   - Detections are indexed by the values their condition requires, with
//     case-sensitive string equality, of eventName (else eventSource, else
//     $.source, else $.detail-type). For an event, only the detections
//     indexed under its values, and the unindexed ones, are evaluated. The
//     extraction is sound (an And requires what any child requires, an Or
//     what all children require, a Not nothing), so the index never changes
//     a result.
//   - Every distinct field path of the program is extracted at most once per
//     event, whatever the number of detections reading it; the record's top
//     level is read in one lazy pass (event.Cursor), and deeper levels with
//     gjson over the raw bytes. Nothing is decoded into maps, and matching
//     allocates nothing per event.
//
// Run applies thresholds and escalation criteria to the matches of a list of
// events and returns alerts; Eval evaluates one expression.
package eval
