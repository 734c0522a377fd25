package splunk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/socc-dev/socc/compiler/emit"
	"github.com/socc-dev/socc/compiler/eval"
	"github.com/socc-dev/socc/compiler/event"
	"github.com/socc-dev/socc/compiler/fixture"
	"github.com/socc-dev/socc/compiler/ir"
)

// This file runs the library's searches over the library's fixtures as the
// field mappings say Splunk holds them, with a small interpreter of the SPL
// the emitter writes (the search command's field="value" terms and the
// where clause's eval expressions, over fields named as Splunk's JSON
// extraction names them), and compares the events each search selects with
// the events socc's reference evaluator matches.

// indexedAs returns the JSON of the Splunk event that holds ev in the
// sourcetype of the log source's mapping, or false when the sourcetype
// does not hold ev.
func indexedAs(service string, ev *event.Event) (gjson.Result, bool) {
	switch service {
	case "cloudtrail": // splunk.yaml: the CloudTrail record
		r := ev.Record
		return r, r.Get("eventSource").Type == gjson.String && r.Get("eventID").Type == gjson.String
	case "guardduty": // splunk-guardduty.yaml: every aws.guardduty event, whole
		return gjson.ParseBytes(ev.Envelope()), ev.Source == "aws.guardduty"
	case "securityhub": // splunk-securityhub.yaml: each finding, alone
		return ev.Record, ev.Source == "aws.securityhub" && ev.Record.Get("ProductArn").Exists()
	case "config": // splunk-config.yaml: every aws.config event, whole
		return gjson.ParseBytes(ev.Envelope()), ev.Source == "aws.config"
	}
	return gjson.Result{}, false
}

// splunkFields flattens a JSON event into Splunk's search-time field names:
// object members joined with ".", "{}" after each array, every value as
// text (numbers as written, booleans true/false). Null values and empty
// containers give no field.
func splunkFields(r gjson.Result) map[string][]string {
	out := map[string][]string{}
	var walk func(name string, v gjson.Result)
	walk = func(name string, v gjson.Result) {
		switch {
		case v.IsObject():
			v.ForEach(func(k, x gjson.Result) bool {
				n := k.Str
				if name != "" {
					n = name + "." + n
				}
				walk(n, x)
				return true
			})
		case v.IsArray():
			for _, x := range v.Array() {
				walk(name+"{}", x)
			}
		case v.Type == gjson.String:
			out[name] = append(out[name], v.Str)
		case v.Type == gjson.Number:
			out[name] = append(out[name], v.Raw)
		case v.Type == gjson.True:
			out[name] = append(out[name], "true")
		case v.Type == gjson.False:
			out[name] = append(out[name], "false")
		}
	}
	walk("", r)
	return out
}

// splEvent runs a search over one event. It fails the test on any SPL the
// interpreter does not know, so that a search it cannot read is never
// counted as a match or a miss.
func splEvent(t *testing.T, spl, sourcetype string, fields map[string][]string) bool {
	t.Helper()
	lines := strings.Split(spl, "\n")
	if !searchCommand(t, lines[0], sourcetype, fields) {
		return false
	}
	fields = maps.Clone(fields)
	for _, line := range lines[1:] {
		if assign, ok := strings.CutPrefix(line, "| eval "); ok {
			evalCommand(t, assign, fields)
			continue
		}
		where, ok := strings.CutPrefix(line, "| where ")
		if !ok {
			t.Fatalf("the interpreter reads only eval and where commands, not %q", line)
		}
		p := &splParser{t: t, toks: splTokens(t, where), fields: fields}
		v := p.expr()
		if p.pos != len(p.toks) {
			t.Fatalf("trailing tokens in %q at %d", where, p.pos)
		}
		if !v.truth() {
			return false
		}
	}
	return true
}

// evalCommand runs the assignments of an eval command, name=mvappend(...)
// separated by commas: each field becomes the values of the listed fields.
func evalCommand(t *testing.T, assign string, fields map[string][]string) {
	t.Helper()
	toks := splTokens(t, assign)
	for i := 0; i < len(toks); {
		if i+3 >= len(toks) || toks[i].kind != 'w' || toks[i+1].text != "=" || toks[i+2].text != "mvappend" || toks[i+3].text != "(" {
			t.Fatalf("the interpreter reads only name=mvappend(...) in eval, not %q", assign)
		}
		name := toks[i].text
		var vals []string
		for i += 4; toks[i].text != ")"; i++ {
			switch tok := toks[i]; {
			case tok.kind == '\'':
				vals = append(vals, fields[tok.text]...)
			case tok.text != ",":
				t.Fatalf("mvappend of %q", tok.text)
			}
		}
		fields[name] = vals
		if i++; i < len(toks) && toks[i].text == "," {
			i++
		}
	}
}

