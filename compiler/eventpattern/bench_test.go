package eventpattern

import (
	"os"
	"testing"
)

// BenchmarkMatch matches detection-style patterns against a recorded
// CloudTrail event in its EventBridge envelope.
func BenchmarkMatch(b *testing.B) {
	event, err := os.ReadFile("testdata/cloudtrail-s3-getobject.json")
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name, pattern string
		want          bool
	}{
		{"exact", `{"source":["aws.s3"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventSource":["s3.amazonaws.com"],"eventName":["GetObject","CopyObject","SelectObjectContent"]}}`, true},
		{"exact-nomatch", `{"source":["aws.iam"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventName":["CreateAccessKey"]}}`, false},
		{"operators", `{"source":[{"prefix":"aws."}],"detail":{"userIdentity":{"arn":[{"wildcard":"*:assumed-role/*/i-*"}],"type":[{"anything-but":["Root","IAMUser"]}]},"sourceIPAddress":[{"cidr":"1.2.0.0/16"}],"additionalEventData":{"bytesTransferredOut":[{"numeric":[">",0,"<=",1e9]}]},"errorCode":[{"exists":false}]}}`, true},
		{"or-arrays", `{"detail":{"$or":[{"resources":{"type":["AWS::S3::Object"],"ARN":[{"suffix":".txt"}]}},{"requestParameters":{"bucketName":[{"equals-ignore-case":"EXAMPLE"}]}}]}}`, true},
	}
	for _, c := range cases {
		p, err := Compile([]byte(c.pattern))
		if err != nil {
			b.Fatalf("%s: %v", c.name, err)
		}
		if ok, err := p.Match(event); err != nil || ok != c.want {
			b.Fatalf("%s: Match = %v, %v; want %v", c.name, ok, err, c.want)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(event)))
			for b.Loop() {
				if _, err := p.Match(event); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("MatchValue", func(b *testing.B) {
		p, err := Compile([]byte(cases[0].pattern))
		if err != nil {
			b.Fatal(err)
		}
		v := decodeEvent(b, event)
		b.ReportAllocs()
		for b.Loop() {
			if !p.MatchValue(v) {
				b.Fatal("no match")
			}
		}
	})
}
