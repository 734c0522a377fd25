// Package load finds the content files of a socc repository and parses them
// into documents that keep every YAML node's position: it rejects files that
// are empty, binary, too large, syntactically invalid, or that use aliases or
// duplicate keys, checks each document against the JSON Schema of its kind,
// and decodes it into the typed AST of that kind.
package load