// searchCommand evaluates the terms of the search command: field="value"
// and field IN ("a", "b") hold when some value of the field equals one of
// the values, ignoring ASCII case (no term holds a wildcard: Lint rejects
// *).
func searchCommand(t *testing.T, line, sourcetype string, fields map[string][]string) bool {
	t.Helper()
	toks := splTokens(t, line)
	for i := 0; i < len(toks); {
		name := toks[i]
		if name.kind != 'w' || i+1 >= len(toks) {
			t.Fatalf("search command %q: unexpected %q", line, name.text)
		}
		var vals []string
		switch {
		case toks[i+1].text == "=" && i+2 < len(toks) && toks[i+2].kind == '"':
			vals, i = []string{toks[i+2].text}, i+3
		case toks[i+1].text == "IN" && i+2 < len(toks) && toks[i+2].text == "(":
			i += 3
			for i < len(toks) && toks[i].text != ")" {
				if toks[i].kind == '"' {
					vals = append(vals, toks[i].text)
				}
				i++
			}
			i++
		default:
			t.Fatalf("search command %q: unexpected %q", line, toks[i+1].text)
		}
		if name.text == "sourcetype" {
			if len(vals) != 1 || vals[0] != sourcetype {
				t.Fatalf("search command %q: sourcetype %v, want %s", line, vals, sourcetype)
			}
			continue
		}
		if !slices.ContainsFunc(fields[name.text], func(f string) bool {
			return slices.ContainsFunc(vals, func(v string) bool { return strings.EqualFold(f, v) })
		}) {
			return false
		}
	}
	return true
}

type splTok struct {
	kind byte // '"' string, '\'' field, 'n' number, 'w' word, 'p' punctuation
	text string
}

func splTokens(t *testing.T, s string) []splTok {
	t.Helper()
	var out []splTok
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ':
			i++
		case c == '"':
			var b strings.Builder
			i++
			for s[i] != '"' {
				if s[i] == '\\' {
					i++
				}
				b.WriteByte(s[i])
				i++
			}
			i++
			out = append(out, splTok{'"', b.String()})
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			out = append(out, splTok{'\'', s[i+1 : i+1+end]})
			i += end + 2
		case strings.IndexByte("(),", c) >= 0:
			out = append(out, splTok{'p', string(c)})
			i++
		case strings.IndexByte("=!<>", c) >= 0:
			j := i + 1
			for j < len(s) && strings.IndexByte("=!<>", s[j]) >= 0 {
				j++
			}
			out = append(out, splTok{'p', s[i:j]})
			i = j
		case c == '-' || c >= '0' && c <= '9':
			j := i + 1
			for j < len(s) && (s[j] == '.' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			out = append(out, splTok{'n', s[i:j]})
			i = j
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \"'(),=!<>", rune(s[j])) {
				j++
			}
			out = append(out, splTok{'w', s[i:j]})
			i = j
		}
	}
	return out
}

// splVal is an eval value: null, a string, a number, a truth value, or the
// values of a multivalue field.
type splVal struct {
	kind byte // 0 null, 's', 'n', 'b', 'm'
	s    string
	n    float64
	b    bool
	mv   []string
}

func (v splVal) truth() bool { return v.kind == 'b' && v.b }

var splNull = splVal{}

func splBool(b bool) splVal { return splVal{kind: 'b', b: b} }

// splParser evaluates a where expression while parsing it. Inside
// mvfilter, bound names the field being filtered and value its current
// value.
type splParser struct {
	t      *testing.T
	toks   []splTok
	pos    int
	fields map[string][]string
	bound  string
	value  string
}

func (p *splParser) peek() splTok {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return splTok{}
}

func (p *splParser) next() splTok { tok := p.peek(); p.pos++; return tok }

func (p *splParser) want(text string) {
	if tok := p.next(); tok.text != text {
		p.t.Fatalf("want %q, got %q at %d", text, tok.text, p.pos-1)
	}
}

// expr parses OR of ANDs of comparisons. Both operands are always
// evaluated (eval has no side effects), which also checks that every part
// of the expression is one the interpreter knows.
func (p *splParser) expr() splVal {
	v := p.and()
	for p.peek().text == "OR" {
		p.next()
		w := p.and()
		v = splBool(v.truth() || w.truth())
	}
	return v
}

