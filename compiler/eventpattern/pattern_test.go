package eventpattern

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// matchCase is a pattern, an event and whether the event matches.
type matchCase struct {
	name    string
	pattern string
	event   string
	want    bool
}

func runMatchCases(t *testing.T, cases []matchCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Compile([]byte(c.pattern))
			if err != nil {
				t.Fatalf("Compile(%s): %v", c.pattern, err)
			}
			got, err := p.Match([]byte(c.event))
			if err != nil {
				t.Fatalf("Match(%s): %v", c.event, err)
			}
			if got != c.want {
				t.Errorf("pattern %s, event %s: Match = %v, want %v", c.pattern, c.event, got, c.want)
			}
			if got := p.MatchValue(decodeEvent(t, []byte(c.event))); got != c.want {
				t.Errorf("pattern %s, event %s: MatchValue = %v, want %v", c.pattern, c.event, got, c.want)
			}
		})
	}
}

func TestExactValues(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"string", `{"a":["x"]}`, `{"a":"x"}`, true},
		{"string is case sensitive", `{"a":["x"]}`, `{"a":"X"}`, false},
		{"string is not trimmed", `{"a":["x"]}`, `{"a":"x "}`, false},
		{"escapes are decoded", `{"a":["é\n"]}`, `{"a":"\u00e9\n"}`, true},
		{"missing field", `{"a":["x"]}`, `{"b":"x"}`, false},
		{"key is case sensitive", `{"A":["x"]}`, `{"a":"x"}`, false},
		{"null matches null", `{"a":[null]}`, `{"a":null}`, true},
		{"null is not empty string", `{"a":[null]}`, `{"a":""}`, false},
		{"empty string is not null", `{"a":[""]}`, `{"a":null}`, false},
		{"empty string", `{"a":[""]}`, `{"a":""}`, true},
		{"null does not match a missing field", `{"a":[null]}`, `{}`, false},
		{"true", `{"a":[true]}`, `{"a":true}`, true},
		{"true is not the string true", `{"a":[true]}`, `{"a":"true"}`, false},
		{"the string true is not true", `{"a":["true"]}`, `{"a":true}`, false},
		{"false is not true", `{"a":[false]}`, `{"a":true}`, false},
		{"number", `{"a":[300]}`, `{"a":300}`, true},
		{"number equals its float form", `{"a":[300]}`, `{"a":300.0}`, true},
		{"number equals its exponent form", `{"a":[3.018e2]}`, `{"a":301.8}`, true},
		{"number is not a string", `{"a":[300]}`, `{"a":"300"}`, false},
		{"string is not a number", `{"a":["300"]}`, `{"a":300}`, false},
		{"one is not true", `{"a":[1]}`, `{"a":true}`, false},
		{"zero is not false", `{"a":[0]}`, `{"a":false}`, false},
		{"zero is not null", `{"a":[0]}`, `{"a":null}`, false},
		{"minus zero is zero", `{"a":[-0]}`, `{"a":0.0}`, true},
		{"decimal", `{"a":[0.1]}`, `{"a":1e-1}`, true},
		{"number that is not a double matches its text", `{"a":[12345678901234567890]}`, `{"a":12345678901234567890}`, true},
		{"number that is not a double needs the same text", `{"a":[12345678901234567890]}`, `{"a":1.2345678901234567890e19}`, false},
		{"OR within an array", `{"a":["x","y",3]}`, `{"a":3}`, true},
		{"AND across fields", `{"a":["x"],"b":["y"]}`, `{"a":"x","b":"z"}`, false},
		{"AND across fields matches", `{"a":["x"],"b":["y"]}`, `{"a":"x","b":"y"}`, true},
		{"event array intersects", `{"a":["x","y"]}`, `{"a":["z","y"]}`, true},
		{"event array without the value", `{"a":["x"]}`, `{"a":["z"]}`, false},
		{"empty event array", `{"a":["x"]}`, `{"a":[]}`, false},
		{"nested event arrays", `{"a":["x"]}`, `{"a":[["z"],["x"]]}`, true},
		{"object is not a value", `{"a":["x"]}`, `{"a":{"b":"x"}}`, false},
		{"string holding JSON is a string", `{"a":{"b":["x"]}}`, `{"a":"{\"b\": \"x\"}"}`, false},
		{"last duplicate key wins", `{"a":["x"],"a":["y"]}`, `{"a":"x"}`, false},
		{"last duplicate key wins too", `{"a":["x"],"a":["y"]}`, `{"a":"y"}`, true},
		{"duplicate objects merge", `{"a":{"b":["x"]},"a":{"c":["y"]}}`, `{"a":{"b":"x","c":"y"}}`, true},
		{"IPv4 address in any spelling", `{"a":["10.0.0.1"]}`, `{"a":"10.0.0.1"}`, true},
		{"IPv6 address in any spelling", `{"a":["2001:db8::1"]}`, `{"a":"2001:0DB8:0:0:0:0:0:1"}`, true},
		{"IPv4-mapped address", `{"a":["::ffff:a00:1"]}`, `{"a":"10.0.0.1"}`, true},
		{"different IP address", `{"a":["10.0.0.1"]}`, `{"a":"10.0.0.2"}`, false},
		{"not an IP address is a string", `{"a":["999.0.0.1"]}`, `{"a":"999.0.0.1"}`, true},
	})
}

