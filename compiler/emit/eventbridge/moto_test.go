package eventbridge_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ebapi "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/socc-dev/socc/compiler"
	"github.com/socc-dev/socc/compiler/emit/eventbridge"
	"github.com/socc-dev/socc/compiler/event"
	"github.com/socc-dev/socc/compiler/eventpattern"
	"github.com/socc-dev/socc/compiler/internal/motoserver"
)

// motoGaps are the bundled detections whose rules moto's matcher cannot
// evaluate as EventBridge does (reference/aws-targets.md 1.5); they are
// created and fed like every other rule, but their deliveries are not
// compared.
var motoGaps = map[string]string{
	// moto flattens only dicts (its _flatten_dict): it cannot see fields
	// inside arrays of objects, which EventBridge traverses.
	"aws-securityhub-finding-critical":                "detail.findings[] is an array of objects",
	"aws-cloudtrail-trail-modified":                   "requestParameters.eventSelectors[] is an array of objects",
	"aws-ec2-ami-shared":                              "launchPermission.add.items[] is an array of objects",
	"aws-ec2-snapshot-shared-externally":              "createVolumePermission.add.items[] is an array of objects",
	"aws-ec2-security-group-admin-port-open-to-world": "ipPermissions.items[].ipRanges.items[] are arrays of objects",
	"aws-s3-bucket-acl-public":                        "AccessControlList.Grant[] is an array of objects",
	"aws-s3-bucket-policy-public":                     "bucketPolicy.Statement[] is an array of objects",
	"aws-secretsmanager-batch-get-all-secrets":        "requestParameters.filters[] is an array of objects",
	// moto turns a wildcard into a Python regular expression whose "."
	// does not match a newline; EventBridge's * matches any characters,
	// and IAM policy documents in CloudTrail are multi-line strings.
	"aws-iam-inline-admin-policy": "wildcard over a multi-line policy document",
}

// TestMotoEndToEnd creates every bundled rule in a moto server with an SQS
// queue as its target, puts every fixture event, and checks that moto
// delivers exactly the events the pattern engine says the pattern matches.
func TestMotoEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a moto server")
	}
	url := motoserver.Start(t)
	ctx := context.Background()
	res, ds, err := compiler.Load(ctx, "../../..", compiler.WithNow(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)), compiler.WithoutPolicies())
	if err != nil || ds.HasErrors() {
		t.Fatalf("load the bundled library: %v %v", err, ds)
	}
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")}
	eb := ebapi.NewFromConfig(cfg, func(o *ebapi.Options) { o.BaseEndpoint = aws.String(url) })
	sq := sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = aws.String(url) })

	type ruleQ struct {
		rule    *eventbridge.Rule
		pattern *eventpattern.Pattern
		queue   string
	}
	var rules []ruleQ
	for _, d := range res.Program.Detections {
		r := eventbridge.Compile(d)
		if r.Pattern == nil {
			continue
		}
		src := eventbridge.PatternJSON(r.Pattern)
		p, err := eventpattern.Compile(src)
		if err != nil {
			t.Fatalf("%s: %v", d.ID, err)
		}
		q, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(fmt.Sprintf("q%d", len(rules)))})
		if err != nil {
			t.Fatal(err)
		}
		attr, err := sq.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := eb.PutRule(ctx, &ebapi.PutRuleInput{Name: aws.String(r.Name), EventPattern: aws.String(string(src)),
			State: ebtypes.RuleState(r.State)}); err != nil {
			t.Fatalf("PutRule %s: %v", r.Name, err)
		}
		if _, err := eb.PutTargets(ctx, &ebapi.PutTargetsInput{Rule: aws.String(r.Name),
			Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(attr.Attributes["QueueArn"])}}}); err != nil {
			t.Fatalf("PutTargets %s: %v", r.Name, err)
		}
		rules = append(rules, ruleQ{r, p, *q.QueueUrl})
	}

	// Every fixture event, each once, marked so deliveries can be traced.
	var events []*event.Event
	seen := map[*event.Event]bool{}
	for _, f := range sortedKeys(res.Fixtures) {
		for _, ev := range res.Fixtures[f] {
			if !seen[ev] {
				seen[ev] = true
				events = append(events, ev)
			}
		}
	}
	envelopes := make([][]byte, len(events))
	for i := 0; i < len(events); i += 10 {
		var entries []ebtypes.PutEventsRequestEntry
		for j := i; j < min(i+10, len(events)); j++ {
			var env map[string]any
			if err := json.Unmarshal(events[j].Envelope(), &env); err != nil {
				t.Fatal(err)
			}
			detail := env["detail"].(map[string]any)
			detail["x-socc-fixture"] = j
			b, _ := json.Marshal(detail)
			var resources []string
			for _, r := range env["resources"].([]any) {
				resources = append(resources, r.(string))
			}
			entries = append(entries, ebtypes.PutEventsRequestEntry{Source: aws.String(env["source"].(string)),
				DetailType: aws.String(env["detail-type"].(string)), Detail: aws.String(string(b)), Resources: resources})
			// The envelope moto builds: its own account and region.
			env["account"], env["region"] = "123456789012", "us-east-1"
			envelopes[j], _ = json.Marshal(env)
		}
		out, err := eb.PutEvents(ctx, &ebapi.PutEventsInput{Entries: entries})
		if err != nil || out.FailedEntryCount != 0 {
			t.Fatalf("PutEvents: %v (%d failed)", err, out.FailedEntryCount)
		}
	}

	compared, delivered := 0, 0
	for _, rq := range rules {
		got := map[int]bool{}
		for {
			m, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(rq.queue), MaxNumberOfMessages: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Messages) == 0 {
				break
			}
			for _, msg := range m.Messages {
				var body struct {
					Detail map[string]any `json:"detail"`
				}
				if err := json.Unmarshal([]byte(*msg.Body), &body); err != nil {
					t.Fatalf("%s: message %q: %v", rq.rule.ID, *msg.Body, err)
				}
				got[int(body.Detail["x-socc-fixture"].(float64))] = true
			}
		}
		delivered += len(got)
		if reason, gap := motoGaps[rq.rule.ID]; gap {
			t.Logf("%s: not compared (moto gap: %s); moto delivered %d events", rq.rule.ID, reason, len(got))
			continue
		}
		for i, env := range envelopes {
			want, err := rq.pattern.Match(env)
			if err != nil {
				t.Fatal(err)
			}
			compared++
			if want != got[i] {
				t.Errorf("%s: event %s (%s): engine says %v, moto delivered %v", rq.rule.ID, events[i].ID, events[i].File, want, got[i])
			}
		}
	}
	t.Logf("%d rules, %d events, %d verdicts compared, %d deliveries", len(rules), len(events), compared, delivered)
	if delivered == 0 {
		t.Fatal("moto delivered nothing: the test would prove nothing")
	}
}

func sortedKeys[V any](m map[string]V) []string {
	var k []string
	for x := range m {
		k = append(k, x)
	}
	slices.Sort(k)
	return k
}
