// Package event defines the event a detection sees: an EventBridge
// envelope's fields and the record below it (a CloudTrail record, a GuardDuty
// finding, one Security Hub finding, or the detail of any other event).
//
// Events are views over the bytes they were decoded from: the record is a
// gjson.Result whose Raw text is a substring of the fixture, and fields are
// read lazily. Nothing is decoded into maps. Package fixture builds events
// from recorded files; package eval evaluates detections over them.
package event

import (
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/tidwall/gjson"
)

// Event is one event as a detection sees it: an EventBridge envelope's fields
// and the record.
//
// An Event is safe for concurrent reads. Build events with FromEnvelope,
// FromCloudTrail, FromGuardDutyFinding or FromSecurityHubFinding.
type Event struct {
	ID         string       // CloudTrail eventID, else the envelope id, else the finding Id
	Source     string       // envelope "source" (aws.iam ...); for bare records "aws."+prefix(eventSource)
	DetailType string       // envelope "detail-type"; for bare CloudTrail records derived from eventType
	Account    string       // envelope "account"; for bare CloudTrail records recipientAccountId
	Region     string       // envelope "region"; for bare CloudTrail records awsRegion
	TimeText   string       // envelope "time", or the record's eventTime
	Resources  []string     // envelope "resources" (empty for CloudTrail)
	Record     gjson.Result // the record that field paths address
	File       string       // fixture path it came from (slash-separated, as given)
	Line       int          // 1-based line (NDJSON) or 1-based position in an array or Records list

	env     gjson.Result // the original envelope, when the event came in one
	kind    kind         // how the envelope is synthesized when there is no original
	finding int          // index in detail.findings of a split Security Hub envelope, else -1
	single  bool         // the original envelope holds this event only (Envelope returns it verbatim)

	timeOnce sync.Once
	time     time.Time
	timeOK   bool
}

// kind says where an event came from.
type kind uint8

const (
	kindEnvelope    kind = iota // an EventBridge envelope as recorded
	kindCloudTrail              // a bare CloudTrail record
	kindGuardDuty               // a bare GuardDuty finding
	kindSecurityHub             // a bare ASFF finding
)

// Detail types that CloudTrail sends to EventBridge, by eventType.
var detailTypes = map[string]string{
	"AwsApiCall":           "AWS API Call via CloudTrail",
	"AwsConsoleSignIn":     "AWS Console Signin via CloudTrail",
	"AwsServiceEvent":      "AWS Service Event via CloudTrail",
	"AwsCloudTrailInsight": "AWS Insight via CloudTrail",
	"AwsConsoleAction":     "AWS Console Action via CloudTrail",
}

// DefaultDetailType is the detail type of a bare CloudTrail record whose
// eventType is missing or not one of those CloudTrail sends to EventBridge.
const DefaultDetailType = "AWS API Call via CloudTrail"

// str returns r's string value, or "" when r is not a JSON string.
func str(r gjson.Result) string {
	if r.Type == gjson.String {
		return r.Str
	}
	return ""
}

