package lower

import (
	"fmt"
	"net/netip"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/socc-dev/socc/compiler/diag"
	"github.com/socc-dev/socc/compiler/ir"
	"github.com/socc-dev/socc/compiler/load"
	"github.com/socc-dev/socc/compiler/validate"
)

var modifiers = []string{"all", "cidr", "contains", "endswith", "exists", "fieldref", "gt", "gte", "i", "list", "lt", "lte", "re", "startswith", "wildcard"}

var opByModifier = map[string]ir.Op{
	"contains": ir.OpContains, "startswith": ir.OpPrefix, "endswith": ir.OpSuffix,
	"wildcard": ir.OpWildcard, "re": ir.OpRegex, "cidr": ir.OpCIDR,
	"gt": ir.OpGT, "gte": ir.OpGTE, "lt": ir.OpLT, "lte": ir.OpLTE, "exists": ir.OpExists,
}

// lowerMatch lowers a `match:` mapping (selections plus condition) into an
// expression. owner names the object in messages ("detection", "exception").
func (l *lowerer) lowerMatch(doc *load.Document, n *yaml.Node) ir.Expr {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	sels := map[string]ir.Expr{}
	var names []string
	var condNode *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value == "condition" {
			condNode = v
			continue
		}
		names = append(names, k.Value)
		sels[k.Value] = l.lowerSelection(doc, v)
	}
	if condNode == nil {
		if len(names) != 1 {
			l.ds.Errorf(doc.Range(n), diag.MalformedCondition, "missing 'condition:' with %d selections", len(names)).
				WithHint("add a condition such as 'condition: %s'", strings.Join(names, " and "))
			return nil
		}
		return sels[names[0]]
	}
	c, err := parseCondition(condNode.Value)
	if err != nil {
		ce := err.(*condError)
		l.ds.Errorf(offsetRange(doc, condNode, ce.off), diag.MalformedCondition, "malformed condition: %s", ce.msg).
			WithHint("conditions combine selection names with and, or, not, parentheses, '1 of sel_*' and 'all of them'")
		return nil
	}
	used := map[string]bool{}
	x := l.substitute(doc, condNode, c, sels, names, used)
	for _, name := range names {
		if !used[name] && !strings.HasPrefix(name, "_") {
			l.ds.Warnf(doc.Range(load.Key(n, name)), diag.UnusedSelection, "selection %q is not used by the condition", name).
				WithHint("use it in 'condition:' or delete it")
		}
	}
	return x
}

func (l *lowerer) substitute(doc *load.Document, cn *yaml.Node, c cond, sels map[string]ir.Expr, names []string, used map[string]bool) ir.Expr {
	switch c := c.(type) {
	case *condAnd:
		x := &ir.And{}
		for _, s := range c.x {
			x.X = append(x.X, l.substitute(doc, cn, s, sels, names, used))
		}
		return x
	case *condOr:
		x := &ir.Or{}
		for _, s := range c.x {
			x.X = append(x.X, l.substitute(doc, cn, s, sels, names, used))
		}
		return x
	case *condNot:
		return &ir.Not{X: l.substitute(doc, cn, c.x, sels, names, used)}
	case *condRef:
		e, ok := sels[c.name]
		if !ok {
			d := l.ds.Errorf(offsetRange(doc, cn, c.off), diag.UndefinedSelection, "condition names undefined selection %q", c.name)
			if s := validate.Suggest(c.name, names); s != "" {
				d.WithHint("did you mean %q?", s)
			} else {
				d.WithHint("define it under 'match:' (selections: %s)", strings.Join(names, ", "))
			}
			return &ir.Or{}
		}
		used[c.name] = true
		return e
	case *condQuant:
		var xs []ir.Expr
		for _, name := range names {
			ok := !strings.HasPrefix(name, "_")
			if c.pattern != "them" {
				ok, _ = path.Match(c.pattern, name)
			}
			if ok {
				used[name] = true
				xs = append(xs, sels[name])
			}
		}
		if len(xs) == 0 {
			l.ds.Errorf(offsetRange(doc, cn, c.off), diag.UndefinedSelection, "%q matches no selection", c.pattern).
				WithHint("selections: %s", strings.Join(names, ", "))
			return &ir.Or{}
		}
		if c.all {
			return &ir.And{X: xs}
		}
		return &ir.Or{X: xs}
	}
	panic(fmt.Sprintf("lower: unknown condition node %T", c))
}

// lowerSelection lowers a map of field predicates (AND) or a list of such
// maps (OR).
func (l *lowerer) lowerSelection(doc *load.Document, n *yaml.Node) ir.Expr {
	if n.Kind == yaml.SequenceNode {
		x := &ir.Or{}
		for _, c := range n.Content {
			x.X = append(x.X, l.lowerFields(doc, c))
		}
		return x
	}
	return l.lowerFields(doc, n)
}

