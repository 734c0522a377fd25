package diag

// Code is a stable diagnostic code such as "SOCC2004". Codes are never
// reused; retired codes stay reserved. Blocks run by pass: 0xxx load,
// 1xxx validate (schema), 2xxx check, 3xxx emit, 4xxx test.
type Code string

// Load (0xxx): the file itself cannot be read as YAML content.
const (
	EmptyFile       Code = "SOCC0001" // a content file with no YAML document
	InvalidYAML     Code = "SOCC0002" // a YAML syntax error
	NotText         Code = "SOCC0003" // binary data or invalid UTF-8
	FileTooLarge    Code = "SOCC0004" // over the size limit for content files
	AliasNotAllowed Code = "SOCC0005" // YAML anchors and aliases are not allowed
	DuplicateKey    Code = "SOCC0006" // a mapping repeats a key
	UnknownKind     Code = "SOCC0007" // missing or unknown `kind:`
	ReadFailed      Code = "SOCC0008" // the file could not be read
	MultiDocument   Code = "SOCC0009" // more than one YAML document in a file
	UnsafePath      Code = "SOCC0010" // a path or symlink that leaves the content repository
)

// Validate (1xxx): the document does not match the JSON Schema of its kind.
const (
	UnknownField   Code = "SOCC1001" // a key the kind does not define
	WrongType      Code = "SOCC1002" // a value of the wrong JSON type
	MissingField   Code = "SOCC1003" // a required key is absent
	InvalidValue   Code = "SOCC1004" // a value outside the allowed set or format
	SchemaMismatch Code = "SOCC1005" // any other schema violation
)

// Check (2xxx): the content is well formed but wrong.
const (
	DuplicateID        Code = "SOCC2001" // two objects of a kind share an ID
	UndefinedSelection Code = "SOCC2002" // a condition names no selection
	MalformedCondition Code = "SOCC2003" // a condition that does not parse
	InvalidRegex       Code = "SOCC2004" // a `re` value that RE2 rejects
	UnknownModifier    Code = "SOCC2005" // a field modifier socc does not know
	InvalidModifier    Code = "SOCC2006" // a modifier that does not fit its value or other modifiers
	InvalidCIDR        Code = "SOCC2007" // a `cidr` value that is no network
	UnknownRunbook     Code = "SOCC2008" // a detection names a missing runbook
	UnknownTechnique   Code = "SOCC2009" // an ATT&CK ID not in the catalog
	UnknownControl     Code = "SOCC2010" // an Annex A ID not in the catalog
	ExpiredException   Code = "SOCC2011" // an exception past its expiry date
	ExpiringException  Code = "SOCC2012" // an exception expiring within 14 days (warning)
	InvalidThreshold   Code = "SOCC2013" // a threshold with a bad count, window or field
	UnknownLevel       Code = "SOCC2014" // a severity that the matrix does not define
	UnknownCriterion   Code = "SOCC2015" // a test expects an escalation criterion that does not exist
	FixtureMissing     Code = "SOCC2016" // a fixture file that does not exist
	FixtureOutside     Code = "SOCC2017" // a fixture path outside the content repository
	FixtureInvalid     Code = "SOCC2018" // a fixture that is not JSON of a known shape
	PolicyViolation    Code = "SOCC2019" // a Rego content policy denied the content
	PolicyError        Code = "SOCC2020" // a Rego policy that does not compile or evaluate
	UnusedSelection    Code = "SOCC2021" // a selection no condition uses (warning)
	InvalidWildcard    Code = "SOCC2022" // a wildcard value with a bad escape
	InvalidField       Code = "SOCC2023" // a malformed field path
	MissingMatrix      Code = "SOCC2024" // no severity matrix in the content
	UnknownDetection   Code = "SOCC2025" // a runbook trigger names a missing detection
	InvalidDate        Code = "SOCC2026" // a date that does not parse
	UnknownList        Code = "SOCC2027" // a list modifier names a missing kind: list
)

// Emit (3xxx): an artifact could not be built or failed its proof.
const (
	VerifyFailed  Code = "SOCC3001" // an artifact disagrees with the reference evaluator on a fixture
	UnmappedField Code = "SOCC3002" // a field a detection uses that the target's field mapping does not name
)

// Test (4xxx): a fixture test did not give what it expects.
const (
	TestFailed Code = "SOCC4001" // a fixture test failed
)