// FromEnvelope returns the events of an EventBridge envelope: env must be a
// JSON object with "detail-type" and an object "detail". A Security Hub
// envelope (source aws.securityhub with a non-empty detail.findings array) is
// split into one event per finding; any other envelope gives one event whose
// record is detail.
func FromEnvelope(env gjson.Result) []*Event {
	base := Event{
		Source:     str(env.Get("source")),
		DetailType: str(env.Get("detail-type")),
		Account:    str(env.Get("account")),
		Region:     str(env.Get("region")),
		TimeText:   str(env.Get("time")),
		env:        env,
		kind:       kindEnvelope,
		finding:    -1,
		single:     true,
	}
	if rs := env.Get("resources"); rs.IsArray() {
		for _, r := range rs.Array() {
			if r.Type == gjson.String {
				base.Resources = append(base.Resources, r.Str)
			}
		}
	}
	id := str(env.Get("id"))
	detail := env.Get("detail")
	if base.Source == "aws.securityhub" {
		if fs := detail.Get("findings"); fs.IsArray() {
			findings := fs.Array()
			if len(findings) > 0 {
				out := make([]*Event, len(findings))
				for i, f := range findings {
					ev := &Event{}
					copyBase(ev, &base)
					ev.Record = f
					ev.finding = i
					ev.single = len(findings) == 1
					ev.ID = id
					if ev.ID == "" {
						ev.ID = str(f.Get("Id"))
					}
					out[i] = ev
				}
				return out
			}
		}
	}
	ev := &Event{}
	copyBase(ev, &base)
	ev.Record = detail
	ev.ID = str(detail.Get("eventID"))
	if ev.ID == "" {
		ev.ID = id
	}
	if ev.ID == "" { // a finding's id: GuardDuty's "id", ASFF's "Id"
		ev.ID = str(detail.Get("id"))
		if ev.ID == "" {
			ev.ID = str(detail.Get("Id"))
		}
	}
	return []*Event{ev}
}

// copyBase copies the exported and envelope fields of b into e (Event holds a
// sync.Once, so it is never copied as a whole).
func copyBase(e, b *Event) {
	e.Source, e.DetailType, e.Account, e.Region, e.TimeText = b.Source, b.DetailType, b.Account, b.Region, b.TimeText
	e.Resources = b.Resources
	e.env, e.kind, e.finding, e.single = b.env, b.kind, b.finding, b.single
}

// CloudTrailFields are the top-level values of a CloudTrail record that its
// envelope is built from.
type CloudTrailFields struct {
	EventID, EventSource, EventType, RecipientAccountID, AWSRegion, EventTime string

	seen uint8 // fields already seen, by bit
}

// See records a top-level member of a CloudTrail record, given its name and
// raw JSON value, and reports whether it is one of the fields. Only the
// first occurrence of a name counts, as for field paths.
func (f *CloudTrailFields) See(name, raw string) bool {
	var dst *string
	var bit uint8
	switch name {
	case "eventID":
		dst, bit = &f.EventID, 1
	case "eventSource":
		dst, bit = &f.EventSource, 2
	case "eventType":
		dst, bit = &f.EventType, 4
	case "recipientAccountId":
		dst, bit = &f.RecipientAccountID, 8
	case "awsRegion":
		dst, bit = &f.AWSRegion, 16
	case "eventTime":
		dst, bit = &f.EventTime, 32
	default:
		return false
	}
	if f.seen&bit == 0 {
		f.seen |= bit
		*dst = str(gjson.Parse(raw))
	}
	return true
}

// FromCloudTrail returns the event of a bare CloudTrail record (from a log
// file's Records, NDJSON or a JSON array), with the envelope EventBridge
// would deliver: source "aws."+prefix(eventSource), detail-type from
// eventType, account recipientAccountId, time eventTime, region awsRegion.
func FromCloudTrail(rec gjson.Result) *Event {
	var f CloudTrailFields
	var c Cursor
	c.Reset(rec.Raw)
	for {
		k, v, ok := c.Next()
		if !ok {
			break
		}
		f.See(k, v)
	}
	return FromCloudTrailFields(rec, f)
}

// FromCloudTrailFields is FromCloudTrail for a caller that has already read
// the record's top-level fields (with CloudTrailFields.See).
func FromCloudTrailFields(rec gjson.Result, f CloudTrailFields) *Event {
	return &Event{
		ID:         f.EventID,
		Source:     SourceOf(f.EventSource),
		DetailType: DetailTypeOf(f.EventType),
		Account:    f.RecipientAccountID,
		Region:     f.AWSRegion,
		TimeText:   f.EventTime,
		Record:     rec,
		kind:       kindCloudTrail,
		finding:    -1,
	}
}

