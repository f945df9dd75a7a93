package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const cmpData = "testdata/compare/"

func TestCompare(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   []string
		stderr   string
		noStdout bool
	}{
		{
			name:   "identical",
			args:   []string{cmpData + "base.json", cmpData + "base.json"},
			code:   0,
			stdout: []string{"0 regressed, 0 improved, 6 unchanged", "unchanged  throughput  esm batch sweep  run.sweep.wall"},
		},
		{
			name:   "metric regression, flags after the files",
			args:   []string{cmpData + "base.json", cmpData + "regressed.json", "--threshold", "10%"},
			code:   1,
			stdout: []string{"regressed  throughput  esm batch sweep  throughput", "-33.3%", "regressed  throughput  esm batch sweep  run.sweep.wall", "+36.0%"},
			stderr: "compare: 2 regressed",
		},
		{
			name:   "a larger threshold lets it pass",
			args:   []string{"--threshold", "0.5", cmpData + "base.json", cmpData + "regressed.json"},
			code:   0,
			stdout: []string{"threshold 50%", "0 regressed", "within the threshold"},
		},
		{
			name:   "a test that passed now fails",
			args:   []string{cmpData + "base.json", cmpData + "failing.json", "--threshold=50%"},
			code:   1,
			stdout: []string{"Tests whose status changed:", "regressed  throughput  oom recovery  passed  failed"},
			stderr: "compare: 1 regressed",
		},
		{
			name:     "improvement",
			args:     []string{cmpData + "regressed.json", cmpData + "base.json", "--out", "json=-"},
			code:     0,
			stdout:   []string{`"kind": "benchctl-compare"`, `"verdict": "improved"`},
			noStdout: true,
		},
		{
			name:   "schema version 2",
			args:   []string{cmpData + "base.json", cmpData + "v2.json"},
			code:   2,
			stderr: "benchctl: compare: " + cmpData + "v2.json: unsupported report: schema version 2, want 1\n",
		},
		{
			name:   "not JSON",
			args:   []string{cmpData + "notjson.txt", cmpData + "base.json"},
			code:   2,
			stderr: "compare: " + cmpData + "notjson.txt: not a JSON report",
		},
		{
			name:   "missing file",
			args:   []string{cmpData + "base.json", cmpData + "nope.json"},
			code:   2,
			stderr: "compare: " + cmpData + "nope.json: no such file or directory",
		},
		{"one file", []string{cmpData + "base.json"}, 2, nil, "want BASE.json NEW.json, got 1 file", false},
		{"three files", []string{cmpData + "base.json", cmpData + "base.json", cmpData + "base.json"}, 2, nil, "got 3 files", false},
		{"bad threshold", []string{cmpData + "base.json", cmpData + "base.json", "--threshold", "10"}, 2, nil, "write 10% for a percentage", false},
		{"report format", []string{"--out", "html=x.html", cmpData + "base.json", cmpData + "base.json"}, 2, nil, "compare writes json or markdown", false},
		{"bad out", []string{cmpData + "base.json", cmpData + "base.json", "-o", "markdown"}, 2, nil, "want FORMAT=PATH", false},
		{"unknown flag", []string{cmpData + "base.json", cmpData + "base.json", "--frobnicate"}, 2, nil, "unknown flag --frobnicate", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := benchctl(t, append([]string{"compare"}, tt.args...)...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			for _, w := range tt.stdout {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
				}
			}
			if tt.noStdout && strings.Contains(r.stdout, "VERDICT") {
				t.Errorf("the table went to stdout with the JSON:\n%s", r.stdout)
			}
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr %q lacks %q", r.stderr, tt.stderr)
			}
			if tt.code == 2 && strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
				t.Errorf("a usage error takes one line:\n%s", r.stderr)
			}
		})
	}
}

func TestCompareOutputs(t *testing.T) {
	dir := t.TempDir()
	md, js := filepath.Join(dir, "sub", "compare.md"), filepath.Join(dir, "compare.json")
	r := benchctl(t, "compare", cmpData+"base.json", cmpData+"failing.json", "--out", "markdown="+md, "-o", "json="+js)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	data, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "## benchctl compare: 1 regressed") || !strings.Contains(string(data), "| **regressed** | throughput | oom recovery | passed | failed |") {
		t.Errorf("markdown:\n%s", data)
	}
	data, err = os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Kind   string
		Counts struct{ Regressed int }
		Tests  []struct{ Case, Verdict string }
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("json: %v\n%s", err, data)
	}
	if doc.Kind != "benchctl-compare" || doc.Counts.Regressed != 1 || len(doc.Tests) != 1 || doc.Tests[0].Case != "oom recovery" {
		t.Errorf("json: %+v", doc)
	}
	if !strings.Contains(r.stdout, "VERDICT") {
		t.Errorf("no table on stdout:\n%s", r.stdout)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestCompareUnwritableOutput(t *testing.T) {
	r := benchctl(t, "compare", cmpData+"base.json", cmpData+"base.json", "--out", "json=/proc/nope/c.json")
	if r.code != 2 || !strings.Contains(r.stderr, "cannot create /proc/nope") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
}