func (l *lowerer) lowerFields(doc *load.Document, n *yaml.Node) ir.Expr {
	x := &ir.And{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if p := l.lowerField(doc, n.Content[i], n.Content[i+1]); p != nil {
			x.X = append(x.X, p)
		}
	}
	if len(x.X) == 1 {
		return x.X[0]
	}
	return x
}

// lowerField lowers one `field|mod...: value` entry.
func (l *lowerer) lowerField(doc *load.Document, k, v *yaml.Node) ir.Expr {
	parts := strings.Split(k.Value, "|")
	field, ok := ir.ParsePath(parts[0])
	if !ok {
		l.ds.Errorf(doc.Range(k), diag.InvalidField, "malformed field path %q", parts[0]).
			WithHint("write fields as dotted paths like requestParameters.bucketName, or $.detail-type for envelope fields")
		return nil
	}
	p := &ir.Pred{Field: field, Op: ir.OpEquals}
	var opMod string
	fieldref, fromList := false, false
	for _, m := range parts[1:] {
		switch {
		case m == "i":
			p.Fold = true
		case m == "list":
			fromList = true
		case m == "all":
			p.All = true
		case m == "fieldref":
			fieldref = true
			if opMod != "" {
				l.ds.Errorf(doc.Range(k), diag.InvalidModifier, "modifiers %q and %q cannot be combined", opMod, m)
				return nil
			}
			opMod = m
		case opByModifier[m] != 0:
			if opMod != "" {
				l.ds.Errorf(doc.Range(k), diag.InvalidModifier, "modifiers %q and %q cannot be combined", opMod, m).
					WithHint("use one comparison modifier per field entry; repeat the field in another selection to combine")
				return nil
			}
			opMod = m
			p.Op = opByModifier[m]
		default:
			d := l.ds.Errorf(doc.Range(k), diag.UnknownModifier, "unknown modifier %q", m)
			if s := validate.Suggest(m, modifiers); s != "" {
				d.WithHint("did you mean %q?", s)
			} else {
				d.WithHint("modifiers: %s", strings.Join(modifiers, ", "))
			}
			return nil
		}
	}
	vals := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		vals = v.Content
	}
	if fromList && fieldref {
		l.ds.Errorf(doc.Range(k), diag.InvalidModifier, "modifiers \"list\" and \"fieldref\" cannot be combined")
		return nil
	}
	valDocs := make([]*load.Document, len(vals))
	for i := range vals {
		valDocs[i] = doc
	}
	if fromList {
		vals, valDocs = l.listValues(doc, vals)
		if vals == nil {
			return nil
		}
	}
	if fieldref {
		if len(vals) != 1 || vals[0].Tag != "!!str" {
			l.ds.Errorf(doc.Range(v), diag.InvalidModifier, "fieldref needs one field name as its value")
			return nil
		}
		other, ok := ir.ParsePath(vals[0].Value)
		if !ok || p.All {
			l.ds.Errorf(doc.Range(vals[0]), diag.InvalidField, "malformed field path %q", vals[0].Value)
			return nil
		}
		return &ir.FieldRef{Field: field, Other: other, Fold: p.Fold}
	}
	if p.Fold && !(p.Op == ir.OpEquals || p.Op.IsString()) {
		l.ds.Errorf(doc.Range(k), diag.InvalidModifier, "modifier \"i\" does not apply to %q", opMod).
			WithHint("case-insensitivity applies to string comparisons only")
		return nil
	}
	for i, vn := range vals {
		val, ok := l.value(valDocs[i], p, vn)
		if !ok {
			return nil
		}
		p.Values = append(p.Values, val)
	}
	if p.Op == ir.OpExists && (len(p.Values) != 1 || p.All) {
		l.ds.Errorf(doc.Range(v), diag.InvalidModifier, "exists takes a single true or false")
		return nil
	}
	if p.All && len(p.Values) < 2 {
		p.All = false
	}
	return p
}

// listValues replaces the list names of a `field|list:` entry by the
// values of those kind: list documents, each with the document it comes
// from. It returns nil after reporting a name that is no list.
func (l *lowerer) listValues(doc *load.Document, names []*yaml.Node) ([]*yaml.Node, []*load.Document) {
	var vals []*yaml.Node
	var docs []*load.Document
	ok := true
	for _, n := range names {
		lst, found := l.lists[n.Value]
		if n.Kind != yaml.ScalarNode || !found {
			ok = false
			d := l.ds.Errorf(doc.Range(n), diag.UnknownList, "no list named %q", n.Value)
			ids := make([]string, 0, len(l.lists))
			for id := range l.lists {
				ids = append(ids, id)
			}
			slices.Sort(ids)
			switch s := validate.Suggest(n.Value, ids); {
			case s != "":
				d.WithHint("did you mean %q?", s)
			case len(ids) > 0:
				d.WithHint("lists: %s", strings.Join(ids, ", "))
			default:
				d.WithHint("define it in a file with kind: list, id: %s and values: [...]", n.Value)
			}
			continue
		}
		for _, v := range lst.values {
			vals = append(vals, v)
			docs = append(docs, lst.doc)
		}
	}
	if !ok {
		return nil, nil
	}
	return vals, docs
}

