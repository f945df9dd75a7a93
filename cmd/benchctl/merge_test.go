package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMergeCommand(t *testing.T) {
	dir := t.TempDir()
	for _, host := range []string{"a", "b"} {
		r := benchctl(t, "run", "--quiet", "--gpu-backend", "none", "--results-dir", filepath.Join(dir, "copied", host), "testdata/outcomes.lua")
		if r.code != 1 {
			t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
		}
	}
	other := filepath.Join(dir, "other", "results.json")
	data, err := os.ReadFile(filepath.Join(dir, "copied", "a", "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(other), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(other, []byte(strings.Replace(string(data), `"schema_version": 1`, `"schema_version": 2`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
		check  func(t *testing.T, out string)
	}{
		{
			name: "results copied from two runs, every format",
			args: []string{"merge", "--out", "json=" + dir + "/m/results.json", "--out", "junit=" + dir + "/m/junit.xml",
				"--out", "html=" + dir + "/m/report.html", filepath.Join(dir, "copied")},
			code:   1, // outcomes.lua has a failing test
			stderr: "merged 2 tasks (2 ok) from 1 node: 2 suites",
			check: func(t *testing.T, _ string) {
				rep := readReport(t, dir+"/m/results.json")
				if len(rep.Suites) != 2 || len(rep.Tasks) != 2 || len(rep.Nodes) != 1 || rep.Suites[0].Node == "" {
					t.Errorf("merged: %d suites, %d tasks, %d nodes", len(rep.Suites), len(rep.Tasks), len(rep.Nodes))
				}
				xmllint(t, dir+"/m/junit.xml")
			},
		},
		{
			name: "JSON to stdout without --out",
			args: []string{"merge", "--quiet", filepath.Join(dir, "copied", "a")},
			code: 1,
			check: func(t *testing.T, out string) {
				if !strings.Contains(out, `"tasks": [`) || !strings.Contains(out, `"schema_version": 1`) {
					t.Errorf("stdout is not the merged JSON:\n%.300s", out)
				}
			},
		},
		{name: "another schema version is refused, naming it", args: []string{"merge", filepath.Join(dir, "copied"), other}, code: 2,
			stderr: "other/results.json: unsupported report: schema version 2, want 1"},
		{name: "nothing given", args: []string{"merge"}, code: 2, stderr: "no results given"},
		{name: "a folder without results", args: []string{"merge", t.TempDir()}, code: 2, stderr: "no results.json here or below"},
		{name: "a missing folder", args: []string{"merge", filepath.Join(dir, "absent")}, code: 2, stderr: "absent: no such file or directory"},
		{name: "a bad output", args: []string{"merge", "--out", "pdf=x.pdf", filepath.Join(dir, "copied")}, code: 2, stderr: "unknown report format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := benchctl(t, tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.stderr) {
				t.Fatalf("exit %d, want %d; stderr does not say %q:\n%s", r.code, tt.code, tt.stderr, r.stderr)
			}
			if tt.code == 2 && strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
				t.Errorf("a usage error takes one line:\n%s", r.stderr)
			}
			if tt.check != nil {
				tt.check(t, r.stdout)
			}
		})
	}
}

func TestSlurmCommands(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{
			name: "dry run prints both scripts and the sbatch calls",
			args: []string{"slurm", "submit", "--dry-run", "--results-dir", dir + "/c", "--partitions", "a100,h100", "--gres", "gpu:4",
				"--account", "proj", "--time", "02:00:00", "--qos", "high", "--constraint", "nvlink", "--sbatch-arg=--mem=64G",
				"--gpu-backend", "sim", "--var", "pipeline=bin/fakepipe --x 1", "testdata/outcomes.lua"},
			stdout: "#SBATCH --gres=gpu:4\n",
		},
		{name: "dry run writes nothing", args: []string{"slurm", "status", dir + "/c"}, code: 2, stderr: "not a benchctl campaign"},
		{name: "no scenario", args: []string{"slurm", "submit", "--dry-run"}, code: 2, stderr: "no scenario given"},
		{name: "missing scenario", args: []string{"slurm", "submit", "--dry-run", "absent.lua"}, code: 2, stderr: "absent.lua: no such file"},
		{name: "both partition flags", args: []string{"slurm", "submit", "--dry-run", "--partition", "a", "--partitions", "b,c", "testdata/outcomes.lua"},
			code: 2, stderr: "--partition and --partitions"},
		{name: "bad sbatch arg", args: []string{"slurm", "submit", "--dry-run", "--sbatch-arg", "mem=1G", "testdata/outcomes.lua"},
			code: 2, stderr: "want an sbatch option"},
		{name: "bad var", args: []string{"slurm", "submit", "--dry-run", "--var", "novalue", "testdata/outcomes.lua"}, code: 2, stderr: "want KEY=VALUE"},
		{name: "status wants one folder", args: []string{"slurm", "status"}, code: 2, stderr: "want one campaign folder"},
		{name: "resume of no campaign", args: []string{"slurm", "resume", dir}, code: 2, stderr: "not a benchctl campaign"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := benchctl(t, tt.args...)
			if r.code != tt.code || !strings.Contains(r.stdout, tt.stdout) || !strings.Contains(r.stderr, tt.stderr) {
				t.Fatalf("exit %d (want %d)\nstdout (want %q):\n%.2000s\nstderr (want %q):\n%s", r.code, tt.code, tt.stdout, r.stdout, tt.stderr, r.stderr)
			}
		})
	}
	r := benchctl(t, "slurm", "submit", "--dry-run", "--results-dir", dir+"/c", "--partitions", "a100,h100", "--var", "pipeline=bin/fakepipe --x 1",
		"--gpu-backend", "sim", "testdata/outcomes.lua")
	for _, want := range []string{
		"job1=$(sbatch --parsable --array=0 --partition=a100 ", "job2=$(sbatch --parsable --array=1 --partition=h100 ",
		"--dependency=afterany:$job1:$job2", `--var 'pipeline=bin/fakepipe --x 1' --gpu-backend=sim "$scenario"`,
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("dry run lacks %q:\n%s", want, r.stdout)
		}
	}
}
