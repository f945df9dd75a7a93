package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// benchctlIn runs benchctl with dir as its working directory.
func benchctlIn(t *testing.T, dir string, args ...string) cmdResult {
	t.Helper()
	cmd := exec.Command(benchctlBin, args...)
	cmd.Dir = dir
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return cmdResult{code: code, stdout: out.String(), stderr: errb.String()}
}

// copyScenarios copies the shipped scenarios into dir/scenarios, so a test
// can run them as a user does from a clone.
func copyScenarios(t *testing.T, dir string) {
	t.Helper()
	if out, err := exec.Command("cp", "-r", filepath.Join("..", "..", "scenarios"), dir).CombinedOutput(); err != nil {
		t.Fatalf("copying scenarios: %v\n%s", err, out)
	}
}

// TestFirstCommandWithoutGPU runs the README's first command on the none
// backend: every shipped scenario skips with the reason, flags after the
// files are read as flags, and the reports are written.
func TestFirstCommandWithoutGPU(t *testing.T) {
	dir := t.TempDir()
	copyScenarios(t, dir)
	r := benchctlIn(t, dir, "run", "--gpu-backend", "none", "scenarios/*.lua",
		"--out", "junit=reports/junit.xml", "--out", "html=reports/report.html")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s", r.code, r.stderr)
	}
	all := r.stdout + r.stderr
	if strings.Contains(all, "no such scenario file") || strings.Contains(all, "ipairs") {
		t.Errorf("flags taken for files or scenarios erroring:\n%s", all)
	}
	if !strings.Contains(all, "needs 1 GPU(s), 0 visible (backend none") {
		t.Errorf("no skip reason naming the GPU:\n%s", all)
	}
	if !strings.Contains(all, "0 passed, 0 failed, 8 skipped, 0 errors") {
		t.Errorf("want every scenario skipped:\n%s", all)
	}
	for _, f := range []string{"reports/junit.xml", "reports/report.html"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	xmllint(t, filepath.Join(dir, "reports/junit.xml"))
}

// TestRunRefusesMistakes: a run that could only be a mistake exits 2 with
// one line saying what to fix, before anything is created.
func TestRunRefusesMistakes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"tags that select nothing", []string{"run", "S/outcomes.lua", "--tags", "nosuch,other"},
			[]string{"--tags nosuch,other: no test carries any of these tags", "e2e"}},
		{"a var no scenario reads", []string{"run", "--var", "wal=3", "S/history.lua"},
			[]string{"--var wal: no scenario reads this var; did you mean wall?", "--allow-unknown-vars"}},
		{"a missing scenario", []string{"run", "nope.lua"},
			[]string{"nope.lua: no such scenario file", "nothing was run"}},
		{"a broken scenario", []string{"run", "S/broken.lua"},
			[]string{"broken.lua:4: syntax error", "nothing was run"}},
	}
	testdata, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			args := make([]string, len(tt.args))
			for i, a := range tt.args {
				args[i] = strings.ReplaceAll(a, "S/", testdata+"/")
			}
			r := benchctlIn(t, dir, args...)
			if r.code != 2 {
				t.Fatalf("exit %d, want 2\n%s", r.code, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if n := strings.Count(r.stderr, "benchctl: "); n != 1 {
				t.Errorf("%d error lines, want 1:\n%s", n, r.stderr)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("the refused run created %v", entries)
			}
		})
	}
}

