package eventbridge

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"
)

// LogicalID is the CloudFormation logical ID of a detection's rule.
func LogicalID(id string) string {
	var b strings.Builder
	b.WriteString("Rule")
	up := true
	for _, r := range id {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

func ref(name string) map[string]any { return map[string]any{"Ref": name} }

// CloudFormation renders one AWS::Events::Rule per rule, targeting an SNS
// topic and, when its ARN is given, the triage state machine. Rules on
// global services are created only when the stack is in us-east-1, so one
// template can be deployed to every region (for example as a StackSet).
func CloudFormation(rules []*Rule) []byte {
	resources := map[string]any{}
	for _, r := range rules {
		pattern := any(r.Pattern)
		if strings.Contains(mustJSON(r.Pattern), "null") {
			// CloudFormation rejects null in YAML templates: pass the pattern as a JSON string.
			pattern = mustJSON(r.Pattern)
		}
		res := map[string]any{
			"Type": "AWS::Events::Rule",
			"Properties": map[string]any{
				"Name":         r.Name,
				"Description":  description(r),
				"EventBusName": ref("EventBusName"),
				"EventPattern": pattern,
				"State":        r.State,
				"Targets": []any{
					map[string]any{"Id": "alert-topic", "Arn": ref("AlertTopicArn")},
					map[string]any{"Fn::If": []any{"HasTriage",
						map[string]any{"Id": "triage", "Arn": ref("TriageStateMachineArn"), "RoleArn": ref("TriageRoleArn")},
						ref("AWS::NoValue")}},
				},
			},
		}
		if r.Region == GlobalRegion {
			res["Condition"] = "InGlobalRegion"
		}
		resources[LogicalID(r.ID)] = res
	}
	tmpl := map[string]any{
		"AWSTemplateFormatVersion": "2010-09-09",
		"Description":              "socc detections as EventBridge rules (generated; do not edit)",
		"Metadata": map[string]any{"cfn-lint": map[string]any{"config": map[string]any{
			// The triage target is created only when TriageStateMachineArn is
			// set; cfn-lint cannot see that its role ARN is then set too.
			"ignore_checks": []any{"W1030"},
		}}},
		"Parameters": map[string]any{
			"EventBusName": map[string]any{"Type": "String", "Default": "default",
				"Description": "The event bus the rules listen on (CloudTrail and security services deliver to default)."},
			"AlertTopicArn": map[string]any{"Type": "String", "AllowedPattern": "^arn:aws[a-z-]*:sns:.+",
				"Description": "The SNS topic that receives every alert."},
			"TriageStateMachineArn": map[string]any{"Type": "String", "Default": "",
				"Description": "The socc triage state machine; leave empty to alert through SNS only."},
			"TriageRoleArn": map[string]any{"Type": "String", "Default": "",
				"Description": "The role EventBridge assumes to start the triage state machine."},
		},
		"Conditions": map[string]any{
			"InGlobalRegion": map[string]any{"Fn::Equals": []any{ref("AWS::Region"), GlobalRegion}},
			"HasTriage":      map[string]any{"Fn::Not": []any{map[string]any{"Fn::Equals": []any{ref("TriageStateMachineArn"), ""}}}},
		},
		"Resources": resources,
	}
	if len(resources) == 0 {
		delete(tmpl, "Conditions")
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(tmpl); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

func description(r *Rule) string {
	d := fmt.Sprintf("%s [socc %s, %s, %s]", r.Title, r.ID, r.Level, r.Status)
	if len(d) > 512 {
		d = d[:509] + "..."
	}
	return d
}