func TestStringOperators(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"prefix", `{"a":[{"prefix":"us-"}]}`, `{"a":"us-east-1"}`, true},
		{"prefix is case sensitive", `{"a":[{"prefix":"us-"}]}`, `{"a":"US-east-1"}`, false},
		{"empty prefix matches a string", `{"a":[{"prefix":""}]}`, `{"a":""}`, true},
		{"prefix does not match a number", `{"a":[{"prefix":""}]}`, `{"a":5}`, false},
		{"prefix does not match null", `{"a":[{"prefix":""}]}`, `{"a":null}`, false},
		{"prefix in an event array", `{"a":[{"prefix":"b"}]}`, `{"a":["ab","ba"]}`, true},
		// event-ruler compares quoted values, so a prefix ending in a quote
		// matches the whole string.
		{"prefix ending in a quote", `{"a":[{"prefix":"ab\""}]}`, `{"a":"ab"}`, true},
		{"prefix ignoring case", `{"a":[{"prefix":{"equals-ignore-case":"EventB"}}]}`, `{"a":"eventbridge"}`, true},
		{"prefix ignoring case elsewhere", `{"a":[{"prefix":{"equals-ignore-case":"EventB"}}]}`, `{"a":"my-eventbridge"}`, false},
		{"suffix", `{"a":[{"suffix":".png"}]}`, `{"a":"image.png"}`, true},
		{"suffix is case sensitive", `{"a":[{"suffix":".png"}]}`, `{"a":"image.PNG"}`, false},
		{"empty suffix", `{"a":[{"suffix":""}]}`, `{"a":"x"}`, true},
		{"suffix ignoring case", `{"a":[{"suffix":{"equals-ignore-case":".png"}}]}`, `{"a":"image.PnG"}`, true},
		{"suffix ignoring case, non-ASCII", `{"a":[{"suffix":{"equals-ignore-case":"É"}}]}`, `{"a":"café"}`, true},
		{"suffix ignoring case, non-ASCII mismatch", `{"a":[{"suffix":{"equals-ignore-case":"ÉS"}}]}`, `{"a":"cafés!"}`, false},
		{"prefix ignoring case, non-ASCII", `{"a":[{"prefix":{"equals-ignore-case":"ÉCL"}}]}`, `{"a":"éclair"}`, true},
		{"prefix ignoring case, non-ASCII mismatch", `{"a":[{"prefix":{"equals-ignore-case":"ÉCL"}}]}`, `{"a":"écrou"}`, false},
		{"equals-ignore-case dotted capital I", `{"a":[{"equals-ignore-case":"İ"}]}`, `{"a":"i\u0307"}`, true},
		{"equals-ignore-case", `{"a":[{"equals-ignore-case":"alice"}]}`, `{"a":"ALICE"}`, true},
		{"equals-ignore-case is whole value", `{"a":[{"equals-ignore-case":"alice"}]}`, `{"a":"ALICE2"}`, false},
		{"equals-ignore-case empty", `{"a":[{"equals-ignore-case":""}]}`, `{"a":""}`, true},
		{"equals-ignore-case non-ASCII", `{"a":[{"equals-ignore-case":"Ünïcödé"}]}`, `{"a":"üNÏCÖDÉ"}`, true},
		{"equals-ignore-case uses full upper case", `{"a":[{"equals-ignore-case":"straße"}]}`, `{"a":"STRASSE"}`, true},
		{"equals-ignore-case does not fold back", `{"a":[{"equals-ignore-case":"STRASSE"}]}`, `{"a":"straße"}`, false},
		{"equals-ignore-case of a number", `{"a":[{"equals-ignore-case":"5"}]}`, `{"a":5}`, false},
		// Java encodes each half of a surrogate pair on its own as "?".
		{"equals-ignore-case outside the BMP", `{"a":[{"equals-ignore-case":"🚀"}]}`, `{"a":"🚀"}`, false},
		{"equals-ignore-case outside the BMP is question marks", `{"a":[{"equals-ignore-case":"🚀"}]}`, `{"a":"??"}`, true},
		{"wildcard", `{"a":[{"wildcard":"dir/*.png"}]}`, `{"a":"dir/a/b.png"}`, true},
		{"wildcard no match", `{"a":[{"wildcard":"dir/*.png"}]}`, `{"a":"dir/a.jpg"}`, false},
		{"wildcard star matches nothing", `{"a":[{"wildcard":"a*b"}]}`, `{"a":"ab"}`, true},
		{"wildcard several stars", `{"a":[{"wildcard":"*/lib/*"}]}`, `{"a":"/usr/lib/x"}`, true},
		{"wildcard without star is exact", `{"a":[{"wildcard":"abc"}]}`, `{"a":"abcd"}`, false},
		{"wildcard star alone", `{"a":[{"wildcard":"*"}]}`, `{"a":""}`, true},
		{"wildcard empty", `{"a":[{"wildcard":""}]}`, `{"a":"x"}`, false},
		{"wildcard escaped star", `{"a":[{"wildcard":"a\\*b"}]}`, `{"a":"a*b"}`, true},
		{"wildcard escaped star is literal", `{"a":[{"wildcard":"a\\*b"}]}`, `{"a":"axb"}`, false},
		{"wildcard escaped backslash", `{"a":[{"wildcard":"a\\\\*"}]}`, `{"a":"a\\bc"}`, true},
		{"wildcard does not match numbers", `{"a":[{"wildcard":"*"}]}`, `{"a":5}`, false},
		{"wildcard overlapping ends", `{"a":[{"wildcard":"ab*ba"}]}`, `{"a":"aba"}`, false},
		{"exactly", `{"a":[{"exactly":"10.0.0.1"}]}`, `{"a":"10.0.0.1"}`, true},
		{"exactly is not an IP match", `{"a":[{"exactly":"10.0.0.1"}]}`, `{"a":"10.0.0.01"}`, false},
	})
}

func TestAnythingBut(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"string", `{"a":[{"anything-but":"x"}]}`, `{"a":"y"}`, true},
		{"string excluded", `{"a":[{"anything-but":"x"}]}`, `{"a":"x"}`, false},
		{"missing field", `{"a":[{"anything-but":"x"}]}`, `{}`, false},
		{"null", `{"a":[{"anything-but":"x"}]}`, `{"a":null}`, true},
		{"number against strings", `{"a":[{"anything-but":["5"]}]}`, `{"a":5}`, true},
		{"number", `{"a":[{"anything-but":123}]}`, `{"a":123.0}`, false},
		{"number list", `{"a":[{"anything-but":[100,200]}]}`, `{"a":300}`, true},
		{"number list excluded", `{"a":[{"anything-but":[100,200]}]}`, `{"a":2e2}`, false},
		{"string against numbers", `{"a":[{"anything-but":[100]}]}`, `{"a":"100"}`, true},
		{"event array with another value", `{"a":[{"anything-but":"x"}]}`, `{"a":["x","y"]}`, true},
		{"event array of excluded values", `{"a":[{"anything-but":"x"}]}`, `{"a":["x","x"]}`, false},
		{"empty event array", `{"a":[{"anything-but":"x"}]}`, `{"a":[]}`, false},
		{"object is not a value", `{"a":[{"anything-but":"x"}]}`, `{"a":{"b":"y"}}`, false},
		{"prefix", `{"a":[{"anything-but":{"prefix":"init"}}]}`, `{"a":"running"}`, true},
		{"prefix excluded", `{"a":[{"anything-but":{"prefix":"init"}}]}`, `{"a":"initializing"}`, false},
		{"prefix against a number", `{"a":[{"anything-but":{"prefix":"init"}}]}`, `{"a":12}`, true},
		{"prefix list", `{"a":[{"anything-but":{"prefix":["a","b"]}}]}`, `{"a":"bc"}`, false},
		{"empty prefix list", `{"a":[{"anything-but":{"prefix":[]}}]}`, `{"a":"bc"}`, true},
		{"suffix", `{"a":[{"anything-but":{"suffix":".txt"}}]}`, `{"a":"a.txt.bak"}`, true},
		{"suffix excluded", `{"a":[{"anything-but":{"suffix":[".txt",".md"]}}]}`, `{"a":"a.md"}`, false},
		{"equals-ignore-case", `{"a":[{"anything-but":{"equals-ignore-case":"Stopped"}}]}`, `{"a":"running"}`, true},
		{"equals-ignore-case excluded", `{"a":[{"anything-but":{"equals-ignore-case":["x","Stopped"]}}]}`, `{"a":"STOPPED"}`, false},
		{"equals-ignore-case against null", `{"a":[{"anything-but":{"equals-ignore-case":"x"}}]}`, `{"a":null}`, true},
		{"wildcard", `{"a":[{"anything-but":{"wildcard":"*/lib/*"}}]}`, `{"a":"/usr/bin/x"}`, true},
		{"wildcard excluded", `{"a":[{"anything-but":{"wildcard":["*.png","*/lib/*"]}}]}`, `{"a":"/usr/lib/x"}`, false},
		{"wildcard against a number", `{"a":[{"anything-but":{"wildcard":"*"}}]}`, `{"a":123}`, true},
		{"OR with exists false", `{"a":[{"anything-but":"x"},{"exists":false}]}`, `{"b":1}`, true},
	})
}

