package event

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tidwall/gjson"
)

func TestSourceOf(t *testing.T) {
	for in, want := range map[string]string{
		"iam.amazonaws.com":                  "aws.iam",
		"signin.amazonaws.com":               "aws.signin",
		"ec2-instance-connect.amazonaws.com": "aws.ec2-instance-connect",
		"custom":                             "aws.custom",
		"":                                   "",
	} {
		if got := SourceOf(in); got != want {
			t.Errorf("SourceOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFromCloudTrail(t *testing.T) {
	rec := gjson.Parse(`{"eventID":"e1","eventTime":"2024-05-06T07:08:09Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser",
		"eventType":"AwsApiCall","awsRegion":"us-east-1","recipientAccountId":"111122223333","note":"\"quoted\" \u00e9"}`)
	ev := FromCloudTrail(rec)
	got := []string{ev.ID, ev.Source, ev.DetailType, ev.Account, ev.Region, ev.TimeText}
	want := []string{"e1", "aws.iam", "AWS API Call via CloudTrail", "111122223333", "us-east-1", "2024-05-06T07:08:09Z"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	env := ev.Envelope()
	wantEnv := `{"version":"0","id":"e1","detail-type":"AWS API Call via CloudTrail","source":"aws.iam","account":"111122223333","time":"2024-05-06T07:08:09Z","region":"us-east-1","resources":[],"detail":` + rec.Raw + `}`
	if string(env) != wantEnv {
		t.Errorf("Envelope() =\n%s\nwant\n%s", env, wantEnv)
	}
	tm, ok := ev.Time()
	if !ok || tm.Unix() != 1714979289 {
		t.Errorf("Time() = %v, %v", tm, ok)
	}
	if f := FromCloudTrailFields(rec, CloudTrailFields{EventID: "x"}); f.ID != "x" || f.DetailType != DefaultDetailType {
		t.Errorf("FromCloudTrailFields: %+v", f)
	}
}

func TestEnvelopeEscaping(t *testing.T) {
	ev := FromCloudTrail(gjson.Parse(`{"eventID":"a\"b\\c\u0001é","eventSource":"s3.amazonaws.com"}`))
	var env map[string]any
	if err := json.Unmarshal(ev.Envelope(), &env); err != nil {
		t.Fatalf("Envelope() is not JSON: %v\n%s", err, ev.Envelope())
	}
	if env["id"] != "a\"b\\c\u0001é" {
		t.Errorf("id = %q", env["id"])
	}
}

func TestSecurityHubSplit(t *testing.T) {
	env := gjson.Parse(`{"version":"0","id":"env","detail-type":"Security Hub Findings - Imported","source":"aws.securityhub",
		"account":"1","time":"2024-01-01T00:00:00Z","region":"r","resources":["a","b"],
		"detail":{"before":1,"findings":[{"Id":"f1"},{"Id":"f2"}],"after":[2]}}`)
	evs := FromEnvelope(env)
	if len(evs) != 2 {
		t.Fatalf("%d events", len(evs))
	}
	for i, ev := range evs {
		wantRec := fmt.Sprintf(`{"Id":"f%d"}`, i+1)
		if ev.Record.Raw != wantRec || ev.ID != "env" || !cmp.Equal(ev.Resources, []string{"a", "b"}) {
			t.Errorf("%d: record %s id %s resources %v", i, ev.Record.Raw, ev.ID, ev.Resources)
		}
		var got map[string]any
		if err := json.Unmarshal(ev.Envelope(), &got); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{
			"version": "0", "id": "env", "detail-type": "Security Hub Findings - Imported", "source": "aws.securityhub",
			"account": "1", "time": "2024-01-01T00:00:00Z", "region": "r", "resources": []any{"a", "b"},
			"detail": map[string]any{"before": 1.0, "findings": []any{map[string]any{"Id": fmt.Sprintf("f%d", i+1)}}, "after": []any{2.0}},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%d: envelope (-want +got):\n%s", i, diff)
		}
		if ev.EnvelopeField("detail-type").Str != "Security Hub Findings - Imported" || ev.EnvelopeField("detail").Get("before").Int() != 1 {
			t.Errorf("%d: EnvelopeField", i)
		}
	}
}

func TestFindings(t *testing.T) {
	gd := FromGuardDutyFinding(gjson.Parse(`{"id":"g1","accountId":"1","region":"r","updatedAt":"2024-01-01T00:00:00Z","type":"T"}`))
	if gd.ID != "g1" || gd.Source != "aws.guardduty" || gd.DetailType != "GuardDuty Finding" || gd.Account != "1" {
		t.Errorf("GuardDuty: %+v", gd)
	}
	if _, ok := gd.Time(); !ok {
		t.Errorf("GuardDuty: no time")
	}
	sh := FromSecurityHubFinding(gjson.Parse(`{"Id":"arn:f","AwsAccountId":"1","Region":"r","UpdatedAt":"2024-01-01T00:00:00Z"}`))
	if got := sh.EnvelopeField("resources").Array(); len(got) != 1 || got[0].Str != "arn:f" {
		t.Errorf("Security Hub resources: %v", got)
	}
	if got := sh.EnvelopeField("detail").Get("findings.0.Id").Str; got != "arn:f" {
		t.Errorf("Security Hub detail: %q", got)
	}
	if !json.Valid(sh.Envelope()) || !json.Valid(gd.Envelope()) {
		t.Errorf("invalid envelopes")
	}
}

func ExampleEvent_Envelope() {
	ev := FromCloudTrail(gjson.Parse(`{"eventID":"e1","eventSource":"iam.amazonaws.com","eventName":"CreateUser","eventType":"AwsApiCall","eventTime":"2024-05-06T07:08:09Z","awsRegion":"us-east-1","recipientAccountId":"111122223333"}`))
	fmt.Println(ev.Source, "|", ev.DetailType)
	fmt.Println(string(ev.Envelope())[:120])
	// Output:
	// aws.iam | AWS API Call via CloudTrail
	// {"version":"0","id":"e1","detail-type":"AWS API Call via CloudTrail","source":"aws.iam","account":"111122223333","time":
}
