package eventbridge

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/diff"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// TestDeployableGolden pins the CloudFormation and Terraform renderings of
// a global-service rule with null in its pattern and a regional rule.
func TestDeployableGolden(t *testing.T) {
	rules := []*Rule{
		Compile(detection(t, "cloudtrail", "  s:\n    eventSource: iam.amazonaws.com\n    eventName: CreateUser\n    errorCode: null\n")),
		Compile(detection(t, "cloudtrail", "  s:\n    eventSource: s3.amazonaws.com\n    eventName: [PutBucketPolicy, DeleteBucketPolicy]\n")),
	}
	rules[1].ID, rules[1].Name = "aws-y", RuleName("aws-y")
	for name, got := range map[string][]byte{
		"detections.cloudformation.golden": CloudFormation(rules),
		"detections.terraform.golden":      Terraform(rules),
	} {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if d := diff.Diff(path, want, "got", got); d != nil {
			t.Errorf("%s differs (go test -update to rewrite):\n%s", name, d)
		}
	}
}
