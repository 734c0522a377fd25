package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/socc-dev/socc/compiler/eval"
	"github.com/socc-dev/socc/compiler/event"
	"github.com/socc-dev/socc/compiler/fixture"
)

// backtestReport is the JSON output of `socc backtest --format json`.
type backtestReport struct {
	Events          int              `json:"events"`
	Seconds         float64          `json:"seconds"`
	EventsPerSecond float64          `json:"events_per_second"`
	Detections      []backtestResult `json:"detections"`
}

type backtestResult struct {
	ID       string   `json:"id"`
	Hits     int      `json:"hits"`
	EventIDs []string `json:"event_ids"`
}

func backtestCmd() *cobra.Command {
	var events []string
	var format string
	var maxIDs int
	cmd := &cobra.Command{
		Use:   "backtest [DIR] --events PATH...",
		Short: "Run every detection over recorded logs and report hits per detection",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(events) == 0 {
				return usageError{"backtest needs --events PATH (a file or directory of recorded logs)"}
			}
			if format != "text" && format != "json" {
				return usageError{fmt.Sprintf("--format %q: want text or json", format)}
			}
			res, ds, err := load(cmd, dirArg(args))
			if err != nil {
				return err
			}
			printDiags(cmd.ErrOrStderr(), res, ds, "text")
			if ds.HasErrors() {
				return exitError{exitContent}
			}
			dets := res.Program.Detections
			m := eval.Compile(res.Program)
			results := make([]backtestResult, len(dets))
			for i, d := range dets {
				results[i] = backtestResult{ID: d.ID, EventIDs: []string{}}
			}
			rep := backtestReport{}
			start := time.Now()
			var buf []int
			for _, p := range events {
				err := fixture.Stream(p, func(ev *event.Event) error {
					rep.Events++
					buf = m.Match(ev, buf[:0])
					for _, i := range buf {
						r := &results[i]
						r.Hits++
						if maxIDs < 0 || len(r.EventIDs) < maxIDs {
							r.EventIDs = append(r.EventIDs, ev.ID)
						}
					}
					return nil
				})
				if err != nil {
					return fmt.Errorf("read %s: %w", p, err)
				}
			}
			rep.Seconds = time.Since(start).Seconds()
			if rep.Seconds > 0 {
				rep.EventsPerSecond = float64(rep.Events) / rep.Seconds
			}
			rep.Detections = results
			if format == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			w := cmd.OutOrStdout()
			sorted := slices.Clone(results)
			slices.SortStableFunc(sorted, func(a, b backtestResult) int { return b.Hits - a.Hits })
			for _, r := range sorted {
				if r.Hits > 0 {
					fmt.Fprintf(w, "%8d  %s\n", r.Hits, r.ID)
				}
			}
			fmt.Fprintf(w, "%d events in %.2fs (%.0f events/s), %d detections\n", rep.Events, rep.Seconds, rep.EventsPerSecond, len(dets))
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&events, "events", nil, "recorded logs: a file or a directory (repeatable)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().IntVar(&maxIDs, "max-event-ids", 1000, "event IDs listed per detection (-1: all)")
	return cmd
}

func sortStrings(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
