# Every detection is tested both ways. A test expecting an alert
# (matches >= 1) proves that the detection fires on the attack it is written
# for; a test expecting none (matches == 0) proves that it stays quiet on a
# near miss. A detection with only positive tests may match every event of
# its source unnoticed, and one with only negative tests may never fire.
package socc.policy.fixtures

deny contains v if {
	some id, d in input.detections
	not _fires(d)
	v := {
		"id": id,
		"field": "tests",
		"msg": "no test expects a match",
		"hint": "add a test whose fixture the detection must match, with 'expect: {matches: 1}'",
	}
}

deny contains v if {
	some id, d in input.detections
	not _quiet(d)
	v := {
		"id": id,
		"field": "tests",
		"msg": "no test expects no match",
		"hint": "add a test with a near-miss fixture the detection must not match, with 'expect: {matches: 0}'",
	}
}

_fires(d) if {
	some t in d.tests
	t.matches >= 1
}

_quiet(d) if {
	some t in d.tests
	t.matches == 0
}
