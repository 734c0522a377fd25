# Every detection maps to at least one MITRE ATT&CK technique and at least
# one ISO/IEC 27001:2022 Annex A control. Coverage reports (which techniques
# are detected) and audit evidence (which controls are monitored) are built
# from these mappings: an unmapped detection is invisible in both.
package socc.policy.mapping

deny contains v if {
	some id, d in input.detections
	count(d.attack) == 0
	v := {
		"id": id,
		"field": "attack",
		"msg": "the detection maps to no ATT&CK technique",
		"hint": "add 'attack: [T....]' with the technique IDs it detects (mappings/attack-enterprise.tsv lists them)",
	}
}

deny contains v if {
	some id, d in input.detections
	count(d.controls) == 0
	v := {
		"id": id,
		"field": "controls",
		"msg": "the detection maps to no Annex A control",
		"hint": "add 'controls: [A.8.16]' with the Annex A controls it monitors (mappings/annex-a.yaml lists them)",
	}
}
