package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// monitor passes the command's output through, exits with its code and
// prints the console reporter's summary with the run's probe readings.
func TestMonitor(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		code    int
		stdout  string
		summary []string // lines of the summary on stderr, in order
		absent  []string
	}{
		{
			name: "sim GPUs, a failing command", code: 3, stdout: "hello",
			args:    []string{"--gpu-backend", "sim", "--sim-gpus", "2", "--", "sh", "-c", "echo hello; exit 3"},
			summary: []string{"monitor  FAIL", "FAIL    sh", "sh -c echo hello; exit 3: failed (exit 3)", "samples every", "GPU  MEM PEAK", "  0 ", "  1 ", "0 passed, 1 failed"},
		},
		{
			name: "no GPU, a passing command", code: 0,
			args:    []string{"--gpu-backend", "none", "--", "true"},
			summary: []string{"monitor  PASS", "true: ok (exit 0)", "no GPU seen", "1 passed, 0 failed"},
			absent:  []string{"MEM PEAK"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"monitor", "--results-dir", dir, "--out", "json=" + filepath.Join(dir, "r.json")}, tt.args...)
			r := benchctl(t, args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, tt.code, r.stderr)
			}
			if !strings.Contains(r.stdout, tt.stdout) {
				t.Errorf("stdout %q lacks the command's %q", r.stdout, tt.stdout)
			}
			rest := r.stderr
			for _, want := range tt.summary {
				i := strings.Index(rest, want)
				if i < 0 {
					t.Fatalf("summary lacks %q (in order):\n%s", want, r.stderr)
				}
				rest = rest[i+len(want):]
			}
			for _, no := range tt.absent {
				if strings.Contains(r.stderr, no) {
					t.Errorf("summary has %q:\n%s", no, r.stderr)
				}
			}
			rep := readReport(t, filepath.Join(dir, "r.json"))
			if len(rep.Suites) != 1 || len(rep.Suites[0].Cases) != 1 || len(rep.Suites[0].Cases[0].Runs) != 1 {
				t.Errorf("report has not one suite of one case of one run: %+v", rep.Suites)
			}
		})
	}
}
