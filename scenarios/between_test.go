package scenarios

import (
	"math"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBetweenStages checks the per-stage projection's time between a
// pipeline's own stages (testdata/between_stages.lua, runs built from a
// model with known answers). A fixed cost that drifted up through the small
// runs, as worker start and model loading did on an H200, is projected as
// fixed and lands (a fit of it misses by more than 10%: the control); a cost
// there that truly grows with the input makes the fixed reading miss, and the
// forward validation must then choose another model that lands.
func TestBetweenStages(t *testing.T) {
	tests := []struct {
		name, gap, between string
		check              func(m map[string]float64) string
	}{
		{"fixed cost drifting up is fixed", "drift", "fixed", func(m map[string]float64) string {
			if m["chose_stages"] != 1 || math.Abs(m["error_chosen"]) > 10 || m["inside"] != 1 {
				return "want the per-stage model chosen, within 10%, the truth inside its interval"
			}
			return ""
		}},
		{"fitting that drift misses", "drift", "fit", func(m map[string]float64) string {
			if m["error_stages"] <= 10 {
				return "want the per-stage model with the drift fitted to miss by more than 10%"
			}
			return ""
		}},
		{"a cost that grows between stages is not taken as fixed", "grows", "fixed", func(m map[string]float64) string {
			if m["error_stages"] >= -10 {
				return "want the per-stage model to miss by more than 10% (the control)"
			}
			if m["chose_stages"] != 0 || math.Abs(m["error_chosen"]) > 10 || m["inside"] != 1 {
				return "want another model chosen, within 10%, the truth inside its interval"
			}
			return ""
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			out, err := exec.Command(filepath.Join(bin, "benchctl"), "run", "--gpu-backend", "none", "--results-dir", dir,
				"--var", "gap="+tt.gap, "--var", "between_stages="+tt.between,
				filepath.Join("testdata", "between_stages.lua")).CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			m := metrics(readReport(t, filepath.Join(dir, "results.json")))
			if msg := tt.check(m); msg != "" {
				t.Errorf("%s; got %v", msg, m)
			}
		})
	}
}

// TestBetweenStagesRefusesOtherValues: between_stages takes fixed or fit;
// anything else is a one-line load error and exit 2, before anything runs.
func TestBetweenStagesRefusesOtherValues(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(filepath.Join(bin, "benchctl"), "run", "--gpu-backend", "none", "--results-dir", dir,
		"--var", "between_stages=linear", "typical_10h.lua")
	out, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); err == nil || code != 2 {
		t.Fatalf("exit %d (%v), want 2\n%s", code, err, out)
	}
	if !strings.Contains(string(out), `--var between_stages="linear": want fixed or fit`) {
		t.Errorf("output lacks the reason:\n%s", out)
	}
}