func TestNumeric(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"greater", `{"a":[{"numeric":[">",0]}]}`, `{"a":1}`, true},
		{"greater, bound", `{"a":[{"numeric":[">",0]}]}`, `{"a":0}`, false},
		{"greater or equal, bound", `{"a":[{"numeric":[">=",0]}]}`, `{"a":0}`, true},
		{"less", `{"a":[{"numeric":["<",10]}]}`, `{"a":9.999}`, true},
		{"less, bound", `{"a":[{"numeric":["<",10]}]}`, `{"a":10}`, false},
		{"less or equal, bound", `{"a":[{"numeric":["<=",10]}]}`, `{"a":1e1}`, true},
		{"equal", `{"a":[{"numeric":["=",3.018e2]}]}`, `{"a":301.8}`, true},
		{"equal, other", `{"a":[{"numeric":["=",301.8]}]}`, `{"a":301.80001}`, false},
		{"range open", `{"a":[{"numeric":[">",0,"<",5]}]}`, `{"a":5}`, false},
		{"range closed", `{"a":[{"numeric":[">=",0,"<=",5]}]}`, `{"a":5}`, true},
		{"range half open", `{"a":[{"numeric":[">",0,"<=",5]}]}`, `{"a":0}`, false},
		{"negative", `{"a":[{"numeric":["<",0]}]}`, `{"a":-1.5e300}`, true},
		{"minus zero is zero", `{"a":[{"numeric":[">=",0]}]}`, `{"a":-0}`, true},
		{"minus zero is not below zero", `{"a":[{"numeric":["<",0]}]}`, `{"a":-0.0}`, false},
		{"large", `{"a":[{"numeric":[">",1e300]}]}`, `{"a":1.7976931348623157e308}`, true},
		{"string is not a number", `{"a":[{"numeric":[">",100]}]}`, `{"a":"300"}`, false},
		{"true is not a number", `{"a":[{"numeric":[">",0]}]}`, `{"a":true}`, false},
		{"null is not a number", `{"a":[{"numeric":["<",1]}]}`, `{"a":null}`, false},
		{"number that is not a double", `{"a":[{"numeric":[">",0]}]}`, `{"a":12345678901234567890}`, false},
		{"event array", `{"a":[{"numeric":[">",10]}]}`, `{"a":[1,20]}`, true},
		{"OR with exact values", `{"a":[{"numeric":[">",100]},{"anything-but":"101"}]}`, `{"a":"42"}`, true},
	})
}

func TestCIDR(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"IPv4 inside", `{"a":[{"cidr":"10.0.0.0/24"}]}`, `{"a":"10.0.0.255"}`, true},
		{"IPv4 outside", `{"a":[{"cidr":"10.0.0.0/24"}]}`, `{"a":"10.0.1.0"}`, false},
		{"IPv4 host bits ignored", `{"a":[{"cidr":"10.0.0.77/24"}]}`, `{"a":"10.0.0.1"}`, true},
		{"IPv4 /0", `{"a":[{"cidr":"0.0.0.0/0"}]}`, `{"a":"255.255.255.255"}`, true},
		{"IPv4 odd mask", `{"a":[{"cidr":"10.0.0.0/9"}]}`, `{"a":"10.128.0.0"}`, false},
		{"IPv6 inside", `{"a":[{"cidr":"2001:db8:1234:1a00::/64"}]}`, `{"a":"2001:0db8:1234:1a00:0000:0000:0000:0001"}`, true},
		{"IPv6 outside", `{"a":[{"cidr":"2001:db8:1234:1a00::/64"}]}`, `{"a":"2001:db8:1234:1a01::"}`, false},
		{"IPv4 address against IPv6 range", `{"a":[{"cidr":"::/0"}]}`, `{"a":"10.0.0.1"}`, false},
		// event-ruler compares hex digits and stops after the pattern's, so
		// an IPv6 address matches an IPv4 range on its first four bytes.
		{"IPv6 address against IPv4 range", `{"a":[{"cidr":"32.1.0.0/16"}]}`, `{"a":"2001:db8::1"}`, true},
		{"not an address", `{"a":[{"cidr":"10.0.0.0/8"}]}`, `{"a":"10.0.0.x"}`, false},
		{"leading zero is not an address", `{"a":[{"cidr":"10.0.0.0/8"}]}`, `{"a":"10.0.0.01"}`, false},
		{"number", `{"a":[{"cidr":"10.0.0.0/8"}]}`, `{"a":10}`, false},
		{"event array", `{"a":[{"cidr":"10.0.0.0/8"}]}`, `{"a":["1.2.3.4","10.1.1.1"]}`, true},
	})
}

func TestExists(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"true, present", `{"a":[{"exists":true}]}`, `{"a":"x"}`, true},
		{"true, null", `{"a":[{"exists":true}]}`, `{"a":null}`, true},
		{"true, missing", `{"a":[{"exists":true}]}`, `{"b":"x"}`, false},
		{"true, object", `{"a":[{"exists":true}]}`, `{"a":{}}`, false},
		{"true, non-empty object", `{"a":[{"exists":true}]}`, `{"a":{"b":1}}`, false},
		{"true, empty array", `{"a":[{"exists":true}]}`, `{"a":[]}`, false},
		{"true, array", `{"a":[{"exists":true}]}`, `{"a":[false]}`, true},
		{"false, missing", `{"a":[{"exists":false}]}`, `{"b":"x"}`, true},
		{"false, present", `{"a":[{"exists":false}]}`, `{"a":"x"}`, false},
		{"false, null", `{"a":[{"exists":false}]}`, `{"a":null}`, false},
		{"false, intermediate object", `{"a":[{"exists":false}]}`, `{"a":{"b":1}}`, true},
		{"false, empty array", `{"a":[{"exists":false}]}`, `{"a":[]}`, true},
		{"false and another field", `{"a":[{"exists":false}],"b":["x"]}`, `{"b":"x"}`, true},
		{"false, deep path", `{"a":{"b":{"c":[{"exists":false}]}}}`, `{"a":{"b":"x"}}`, true},
	})
}

func TestOr(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"top level", `{"$or":[{"a":["x"]},{"b":["y"]}]}`, `{"b":"y"}`, true},
		{"top level, none", `{"$or":[{"a":["x"]},{"b":["y"]}]}`, `{"a":"y","b":"x"}`, false},
		{"with AND", `{"s":["1"],"$or":[{"a":["x"]},{"b":["y"]}]}`, `{"s":"2","a":"x"}`, false},
		{"nested in an object", `{"d":{"$or":[{"a":["x"]},{"b":[{"numeric":["<",10]}]}]}}`, `{"d":{"b":3}}`, true},
		{"branch with AND", `{"$or":[{"a":["x"],"b":["y"]},{"c":["z"]}]}`, `{"a":"x","b":"q"}`, false},
		{"nested $or", `{"$or":[{"a":["x"]},{"b":["y"],"$or":[{"c":["1"]},{"d":["2"]}]}]}`, `{"b":"y","d":"2"}`, true},
		{"parallel $or", `{"$or":[{"a":["1"]},{"b":["2"]}],"d":{"$or":[{"c":["3"]},{"e":["4"]}]}}`, `{"b":"2","d":{"c":"3"}}`, true},
		{"parallel $or, one side", `{"$or":[{"a":["1"]},{"b":["2"]}],"d":{"$or":[{"c":["3"]},{"e":["4"]}]}}`, `{"b":"2"}`, false},
		{"branch overrides a field", `{"a":["1"],"$or":[{"a":["2"]},{"b":["3"]}]}`, `{"a":"2"}`, true},
		{"field after $or overrides branches", `{"$or":[{"a":["2"]},{"b":["3"]}],"a":["1"]}`, `{"a":"2"}`, false},
	})
}

func TestPaths(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"dotted event key", `{"detail":{"state":{"status":["running"]}}}`, `{"detail":{"state.status":"running"}}`, true},
		{"dotted pattern key", `{"detail":{"state.status":["running"]}}`, `{"detail":{"state":{"status":"running"}}}`, true},
		{"dotted keys both sides", `{"a.b":{"c":["x"]}}`, `{"a":{"b.c":"x"}}`, true},
		{"dotted event key, deeper", `{"detail":{"state":{"status":["running"]}}}`, `{"detail":{"state.status":{"status":"running"}}}`, false},
		{"empty key", `{"":["x"]}`, `{"":"x"}`, true},
		// event-ruler adds no dot after an empty first step of a pattern.
		{"empty first step in a pattern", `{"":{"b":["x"]}}`, `{"b":"x"}`, true},
		{"empty first step in an event", `{"":{"b":["x"]}}`, `{"":{"b":"x"}}`, false},
		{"field inside an array of objects", `{"employees":{"firstName":["Anna"]}}`,
			`{"employees":[{"firstName":"John"},{"firstName":"Anna"}]}`, true},
		{"exists inside an array of objects", `{"d":{"a":{"id":[{"exists":true}]}}}`,
			`{"d":{"a":[{"k":"v"},{"id":"x"}]}}`, true},
	})
}

