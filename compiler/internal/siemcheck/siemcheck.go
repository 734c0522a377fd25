// Package siemcheck runs the offline SIEM query validators of tools/
// (tools/siemcheck.mjs: Kusto's language service for KQL, which type-checks
// each query against the schema of the table it reads, tools/*.schema.json;
// dt-sql-parser's Trino grammar; the lucene query-string parser) from Go
// tests.
//
// The validators need node and `npm ci --prefix tools`. Without them Check
// skips the test, except in CI (the environment variable CI is set), where
// it fails it: CI never skips these checks silently.
package siemcheck

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Item is one query to check.
type Item struct {
	ID      string `json:"id"`
	Dialect string `json:"dialect"` // "kql", "trino" or "lucene"
	Query   string `json:"query"`
}

// Result is the verdict on one item.
type Result struct {
	ID     string   `json:"id"`
	OK     bool     `json:"ok"`
	Errors []string `json:"errors"`
}

// Check runs node tools/siemcheck.mjs once over items and returns one
// result per item, in order. It skips t (fails it in CI) when node or
// tools/node_modules is missing, and fails t when the script does not
// answer for every item.
func Check(t testing.TB, items []Item) []Result {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if err := Available(root); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("siemcheck: %v (CI must run `npm ci --prefix tools`)", err)
		}
		t.Skipf("siemcheck: %v; run `npm ci --prefix tools` to enable these checks", err)
	}
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	enc.SetEscapeHTML(false)
	for _, it := range items {
		if err := enc.Encode(it); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join(root, "tools", "siemcheck.mjs"))
	cmd.Stdin = &in
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("siemcheck: node tools/siemcheck.mjs: %v\n%s", err, stderr.Bytes())
	}
	t.Logf("siemcheck: %d queries checked by node in %v", len(items), time.Since(start).Round(time.Millisecond))
	var res []Result
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var r Result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("siemcheck: bad output line %q: %v", sc.Text(), err)
		}
		res = append(res, r)
	}
	if len(res) != len(items) {
		t.Fatalf("siemcheck: %d results for %d queries\n%s", len(res), len(items), stderr.Bytes())
	}
	for i := range items {
		if res[i].ID != items[i].ID {
			t.Fatalf("siemcheck: result %d is for %q, want %q", i, res[i].ID, items[i].ID)
		}
	}
	return res
}

// Available reports why the validators cannot run under root, or nil.
func Available(root string) error {
	if _, err := exec.LookPath("node"); err != nil {
		return errors.New("node is not installed")
	}
	if _, err := os.Stat(filepath.Join(root, "tools", "node_modules")); err != nil {
		return fmt.Errorf("tools/node_modules is missing")
	}
	return nil
}

// RepoRoot finds the directory holding go.mod, from the working directory
// up.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("siemcheck: no go.mod above the working directory")
		}
		dir = parent
	}
}
