package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/benchctl/benchctl/proctree"
	"github.com/benchctl/benchctl/result"
)

var benchctlBin string

// TestMain builds benchctl once; the tests run it as users do.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "benchctl-e2e-")
	if err != nil {
		panic(err)
	}
	benchctlBin = filepath.Join(dir, "benchctl")
	// Runs record into a history of the tests, never the user's.
	os.Setenv("BENCHCTL_HISTORY", filepath.Join(dir, "history.db"))
	build := exec.Command("go", "build", "-o", benchctlBin, ".")
	build.Env = append(os.Environ(), "CGO_CFLAGS=-Wno-deprecated-declarations")
	if out, err := build.CombinedOutput(); err != nil {
		panic("building benchctl: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type cmdResult struct {
	code           int
	stdout, stderr string
	peakRSS        int64 // the most memory benchctl held, in bytes
}

func benchctl(t *testing.T, args ...string) cmdResult {
	t.Helper()
	cmd := exec.Command(benchctlBin, args...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss << 10 // kilobytes on Linux
	}
	return cmdResult{code, out.String(), errb.String(), rss}
}

// xmllint validates JUnit against the shared schema. CI installs xmllint; a
// developer machine without it skips, unless CI is set.
func xmllint(t *testing.T, file string) {
	t.Helper()
	xsd := filepath.Join("..", "..", "testdata", "junit", "JUnit.xsd")
	if _, err := exec.LookPath("xmllint"); err != nil {
		if os.Getenv("CI") != "" || os.Getenv("BENCHCTL_REQUIRE_XMLLINT") != "" {
			t.Fatal("xmllint not installed")
		}
		t.Skip("xmllint not installed")
	}
	if _, err := os.Stat(xsd); err != nil {
		t.Skipf("schema not found at %s", xsd)
	}
	out, err := exec.Command("xmllint", "--noout", "--schema", xsd, file).CombinedOutput()
	if err != nil {
		t.Fatalf("JUnit does not validate: %v\n%s", err, out)
	}
}

func readReport(t *testing.T, path string) *result.Report {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep result.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("%s is not valid JSON: %v", path, err)
	}
	return &rep
}

func TestRunOutcomes(t *testing.T) {
	dir := t.TempDir()
	r := benchctl(t, "run", "--gpu-backend", "none", "--results-dir", dir,
		"--out", "json="+dir+"/out.json", "--out", "junit="+dir+"/junit.xml", "testdata/outcomes.lua")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	rep := readReport(t, dir+"/out.json")
	if rep.Partial || len(rep.Suites) != 1 || len(rep.Suites[0].Cases) != 4 {
		t.Fatalf("report: partial=%v suites=%+v", rep.Partial, rep.Suites)
	}
	want := []result.Status{result.Passed, result.Failed, result.Errored, result.Skipped}
	for i, c := range rep.Suites[0].Cases {
		if c.Status != want[i] {
			t.Errorf("case %s: %s, want %s", c.Name, c.Status, want[i])
		}
	}
	if !strings.Contains(rep.Suites[0].Cases[1].Failures[0].Message, "got 150 MB, want <= 100 MB") {
		t.Errorf("failure message %q", rep.Suites[0].Cases[1].Failures[0].Message)
	}
	xmllint(t, dir+"/junit.xml")
	junit, _ := os.ReadFile(dir + "/junit.xml")
	for _, s := range []string{`<failure`, `memory increase after the run`, `<error`, `boom`, `<skipped`, `needs 64 GPU(s)`} {
		if !strings.Contains(string(junit), s) {
			t.Errorf("junit lacks %q", s)
		}
	}
	if _, err := os.Stat(dir + "/results.json"); err != nil {
		t.Errorf("results dir lacks results.json: %v", err)
	}
	if !strings.Contains(r.stdout, "1 passed") || !strings.Contains(r.stdout, "✗ memory increase after the run: 150 MB, want <= 100 MB") {
		t.Errorf("no summary listing the checks on stdout:\n%s", r.stdout)
	}
	if strings.Contains(r.stderr, "1 passed") {
		t.Errorf("the summary is on stderr:\n%s", r.stderr)
	}
}

