package lower

import (
	"strings"
	"testing"

	"github.com/socc-dev/socc/compiler/diag"
	"github.com/socc-dev/socc/compiler/ir"
	"github.com/socc-dev/socc/compiler/load"
)

const regions = `kind: list
id: approved-regions
values: [ap-northeast-1, us-east-1]
`

const ports = `kind: list
id: admin-ports
values: [22, 3389]
`

const nets = `kind: list
id: office-networks
values: [192.0.2.0/24, 198.51.100.7/24]
`

func lowerWithLists(t *testing.T, match string, lists ...string) (*ir.Program, diag.Diagnostics) {
	t.Helper()
	srcs := append([]string{matrix, detection(match)}, lists...)
	var docs []*load.Document
	for i, src := range srcs {
		name := []string{"m.yaml", "d.yaml"}[min(i, 1)]
		if i >= 2 {
			name = "lists/" + strings.Fields(src)[3] + ".yaml"
		}
		doc, ds := load.Parse(name, strings.NewReader(src))
		if ds.HasErrors() {
			t.Fatalf("parse: %v", ds)
		}
		docs = append(docs, doc)
	}
	return Lower(docs)
}

func TestListModifier(t *testing.T) {
	tests := []struct {
		name, match, want string
	}{
		{"equality", "  s:\n    awsRegion|list: approved-regions\n",
			`{"field":"awsRegion","op":"equals","values":["ap-northeast-1","us-east-1"]}`},
		{"typed numbers", "  s:\n    requestParameters.fromPort|list: admin-ports\n",
			`{"field":"requestParameters.fromPort","op":"equals","values":[22,3389]}`},
		{"several lists, with an operator", "  s:\n    awsRegion|startswith|i|list: [approved-regions, admin-ports]\n",
			`{"field":"awsRegion","i":true,"op":"startswith","values":["ap-northeast-1","us-east-1"]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, ds := lowerWithLists(t, tc.match, regions, ports)
			if tc.name == "several lists, with an operator" {
				// Numbers are no startswith values: the error points into the list file.
				if !ds.HasErrors() || ds[0].Subject.Filename != "lists/admin-ports.yaml" || ds[0].Subject.Start.Line != 3 {
					t.Fatalf("want an error in lists/admin-ports.yaml:3, got %v", ds)
				}
				return
			}
			if ds.HasErrors() {
				t.Fatalf("Lower: %v", ds)
			}
			if got := exprString(p.Detections[0].Match); got != tc.want {
				t.Errorf("match =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestListCIDRCompiled(t *testing.T) {
	p, ds := lowerWithLists(t, "  s:\n    sourceIPAddress|cidr|list: office-networks\n", nets)
	if len(ds) == 0 || ds[0].Code != diag.InvalidCIDR || ds[0].Subject.Filename != "lists/office-networks.yaml" {
		t.Fatalf("want the host-bits error at the list, got %v", ds)
	}
	_ = p
	p, ds = lowerWithLists(t, "  s:\n    sourceIPAddress|cidr|list: office-networks\n", strings.Replace(nets, "198.51.100.7/24", "198.51.100.0/24", 1))
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	if pr := p.Detections[0].Match.(*ir.Pred); len(pr.Nets) != 2 {
		t.Errorf("nets = %v, want both networks compiled", pr.Nets)
	}
}

func TestListErrors(t *testing.T) {
	tests := []struct {
		name, match string
		lists       []string
		code        diag.Code
		hint        string
	}{
		{"unknown with suggestion", "  s:\n    awsRegion|list: approved-region\n", []string{regions}, diag.UnknownList, `did you mean "approved-regions"?`},
		{"unknown lists known ones", "  s:\n    awsRegion|list: regions-ok\n", []string{regions, ports}, diag.UnknownList, "lists: admin-ports, approved-regions"},
		{"no lists at all", "  s:\n    awsRegion|list: approved-regions\n", nil, diag.UnknownList, "define it in a file with kind: list, id: approved-regions and values: [...]"},
		{"with fieldref", "  s:\n    awsRegion|fieldref|list: approved-regions\n", []string{regions}, diag.InvalidModifier, ""},
		{"defined twice", "  s:\n    awsRegion|list: approved-regions\n", []string{regions, regions}, diag.DuplicateID, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ds := lowerWithLists(t, tc.match, tc.lists...)
			if !ds.HasErrors() {
				t.Fatal("no error")
			}
			if d := ds[0]; d.Code != tc.code || (tc.hint != "" && d.Hint != tc.hint) {
				t.Errorf("got %v (hint %q), want %s (hint %q)", d, d.Hint, tc.code, tc.hint)
			}
		})
	}
}
