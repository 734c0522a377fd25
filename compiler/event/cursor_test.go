package event

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tidwall/gjson"
)

type member struct{ Key, Val string }

func cursorMembers(s string) []member {
	var c Cursor
	c.Reset(s)
	var out []member
	for {
		k, v, ok := c.Next()
		if !ok {
			return out
		}
		out = append(out, member{k, v})
	}
}

func gjsonMembers(s string) []member {
	var out []member
	gjson.Parse(s).ForEach(func(k, v gjson.Result) bool {
		out = append(out, member{k.Str, v.Raw})
		return true
	})
	return out
}

func TestCursor(t *testing.T) {
	tests := []string{
		`{}`,
		` { } `,
		`{"a":1}`,
		`{ "a" : "x,}]\"{" , "b\"c" : [1, {"d": "]}"}], "e\u0041": null, "f": -1.5e3 ,"g":true,"h":{}}`,
		"{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": \"\\\\\"\n}\n",
	}
	for _, s := range tests {
		if diff := cmp.Diff(gjsonMembers(s), cursorMembers(s)); diff != "" {
			t.Errorf("%s (-gjson +cursor):\n%s", s, diff)
		}
	}
	for _, s := range []string{``, `[`, `{`, `{"a`, `{"a"`, `{"a":`, `{"a":"`, `{"a":[`, `{"a":1,`, `{"a" 1}`, `{a:1}`, `nul`, `{"a":}`} {
		cursorMembers(s) // must not panic
	}
}

// FuzzCursor checks that the cursor reads the members of any valid JSON
// object as gjson does, and never panics on anything else.
func FuzzCursor(f *testing.F) {
	f.Add(`{"a":1,"b":[{"c":"}"}],"d\"":null}`)
	f.Add("{\n  \"eventName\": \"A\", \"n\": [1, {\"x\": \"]\\\\\"\"}], \"e\\u0041\": null\n}")
	f.Fuzz(func(t *testing.T, s string) {
		got := cursorMembers(s)
		if !gjson.Valid(s) || !gjson.Parse(s).IsObject() {
			return
		}
		if diff := cmp.Diff(gjsonMembers(s), got); diff != "" {
			t.Fatalf("%q (-gjson +cursor):\n%s", s, diff)
		}
	})
}