func (p *splParser) and() splVal {
	v := p.cmp()
	for p.peek().text == "AND" {
		p.next()
		w := p.cmp()
		v = splBool(v.truth() && w.truth())
	}
	return v
}

func (p *splParser) cmp() splVal {
	a := p.operand()
	op := p.peek().text
	switch op {
	case "==", "!=", "<", "<=", ">", ">=":
	default:
		return a
	}
	p.next()
	b := p.operand()
	if a.kind == 'm' || b.kind == 'm' {
		p.t.Fatalf("a multivalue field compared outside mvfilter")
	}
	if a.kind == 0 || b.kind == 0 {
		return splNull
	}
	var c int
	switch {
	case a.kind == 'n' && b.kind == 'n':
		c = cmpFloat(a.n, b.n)
	case a.kind == 's' && b.kind == 's':
		c = strings.Compare(a.s, b.s)
	default:
		p.t.Fatalf("comparison of kinds %c and %c", a.kind, b.kind)
	}
	switch op {
	case "==":
		return splBool(c == 0)
	case "!=":
		return splBool(c != 0)
	case "<":
		return splBool(c < 0)
	case "<=":
		return splBool(c <= 0)
	case ">":
		return splBool(c > 0)
	}
	return splBool(c >= 0)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (p *splParser) operand() splVal {
	tok := p.next()
	switch tok.kind {
	case '"':
		return splVal{kind: 's', s: tok.text}
	case 'n':
		n, err := strconv.ParseFloat(tok.text, 64)
		if err != nil {
			p.t.Fatal(err)
		}
		return splVal{kind: 'n', n: n}
	case 'w':
		if p.peek().text == "(" {
			return p.call(tok.text)
		}
		// A bare name: a temporary field of an eval command.
		fallthrough
	case '\'':
		if tok.text == p.bound {
			return splVal{kind: 's', s: p.value}
		}
		switch vs := p.fields[tok.text]; len(vs) {
		case 0:
			return splNull
		case 1:
			return splVal{kind: 's', s: vs[0]}
		default:
			return splVal{kind: 'm', mv: vs}
		}
	case 'p':
		if tok.text == "(" {
			v := p.expr()
			p.want(")")
			return v
		}
	}
	p.t.Fatalf("unexpected %q at %d", tok.text, p.pos-1)
	return splNull
}

// call evaluates the eval functions the emitter writes.
func (p *splParser) call(name string) splVal {
	p.want("(")
	if name == "mvfilter" {
		return p.mvfilter()
	}
	var args []splVal
	for p.peek().text != ")" {
		args = append(args, p.expr())
		if p.peek().text == "," {
			p.next()
		}
	}
	p.want(")")
	arity := map[string]int{"isnull": 1, "isnotnull": 1, "tonumber": 1, "lower": 1, "match": 2, "cidrmatch": 2, "true": 0, "false": 0}
	if n, ok := arity[name]; !ok || n != len(args) {
		p.t.Fatalf("the interpreter does not know %s with %d arguments", name, len(args))
	}
	switch name {
	case "isnull":
		return splBool(args[0].kind == 0)
	case "isnotnull":
		return splBool(args[0].kind != 0)
	case "true", "false":
		return splBool(name == "true")
	}
	if args[0].kind == 0 {
		return splNull
	}
	if args[0].kind == 'm' || name == "match" && args[1].kind != 's' {
		p.t.Fatalf("%s of a multivalue field or of a non-string pattern", name)
	}
	switch name {
	case "tonumber":
		n, err := strconv.ParseFloat(strings.TrimSpace(args[0].s), 64)
		if err != nil {
			return splNull
		}
		return splVal{kind: 'n', n: n}
	case "lower":
		return splVal{kind: 's', s: strings.ToLower(args[0].s)}
	case "match":
		// The emitter writes patterns that PCRE reads as RE2 does.
		return splBool(regexp.MustCompile(args[1].s).MatchString(args[0].s))
	}
	p.t.Fatalf("the interpreter does not evaluate %s", name)
	return splNull
}

// mvfilter evaluates its condition once per value of the one field it
// names and returns the values for which it holds, or null.
func (p *splParser) mvfilter() splVal {
	start := p.pos
	depth, field := 0, ""
	for i := start; i < len(p.toks); i++ {
		switch tok := p.toks[i]; {
		case tok.text == "(":
			depth++
		case tok.text == ")" && depth == 0:
			i = len(p.toks)
		case tok.text == ")":
			depth--
		case tok.kind == '\'' || tok.kind == 'w' && tok.text != "AND" && tok.text != "OR" && (i+1 == len(p.toks) || p.toks[i+1].text != "("):
			if field != "" && field != tok.text {
				p.t.Fatalf("mvfilter over two fields, %s and %s", field, tok.text)
			}
			field = tok.text
		}
	}
	values := p.fields[field]
	if field == "" || len(values) == 0 {
		// Parse the condition once, for its syntax; a missing field has
		// no values to keep.
		p.bound, p.value = field, ""
		p.expr()
		p.bound = ""
		p.want(")")
		return splNull
	}
	var kept []string
	end := 0
	for _, v := range values {
		p.pos, p.bound, p.value = start, field, v
		if p.expr().truth() {
			kept = append(kept, v)
		}
		end = p.pos
	}
	p.pos, p.bound = end, ""
	p.want(")")
	if len(kept) == 0 {
		return splNull
	}
	return splVal{kind: 'm', mv: kept}
}

// TestOracle compares every search of the library's GuardDuty, Security
// Hub and Config detections, and of its CloudTrail detections without a
// threshold, with socc's evaluator over every fixture event the log
// source's sourcetype holds. An exact search selects exactly the events
// socc matches; an approximate one at least those.
func TestOracle(t *testing.T) {
	var events []*event.Event
	if err := fixture.Stream("../../../testdata/events", func(ev *event.Event) error {
		events = append(events, ev)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	oracle(t, events, nil)
}

// oracle runs every search without a threshold over events and compares.
// Without services, it runs every search and each must see events of its
// sourcetype, and each search of the non-CloudTrail log sources some event
// socc matches; with services, only the searches of those log sources.
func oracle(t *testing.T, events []*event.Event, services []string) {
	proof := services == nil
	res := library(t)
	sink := emitAll(t, res.Program)
	for _, d := range res.Program.Detections {
		st := sink.Statuses()[d.ID][Target]
		if st.Status == emit.Unsupported || d.Threshold != nil {
			continue
		}
		service := d.Logsource.Service
		if !proof && !slices.Contains(services, service) {
			continue
		}
		fm := res.Program.FieldMap(Target, service)
		spl := strings.TrimSuffix(string(sink.File("splunk/"+d.ID+".spl")), "\n")
		t.Run(d.ID, func(t *testing.T) {
			var held, matched, extra int
			for _, ev := range events {
				doc, ok := indexedAs(service, ev)
				if !ok {
					continue
				}
				held++
				got := splEvent(t, spl, fm.Options["sourcetype"], splunkFields(doc))
				want := eval.Eval(d.Cond(), ev)
				if want {
					matched++
				}
				switch {
				case got == want:
				case got && st.Status == emit.Approximate:
					extra++
				default:
					t.Errorf("%s:%d: splunk %v, socc %v\n%s", ev.File, ev.Line, got, want, doc.Raw)
				}
			}
			if proof && (held == 0 || matched == 0 && service != "cloudtrail") {
				t.Errorf("%d events held, %d matched by socc: the comparison proves nothing", held, matched)
			}
			t.Logf("%s: %d events in the sourcetype, %d matched by socc, %d more by the %s search", service, held, matched, extra, st.Status)
		})
	}
}

// TestOracleVariants runs the same comparison over variants of the
// GuardDuty, Security Hub and Config fixtures: values at and around the
// bounds and lists of the library's detections, other detail-types, other
// case, fields removed. Values keep the JSON types of the AWS API: Splunk
// keeps every value as text, so a number or boolean written as a string
// looks alike there (an assumption of docs/targets.md).
func TestOracleVariants(t *testing.T) {
	type change struct {
		path string // dot-separated; * for every element of an array
		vals []any  // each value gives one variant; remove deletes the member
	}
	variants := map[string][]change{
		"guardduty": {
			{"detail-type", []any{"GuardDuty Runtime Protection Unhealthy", "guardduty finding"}},
			{"detail.severity", []any{json.Number("6.9"), json.Number("7"), json.Number("7.0"), json.Number("8.99"), json.Number("9"), json.Number("10"), remove}},
			{"detail.service.archived", []any{true, remove}},
			{"detail.service.additionalInfo.sample", []any{false, true}},
			{"detail.service.additionalInfo", []any{remove}},
			{"detail.type", []any{"UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS", "unauthorizedaccess:iamuser/instancecredentialexfiltration.OutsideAWS", "Recon:IAMUser/UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration"}},
		},
		"securityhub": {
			{"detail-type", []any{"Security Hub Findings - Custom Action", "Security Hub Findings - Imported"}},
			{"detail.findings.*.Severity.Label", []any{"critical", "HIGH", "CRITICAL", remove}},
			{"detail.findings.*.RecordState", []any{"ARCHIVED", "ACTIVE"}},
			{"detail.findings.*.Workflow.Status", []any{"NOTIFIED", "new", remove}},
			{"detail.findings.*.ProductArn", []any{"arn:aws:securityhub:us-east-1::product/aws/guardduty", "arn:aws:securityhub:us-east-1::product/aws/guardduty/x", "arn:aws:securityhub:us-east-1::product/aws/GuardDuty", remove}},
		},
		"config": {
			{"detail-type", []any{"Config Configuration Item Change", "config rules compliance change"}},
			{"detail.messageType", []any{"ConfigurationItemChangeNotification", remove}},
			{"detail.newEvaluationResult.complianceType", []any{"COMPLIANT", "non_compliant", "NON_COMPLIANT"}},
			{"detail.configRuleName", []any{"restricted-ssh", "Restricted-SSH", "restricted-ssh-2", "securityhub-restricted-ssh-", "securityhub-restricted-ssh-8f2c", "securityhub-restricted-ssh", "OrgConfigRule-critical-", "OrgConfigRule-a-critical-b", "OrgConfigRule-a-Critical-b", "x-securityhub-enabled", remove}},
		},
	}
	var events []*event.Event
	for service, changes := range variants {
		dir := "../../../testdata/events/" + service
		if err := fixture.Stream(dir, func(ev *event.Event) error {
			if ev.Source != "aws."+service {
				return nil
			}
			for _, c := range changes {
				for _, v := range c.vals {
					var env map[string]any
					dec := json.NewDecoder(bytes.NewReader(ev.Envelope()))
					dec.UseNumber()
					if err := dec.Decode(&env); err != nil {
						return err
					}
					if !setPath(env, strings.Split(c.path, "."), v) {
						continue
					}
					b, err := json.Marshal(env)
					if err != nil {
						return err
					}
					evs, err := fixture.Decode(fmt.Sprintf("%s:%d %s=%v", ev.File, ev.Line, c.path, v), b)
					if err != nil {
						return err
					}
					events = append(events, evs...)
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	oracle(t, events, slices.Collect(maps.Keys(variants)))
}

// remove deletes a member in a variant.
var remove = &struct{}{}

// setPath sets (or with remove deletes) the member at path of a decoded
// JSON object, creating objects on the way; * stands for every element of
// an array. It reports whether anything was set.
func setPath(m map[string]any, path []string, v any) bool {
	k := path[0]
	if len(path) == 1 {
		if v == remove {
			_, ok := m[k]
			delete(m, k)
			return ok
		}
		m[k] = v
		return true
	}
	if path[1] == "*" {
		arr, _ := m[k].([]any)
		set := false
		for _, x := range arr {
			if o, ok := x.(map[string]any); ok && setPath(o, path[2:], v) {
				set = true
			}
		}
		return set
	}
	next, ok := m[k].(map[string]any)
	if !ok {
		if v == remove {
			return false
		}
		next = map[string]any{}
		m[k] = next
	}
	return setPath(next, path[1:], v)
}

// TestOracleSecurityHubDetailType shows the approximation of the Security
// Hub search: a critical finding sent to a custom action is not a new
// finding for socc, but its Splunk event cannot be told from an imported
// one.
func TestOracleSecurityHubDetailType(t *testing.T) {
	res := library(t)
	sink := emitAll(t, res.Program)
	const id = "aws-securityhub-finding-critical"
	var events []*event.Event
	err := fixture.Stream("../../../testdata/events/securityhub/custom-action-critical.json", func(ev *event.Event) error {
		events = append(events, ev)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	d := detection(t, res.Program, id)
	spl := strings.TrimSuffix(string(sink.File("splunk/"+id+".spl")), "\n")
	var splunk, socc int
	for _, ev := range events {
		doc, ok := indexedAs("securityhub", ev)
		if !ok {
			continue
		}
		if splEvent(t, spl, "aws:securityhub:finding", splunkFields(doc)) {
			splunk++
		}
		if eval.Eval(d.Cond(), ev) {
			socc++
		}
	}
	if splunk == 0 || socc != 0 {
		t.Errorf("custom action findings: %d selected by the search, %d matched by socc; want some and none", splunk, socc)
	}
}

func detection(t *testing.T, p *ir.Program, id string) *ir.Detection {
	t.Helper()
	for _, d := range p.Detections {
		if d.ID == id {
			return d
		}
	}
	t.Fatalf("no detection %s", id)
	return nil
}