// TestArrayConsistency checks that the fields matched by one alternative
// come from the same element of any event array they share (event-ruler's
// "JSON Array Matching").
func TestArrayConsistency(t *testing.T) {
	const employees = `{"employees":[[{"firstName":"John","lastName":"Doe"},{"firstName":"Anna","lastName":"Smith"}],[{"firstName":"Peter","lastName":"Jones"}]]}`
	const metrics2 = `{"metrics":[{"metricName":"CPUUtilization","namespace":"AWS/EC2"},{"metricName":"RequestCount","namespace":"AWS/ES"}]}`
	runMatchCases(t, []matchCase{
		{"same element", `{"employees":{"firstName":["Anna"],"lastName":["Smith"]}}`, employees, true},
		{"different elements", `{"employees":{"firstName":["Anna"],"lastName":["Jones"]}}`, employees, false},
		{"different elements, event-ruler arrayEvent3", `{"metrics":{"metricName":["CPUUtilization"],"namespace":["AWS/ES"]}}`, metrics2, false},
		{"one element, event-ruler arrayEvent4", `{"metrics":{"metricName":["CPUUtilization"],"namespace":["AWS/ES"]}}`,
			`{"metrics":[{"metricName":"CPUUtilization","namespace":"AWS/ES"}]}`, true},
		{"alternatives within one element", `{"metrics":{"metricName":["CPUUtilization","ReadLatency"],"namespace":["AWS/EC2","AWS/ES"]}}`, metrics2, true},
		{"array and outer field", `{"a":["x"],"l":{"b":["y"]}}`, `{"a":"x","l":[{"b":"z"},{"b":"y"}]}`, true},
		{"arrays of scalars are not elements", `{"l":{"a":["1"],"b":["2"]}}`, `{"l":{"a":["0","1"],"b":["2","3"]}}`, true},
		{"exists false in the chosen element", `{"a":{"b":["x"],"c":[{"exists":false}]}}`, `{"a":[{"b":"x","c":1},{"b":"x"}]}`, true},
		{"exists false in every element", `{"a":{"b":["x"],"c":[{"exists":false}]}}`, `{"a":[{"b":"x","c":1},{"b":"y"}]}`, false},
		// event-ruler checks {"exists": false} in field-name order, against
		// the elements chosen for the fields that sort before it.
		{"exists false before the chosen field", `{"a":{"b":[{"exists":false}],"c":["x"]}}`, `{"a":[{"c":"x"},{"b":1,"c":"y"}]}`, false},
	})
}

// TestCloudWatchAlarmArrays replays event-ruler's nestedArraysTest on
// arrayEvent1 and arrayEvent2, where rule1 and rule2 match the first event
// and nothing matches the second.
func TestCloudWatchAlarmArrays(t *testing.T) {
	const rule1 = `{"source":["aws.cloudwatch"],"detail-type":["CloudWatch Alarm State Change"],"detail":{"state":{"value":["ALARM"]},"configuration":{"metrics":{"metricStat":{"metric":{"namespace":["AWS/EC2"]}}}}}}`
	const rule2 = `{"source":["aws.cloudwatch"],"detail-type":["CloudWatch Alarm State Change"],"detail":{"state":{"value":["ALARM"]},"configuration":{"metrics":{"metricStat":{"metric":{"metricName":["CPUUtilization"]}}}}}}`
	const rule3 = `{"metrics":{"metricName":["CPUUtilization"],"namespace":["AWS/ES"]}}`
	const event1 = `{"source":"aws.cloudwatch","detail-type":"CloudWatch Alarm State Change","detail":{"alarmName":"CPUAlarm","state":{"value":"ALARM"},"configuration":{"metrics":[{"id":"M1","metricStat":{"metric":{"dimensions":{"instanceId":"1"},"metricName":"CPUUtilization","namespace":"AWS/EC2"},"period":60,"unit":null}}],"threshold":90}}}`
	const event2 = `{"source":"aws.cloudwatch","detail-type":"CloudWatch Alarm State Change","detail":{"state":{"value":"ALARM"},"configuration":{"metrics":[{"id":"M1","metricStat":{"metric":{"metricName":"ConsumedReadCapacityUnits","namespace":"AWS/DynamoDB"}}},{"id":"M2","metricStat":{"metric":{"metricName":"ProvisionedReadCapacityUnits","namespace":"AWS/DynamoDB"}}},{"id":"E1","expression":"(M1 / M2) * 100"}]}}}`
	runMatchCases(t, []matchCase{
		{"rule1 event1", rule1, event1, true},
		{"rule2 event1", rule2, event1, true},
		{"rule3 event1", rule3, event1, false},
		{"rule1 event2", rule1, event2, false},
		{"rule2 event2", rule2, event2, false},
		{"rule3 event2", rule3, event2, false},
	})
}

func TestRecordedEvents(t *testing.T) {
	securityHub, err := os.ReadFile("testdata/securityhub-cis23.json")
	if err != nil {
		t.Fatal(err)
	}
	cloudTrail, err := os.ReadFile("testdata/cloudtrail-s3-getobject.json")
	if err != nil {
		t.Fatal(err)
	}
	runMatchCases(t, []matchCase{
		{"Security Hub severity label", `{"source":["aws.securityhub"],"detail-type":["Security Hub Findings - Custom Action"],"detail":{"findings":{"Severity":{"Label":["CRITICAL","HIGH"]},"Workflow":{"Status":["NEW"]}}}}`,
			string(securityHub), true},
		{"Security Hub other label", `{"detail":{"findings":{"Severity":{"Label":["LOW"]}}}}`, string(securityHub), false},
		{"Security Hub resources", `{"detail":{"findings":{"Resources":{"Type":["AwsS3Bucket"]},"Compliance":{"Status":[{"anything-but":"PASSED"}]}}}}`,
			string(securityHub), true},
		{"CloudTrail S3 read", `{"source":["aws.s3"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventSource":["s3.amazonaws.com"],"eventName":["GetObject","CopyObject"],"userIdentity":{"type":["AssumedRole"],"arn":[{"wildcard":"*:assumed-role/*/i-*"}]},"sourceIPAddress":[{"cidr":"1.2.3.0/24"}],"additionalEventData":{"bytesTransferredOut":[{"numeric":[">",0]}]}}}`,
			string(cloudTrail), true},
		{"CloudTrail resources in one element", `{"detail":{"resources":{"type":["AWS::S3::Bucket"],"ARN":[{"suffix":"/ring.txt"}]}}}`,
			string(cloudTrail), false},
		{"CloudTrail error code absent", `{"detail":{"errorCode":[{"exists":false}],"readOnly":[true]}}`, string(cloudTrail), true},
	})
}

// errorCase is a pattern and the reason EventBridge gives for rejecting it.
type errorCase struct {
	name    string
	pattern string
	reason  string
}

