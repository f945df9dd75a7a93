package scenarios

import (
	"math"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/benchctl/benchctl/result"
)

// TestProjectionLandsWhereItProjects runs typical_10h on 250, 500 and 1,000
// sequences, projects 4,000 (four times the largest) and measures a run of
// 4,000 (verify_sequences): the fake pipeline's model gives the truth. The
// projection must land within 10% of it, with the measured time inside its
// interval, on a pipeline whose cost per sequence falls as inputs grow (its
// first sequences cost up to six times the steady cost: caches, clocks and
// batches filling) and on one whose cost does not.
func TestProjectionLandsWhereItProjects(t *testing.T) {
	tests := []struct {
		name, knobs string
	}{
		{"cost per sequence falls as inputs grow", "--ramp-seqs 80 --ramp-factor 6"},
		{"cost per sequence holds", ""},
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
				"--sample-interval", "50ms", "--results-dir", dir,
				"--var", "pipeline="+filepath.Join(bin, "fakepipe")+" --time-per-seq 20ms --startup 300ms --load-time 150ms "+tt.knobs,
				"--var", "sizes=250,500,1000", "--var", "full_sequences=4000", "--var", "verify_sequences=4000",
				"--var", "sequences_per_file=10", "--var", "min_utilization=0", "--var", "min_throughput_per_hour=0",
				"typical_10h.lua").CombinedOutput()
			rep := readReport(t, filepath.Join(dir, "results.json"))
			m := metrics(rep)
			c := rep.Suites[0].Cases[0]
			var logs []string
			for _, l := range c.Logs {
				logs = append(logs, l.Message)
			}
			t.Logf("%s\nerrors at 4,000: chosen %+.1f%%, linear %+.1f%%, progress %+.1f%%, power %+.1f%%, naive %+.1f%%",
				strings.Join(logs, "\n"), m["verify_error"], m["verify_error_linear"], m["verify_error_progress"],
				m["verify_error_power"], m["verify_error_naive"])
			if c.Status != result.Passed {
				t.Fatalf("status %s: %v\n%s", c.Status, failures(rep), out)
			}
			if e, ok := m["verify_error"]; !ok || math.Abs(e) > 10 {
				t.Errorf("projection error %v%% (recorded: %v), want within 10%%", e, ok)
			}
		})
	}
}
