package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/socc-dev/socc/compiler/eventpattern"
)

func eventbridgeCmd() *cobra.Command {
	eb := &cobra.Command{
		Use:   "eventbridge",
		Short: "Offline Amazon EventBridge tools",
	}
	var pattern, event string
	tp := &cobra.Command{
		Use:   "test-pattern --event-pattern JSON|@FILE --event JSON|@FILE",
		Short: `Test an event pattern against an event, like "aws events test-event-pattern"`,
		Long: `Test an event pattern against an event with EventBridge's semantics, offline.
Prints {"Result":true} or {"Result":false}. An invalid pattern or event exits 2
with the reason EventBridge gives.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if pattern == "" || event == "" {
				return usageError{"test-pattern needs --event-pattern and --event"}
			}
			p, err := argBytes(pattern)
			if err != nil {
				return err
			}
			e, err := argBytes(event)
			if err != nil {
				return err
			}
			ok, err := eventpattern.TestEventPattern(p, e)
			if err != nil {
				var ip *eventpattern.InvalidPatternError
				if errors.As(err, &ip) {
					fmt.Fprintf(cmd.ErrOrStderr(), "InvalidEventPatternException: %v\n", err)
				} else {
					fmt.Fprintf(cmd.ErrOrStderr(), "invalid event: %v\n", err)
				}
				return exitError{exitUsage}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "{\"Result\":%t}\n", ok)
			return nil
		},
	}
	tp.Flags().StringVar(&pattern, "event-pattern", "", "the event pattern: JSON text, or @FILE")
	tp.Flags().StringVar(&event, "event", "", "the event: JSON text, or @FILE")
	eb.AddCommand(tp)
	return eb
}

// argBytes reads a flag value that is JSON text or @FILE.
func argBytes(v string) ([]byte, error) {
	if name, ok := strings.CutPrefix(v, "@"); ok {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		return b, nil
	}
	return []byte(v), nil
}
