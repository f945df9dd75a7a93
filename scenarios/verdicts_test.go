package scenarios

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/benchctl/benchctl/result"
)

// TestVerdictAcceptance runs lib.compare (bench.stats.interleave, the code
// every speed-up verdict of the shipped scenarios goes through) over 20 seeds
// of a model with 10% run-to-run noise: no true difference must not read
// "slower" in 19 or more; a true 15% slowdown must read "slower" in 19 or more.
func TestVerdictAcceptance(t *testing.T) {
	tests := []struct {
		name    string
		effect  string
		metric  string
		atLeast float64 // seeds of 20 with metric (or, if not, without)
		not     bool
	}{
		{"no difference is not slower", "1.0", "seeds_slower", 19, true},
		{"a 15% slowdown is slower", "1.15", "seeds_slower", 19, false},
		{"a 15% speed-up is faster", "0.87", "seeds_faster", 19, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			out, err := exec.Command(filepath.Join(bin, "benchctl"), "run", "--gpu-backend", "none",
				"--results-dir", dir, "--var", "effect="+tt.effect, "--var", "noise=0.10",
				filepath.Join("testdata", "verdicts.lua")).CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			m := metrics(readReport(t, filepath.Join(dir, "results.json")))
			got := m[tt.metric]
			if tt.not {
				got = 20 - got
			}
			t.Logf("%s: %v seeds of 20; verdicts %v; runs of each configuration: median %v, max %v",
				tt.name, got, verdictCounts(m), m["runs_median"], m["runs_max"])
			if got < tt.atLeast {
				t.Errorf("%v of 20 seeds, want at least %v", got, tt.atLeast)
			}
		})
	}
}

func metrics(rep *result.Report) map[string]float64 {
	m := map[string]float64{}
	for _, s := range rep.Suites {
		for _, c := range s.Cases {
			for _, x := range c.Metrics {
				m[x.Name] = x.Value
			}
		}
	}
	return m
}

func verdictCounts(m map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for k, v := range m {
		if name, ok := strings.CutPrefix(k, "seeds_"); ok && v > 0 {
			out[name] = v
		}
	}
	return out
}

// TestVerdictsUnderNoise runs optimization_impact on the fake pipeline with
// 10% run-to-run noise (--time-noise, seeded): CUDA streams that truly slow
// the pipeline fail it as slower; streams that change nothing never fail it,
// and, undecided within the run budget, are reported as inconclusive (a skip
// saying so), not as a pass.
func TestVerdictsUnderNoise(t *testing.T) {
	tests := []struct {
		name   string
		knobs  string
		status result.Status
		want   string // in the failure messages or the skip reason
	}{
		{"slower streams fail as slower", "--streams-speedup -200% --time-noise 10% --noise-seed 3",
			result.Failed, "cuda_streams against the baseline (slower: "},
		{"streams that change nothing are inconclusive, not a pass", "--streams-speedup 0 --time-noise 10% --noise-seed 4",
			result.Skipped, "inconclusive after 8 runs each: cuda_streams"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := 0; i < cap(slots); i++ {
				slots <- struct{}{}
			}
			defer func() {
				for i := 0; i < cap(slots); i++ {
					<-slots
				}
			}()
			dir := t.TempDir()
			out, _ := exec.Command(filepath.Join(bin, "benchctl"), "run", "--gpu-backend", "sim", "--sim-gpus", "4",
				"--sample-interval", "20ms", "--results-dir", dir,
				"--var", "pipeline="+filepath.Join(bin, "fakepipe")+" "+healthy+" --time-per-seq 20ms "+tt.knobs,
				"--var", "preset=smoke", "--var", "sequences_per_file=20", "--var", "max_runs=8",
				"optimization_impact.lua").CombinedOutput()
			rep := readReport(t, filepath.Join(dir, "results.json"))
			c := rep.Suites[0].Cases[0]
			said := strings.Join(append(failures(rep), c.SkipReason), "\n")
			if c.Status != tt.status || !strings.Contains(said, tt.want) {
				t.Errorf("status %s, want %s saying %q; said:\n%s\n%s", c.Status, tt.status, tt.want, said, out)
			}
		})
	}
}
