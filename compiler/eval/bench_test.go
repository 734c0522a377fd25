package eval

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/socc-dev/socc/compiler/event"
	"github.com/socc-dev/socc/compiler/fixture"
	"github.com/socc-dev/socc/compiler/ir"
)

// benchInput returns the sample events as one NDJSON file of records
// (CloudTrail records, GuardDuty and Security Hub findings), about 1.4 KB
// each, and the events decoded from it.
func benchInput(b *testing.B) ([]byte, []*event.Event) {
	var buf bytes.Buffer
	for _, e := range samples(b) {
		var c bytes.Buffer
		if err := json.Compact(&c, []byte(e.Record.Raw)); err != nil {
			b.Fatal(err)
		}
		buf.Write(c.Bytes())
		buf.WriteByte('\n')
	}
	data := buf.Bytes()
	evs, err := fixture.Decode("bench.ndjson", data)
	if err != nil {
		b.Fatal(err)
	}
	return data, evs
}

func report(b *testing.B, events int) {
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(events), "ns/event")
}

// BenchmarkDecodeEncodingJSON is the baseline: encoding/json decoding each
// record into a map and reading eventName.
func BenchmarkDecodeEncodingJSON(b *testing.B) {
	data, evs := benchInput(b)
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		for _, l := range lines {
			var m map[string]any
			if err := json.Unmarshal(l, &m); err != nil {
				b.Fatal(err)
			}
			_ = m["eventName"]
		}
	}
	report(b, len(evs))
}

// BenchmarkDecodeOnly decodes the fixture and reads each event's eventName:
// the floor that matching is measured against.
func BenchmarkDecodeOnly(b *testing.B) {
	data, evs := benchInput(b)
	b.SetBytes(int64(len(data)))
	n := 0
	for b.Loop() {
		got, err := fixture.Decode("bench.ndjson", data)
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range got {
			if e.Record.Get("eventName").Str != "" {
				n++
			}
		}
	}
	report(b, len(evs))
}

func benchProgram(b *testing.B, n int) *ir.Program {
	names, sources := namesAndSources(b)
	return &ir.Program{Detections: syntheticDetections(names, sources, n)}
}

// BenchmarkMatch decodes the fixture and matches every event against n
// synthetic detections: compare with BenchmarkDecodeOnly.
func BenchmarkMatch(b *testing.B) {
	data, evs := benchInput(b)
	for _, n := range []int{10, 200} {
		b.Run(fmt.Sprintf("detections=%d", n), func(b *testing.B) {
			m := Compile(benchProgram(b, n))
			b.SetBytes(int64(len(data)))
			var buf []int
			hits := 0
			for b.Loop() {
				got, err := fixture.Decode("bench.ndjson", data)
				if err != nil {
					b.Fatal(err)
				}
				for _, e := range got {
					buf = m.Match(e, buf[:0])
					hits += len(buf)
				}
			}
			report(b, len(evs))
		})
	}
}

// BenchmarkMatchOnly matches already decoded events, with and without the
// index, to show that the cost grows slower than the number of detections.
func BenchmarkMatchOnly(b *testing.B) {
	_, evs := benchInput(b)
	for _, n := range []int{10, 200, 1000} {
		for _, noIndex := range []bool{false, true} {
			name := fmt.Sprintf("detections=%d", n)
			if noIndex {
				name += "/no-index"
			}
			b.Run(name, func(b *testing.B) {
				m := Compile(benchProgram(b, n))
				m.noIndex = noIndex
				var buf []int
				b.ReportAllocs()
				for b.Loop() {
					for _, e := range evs {
						buf = m.Match(e, buf[:0])
					}
				}
				report(b, len(evs))
			})
		}
	}
}
