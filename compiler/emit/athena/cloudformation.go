package athena

import (
	"bytes"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"
)

// LogicalID is the CloudFormation logical ID of a detection's named query.
func LogicalID(id string) string {
	var b strings.Builder
	b.WriteString("Query")
	up := true
	for _, r := range id {
		if r >= 0x80 || !unicode.IsLetter(r) && !unicode.IsDigit(r) {
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

// CloudFormation renders one AWS::Athena::NamedQuery per query, in the
// database and workgroup the stack's parameters name. One database holds
// every table the queries read (each query's FROM names its table).
func CloudFormation(qs []*Query) []byte {
	resources := map[string]any{}
	for _, q := range qs {
		desc := q.Title + " [socc " + q.ID + ", " + q.Status + "]"
		if q.Reason != "" {
			desc += ": " + q.Reason
		}
		if r := []rune(desc); len(r) > 1024 {
			desc = string(r[:1021]) + "..."
		}
		name := "socc-" + q.ID
		if r := []rune(name); len(r) > 128 {
			name = string(r[:128])
		}
		resources[LogicalID(q.ID)] = map[string]any{
			"Type": "AWS::Athena::NamedQuery",
			"Properties": map[string]any{
				"Name":        name,
				"Description": desc,
				"Database":    map[string]any{"Ref": "Database"},
				"WorkGroup":   map[string]any{"Ref": "WorkGroup"},
				"QueryString": q.SQL,
			},
		}
	}
	tmpl := map[string]any{
		"AWSTemplateFormatVersion": "2010-09-09",
		"Description":              "socc detections as Amazon Athena named queries over the CloudTrail table and the tables of EventBridge events (generated; do not edit)",
		"Parameters": map[string]any{
			"Database": map[string]any{"Type": "String", "MinLength": 1,
				"Description": "The Glue database that holds the tables the queries read: the CloudTrail table and, for the GuardDuty, Security Hub and Config queries, the tables of EventBridge events their field mappings define."},
			"WorkGroup": map[string]any{"Type": "String", "Default": "primary",
				"Description": "The Athena workgroup the named queries belong to."},
		},
		"Resources": resources,
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(tmpl); err != nil {
		panic(err)
	}
	return buf.Bytes()
}