// FromGuardDutyFinding returns the event of a bare GuardDuty finding (the
// camelCase detail of a "GuardDuty Finding" event), with the envelope
// EventBridge would deliver: source aws.guardduty, id the finding id,
// account accountId, region region, time updatedAt.
func FromGuardDutyFinding(f gjson.Result) *Event {
	ev := &Event{
		Source:     "aws.guardduty",
		DetailType: "GuardDuty Finding",
		Record:     f,
		kind:       kindGuardDuty,
		finding:    -1,
	}
	strings4(f, [4]string{"id", "accountId", "region", "updatedAt"}, [4]*string{&ev.ID, &ev.Account, &ev.Region, &ev.TimeText})
	return ev
}

// FromSecurityHubFinding returns the event of a bare ASFF finding, with the
// envelope EventBridge would deliver: source aws.securityhub, detail-type
// "Security Hub Findings - Imported", id the finding Id, account
// AwsAccountId, region Region, time UpdatedAt, resources [Id], detail
// {"findings":[finding]}.
func FromSecurityHubFinding(f gjson.Result) *Event {
	ev := &Event{
		Source:     "aws.securityhub",
		DetailType: "Security Hub Findings - Imported",
		Record:     f,
		kind:       kindSecurityHub,
		finding:    -1,
	}
	strings4(f, [4]string{"Id", "AwsAccountId", "Region", "UpdatedAt"}, [4]*string{&ev.ID, &ev.Account, &ev.Region, &ev.TimeText})
	if ev.ID != "" {
		ev.Resources = []string{ev.ID}
	}
	return ev
}

// strings4 sets *dst[i] to the string value of top-level member names[i] of
// object o (its first occurrence), in one pass.
func strings4(o gjson.Result, names [4]string, dst [4]*string) {
	var seen [4]bool
	n := 0
	var c Cursor
	c.Reset(o.Raw)
	for n < len(names) {
		k, v, ok := c.Next()
		if !ok {
			return
		}
		for i, name := range names {
			if k == name && !seen[i] {
				seen[i] = true
				n++
				*dst[i] = str(gjson.Parse(v))
			}
		}
	}
}

// SourceOf returns the EventBridge source of a CloudTrail eventSource:
// "aws." and the part before the first dot ("iam.amazonaws.com" ->
// "aws.iam"), or "" when eventSource is empty.
func SourceOf(eventSource string) string {
	if eventSource == "" {
		return ""
	}
	prefix, _, _ := strings.Cut(eventSource, ".")
	return "aws." + prefix
}

// DetailTypeOf returns the EventBridge detail-type of a CloudTrail
// eventType, DefaultDetailType for a missing or unknown one.
func DetailTypeOf(eventType string) string {
	if dt, ok := detailTypes[eventType]; ok {
		return dt
	}
	return DefaultDetailType
}

// Time returns the event's time: the record's eventTime when it is a string,
// else TimeText, parsed as RFC 3339. It reports false when there is no such
// time. The result is computed once.
func (e *Event) Time() (time.Time, bool) {
	e.timeOnce.Do(func() {
		s := e.TimeText
		if r := e.Record.Get("eventTime"); r.Type == gjson.String {
			s = r.Str
		}
		if s == "" {
			return
		}
		t, err := time.Parse(time.RFC3339, s)
		if err == nil {
			e.time, e.timeOK = t, true
		}
	})
	return e.time, e.timeOK
}

