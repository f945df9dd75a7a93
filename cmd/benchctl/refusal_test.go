package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRefusalsLeaveNothing checks that a command refused for a flag checked
// late (after --out and --results-dir were read) leaves no folder behind.
func TestRefusalsLeaveNothing(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"--sample-interval after --out", []string{"--out", "markdown=DIR/new/sub/x.md", "--sample-interval", "1ns"}},
		{"--gpu-backend after --results-dir", []string{"--results-dir", "DIR/res/a", "--gpu-backend", "cuda"}},
		{"--sim-gpus after both", []string{"--results-dir", "DIR/res/a", "--out", "junit=DIR/new/j.xml", "--gpu-backend", "sim", "--sim-gpus", "-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"run", "-q", "--gpu-backend", "none"}
			for _, a := range tt.args {
				args = append(args, strings.ReplaceAll(a, "DIR", dir))
			}
			r := benchctl(t, append(args, "testdata/outcomes.lua")...)
			if r.code != 2 {
				t.Fatalf("exit %d, want 2\n%s", r.code, r.stderr)
			}
			for _, sub := range []string{"new", "res"} {
				if _, err := os.Stat(filepath.Join(dir, sub)); err == nil {
					t.Errorf("the refused command left %s behind", sub)
				}
			}
		})
	}
}

// TestCompareNullMetric checks that a metric written as null (NaN) reads as
// no value, not as 0: compare shows no -100% change for it.
func TestCompareNullMetric(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile("testdata/compare/base.json")
	if err != nil {
		t.Fatal(err)
	}
	null := strings.Replace(string(data), `"value": 4500,`, `"value": null,`, 1)
	if null == string(data) {
		t.Fatal("fixture changed: no throughput value to null")
	}
	path := filepath.Join(dir, "new.json")
	if err := os.WriteFile(path, []byte(null), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, order := range [][]string{{"testdata/compare/base.json", path}, {path, "testdata/compare/base.json"}} {
		r := benchctl(t, "compare", order[0], order[1])
		if strings.Contains(r.stdout, "-100") || strings.Contains(r.stdout, "+100") || strings.Contains(r.stdout, "regressed  throughput") {
			t.Errorf("compare %s %s reads null as 0:\n%s", order[0], order[1], r.stdout)
		}
		if !strings.Contains(r.stdout, "throughput") {
			t.Errorf("compare %s %s drops the metric:\n%s", order[0], order[1], r.stdout)
		}
	}
}

// TestVarGivenTwiceWarns: a --var given twice with two values is odd, not
// wrong (a script adds its own to the user's): the last is used, with a
// warning that names both.
func TestVarGivenTwiceWarns(t *testing.T) {
	dir := t.TempDir()
	r := benchctl(t, "run", "--gpu-backend", "none", "--results-dir", dir, "--allow-unknown-vars",
		"--var", "k=1", "--var", "k=2", "testdata/print.lua")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "--var given twice: the last value is used") || !strings.Contains(r.stderr, "was=1") {
		t.Errorf("no warning naming both values:\n%s", r.stderr)
	}
	if rep := readReport(t, filepath.Join(dir, "results.json")); rep.Invocation.Vars["k"] != "2" {
		t.Errorf("vars %v, want k=2", rep.Invocation.Vars)
	}
}

// TestAutoWithoutGPUWarnsOfGPUs: --gpu-backend auto on a machine without a
// GPU runs without GPUs, and a --gpus it cannot honour is said, not dropped
// silently; without --gpus there is nothing to say.
func TestAutoWithoutGPUWarnsOfGPUs(t *testing.T) {
	tests := []struct {
		name string
		args []string
		warn bool
	}{
		{"--gpus given", []string{"--gpus", "7"}, true},
		{"no --gpus", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"run", "--results-dir", t.TempDir()}, tt.args...)
			r := benchctl(t, append(args, "testdata/print.lua")...)
			if r.code == 2 && strings.Contains(r.stderr, "nvml") {
				t.Skipf("a GPU is here: %s", r.stderr)
			}
			if r.code != 0 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			const want = "--gpus ignored: --gpu-backend auto found no GPU here"
			if got := strings.Contains(r.stderr, want); got != tt.warn {
				t.Errorf("warning %q shown: %v, want %v\n%s", want, got, tt.warn, r.stderr)
			}
		})
	}
}