func runErrorCases(t *testing.T, cases []errorCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Compile([]byte(c.pattern))
			var invalid *InvalidPatternError
			if !errors.As(err, &invalid) {
				t.Fatalf("Compile(%s) = %v, want *InvalidPatternError", c.pattern, err)
			}
			if strings.HasSuffix(c.reason, "…") {
				if !strings.HasPrefix(invalid.Reason, strings.TrimSuffix(c.reason, "…")) {
					t.Errorf("Compile(%s): reason %q, want %q", c.pattern, invalid.Reason, c.reason)
				}
			} else if invalid.Reason != c.reason {
				t.Errorf("Compile(%s): reason %q, want %q", c.pattern, invalid.Reason, c.reason)
			}
			if want := "Event pattern is not valid. Reason: " + invalid.Reason; err.Error() != want {
				t.Errorf("Error() = %q, want %q", err.Error(), want)
			}
		})
	}
}

func TestStructureErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{"array", `["a"]`, "Filter is not an object"},
		{"string", `"a"`, "Filter is not an object"},
		{"empty input", ``, "Filter is not an object"},
		{"not JSON", `this is not JSON`, "Malformed JSON: …"},
		{"single quotes", `{'a': ['x']}`, "Malformed JSON: …"},
		{"unterminated", `{"a": ["x"]`, "Malformed JSON: …"},
		{"trailing data", `{"a": ["x"]} {}`, "Malformed JSON: …"},
		{"trailing comma", `{"a": ["x"],}`, "Malformed JSON: …"},
		{"empty pattern", `{}`, "Empty objects are not allowed"},
		{"empty nested object", `{"a":{}}`, "Empty objects are not allowed"},
		{"empty array", `{"resources":[]}`, "Empty arrays are not allowed"},
		{"number leaf", `{"int": 42}`, `"int" must be an object or an array`},
		{"string leaf", `{"string": "my-value"}`, `"string" must be an object or an array`},
		{"null leaf", `{"detail":{"a":null}}`, `"a" must be an object or an array`},
		{"nested array", `{"a":[["x"]]}`, "Match value must be String, number, true, false, or null"},
		{"empty operator", `{"a":[{}]}`, "Match expression name not found"},
		{"unknown operator", `{"a":[{"regex":"x"}]}`, "Unrecognized match type regex"},
		{"operators are case sensitive", `{"a":[{"NUMERIC":["=",5]}]}`, "Unrecognized match type NUMERIC"},
		{"EXISTS", `{"my_key":[{"EXISTS":true}]}`, "Unrecognized match type EXISTS"},
		{"two operators", `{"a":[{"prefix":"x","suffix":"y"}]}`, "Only one key allowed in match expression"},
		{"exactly number", `{"a":[{"exactly":5}]}`, "exact match pattern must be a string"},
		{"too long", `{"a":["` + strings.Repeat("x", MaxPatternLength) + `"]}`, "Member must have length less than or equal to 4096"},
		{"too deep", strings.Repeat(`{"a":`, 300) + `["x"]` + strings.Repeat(`}`, 300), "Malformed JSON: nesting deeper than 256 levels…"},
	})
}

func TestOperatorErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{"prefix list", `{"time":[{"prefix":["2022-07-13"]}]}`, "prefix match pattern must be a string"},
		{"prefix number", `{"time":[{"prefix":123}]}`, "prefix match pattern must be a string"},
		{"prefix null", `{"time":[{"prefix":null}]}`, "prefix match pattern must be a string"},
		{"prefix empty object", `{"a":[{"prefix":{}}]}`, "Prefix expression name not found"},
		{"prefix other operator", `{"a":[{"prefix":{"wildcard":"x"}}]}`, "Unsupported prefix pattern: wildcard"},
		{"prefix ignore-case number", `{"a":[{"prefix":{"equals-ignore-case":1}}]}`, "equals-ignore-case match pattern must be a string"},
		{"prefix ignore-case two keys", `{"a":[{"prefix":{"equals-ignore-case":"a","x":1}}]}`, "Only one key allowed in match expression"},
		{"prefix ignore-case, extra operator", `{"a":[{"prefix":{"equals-ignore-case":"a"},"x":1}]}`, "Only one key allowed in match expression"},
		{"suffix list", `{"FileName":[{"suffix":[".png"]}]}`, "suffix match pattern must be a string"},
		{"suffix number", `{"FileName":[{"suffix":123}]}`, "suffix match pattern must be a string"},
		{"suffix empty object", `{"a":[{"suffix":{}}]}`, "Suffix expression name not found"},
		{"suffix other operator", `{"a":[{"suffix":{"prefix":"x"}}]}`, "Unsupported suffix pattern: prefix"},
		{"equals-ignore-case list", `{"a":[{"equals-ignore-case":["x"]}]}`, "equals-ignore-case match pattern must be a string"},
		{"equals-ignore-case object", `{"a":[{"equals-ignore-case":{"prefix":"ec2"}}]}`, "equals-ignore-case match pattern must be a string"},
		{"wildcard number", `{"a":[{"wildcard":123}]}`, "wildcard match pattern must be a string"},
		{"wildcard list", `{"a":[{"wildcard":["x*"]}]}`, "wildcard match pattern must be a string"},
		{"consecutive stars", `{"a":[{"wildcard":"abc**def"}]}`, "Consecutive wildcard characters at pos 4"},
		{"consecutive stars in an ARN", `{"EventBusArn":[{"wildcard":"arn:aws:events:us-east-1:**:event-bus/*"}]}`, "Consecutive wildcard characters at pos 26"},
		{"invalid escape", `{"a":[{"wildcard":"a\\b"}]}`, "Invalid escape character at pos 2"},
		{"trailing backslash", `{"a":[{"wildcard":"a\\"}]}`, "Invalid escape character at pos 2"},
		{"exists string", `{"a":[{"exists":"true"}]}`, "exists match pattern must be either true or false."},
		{"exists extra key", `{"a":[{"exists":true,"x":1}]}`, "Only one key allowed in match expression"},
		{"cidr list", `{"a":[{"cidr":["bad-type"]}]}`, "prefix match pattern must be a string"},
		{"cidr without slash", `{"a":[{"cidr":"bad-filter"}]}`, "Malformed CIDR, one '/' required"},
		{"cidr trailing slash", `{"a":[{"cidr":"10.0.0.0/"}]}`, "Malformed CIDR, one '/' required"},
		{"cidr two slashes", `{"a":[{"cidr":"10.0.0.0/8/8"}]}`, "Malformed CIDR, one '/' required"},
		{"cidr bad mask", `{"a":[{"cidr":"bad-/64filter"}]}`, "Malformed CIDR, mask bits must be an integer"},
		{"cidr negative mask", `{"a":[{"cidr":"10.0.0.0/-1"}]}`, "Malformed CIDR, mask bits must not be negative"},
		{"cidr bad IPv4", `{"a":[{"cidr":"xx.11.xx/8"}]}`, "Nonstandard IP address: xx.11.xx"},
		{"cidr bad IPv6", `{"a":[{"cidr":"xxxx:db8:1234:1a00::/64"}]}`, "Nonstandard IP address: xxxx:db8:1234:1a00::"},
		{"cidr out of range", `{"a":[{"cidr":"999.0.0.1/8"}]}`, "Invalid IP address: 999.0.0.1"},
		{"cidr bad IPv6 groups", `{"a":[{"cidr":"1::2::3/64"}]}`, "Invalid IP address: 1::2::3"},
		{"cidr IPv4 /32", `{"a":[{"cidr":"10.0.0.1/32"}]}`, "IPv4 mask bits must be < 32"},
		{"cidr IPv6 /128", `{"a":[{"cidr":"::1/128"}]}`, "IPv6 mask bits must be < 128"},
	})
}

func TestNumericErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{"not an array", `{"a":[{"numeric":10}]}`, "Value of numeric must be an array."},
		{"no operator", `{"a":[{"numeric":[5]}]}`, "Invalid member in numeric match: 5"},
		{"empty", `{"a":[{"numeric":[]}]}`, "Invalid member in numeric match: ]"},
		{"unknown operator", `{"a":[{"numeric":["!=",5]}]}`, "Unrecognized numeric range operator: !="},
		{"equals string", `{"a":[{"numeric":["=","5"]}]}`, "Value of equals must be numeric"},
		{"equals two values", `{"a":[{"numeric":["=",5,6]}]}`, "Too many elements in numeric expression"},
		{"less missing value", `{"a":[{"numeric":["<"]}]}`, "Value of < must be numeric"},
		{"less two terms", `{"a":[{"numeric":["<",5,">",1]}]}`, "Too many elements in numeric expression"},
		{"greater twice", `{"a":[{"numeric":[">",0,">",0]}]}`, "Bad numeric range operator: >"},
		{"missing upper value", `{"a":[{"numeric":[">",0,"<"]}]}`, "Value of < must be numeric"},
		{"number instead of operator", `{"a":[{"numeric":[">",0,5]}]}`, "Bad value in numeric range: 5"},
		{"too many terms", `{"a":[{"numeric":[">",0,"<",5,6]}]}`, "Too many terms in numeric range expression"},
		{"empty range", `{"a":[{"numeric":[">",5,"<",5]}]}`, "Bottom must be less than top"},
		{"inverted range", `{"a":[{"numeric":[">=",10,"<=",5]}]}`, "Bottom must be less than top"},
		{"too large", `{"a":[{"numeric":["<",1e400]}]}`, "Cannot compare number : 1e400"},
		{"not a double", `{"a":[{"numeric":["=",0.1000000000000000000001]}]}`, "Cannot compare number : 0.1000000000000000000001"},
		{"extra key", `{"a":[{"numeric":[">",1],"x":1}]}`, "Too many elements in numeric expression"},
	})
}

func TestAnythingButErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{"null", `{"a":[{"anything-but":null}]}`, "Value of anything-but must be an array or single string/number value."},
		{"boolean", `{"a":[{"anything-but":true}]}`, "Value of anything-but must be an array or single string/number value."},
		{"null in list", `{"a":[{"anything-but":["stopped",null]}]}`, "Inside anything but list, start|null|boolean is not supported."},
		{"object in list", `{"a":[{"anything-but":[{}]}]}`, "Inside anything but list, start|null|boolean is not supported."},
		{"mixed list", `{"a":[{"anything-but":["a",1]}]}`, "Inside anything but list, either all values are number or string, mixed type is not supported"},
		{"empty list", `{"a":[{"anything-but":[]}]}`, "Inside anything but list, either all values are number or string, mixed type is not supported"},
		{"number that is not a double", `{"a":[{"anything-but":12345678901234567890}]}`, "Cannot compare number : 12345678901234567890"},
		{"empty operator", `{"a":[{"anything-but":{}}]}`, "Anything-But expression name not found"},
		{"unsupported operator", `{"a":[{"anything-but":{"numeric":[">",1]}}]}`, "Unsupported anything-but pattern: numeric"},
		{"prefix ignoring case", `{"a":[{"anything-but":{"prefix":{"equals-ignore-case":"file"}}}]}`, "Value of anything-but must be an array or single string/number value."},
		{"suffix ignoring case", `{"a":[{"anything-but":{"suffix":{"equals-ignore-case":".png"}}}]}`, "Value of anything-but must be an array or single string/number value."},
		{"empty prefix", `{"a":[{"anything-but":{"prefix":""}}]}`, "Null prefix/suffix not allowed"},
		{"empty suffix in list", `{"a":[{"anything-but":{"suffix":[".txt",""]}}]}`, "Null prefix/suffix not allowed"},
		{"prefix number", `{"a":[{"anything-but":{"prefix":123}}]}`, "prefix/suffix match pattern must be a string"},
		{"suffix number in list", `{"a":[{"anything-but":{"suffix":[123,".txt"]}}]}`, "prefix/suffix match pattern must be a string"},
		{"equals-ignore-case number", `{"a":[{"anything-but":{"equals-ignore-case":123}}]}`, "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."},
		{"equals-ignore-case numbers", `{"a":[{"anything-but":{"equals-ignore-case":[123,456]}}]}`, "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."},
		{"wildcard number", `{"a":[{"anything-but":{"wildcard":123}}]}`, "wildcard match pattern must be a string"},
		{"wildcard number in list", `{"a":[{"anything-but":{"wildcard":[123,"*/dir/*"]}}]}`, "wildcard match pattern must be a string"},
		{"wildcard consecutive stars", `{"a":[{"anything-but":{"wildcard":["x","a**"]}}]}`, "Consecutive wildcard characters at pos 2"},
		{"extra key", `{"a":[{"anything-but":"x","prefix":"y"}]}`, "Too many elements in numeric expression"},
		{"extra nested key", `{"a":[{"anything-but":{"prefix":"x","suffix":"y"}}]}`, "Too many elements in numeric expression"},
	})
}

func TestOrErrors(t *testing.T) {
	// 2^10 alternatives from ten $or with two branches each.
	var many strings.Builder
	many.WriteString("{")
	for i := range 10 {
		if i > 0 {
			many.WriteString(",")
		}
		many.WriteString(`"f` + string(rune('a'+i)) + `":{"$or":[{"x":["1"]},{"y":["2"]}]}`)
	}
	many.WriteString("}")
	runErrorCases(t, []errorCase{
		{"not an array", `{"$or":{"a":["x"]}}`, "It must be an Array followed with $or."},
		{"one branch", `{"$or":[{"a":["x"]}]}`, "There must have at least 2 Objects in $or relationship."},
		{"no branch", `{"$or":[]}`, "There must have at least 2 Objects in $or relationship."},
		{"branch not an object", `{"$or":[{"a":["x"]},["b"]]}`, "Only JSON object is allowed in array of $or relationship."},
		{"reserved name in branch", `{"$or":[{"numeric":[1]},{"prefix":["abc"]}]}`, "numeric is Ruler reserved fieldName which cannot be used inside $or."},
		{"reserved name deeper in branch", `{"$or":[{"a":{"exists":[true]}},{"b":["x"]}]}`, "exists is Ruler reserved fieldName which cannot be used inside $or."},
		{"too many combinations", many.String(), "Rule is too complex - the $or conditions of the pattern make more than 1000 combinations"},
	})
}

func TestLimits(t *testing.T) {
	t.Run("pattern of 4096 characters", func(t *testing.T) {
		p := `{"a":["` + strings.Repeat("é", MaxPatternLength-10) + `"]}`
		if _, err := Compile([]byte(p)); err != nil {
			t.Fatalf("Compile: %v", err)
		}
		var quota *QuotaError
		err := CheckQuota([]byte(p))
		if !errors.As(err, &quota) || quota.Length != MaxPatternLength || quota.Limit != DefaultMaxPatternLength {
			t.Fatalf("CheckQuota = %v, want a *QuotaError for %d characters", err, MaxPatternLength)
		}
		if want := "event pattern is 4096 characters long, more than the default quota of 2048 (adjustable up to 4096)"; err.Error() != want {
			t.Errorf("Error() = %q, want %q", err.Error(), want)
		}
	})
	t.Run("pattern within the quota", func(t *testing.T) {
		p := `{"a":["` + strings.Repeat("x", DefaultMaxPatternLength-10) + `"]}`
		if err := CheckQuota([]byte(p)); err != nil {
			t.Fatalf("CheckQuota: %v", err)
		}
	})
	t.Run("1000 combinations", func(t *testing.T) {
		branches := func(field string) string {
			var b strings.Builder
			for i := range 10 {
				if i > 0 {
					b.WriteString(",")
				}
				b.WriteString(`{"` + field + `":["` + string(rune('0'+i)) + `"]}`)
			}
			return `{"$or":[` + b.String() + `]}`
		}
		p := `{"a":` + branches("x") + `,"b":` + branches("y") + `,"c":` + branches("z") + `}`
		c, err := Compile([]byte(p))
		if err != nil {
			t.Fatalf("Compile: %v", err)
		}
		if n := len(c.subRules); n != 1000 {
			t.Fatalf("got %d alternatives, want 1000", n)
		}
		ok, err := c.Match([]byte(`{"a":{"x":"9"},"b":{"y":"9"},"c":{"z":"9"}}`))
		if err != nil || !ok {
			t.Fatalf("Match = %v, %v; want true", ok, err)
		}
	})
}

