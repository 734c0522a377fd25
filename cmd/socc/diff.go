package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/socc-dev/socc/compiler"
	"github.com/socc-dev/socc/compiler/diff"
	"github.com/socc-dev/socc/compiler/emit"
)

func diffCmd() *cobra.Command {
	var format, targets string
	cmd := &cobra.Command{
		Use:   "diff REV1 REV2 [DIR]",
		Short: "Show what changes in compiled artifacts and in fixture verdicts between two git revisions",
		Long: `Compile the content at DIR (default: the current directory) as of two git
revisions and show the detections added, removed or changed, the per-target
statuses and artifacts that changed, and the fixture events on which a
detection's verdict changed. Both revisions' detections are evaluated over
the same events: REV2's fixtures plus REV1's that REV2 no longer has.`,
		Args: cobra.RangeArgs(2, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageError{fmt.Sprintf("--format %q: want text or json", format)}
			}
			ts := emit.Names()
			if targets != "" {
				ts = strings.Split(targets, ",")
			}
			dir := "."
			if len(args) == 3 {
				dir = args[2]
			}
			var sides [2]*diff.Side
			for i, rev := range args[:2] {
				tmp, err := os.MkdirTemp("", "socc-diff-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(tmp)
				if err := checkout(cmd, dir, rev, tmp); err != nil {
					return usageError{err.Error()}
				}
				side, err := compileSide(cmd, rev, tmp, ts)
				if err != nil {
					return err
				}
				sides[i] = side
			}
			rep := diff.Compare(sides[0], sides[1])
			w := cmd.OutOrStdout()
			if format == "json" {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(rep)
			}
			writeDiff(w, args[0], args[1], rep)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().StringVar(&targets, "target", "", "comma-separated targets to compare (default: all)")
	return cmd
}

// checkout writes the content directory dir as of git revision rev into dst.
func checkout(cmd *cobra.Command, dir, rev, dst string) error {
	git := func(args ...string) ([]byte, error) {
		c := exec.CommandContext(cmd.Context(), "git", append([]string{"-C", dir}, args...)...)
		var stderr bytes.Buffer
		c.Stderr = &stderr
		out, err := c.Output()
		if err != nil {
			msg := strings.TrimSpace(stderr.String())
			if msg == "" {
				msg = err.Error()
			}
			return nil, fmt.Errorf("git %s: %s", args[0], msg)
		}
		return out, nil
	}
	if _, err := git("rev-parse", "--verify", "--quiet", rev+"^{commit}"); err != nil {
		return fmt.Errorf("%q is not a commit in the git repository at %s", rev, dir)
	}
	prefix, err := git("rev-parse", "--show-prefix")
	if err != nil {
		return err
	}
	tree := rev
	if p := strings.TrimSuffix(strings.TrimSpace(string(prefix)), "/"); p != "" {
		tree = rev + ":" + p
	}
	archive, err := git("archive", "--format=tar", tree)
	if err != nil {
		return err
	}
	return untar(bytes.NewReader(archive), dst)
}

// untar extracts the regular files and directories of a git archive into
// dst. Links and names that leave dst are skipped: content is read through
// os.Root anyway.
func untar(r io.Reader, dst string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.FromSlash(h.Name)
		if !filepath.IsLocal(name) {
			continue
		}
		p := filepath.Join(dst, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		}
	}
}

// compileSide loads and compiles one revision's content in memory.
func compileSide(cmd *cobra.Command, rev, dir string, targets []string) (*diff.Side, error) {
	res, ds, err := load(cmd, dir)
	if err != nil {
		return nil, err
	}
	stderr := cmd.ErrOrStderr()
	if ds.HasErrors() {
		fmt.Fprintf(stderr, "in %s:\n", rev)
		printDiags(stderr, res, ds, "text")
		return nil, exitError{exitContent}
	}
	_, m, eds, err := compiler.Emit(cmd.Context(), res, targets, soccVersion())
	if err != nil {
		return nil, usageError{err.Error()}
	}
	if eds.HasErrors() {
		fmt.Fprintf(stderr, "in %s:\n", rev)
		printDiags(stderr, res, eds, "text")
		return nil, exitError{exitContent}
	}
	files := map[string]string{}
	for _, f := range m.Files {
		files[f.Path] = f.SHA256
	}
	return &diff.Side{Program: res.Program, Fixtures: res.Fixtures, Files: files, Statuses: m.Detections}, nil
}

func writeDiff(w io.Writer, rev1, rev2 string, r *diff.Report) {
	var b strings.Builder
	fmt.Fprintf(&b, "socc diff %s %s: %d detections, %d statuses, %d artifacts and %d verdicts changed (%d fixture events)\n",
		rev1, rev2, len(r.Detections), len(r.Statuses), len(r.Artifacts), len(r.Verdicts), r.Events)
	sign := map[string]string{"added": "+", "removed": "-", "changed": "~"}
	if len(r.Detections) > 0 {
		b.WriteString("detections:\n")
		for _, d := range r.Detections {
			fmt.Fprintf(&b, "  %s %s", sign[d.Change], d.ID)
			if len(d.What) > 0 {
				fmt.Fprintf(&b, " (%s)", strings.Join(d.What, ", "))
			}
			b.WriteString("\n")
		}
	}
	if len(r.Statuses) > 0 {
		b.WriteString("statuses:\n")
		for _, s := range r.Statuses {
			fmt.Fprintf(&b, "  %s %s: %s -> %s", s.Detection, s.Target, orNone(s.Old), orNone(s.New))
			if s.Reason != "" {
				fmt.Fprintf(&b, ": %s", s.Reason)
			}
			b.WriteString("\n")
		}
	}
	if len(r.Artifacts) > 0 {
		b.WriteString("artifacts:\n")
		for _, a := range r.Artifacts {
			fmt.Fprintf(&b, "  %s %s\n", sign[a.Change], a.Path)
		}
	}
	if len(r.Verdicts) > 0 {
		b.WriteString("verdicts:\n")
		for _, v := range r.Verdicts {
			fmt.Fprintf(&b, "  %s %s:%d", v.Detection, v.File, v.Line)
			if v.EventID != "" {
				fmt.Fprintf(&b, " (%s)", v.EventID)
			}
			fmt.Fprintf(&b, ": %s -> %s\n", verdict(v.Old), verdict(v.New))
		}
	}
	_, _ = io.WriteString(w, b.String())
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func verdict(match bool) string {
	if match {
		return "match"
	}
	return "no match"
}
