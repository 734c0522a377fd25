package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/socc-dev/socc/compiler"
	"github.com/socc-dev/socc/compiler/diag"
	"github.com/socc-dev/socc/compiler/emit"
	_ "github.com/socc-dev/socc/compiler/emit/all"
	"github.com/socc-dev/socc/compiler/ruletest"
	"github.com/socc-dev/socc/schema"
)

// version is set at release time with -ldflags "-X main.version=v1.2.3".
var version = ""

func soccVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// Exit codes.
const (
	exitOK      = 0
	exitContent = 1
	exitUsage   = 2
)

// exitError carries an exit code out of a command.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// usageError is a usage mistake: printed with a pointer to --help, exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// Main runs socc with os.Args and returns the exit code.
func Main() int {
	return run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var ue usageError
	if errors.As(err, &ue) || isFlagError(err) {
		fmt.Fprintf(stderr, "socc: %v\nRun 'socc --help' for usage.\n", err)
		return exitUsage
	}
	fmt.Fprintf(stderr, "socc: %v\n", err)
	return exitUsage
}

func isFlagError(err error) bool {
	s := err.Error()
	return strings.HasPrefix(s, "unknown flag") || strings.HasPrefix(s, "unknown shorthand") ||
		strings.HasPrefix(s, "unknown command") || strings.Contains(s, "flag needs an argument") ||
		strings.HasPrefix(s, "invalid argument") || strings.Contains(s, "arg(s)")
}

// commands are the constructors of the subcommands that live in files of
// their own; each such file adds its constructor in an init function.
var commands []func() *cobra.Command

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "socc",
		Short:         "Compile and prove security-operations content for AWS",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(validateCmd(), testCmd(), buildCmd(), backtestCmd(), diffCmd(), eventbridgeCmd(), schemaCmd(), versionCmd())
	for _, c := range commands {
		root.AddCommand(c())
	}
	root.CompletionOptions.DisableDefaultCmd = true
	return root
}

func dirArg(args []string) string {
	if len(args) == 1 {
		return args[0]
	}
	return "."
}

// now is the time exceptions are checked against; SOCC_NOW (YYYY-MM-DD)
// overrides it for reproducible runs.
func now() (time.Time, error) {
	if s := os.Getenv("SOCC_NOW"); s != "" {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return t, usageError{fmt.Sprintf("SOCC_NOW=%q: want YYYY-MM-DD", s)}
		}
		return t, nil
	}
	return time.Now().UTC(), nil
}

// load runs the front end over dir and returns its diagnostics.
func load(cmd *cobra.Command, dir string) (*compiler.Result, diag.Diagnostics, error) {
	t, err := now()
	if err != nil {
		return nil, nil, err
	}
	res, ds, err := compiler.Load(cmd.Context(), dir, compiler.WithNow(t))
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read content: %w", err)
	}
	return res, ds, nil
}

func printDiags(w io.Writer, res *compiler.Result, ds diag.Diagnostics, format string) {
	if format == "json" {
		_ = diag.WriteJSON(w, ds)
		return
	}
	if len(ds) == 0 {
		return
	}
	_ = diag.WriteText(w, ds, res.Source, 0)
	errs, warns := ds.Count()
	fmt.Fprintf(w, "%d errors, %d warnings\n", errs, warns)
}

func validateCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "validate [DIR]",
		Short: "Check content against its schemas, references and policies",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageError{fmt.Sprintf("--format %q: want text or json", format)}
			}
			res, ds, err := load(cmd, dirArg(args))
			if err != nil {
				return err
			}
			w := cmd.ErrOrStderr()
			if format == "json" {
				w = cmd.OutOrStdout()
			}
			printDiags(w, res, ds, format)
			if ds.HasErrors() {
				return exitError{exitContent}
			}
			if format == "text" {
				fmt.Fprintf(cmd.OutOrStdout(), "ok: %d detections, %d runbooks\n", len(res.Program.Detections), len(res.Program.Runbooks))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func testCmd() *cobra.Command {
	var format, run, out string
	var verbose bool
	cmd := &cobra.Command{
		Use:   "test [DIR]",
		Short: "Run every detection's fixture tests",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch format {
			case "text", "json", "junit", "sarif", "github":
			default:
				return usageError{fmt.Sprintf("--format %q: want text, json, junit, sarif or github", format)}
			}
			var filter *regexp.Regexp
			if run != "" {
				var err error
				if filter, err = regexp.Compile(run); err != nil {
					return usageError{fmt.Sprintf("--run: %v", err)}
				}
			}
			res, ds, err := load(cmd, dirArg(args))
			if err != nil {
				return err
			}
			printDiags(cmd.ErrOrStderr(), res, ds, "text")
			if ds.HasErrors() {
				return exitError{exitContent}
			}
			rep := ruletest.Run(res.Program, res.Fixtures, filter)
			w := cmd.OutOrStdout()
			if out != "" {
				f, err := os.Create(out)
				if err != nil {
					return err
				}
				defer f.Close()
				w = f
			}
			switch format {
			case "json":
				err = ruletest.WriteJSON(w, rep)
			case "junit":
				err = ruletest.WriteJUnit(w, rep)
			case "sarif":
				err = ruletest.WriteSARIF(w, rep, soccVersion())
			case "github":
				err = ruletest.WriteGitHub(w, rep)
			default:
				err = ruletest.WriteText(w, rep, verbose)
			}
			if err != nil {
				return err
			}
			if rep.Summary.Failed > 0 {
				return exitError{exitContent}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, json, junit, sarif (code scanning) or github (workflow annotations)")
	cmd.Flags().StringVar(&run, "run", "", "run only tests whose DETECTION/TEST name matches this regular expression")
	cmd.Flags().StringVar(&out, "out", "", "write the report to this file instead of standard output")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "list passing tests too")
	return cmd
}

func buildCmd() *cobra.Command {
	var outDir, targets string
	var strict bool
	cmd := &cobra.Command{
		Use:   "build [DIR]",
		Short: "Validate, test, compile every target and verify the artifacts; write dist/",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, ds, err := load(cmd, dirArg(args))
			if err != nil {
				return err
			}
			stderr := cmd.ErrOrStderr()
			if ds.HasErrors() {
				printDiags(stderr, res, ds, "text")
				fmt.Fprintln(stderr, "build: nothing written")
				return exitError{exitContent}
			}
			rep := ruletest.Run(res.Program, res.Fixtures, nil)
			if rep.Summary.Failed > 0 {
				printDiags(stderr, res, ds, "text")
				_ = ruletest.WriteText(stderr, rep, false)
				fmt.Fprintln(stderr, "build: nothing written")
				return exitError{exitContent}
			}
			ts := emit.Names()
			if targets != "" {
				ts = strings.Split(targets, ",")
			}
			sink, m, eds, err := compiler.Emit(cmd.Context(), res, ts, soccVersion())
			if err != nil {
				return usageError{err.Error()}
			}
			ds.Append(eds...)
			ds.Sort()
			printDiags(stderr, res, ds, "text")
			if ds.HasErrors() {
				fmt.Fprintln(stderr, "build: nothing written")
				return exitError{exitContent}
			}
			if strict {
				var loose []string
				for id, byTarget := range m.Detections {
					for t, st := range byTarget {
						if st.Status != emit.Exact {
							loose = append(loose, fmt.Sprintf("%s: %s is %s: %s", id, t, st.Status, st.Reason))
						}
					}
				}
				if len(loose) > 0 {
					for _, l := range sortStrings(loose) {
						fmt.Fprintln(stderr, "strict:", l)
					}
					fmt.Fprintln(stderr, "build: nothing written")
					return exitError{exitContent}
				}
			}
			if err := compiler.Write(sink, outDir); err != nil {
				return fmt.Errorf("write %s: %w", outDir, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "built %d detections for %s: %d files in %s (%d tests passed)\n",
				len(res.Program.Detections), strings.Join(m.Targets, ","), len(m.Files)+1, outDir, rep.Summary.Passed)
			return nil
		},
	}
	cmd.Flags().StringVarP(&outDir, "out", "o", "dist", "output directory")
	cmd.Flags().StringVar(&targets, "target", "", "comma-separated targets (default: all)")
	cmd.Flags().BoolVar(&strict, "strict", false, "fail when any target renders a detection less than exactly")
	return cmd
}

func schemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema KIND",
		Short: "Print the JSON Schema of a content kind (" + strings.Join(schema.Kinds(), ", ") + ")",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, ok := schema.Get(args[0])
			if !ok {
				return usageError{fmt.Sprintf("unknown kind %q (kinds: %s)", args[0], strings.Join(schema.Kinds(), ", "))}
			}
			_, err := cmd.OutOrStdout().Write(b)
			return err
		},
	}
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the socc version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "socc", soccVersion())
		},
	}
}