func TestWildcardComplexityLimit(t *testing.T) {
	stacks := func(names ...string) string {
		var b strings.Builder
		for i, n := range names {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(`{"wildcard":"*:stack/` + n + `/*"}`)
		}
		return `{"detail":{"stack-id":[` + b.String() + `]}}`
	}
	accepted := []string{
		`{"EventBusArn":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]}`,
		`{"FileName":[{"wildcard":"/Users/*/dir/dir/dir/dir/dir/doc.txt"}]}`,
		`{"a":[{"anything-but":{"wildcard":["*/init/*","*/dir/*"]}}]}`,
		stacks("SharedStack", "TrackerStack", "DriverStack"),
		// Alternatives on different fields are evaluated separately.
		`{"$or":[{"a":[{"wildcard":"*:*:*:*"}]},{"b":[{"wildcard":"*:*:*:*"}]}]}`,
	}
	for _, p := range accepted {
		if _, err := Compile([]byte(p)); err != nil {
			t.Errorf("Compile(%s): %v", p, err)
		}
	}
	runErrorCases(t, []errorCase{
		// Rejected by EventBridge (LocalStack's content_wildcard_complex_EXC).
		{"ARN with five stars", `{"EventBusArn":[{"wildcard":"*:*:*:*:*:event-bus/*"}]}`, "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character"},
		// Rejected by EventBridge once a fourth stack was added.
		{"four stack wildcards", stacks("SharedStack", "TrackerStack", "DriverStack", "MonitoringStack"), "Rule is too complex…"},
		{"wildcards of one field in $or", `{"$or":[{"a":[{"wildcard":"*:*:*:*"}]},{"a":[{"wildcard":"*/*/*/*"}]}]}`, "Rule is too complex…"},
		{"repeating sequence", `{"a":[{"anything-but":{"wildcard":"*aaaaaaaaaaa"}}]}`, "Rule is too complex…"},
	})
}

// TestComplexityMeasure checks the measure against the expectations of
// event-ruler's MachineComplexityEvaluatorTest, which uses unquoted operands.
func TestComplexityMeasure(t *testing.T) {
	object := func(s string) complexityObject {
		var symbols []int16
		for i := 0; i < len(s); i++ {
			if s[i] == '*' {
				symbols = append(symbols, starSymbol)
			} else {
				symbols = append(symbols, int16(s[i]))
			}
		}
		return complexityObject{identity: s, values: [][]int16{symbols}}
	}
	cases := []struct {
		wildcards []string
		want      int
	}{
		{[]string{"*"}, 1},
		{[]string{"*", "ab*c"}, 3},
		{[]string{"abc"}, 1},
		{[]string{"*ab"}, 2},
		{[]string{"*aa"}, 3},
		{[]string{"a*b"}, 2},
		{[]string{"aa*"}, 2},
		{[]string{"a*bc"}, 2},
		{[]string{"a*bb"}, 3},
		{[]string{"a*bcb"}, 3},
		{[]string{"a*bbb"}, 4},
		{[]string{"*ab*ad"}, 4},
		{[]string{"*ab*d"}, 3},
		{[]string{"*aba*"}, 4},
		{[]string{"a*b*bb"}, 5},
		{[]string{"a*b*cb"}, 4},
		{[]string{"a*b*cd"}, 3},
		{[]string{"a*b*b"}, 4},
		{[]string{"a*bb*"}, 4},
		{[]string{"ab*b*"}, 3},
		{[]string{"ab*c", "x*xx"}, 3},
		{[]string{"*abc", "*abcde"}, 4},
		{[]string{"a*bcd", "ab*cd"}, 4},
		{[]string{"a*bc", "a*bcde"}, 4},
		{[]string{"a*aaa", "aa*aa"}, 7},
		{[]string{"a*bc", "abc*d"}, 4},
		{[]string{"a*aaa", "aaa*a"}, 6},
		{[]string{"a*aax", "aaa*x"}, 5},
		{[]string{"a*bc", "abc*"}, 4},
		{[]string{"a*aa", "aaa*"}, 5},
		{[]string{"abc*", "abcde*"}, 3},
		{[]string{"ab*cd", "ab*wx", "ab*yz"}, 6},
		{[]string{"*ab*b*b*"}, 7},
		{[]string{"*a*a*a*a*a*a*a*a*"}, 17},
		{[]string{"F*eatureFeature", "Fe*atureFeature", "Fea*tureFeature"}, 10},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.wildcards, ","), func(t *testing.T) {
			var objects []complexityObject
			for _, w := range c.wildcards {
				objects = append(objects, object(w))
			}
			if got := complexity(objects, 100); got != c.want {
				t.Errorf("complexity = %d, want %d", got, c.want)
			}
		})
	}
	t.Run("values of one anything-but share prefixes", func(t *testing.T) {
		o := complexityObject{identity: "ab", values: [][]int16{object("ab*c").values[0], object("ab*d").values[0]}}
		if got := complexity([]complexityObject{o}, 100); got != 2 {
			t.Errorf("complexity = %d, want 2", got)
		}
		if got := complexity([]complexityObject{object("ab*c"), object("ab*d")}, 100); got != 4 {
			t.Errorf("complexity of separate wildcards = %d, want 4", got)
		}
	})
}

func TestEventErrors(t *testing.T) {
	p, err := Compile([]byte(`{"a":["x"]}`))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, event, reason string
	}{
		{"empty", ``, "event is empty"},
		{"white space", " \n", "event is empty"},
		{"array", `[{"a":"x"}]`, "event is not a JSON object"},
		{"string", `"plain string"`, "event is not a JSON object"},
		{"not JSON", `plain string`, "malformed JSON: …"},
		{"unterminated", `{"a":"x"`, "malformed JSON: …"},
		{"trailing data", `{"a":"x"} {}`, "malformed JSON: …"},
		{"NUL after the object", "{\"a\":\"x\"}\x00", "malformed JSON: …"},
		{"bad escape in a skipped field", `{"b":"\q","a":"x"}`, "malformed JSON: …"},
		{"bad number", `{"a":01}`, "malformed JSON: …"},
		{"minus alone", `{"a":-}`, "malformed JSON: …"},
		{"no fraction digits", `{"a":1.}`, "malformed JSON: …"},
		{"no exponent digits", `{"b":1e+,"a":"x"}`, "malformed JSON: …"},
		{"bad literal", `{"a":nul}`, "malformed JSON: …"},
		{"bad unicode escape", `{"a":"\u12"}`, "malformed JSON: …"},
		{"bad unicode escape in a skipped string", `{"b":"\uzzzz"}`, "malformed JSON: …"},
		{"bad escape in a value", `{"a":"\x"}`, "malformed JSON: …"},
		{"unterminated escape", `{"b":"\`, "malformed JSON: …"},
		{"unterminated skipped string", `{"b":"xyz`, "malformed JSON: …"},
		{"missing colon", `{"a" "x"}`, "malformed JSON: …"},
		{"missing comma", `{"a":"x" "b":1}`, "malformed JSON: …"},
		{"missing array comma", `{"a":["x" "y"]}`, "malformed JSON: …"},
		{"unquoted key", `{a:"x"}`, "malformed JSON: …"},
		{"control character", "{\"a\":\"x\ty\"}", "malformed JSON: …"},
		{"too deep", strings.Repeat(`{"b":`, 300) + `1` + strings.Repeat(`}`, 300), "malformed JSON: nesting deeper than 256 levels…"},
		{"too deep in an array", `{"a":` + strings.Repeat(`[`, 300) + strings.Repeat(`]`, 300) + `}`, "malformed JSON: nesting deeper than 256 levels…"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ok, err := p.Match([]byte(c.event))
			var invalid *InvalidEventError
			if !errors.As(err, &invalid) || ok {
				t.Fatalf("Match(%q) = %v, %v; want an *InvalidEventError", c.event, ok, err)
			}
			want := strings.TrimSuffix(c.reason, "…")
			if invalid.Reason != c.reason && !(want != c.reason && strings.HasPrefix(invalid.Reason, want)) {
				t.Errorf("reason %q, want %q", invalid.Reason, c.reason)
			}
			if err.Error() != "invalid event: "+invalid.Reason {
				t.Errorf("Error() = %q", err.Error())
			}
		})
	}
}

