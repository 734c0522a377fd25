package main

import (
	"bytes"
	"flag"
	"os"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the expected output in testdata/script/*.txtar")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"socc": func() { os.Exit(Main()) }})
}

func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// mkbig FILE MB writes a YAML file of MB mebibytes.
			"mkbig": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: mkbig FILE MB")
				}
				mb, err := strconv.Atoi(args[1])
				ts.Check(err)
				line := []byte("key: value value value value value value value value value value\n")
				buf := bytes.Repeat(line, (1<<20)/len(line)+1)[:1<<20]
				f, err := os.Create(ts.MkAbs(args[0]))
				ts.Check(err)
				defer f.Close()
				for range mb {
					_, err := f.Write(buf)
					ts.Check(err)
				}
			},
		},
		Setup: func(e *testscript.Env) error {
			e.Setenv("SOCC_NOW", "2026-11-22")
			return nil
		},
	})
}
