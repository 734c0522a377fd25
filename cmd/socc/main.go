// Socc compiles security-operations content (detections, a severity
// matrix, escalation criteria and runbooks kept as YAML in git) into what
// runs in production, after proving every artifact against recorded events.
//
// Usage:
//
//	socc validate [DIR]
//	socc test [DIR] [--run REGEX] [--format text|json|junit|sarif|github] [--out FILE]
//	socc build [DIR] [-o DIR] [--target a,b] [--strict]
//	socc backtest [DIR] --events PATH...
//	socc schema KIND
//	socc version
//
// Exit codes: 0 success; 1 content errors or failing tests; 2 usage errors
// or failures of the environment.
package main

import "os"

func main() { os.Exit(Main()) }