func TestCheckBrokenScenario(t *testing.T) {
	r := benchctl(t, "check", "testdata/outcomes.lua", "testdata/broken.lua")
	if r.code != 2 {
		t.Fatalf("exit %d, want 2", r.code)
	}
	if !strings.Contains(r.stderr, "testdata/broken.lua:4:") {
		t.Errorf("stderr does not name file and line:\n%s", r.stderr)
	}
	if !strings.Contains(r.stdout, "ok  testdata/outcomes.lua") {
		t.Errorf("the good scenario was not checked:\n%s", r.stdout)
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no scenario", []string{"run"}, "no scenario given"},
		{"missing file", []string{"run", "--results-dir", dir, "nope.lua"}, "nope.lua: no such scenario file"},
		{"bad var", []string{"run", "--var", "novalue", "testdata/outcomes.lua"}, `--var "novalue": want KEY=VALUE`},
		{"unknown format", []string{"run", "--out", "pdf=x.pdf", "testdata/outcomes.lua"}, `unknown report format "pdf"`},
		{"bad out", []string{"run", "--out", "junit", "testdata/outcomes.lua"}, "want FORMAT=PATH"},
		{"unwritable out", []string{"run", "--out", "junit=/proc/nope/junit.xml", "testdata/outcomes.lua"}, "cannot create /proc/nope"},
		{"unknown backend", []string{"run", "--gpu-backend", "cuda", "testdata/outcomes.lua"}, `--gpu-backend "cuda"`},
		{"bad interval", []string{"run", "--sample-interval", "fast", "testdata/outcomes.lua"}, "--sample-interval"},
		{"unknown flag", []string{"run", "--frobnicate", "testdata/outcomes.lua"}, "unknown flag --frobnicate"},
		{"bad preset", []string{"data", "fasta", "--preset", "huge"}, `unknown preset "huge"`},
		{"unknown command", []string{"frob"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := benchctl(t, tt.args...)
			if r.code != 2 {
				t.Fatalf("exit %d, want 2\n%s", r.code, r.stderr)
			}
			if tt.want != "" && !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr %q lacks %q", r.stderr, tt.want)
			}
			if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic:") {
				t.Errorf("stack trace on stderr:\n%s", r.stderr)
			}
		})
	}
}

func TestInterruptLeavesReportsAndNoProcess(t *testing.T) {
	for _, sig := range []struct {
		s    syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		t.Run(sig.s.String(), func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(benchctlBin, "run", "--gpu-backend", "none", "--results-dir", dir,
				"--out", "junit="+dir+"/junit.xml", "testdata/slow.lua")
			var errb strings.Builder
			cmd.Stderr = &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Wait until the long test's pipeline runs: the report says so.
			deadline := time.Now().Add(20 * time.Second)
			for {
				data, _ := os.ReadFile(dir + "/results.json")
				if strings.Contains(string(data), `"status": "running"`) && descendants(cmd.Process.Pid) >= 2 {
					break
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatalf("the pipeline never started:\n%s", errb.String())
				}
				time.Sleep(50 * time.Millisecond)
			}
			kids := descendantPIDs(cmd.Process.Pid)
			cmd.Process.Signal(sig.s)
			err := cmd.Wait()
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.ExitCode() != sig.code {
				t.Fatalf("exit %v, want %d\n%s", err, sig.code, errb.String())
			}
			rep := readReport(t, dir+"/results.json")
			if !rep.Interrupted || len(rep.Suites[0].Cases) != 2 {
				t.Fatalf("report: interrupted=%v cases=%+v", rep.Interrupted, rep.Suites[0].Cases)
			}
			if rep.Suites[0].Cases[0].Status != result.Passed || rep.Suites[0].Cases[1].Status != result.Errored {
				t.Errorf("statuses %s, %s", rep.Suites[0].Cases[0].Status, rep.Suites[0].Cases[1].Status)
			}
			xmllint(t, dir+"/junit.xml")
			for _, p := range kids {
				if alive(p) {
					syscall.Kill(p, syscall.SIGKILL)
					t.Errorf("process %d of the pipeline survived", p)
				}
			}
		})
	}
}

func TestDataFasta(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x.fa")
	r := benchctl(t, "data", "fasta", "--preset", "tiny", "--seed", "3", "-o", out)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	data, _ := os.ReadFile(out)
	if n := strings.Count(string(data), ">"); n != 10 {
		t.Errorf("%d sequences, want 10", n)
	}
}

// descendantPIDs lists the live descendants of pid.
func descendantPIDs(pid int) []int {
	kids, _ := proctree.Descendants(pid)
	return kids
}

func descendants(pid int) int { return len(descendantPIDs(pid)) }

func alive(pid int) bool { return proctree.Alive(pid) }
