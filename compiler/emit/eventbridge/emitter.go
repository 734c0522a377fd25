package eventbridge

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/socc-dev/socc/compiler/diag"
	"github.com/socc-dev/socc/compiler/emit"
	"github.com/socc-dev/socc/compiler/eventpattern"
	"github.com/socc-dev/socc/compiler/ir"
)

func init() { emit.Register(Emitter{}) }

// Emitter is the "eventbridge" target.
type Emitter struct{}

// Name returns "eventbridge".
func (Emitter) Name() string { return "eventbridge" }

// Rule is one compiled EventBridge rule.
type Rule struct {
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	Title    string         `json:"title"`
	Status   string         `json:"status"`
	Reason   string         `json:"reason,omitempty"`
	Pattern  map[string]any `json:"-"`
	State    string         `json:"state"`
	Region   string         `json:"region"` // "us-east-1" for global services, else "*"
	Level    string         `json:"level"`
	Residual any            `json:"-"`
}

// Rule states.
const (
	StateEnabled    = "ENABLED"
	StateAllMgmt    = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
	GlobalRegion    = "us-east-1"
	anyRegion       = "*"
	maxPatternBytes = eventpattern.DefaultMaxPatternLength
)

// globalSources are the CloudTrail event sources of AWS global services,
// whose events EventBridge delivers only in us-east-1.
var globalSources = []string{
	"account.amazonaws.com", "cloudfront.amazonaws.com", "iam.amazonaws.com",
	"organizations.amazonaws.com", "route53.amazonaws.com", "signin.amazonaws.com",
	"sts.amazonaws.com", "support.amazonaws.com",
}

// base returns the envelope constraints of a log source and the path of the
// record below the envelope.
func base(ls ir.Logsource) (map[string][]any, []string) {
	switch ls.Service {
	case "guardduty":
		return map[string][]any{"source": {"aws.guardduty"}, "detail-type": {"GuardDuty Finding"}}, []string{"detail"}
	case "securityhub":
		return map[string][]any{"source": {"aws.securityhub"}}, []string{"detail", "findings"}
	case "config":
		return map[string][]any{"source": {"aws.config"}}, []string{"detail"}
	}
	return map[string][]any{"detail-type": {
		"AWS API Call via CloudTrail", "AWS Console Action via CloudTrail",
		"AWS Console Signin via CloudTrail", "AWS Service Event via CloudTrail",
	}}, []string{"detail"}
}

// Compile builds the rule of one detection.
func Compile(d *ir.Detection) *Rule {
	r := &Rule{ID: d.ID, Name: RuleName(d.ID), Title: d.Title, Level: d.Severity.Level.String(), Region: anyRegion, State: StateEnabled}
	envelope, root := base(d.Logsource)
	b := &builder{root: root}
	if d.Logsource.Service == "vpcflow" {
		r.Status, r.Reason = emit.Unsupported, "VPC Flow Logs are not delivered to EventBridge"
		return r
	}
	cond := d.Cond()
	terms := b.over(nnf(cond, false))
	if terms == nil {
		terms = b.keysOnly(cond)
	}
	if len(terms) == 0 {
		r.Status, r.Reason = emit.Unsupported, "the condition can never hold"
		return r
	}
	if slices.ContainsFunc(terms, func(t term) bool { return len(t) == 0 }) {
		r.Status = emit.Unsupported
		r.Reason = "EventBridge can express no part of the condition"
		if len(b.reasons) > 0 {
			r.Reason += ": " + strings.Join(b.reasons, "; ")
		}
		return r
	}
	r.Pattern = b.render(b.withEnvelope(terms, envelope))
	if len(mustJSON(r.Pattern)) > maxPatternBytes {
		b.inexact("the exact pattern is longer than EventBridge's default quota of %d characters", maxPatternBytes)
		r.Pattern = b.render(b.withEnvelope(b.keysOnly(cond), envelope))
	}
	if _, err := eventpattern.Compile([]byte(mustJSON(r.Pattern))); err != nil {
		r.Status, r.Reason, r.Pattern = emit.Unsupported, "EventBridge rejects the pattern: "+err.Error(), nil
		return r
	}
	if d.Threshold != nil {
		b.inexact("EventBridge matches single events; the threshold (%d in %s) is counted downstream", d.Threshold.Count, d.Threshold.Window)
	}
	r.Status = emit.Exact
	if len(b.reasons) > 0 {
		r.Status, r.Reason = emit.Approximate, strings.Join(b.reasons, "; ")
		r.Residual = ir.ExprJSON(cond)
	}
	sources, names := requiredKeys(cond)
	if len(sources) > 0 && !slices.ContainsFunc(sources, func(s string) bool { return !slices.Contains(globalSources, s) }) {
		r.Region = GlobalRegion
	}
	if d.Logsource.Service == "cloudtrail" && (len(names) == 0 || slices.ContainsFunc(names, readOnlyName)) {
		r.State = StateAllMgmt
	}
	return r
}

