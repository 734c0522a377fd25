package eventbridge

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Terraform renders aws_cloudwatch_event_rule and aws_cloudwatch_event_target
// resources for every rule, with variables for the bus and the targets.
// Rules on global services exist only where the provider's region is
// us-east-1.
func Terraform(rules []*Rule) []byte {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	variable := func(name, desc string, def *string) {
		b := body.AppendNewBlock("variable", []string{name}).Body()
		b.SetAttributeRaw("type", hclwrite.TokensForIdentifier("string"))
		b.SetAttributeValue("description", cty.StringVal(desc))
		if def != nil {
			b.SetAttributeValue("default", cty.StringVal(*def))
		}
		body.AppendNewline()
	}
	empty, dflt := "", "default"
	variable("event_bus_name", "The event bus the rules listen on.", &dflt)
	variable("alert_topic_arn", "The SNS topic that receives every alert.", nil)
	variable("triage_state_machine_arn", "The socc triage state machine; empty to alert through SNS only.", &empty)
	variable("triage_role_arn", "The role EventBridge assumes to start the triage state machine.", &empty)
	body.AppendNewBlock("data", []string{"aws_region", "current"})
	body.AppendNewline()
	locals := body.AppendNewBlock("locals", nil).Body()
	locals.SetAttributeRaw("in_global_region", tokens(`data.aws_region.current.name == "us-east-1"`))
	locals.SetAttributeRaw("has_triage", tokens(`var.triage_state_machine_arn != ""`))
	for _, r := range rules {
		name := strings.ReplaceAll(r.ID, "-", "_")
		global := r.Region == GlobalRegion
		ruleRef := "aws_cloudwatch_event_rule." + name + ".name"
		body.AppendNewline()
		rb := body.AppendNewBlock("resource", []string{"aws_cloudwatch_event_rule", name}).Body()
		if global {
			rb.SetAttributeRaw("count", tokens(`local.in_global_region ? 1 : 0`))
			ruleRef = "aws_cloudwatch_event_rule." + name + "[0].name"
		}
		rb.SetAttributeValue("name", cty.StringVal(r.Name))
		rb.SetAttributeValue("description", cty.StringVal(description(r)))
		rb.SetAttributeRaw("event_bus_name", tokens("var.event_bus_name"))
		rb.SetAttributeRaw("event_pattern", hclwrite.TokensForFunctionCall("jsonencode", hclwrite.TokensForValue(ctyValue(r.Pattern))))
		rb.SetAttributeValue("state", cty.StringVal(r.State))

		body.AppendNewline()
		tb := body.AppendNewBlock("resource", []string{"aws_cloudwatch_event_target", name + "_alert"}).Body()
		if global {
			tb.SetAttributeRaw("count", tokens(`local.in_global_region ? 1 : 0`))
		}
		tb.SetAttributeRaw("rule", tokens(ruleRef))
		tb.SetAttributeRaw("event_bus_name", tokens("var.event_bus_name"))
		tb.SetAttributeValue("target_id", cty.StringVal("alert-topic"))
		tb.SetAttributeRaw("arn", tokens("var.alert_topic_arn"))

		body.AppendNewline()
		sb := body.AppendNewBlock("resource", []string{"aws_cloudwatch_event_target", name + "_triage"}).Body()
		cond := `local.has_triage ? 1 : 0`
		if global {
			cond = `local.in_global_region && local.has_triage ? 1 : 0`
		}
		sb.SetAttributeRaw("count", tokens(cond))
		sb.SetAttributeRaw("rule", tokens(ruleRef))
		sb.SetAttributeRaw("event_bus_name", tokens("var.event_bus_name"))
		sb.SetAttributeValue("target_id", cty.StringVal("triage"))
		sb.SetAttributeRaw("arn", tokens("var.triage_state_machine_arn"))
		sb.SetAttributeRaw("role_arn", tokens("var.triage_role_arn"))
	}
	return hclwrite.Format(f.Bytes())
}

// tokens parses a fixed HCL expression written in this file.
func tokens(expr string) hclwrite.Tokens {
	f, diags := hclwrite.ParseConfig([]byte("x = "+expr+"\n"), "", hcl.InitialPos)
	if diags.HasErrors() {
		panic("eventbridge: bad HCL expression " + expr)
	}
	return f.Body().GetAttribute("x").Expr().BuildTokens(nil)
}

// ctyValue converts a pattern to a cty value through its JSON form.
func ctyValue(p map[string]any) cty.Value {
	b := []byte(mustJSON(p))
	t, err := ctyjson.ImpliedType(b)
	if err != nil {
		panic(err)
	}
	v, err := ctyjson.Unmarshal(b, t)
	if err != nil {
		panic(err)
	}
	return v
}