// Envelope returns the EventBridge envelope JSON that AWS would deliver for
// the event. When the event was recorded as an envelope, these are the
// original bytes; for one finding of a Security Hub envelope that held
// several, the original envelope with detail.findings holding only this
// finding (other keys and their order kept). Otherwise the envelope is
// synthesized, with keys in EventBridge's order: version "0", id,
// detail-type, source, account, time, region, resources and detail (the
// record verbatim; {"findings":[record]} for a bare ASFF finding).
func (e *Event) Envelope() []byte {
	if e.kind == kindEnvelope {
		if e.single || e.finding < 0 {
			return []byte(e.env.Raw)
		}
		return e.splitEnvelope()
	}
	var b []byte
	b = append(b, `{"version":"0","id":`...)
	b = appendString(b, e.ID)
	b = append(b, `,"detail-type":`...)
	b = appendString(b, e.DetailType)
	b = append(b, `,"source":`...)
	b = appendString(b, e.Source)
	b = append(b, `,"account":`...)
	b = appendString(b, e.Account)
	b = append(b, `,"time":`...)
	b = appendString(b, e.TimeText)
	b = append(b, `,"region":`...)
	b = appendString(b, e.Region)
	b = append(b, `,"resources":[`...)
	for i, r := range e.Resources {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, r)
	}
	b = append(b, `],"detail":`...)
	if e.kind == kindSecurityHub {
		b = append(b, `{"findings":[`...)
		b = append(b, e.Record.Raw...)
		b = append(b, `]}`...)
	} else {
		b = append(b, e.Record.Raw...)
	}
	return append(b, '}')
}

// splitEnvelope rebuilds a Security Hub envelope around this one finding.
func (e *Event) splitEnvelope() []byte {
	b := []byte{'{'}
	first := true
	e.env.ForEach(func(k, v gjson.Result) bool {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, k.Raw...)
		b = append(b, ':')
		if k.Str != "detail" || !v.IsObject() {
			b = append(b, v.Raw...)
			return true
		}
		b = append(b, '{')
		dfirst := true
		v.ForEach(func(dk, dv gjson.Result) bool {
			if !dfirst {
				b = append(b, ',')
			}
			dfirst = false
			b = append(b, dk.Raw...)
			b = append(b, ':')
			if dk.Str == "findings" {
				b = append(b, '[')
				b = append(b, e.Record.Raw...)
				b = append(b, ']')
			} else {
				b = append(b, dv.Raw...)
			}
			return true
		})
		b = append(b, '}')
		return true
	})
	return append(b, '}')
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	safe := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f {
			safe = false
			break
		}
	}
	if safe {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	q, _ := json.Marshal(s) // cannot fail for a string
	return append(b, q...)
}

// EnvelopeField returns the value of a top-level envelope field, for "$.x"
// paths: version, id, detail-type, source, account, time, region, resources,
// and detail. For an event recorded as an envelope it is read from the
// original envelope (detail is the original detail, with every finding of a
// Security Hub envelope). For a synthesized envelope, string fields have Type
// and Str set but an empty Raw, resources is a JSON array, and detail is the
// record ({"findings":[record]} for a bare ASFF finding). Other names, and
// fields the original envelope lacks, give a result that does not exist.
func (e *Event) EnvelopeField(name string) gjson.Result {
	if e.kind == kindEnvelope {
		switch name {
		case "version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail":
			return e.env.Get(name)
		}
		return gjson.Result{}
	}
	s := func(v string) gjson.Result { return gjson.Result{Type: gjson.String, Str: v} }
	switch name {
	case "version":
		return s("0")
	case "id":
		return s(e.ID)
	case "detail-type":
		return s(e.DetailType)
	case "source":
		return s(e.Source)
	case "account":
		return s(e.Account)
	case "time":
		return s(e.TimeText)
	case "region":
		return s(e.Region)
	case "resources":
		if len(e.Resources) == 0 {
			return gjson.Result{Type: gjson.JSON, Raw: "[]"}
		}
		var b []byte
		b = append(b, '[')
		for i, r := range e.Resources {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, r)
		}
		return gjson.Parse(string(append(b, ']')))
	case "detail":
		if e.kind == kindSecurityHub {
			return gjson.Parse(`{"findings":[` + e.Record.Raw + `]}`)
		}
		return e.Record
	}
	return gjson.Result{}
}