// value lowers one scalar value of predicate p and compiles what needs it.
func (l *lowerer) value(doc *load.Document, p *ir.Pred, n *yaml.Node) (ir.Value, bool) {
	v := scalar(n)
	bad := func(want string) (ir.Value, bool) {
		l.ds.Errorf(doc.Range(n), diag.InvalidModifier, "%s needs %s, not %s", modName(p.Op), want, kindName(v.Kind)).
			WithHint("quote the value to make it a string, or use another modifier")
		return v, false
	}
	switch {
	case p.Op == ir.OpExists:
		if v.Kind != ir.Bool {
			return bad("true or false")
		}
	case p.Op == ir.OpEquals:
		if p.Fold && v.Kind != ir.String {
			return bad("a string with modifier \"i\"")
		}
		if p.Fold {
			v.Str = strings.ToLower(v.Str)
		}
	case p.Op.IsNumeric():
		if v.Kind != ir.Number {
			return bad("a number")
		}
	case p.Op == ir.OpCIDR:
		if v.Kind != ir.String {
			return bad("a network such as 10.0.0.0/8")
		}
		pfx, err := netip.ParsePrefix(v.Str)
		if err != nil {
			l.ds.Errorf(doc.Range(n), diag.InvalidCIDR, "invalid CIDR %q", v.Str).
				WithHint("write an IPv4 or IPv6 network with its mask, e.g. 10.0.0.0/8 or 2001:db8::/32")
			return v, false
		}
		if pfx.Masked() != pfx {
			l.ds.Errorf(doc.Range(n), diag.InvalidCIDR, "CIDR %q has host bits set", v.Str).
				WithHint("did you mean %q?", pfx.Masked().String())
			return v, false
		}
		p.Nets = append(p.Nets, pfx)
	default: // string operators
		if v.Kind != ir.String {
			return bad("a string")
		}
		switch p.Op {
		case ir.OpRegex:
			src := v.Str
			if p.Fold {
				src = "(?i)" + src
			}
			re, err := regexp.Compile(src)
			if err != nil {
				msg := err.Error()
				msg = strings.TrimPrefix(msg, "error parsing regexp: ")
				l.ds.Errorf(doc.Range(n), diag.InvalidRegex, "invalid regular expression: %s", msg).
					WithHint("socc uses RE2 syntax (no lookaround or backreferences): https://github.com/google/re2/wiki/Syntax")
				return v, false
			}
			p.Re = append(p.Re, re)
		case ir.OpWildcard:
			p.Re = append(p.Re, regexp.MustCompile(WildcardRegexp(v.Str, p.Fold)))
		default:
			if p.Fold {
				v.Str = strings.ToLower(v.Str)
			}
		}
	}
	return v, true
}

// WildcardRegexp returns the anchored RE2 expression of a wildcard value:
// "*" any run of characters, "?" one character, "\*", "\?" and "\\" the
// literal characters; any other backslash is a literal backslash.
func WildcardRegexp(w string, fold bool) string {
	var b strings.Builder
	b.WriteString("(?s")
	if fold {
		b.WriteString("i")
	}
	b.WriteString(")^")
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c == '\\' && i+1 < len(w) && strings.IndexByte(`*?\`, w[i+1]) >= 0:
			b.WriteString(regexp.QuoteMeta(w[i+1 : i+2]))
			i++
		case c == '*':
			b.WriteString(".*")
		case c == '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(w[i : i+1]))
		}
	}
	b.WriteString("$")
	return b.String()
}

func scalar(n *yaml.Node) ir.Value {
	switch n.Tag {
	case "!!null":
		return ir.Value{Kind: ir.Null}
	case "!!bool":
		var b bool
		_ = n.Decode(&b)
		return ir.Value{Kind: ir.Bool, Bool: b}
	case "!!int", "!!float":
		if f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64); err == nil {
			return ir.Value{Kind: ir.Number, Num: f, Str: strconv.FormatFloat(f, 'g', -1, 64)}
		}
		var i int64
		if n.Decode(&i) == nil {
			return ir.Value{Kind: ir.Number, Num: float64(i), Str: strconv.FormatInt(i, 10)}
		}
	}
	return ir.Value{Kind: ir.String, Str: n.Value}
}

func modName(o ir.Op) string {
	if o == ir.OpEquals {
		return "a plain comparison"
	}
	return fmt.Sprintf("modifier %q", o.String())
}

func kindName(k ir.Kind) string {
	return [...]string{"", "a string", "a number", "a boolean", "null"}[k]
}

// offsetRange returns the position of byte off inside the condition scalar n.
func offsetRange(doc *load.Document, n *yaml.Node, off int) *diag.Range {
	r := doc.Range(n)
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 || strings.Contains(n.Value, "\n") {
		return r
	}
	col := n.Column + len([]rune(n.Value[:min(off, len(n.Value))]))
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		col++
	}
	r.Start.Column, r.End.Column = col, col+1
	return r
}
