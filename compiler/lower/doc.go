// Package lower turns validated content documents into the IR: it parses
// detection conditions, lowers selections and field modifiers into typed
// predicates (compiling regular expressions, wildcards and CIDR networks
// once), resolves severity through the matrix, and reports every content
// error it finds with its position.
package lower