func TestEventDecoding(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"invalid UTF-8 becomes U+FFFD", `{"a":["x\ufffdy"]}`, "{\"a\":\"x\xffy\"}", true},
		{"surrogate pair escape", `{"a":["🚀"]}`, `{"a":"\ud83d\ude80"}`, true},
		{"lone surrogate escape", `{"a":["\ufffdx"]}`, `{"a":"\ud83dx"}`, true},
		{"escaped key", `{"ab":["x"]}`, `{"a\u0062":"x"}`, true},
		{"escaped dot in key", `{"a":{"b":["x"]}}`, `{"a\u002eb":"x"}`, true},
		{"escapes in a skipped string", `{"a":["x"]}`, `{"b":"\u00e9\"\\\/\b\f\n\r\t","a":"x"}`, true},
		{"skipped values of every kind", `{"a":["x"]}`, `{"b":[1,-2.5e3,true,false,null,{},[],{"c":[{}]}],"a":"x"}`, true},
		{"deep but within the limit", `{"a":["x"]}`, strings.Repeat(`{"b":`, 200) + `{"a":"x"}` + strings.Repeat(`}`, 200), false},
	})
}

func TestMatchValueTypes(t *testing.T) {
	p, err := Compile([]byte(`{"n":[{"numeric":[">",1]}],"s":["x"],"b":[true],"z":[null],"l":{"k":["v"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		event any
		want  bool
	}{
		{"float64", map[string]any{"n": 2.5, "s": "x", "b": true, "z": nil, "l": []any{map[string]any{"k": "v"}}}, true},
		{"int", map[string]any{"n": 2, "s": "x", "b": true, "z": nil, "l": map[string]any{"k": "v"}}, true},
		{"uint8 below", map[string]any{"n": uint8(1), "s": "x", "b": true, "z": nil, "l": map[string]any{"k": "v"}}, false},
		{"unsupported type", map[string]any{"n": struct{}{}, "s": "x", "b": true, "z": nil, "l": map[string]any{"k": "v"}}, false},
		{"not an object", []any{"x"}, false},
		{"nil", nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := p.MatchValue(c.event); got != c.want {
				t.Errorf("MatchValue = %v, want %v", got, c.want)
			}
		})
	}
	t.Run("cyclic value", func(t *testing.T) {
		m := map[string]any{}
		m["l"] = m
		if p.MatchValue(m) {
			t.Error("MatchValue = true, want false")
		}
	})
}

func TestTestEventPattern(t *testing.T) {
	ok, err := TestEventPattern([]byte(`{"source":["aws.iam"]}`), []byte(`{"source":"aws.iam"}`))
	if err != nil || !ok {
		t.Fatalf("TestEventPattern = %v, %v; want true", ok, err)
	}
	var invalid *InvalidPatternError
	if _, err := TestEventPattern([]byte(`{"source":"aws.iam"}`), []byte(`{}`)); !errors.As(err, &invalid) {
		t.Fatalf("TestEventPattern with an invalid pattern: %v", err)
	}
	var event *InvalidEventError
	if _, err := TestEventPattern([]byte(`{"source":["aws.iam"]}`), []byte(`[]`)); !errors.As(err, &event) {
		t.Fatalf("TestEventPattern with an invalid event: %v", err)
	}
}

func TestString(t *testing.T) {
	p, err := Compile([]byte(`{"x":["1"],"$or":[{"a":{"b":["2"]}},{"c":[{"exists":false}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := "a.b [\"2\"] AND x [\"1\"]\nc [{\"exists\":false}] AND x [\"1\"]"
	if got := p.String(); got != want {
		t.Errorf("String() =\n%s\nwant\n%s", got, want)
	}
}

func TestJavaCompare(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"a", "b", -1},
		{"a", "a", 0},
		{"a", "a.b", -1},
		{"a.b", "a-b", 1},
		// Java compares UTF-16 code units: a surrogate pair sorts before
		// U+FFFD, unlike in UTF-8.
		{"\U0001F680", "\uFFFD", -1},
	}
	for _, c := range cases {
		if got := javaCompare(c.a, c.b); got != c.want {
			t.Errorf("javaCompare(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestComparableKey(t *testing.T) {
	cases := []struct {
		lit  string
		ok   bool
		same string // a literal with the same key
	}{
		{"300", true, "3e2"},
		{"-0", true, "0"},
		{"0.1", true, "1.0e-1"},
		{"123456789012345", true, "1.23456789012345e14"},
		{"9007199254740993", false, ""},
		{"1e400", false, ""},
		{"1e-400", false, ""},
		{"4.9e-324", true, "4.90e-324"},
		{"5e-324", false, ""}, // Java writes 4.9E-324
		{"not a number", false, ""},
		{"1.", false, ""},
	}
	for _, c := range cases {
		k, ok := comparableKey([]byte(c.lit))
		if ok != c.ok {
			t.Errorf("comparableKey(%s) ok = %v, want %v", c.lit, ok, c.ok)
			continue
		}
		if c.same == "" {
			continue
		}
		if k2, ok2 := comparableKey([]byte(c.same)); !ok2 || k2 != k {
			t.Errorf("comparableKey(%s) differs from comparableKey(%s)", c.lit, c.same)
		}
	}
	a, _ := comparableKey([]byte("-1"))
	b, _ := comparableKey([]byte("-0.5"))
	c, _ := comparableKey([]byte("2"))
	if !(a < b && b < c) {
		t.Errorf("keys out of order: %d %d %d", a, b, c)
	}
}

func TestConcurrentMatch(t *testing.T) {
	p, err := Compile([]byte(`{"a":{"b":["x"],"c":[{"numeric":[">",1]}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	events := []struct {
		event string
		want  bool
	}{
		{`{"a":[{"b":"x","c":2},{"b":"y","c":0}]}`, true},
		{`{"a":[{"b":"x","c":0},{"b":"y","c":2}]}`, false},
	}
	for i := range 8 {
		c := events[i%len(events)]
		t.Run(c.event, func(t *testing.T) {
			t.Parallel()
			for range 200 {
				if got, err := p.Match([]byte(c.event)); err != nil || got != c.want {
					t.Fatalf("Match = %v, %v; want %v", got, err, c.want)
				}
			}
		})
	}
}