// TestAllowUnknownVars: the refusal of an unknown var can be lifted.
func TestAllowUnknownVars(t *testing.T) {
	dir := t.TempDir()
	r := benchctl(t, "run", "--gpu-backend", "none", "--results-dir", dir, "--var", "nosuch=1",
		"--allow-unknown-vars", "testdata/history.lua")
	if r.code != 0 {
		t.Fatalf("exit %d, want 0\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "--var not read by any scenario") {
		t.Errorf("the unread var is not warned about:\n%s", r.stderr)
	}
}

// TestMessagesSuggest: mistyped commands and flags name the closest one;
// help and version answer.
func TestMessagesSuggest(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"mistyped command", []string{"rnu"}, 2, []string{`unknown command "rnu"; did you mean run?`}},
		{"mistyped flag", []string{"run", "--otu", "x", "a.lua"}, 2, []string{"unknown flag --otu; did you mean --out?"}},
		{"mistyped flag after the files", []string{"run", "a.lua", "--tgas", "x"}, 2, []string{"unknown flag --tgas; did you mean --tags?"}},
		{"help run", []string{"help", "run"}, 0, []string{"benchctl run", "SCENARIO.lua"}},
		{"version", []string{"version"}, 0, []string{"benchctl ", "commit:", "go:", "go-nvml:", "nvidia driver:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := benchctl(t, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", r.code, tt.code, r.stdout, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout+r.stderr, w) {
					t.Errorf("output lacks %q:\n%s%s", w, r.stdout, r.stderr)
				}
			}
		})
	}
}

// TestMonitorCommandNotRunnable: like time(1), 127 for a command not
// found, 126 for one that is not executable, said once.
func TestMonitorCommandNotRunnable(t *testing.T) {
	dir := t.TempDir()
	noexec := filepath.Join(dir, "noexec")
	if err := os.WriteFile(noexec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, cmd string
		code      int
		want      string
	}{
		{"not found", "nonexistent_cmd_x", 127, "monitor: nonexistent_cmd_x: command not found"},
		{"not executable", noexec, 126, "monitor: " + noexec + ": not executable"},
		{"a directory", dir, 126, "is a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := benchctl(t, "monitor", "--history", "none", "--", tt.cmd)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, tt.code, r.stderr)
			}
			if strings.Count(r.stderr, tt.want) != 1 || strings.Count(r.stdout+r.stderr, "\n") != 1 {
				t.Errorf("want %q once, on one line:\n%s%s", tt.want, r.stdout, r.stderr)
			}
		})
	}
}

// TestMonitorIntervalIsSampleInterval: --interval is an alias, not a second flag.
func TestMonitorIntervalIsSampleInterval(t *testing.T) {
	for _, flag := range []string{"--interval", "--sample-interval"} {
		r := benchctl(t, "monitor", "--history", "none", flag, "nope", "--", "true")
		if r.code != 2 || !strings.Contains(r.stderr, `--sample-interval "nope"`) {
			t.Errorf("%s nope: exit %d\n%s", flag, r.code, r.stderr)
		}
	}
}

// TestReportDefaults: the file may be the argument, and without --out the
// console summary is printed.
func TestReportDefaults(t *testing.T) {
	const file = "../../reporters/json/testdata/report.json"
	for _, args := range [][]string{{"report", file}, {"report", "--from", file}} {
		r := benchctl(t, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "✓ memory increase after the run: 12.5 MB <= 100 MB") {
			t.Errorf("%q: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
	if r := benchctl(t, "report"); r.code != 2 || !strings.Contains(r.stderr, "no RESULT.json given") {
		t.Errorf("report without a file: exit %d\n%s", r.code, r.stderr)
	}
}

// TestHelpOfEachCommand: a usage line, examples and exit codes, each flag
// spelled once.
func TestHelpOfEachCommand(t *testing.T) {
	for name := range commandHelp {
		t.Run(name, func(t *testing.T) {
			r := benchctl(t, name, "--help")
			if r.code != 0 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			for _, w := range []string{"USAGE:\n   benchctl " + name, "EXAMPLES:\n   benchctl " + name, "EXIT CODES:\n   "} {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("help lacks %q:\n%s", w, r.stdout)
				}
			}
			if strings.Contains(r.stdout, "[ -") {
				t.Errorf("a flag spelled twice:\n%s", r.stdout)
			}
		})
	}
	if r := benchctl(t, "run", "--help"); !strings.Contains(r.stdout, "--accounting=false leaves it off") {
		t.Errorf("--accounting does not say how to turn it off:\n%s", r.stdout)
	}
}
