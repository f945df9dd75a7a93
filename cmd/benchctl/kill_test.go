package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	reportjson "github.com/benchctl/benchctl/reporters/json"
	"github.com/benchctl/benchctl/result"
	"github.com/benchctl/benchctl/result/schema"
)

// TestKillLeavesValidReports kills benchctl with SIGKILL mid-run, which it
// cannot catch: every report it leaves must be whole and valid (results.json
// against the schema, JUnit against its schema, one testcase per case), hold
// only finished tests in order, and --resume must take the run up and finish
// it with every test once.
func TestKillLeavesValidReports(t *testing.T) {
	junit := newJUnitChecker(t)
	const n = 3000
	dir := t.TempDir()
	cmd := exec.Command(benchctlBin, "run", "-q", "--gpu-backend", "none", "--results-dir", dir,
		"--var", "n=3000", "--var", "spin=50000", "--out", "junit="+dir+"/junit.xml", "--out", "markdown="+dir+"/summary.md", "testdata/many.lua")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(2 * time.Millisecond) {
		if _, err := os.Stat(filepath.Join(dir, "results.json")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("no report was written:\n%s", stderr.String())
		}
	}
	time.Sleep(1500 * time.Millisecond)
	cmd.Process.Kill()
	cmd.Wait()

	data, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(data); err != nil {
		t.Fatalf("results.json after SIGKILL: %v", err)
	}
	rep, err := reportjson.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Partial && len(rep.Suites) == 1 && len(rep.Suites[0].Cases) == n {
		t.Skip("the run ended before the kill: the machine is faster than this test assumes")
	}
	if !rep.Partial || len(rep.Suites) != 1 {
		t.Fatalf("partial=%v suites=%d", rep.Partial, len(rep.Suites))
	}
	cases := rep.Suites[0].Cases
	for i, c := range cases {
		if want := "t" + strconv.Itoa(i+1); c.Name != want || (c.Status != result.Passed && c.Status != result.Running) {
			t.Fatalf("case %d: %q %s, want %q passed", i, c.Name, c.Status, want)
		}
	}
	if err := junit.check(filepath.Join(dir, "junit.xml")); err != nil {
		t.Error(err)
	}
	xml, _ := os.ReadFile(filepath.Join(dir, "junit.xml"))
	if got := bytes.Count(xml, []byte("<testcase ")); got != len(cases) {
		t.Errorf("junit has %d testcases, results.json %d cases", got, len(cases))
	}

	r := benchctl(t, "run", "-q", "--resume", dir)
	if r.code != 0 {
		t.Fatalf("--resume after SIGKILL: exit %d\n%s", r.code, r.stderr)
	}
	final := readReport(t, filepath.Join(dir, "results.json"))
	if final.Partial || len(final.Suites) != 1 || len(final.Suites[0].Cases) != n {
		t.Fatalf("resumed run: partial=%v, %d cases, want %d", final.Partial, len(final.Suites[0].Cases), n)
	}
}
