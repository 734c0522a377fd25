# Alerts of level Lv3 and Lv4 page the on-call responder, at night too, and
# open an incident: the responder must know at once which runbook to follow.
# A high-level detection without a runbook leaves the first, most important
# minutes of the response to improvisation.
package socc.policy.runbook

deny contains v if {
	some id, d in input.detections
	d.level in {"Lv3", "Lv4"}
	not d.runbook
	v := {
		"id": id,
		"field": "severity",
		"msg": sprintf("a detection of level %s names no runbook", [d.level]),
		"hint": "add 'runbook: <runbook id>' naming a runbook under runbooks/, or lower the severity",
	}
}