func (b *builder) withEnvelope(d dnf, envelope map[string][]any) dnf {
	out := make(dnf, len(d))
	for i, t := range d {
		t = slices.Clone(t)
		for _, k := range sortedKeys(envelope) {
			// A condition of the detection on the same envelope field wins.
			if !slices.ContainsFunc(t, func(l literal) bool { return len(l.path) == 1 && l.path[0] == k }) {
				t = append(t, literal{path: []string{k}, matchers: envelope[k]})
			}
		}
		out[i] = t
	}
	return out
}

// readOnlyName reports whether an API name is one that EventBridge delivers
// only to rules enabled for all management events.
func readOnlyName(n string) bool {
	return strings.HasPrefix(n, "Get") || strings.HasPrefix(n, "List") || strings.HasPrefix(n, "Describe")
}

// keysOnly is the coarse fallback: the equality values the condition
// requires on eventSource and eventName.
func (b *builder) keysOnly(cond ir.Expr) dnf {
	b.inexact("the condition has too many alternatives for one pattern; the pattern keeps its required eventSource and eventName")
	sources, names := requiredKeys(cond)
	t := term{}
	if len(sources) > 0 {
		t = append(t, literal{path: append(slices.Clone(b.root), "eventSource"), matchers: anys(sources)})
	}
	if len(names) > 0 {
		t = append(t, literal{path: append(slices.Clone(b.root), "eventName"), matchers: anys(names)})
	}
	return dnf{t}
}

func anys(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// requiredKeys returns the case-sensitive eventSource and eventName values
// one of which every matching event must have (nil when unconstrained),
// sorted.
func requiredKeys(x ir.Expr) (sources, names []string) {
	sources, names = ir.Required(x, "eventSource"), ir.Required(x, "eventName")
	slices.Sort(sources)
	slices.Sort(names)
	return sources, names
}

func sortedKeys[V any](m map[string]V) []string {
	var k []string
	for x := range m {
		k = append(k, x)
	}
	slices.Sort(k)
	return k
}

// RuleName is the EventBridge rule name of a detection: at most 64
// characters of [.-_A-Za-z0-9].
func RuleName(id string) string {
	n := "socc-" + id
	if len(n) > 64 {
		n = n[:64]
	}
	return n
}

// PatternJSON renders a pattern as compact JSON with sorted keys, as sent to
// EventBridge (its size limits count these characters), and a newline.
func PatternJSON(p map[string]any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// Emit writes eventbridge/<id>.json per detection, eventbridge/rules.json,
// cloudformation/detections.yaml and terraform/detections.tf.
func (Emitter) Emit(_ context.Context, p *ir.Program, out *emit.Sink) diag.Diagnostics {
	var rules []*Rule
	for _, d := range p.Detections {
		r := Compile(d)
		st := emit.Status{Status: r.Status, Reason: r.Reason, Residual: r.Residual}
		if r.Pattern != nil {
			st.Path = "eventbridge/" + d.ID + ".json"
			out.Put(st.Path, PatternJSON(r.Pattern))
			rules = append(rules, r)
		}
		out.SetStatus(d.ID, "eventbridge", st)
	}
	index, _ := json.MarshalIndent(rules, "", "  ")
	out.Put("eventbridge/rules.json", append(index, '\n'))
	out.Put("cloudformation/detections.yaml", CloudFormation(rules))
	out.Put("terraform/detections.tf", Terraform(rules))
	return nil
}
