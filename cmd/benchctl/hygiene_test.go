package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPrintGoesToTheLog checks that Lua's print never reaches stdout, so
// --out json=- stays JSON: in a test it is a line of the test's log, at the
// top level a line of benchctl's log on stderr.
func TestPrintGoesToTheLog(t *testing.T) {
	dir := t.TempDir()
	r := benchctl(t, "run", "--gpu-backend", "none", "--results-dir", dir, "--out", "json=-", "testdata/print.lua")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if !json.Valid([]byte(r.stdout)) {
		t.Fatalf("stdout is not JSON:\n%.300s", r.stdout)
	}
	if !strings.Contains(r.stderr, "printed at load") {
		t.Errorf("the top-level print is not in the log on stderr:\n%s", r.stderr)
	}
	rep := readReport(t, filepath.Join(dir, "results.json"))
	logs := rep.Suites[0].Cases[0].Logs
	if len(logs) != 200 || logs[0].Message != "line\t1" || logs[199].Message != "line\t200" {
		t.Errorf("the test's log holds %d lines, want the 200 printed: %+v", len(logs), logs[:min(len(logs), 2)])
	}
}

// TestClosedStdout runs with stdout a pipe whose reader is gone (as under
// `| head -1`): benchctl is not killed by SIGPIPE, every test runs, the
// reports on disk are finished, and the output to stdout is the one error.
func TestClosedStdout(t *testing.T) {
	dir := t.TempDir()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	pr.Close()
	cmd := exec.Command(benchctlBin, "run", "--gpu-backend", "none", "--results-dir", dir,
		"--out", "json=-", "--out", "junit="+dir+"/junit.xml", "testdata/print.lua")
	cmd.Stdout = pw
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err = cmd.Run()
	pw.Close()
	if cmd.ProcessState == nil || !cmd.ProcessState.Exited() {
		t.Fatalf("benchctl did not exit by itself (%v): killed by SIGPIPE?\n%s", err, stderr.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.Contains(stderr.String(), "broken pipe") {
		t.Errorf("exit %d, want 2 naming the broken pipe\n%s", code, stderr.String())
	}
	rep := readReport(t, filepath.Join(dir, "results.json"))
	if rep.Partial || len(rep.Suites) != 1 || len(rep.Suites[0].Cases) != 2 {
		t.Errorf("results.json not finished: partial=%v %+v", rep.Partial, rep.Suites)
	}
	xmllint(t, filepath.Join(dir, "junit.xml"))
}
