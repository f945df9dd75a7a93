package scenarios

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// leakCase runs memory_stability or large_sample against a fake pipeline
// whose memory takes a given shape through the ESM-2 stage. Each GPU works
// through one file, so its stage is one window. A failure must name some GPU,
// not a given one: on a busy machine a GPU whose sampler stalled may leave too
// few points to read (it says so).
type leakCase struct {
	name     string
	scenario string
	knobs    string   // fakepipe flags after leakBase
	vars     []string // extra --var KEY=VALUE
	pass     bool
	want     []string // substrings of the failure messages when it fails
}

// leakBase is slower per sequence than healthy, and its ESM-2 batches half
// the default, so that the small input of memory_stability gives each GPU's
// ESM-2 stage about 36 batches and 60 samples, even on a busy machine.
const leakBase = "--time-per-seq 100ms --startup 10ms --load-time 100ms --esm-batch-size 1024"

var leakCases = []leakCase{
	// Memory that keeps rising with the work fails by default, naming the
	// stage, the GPU, the rise, the rate and the projection.
	{name: "leak of 32 MiB a batch", scenario: "memory_stability", knobs: "--leak-per-batch 32MiB",
		want: []string{"memory floor keeps rising during stage esm on GPU ", " (rose ", " MiB per 1000 sequences at the end",
			"projected ", "at 45000 sequences): got ", "want <= 4 MiB/1000 seq"}},
	{name: "leak of 64 MiB a batch", scenario: "memory_stability", knobs: "--leak-per-batch 64MiB",
		want: []string{"memory floor keeps rising during stage esm on GPU "}},
	{name: "leak behind allocator growth", scenario: "memory_stability", knobs: "--alloc-growth 512MiB --leak-per-batch 32MiB",
		want: []string{"memory floor keeps rising during stage esm on GPU "}},
	{name: "large sample leaks", scenario: "large_sample", knobs: "--time-per-seq 20ms --leak-per-batch 32MiB",
		want: []string{"memory floor keeps rising during stage esm on GPU "}},
	// A rate the scenario is told to accept still fails where the sample
	// would not fit in the GPU.
	{name: "accepted rate, sample does not fit", scenario: "memory_stability", knobs: "--leak-per-batch 32MiB",
		vars: []string{"leak_rate_limit_mb=1000000"},
		want: []string{"memory projected at 45000 sequences during stage esm on GPU ", "MiB, want <= 81920 MiB"}},

	// What only looks like a leak passes.
	{name: "flat", scenario: "memory_stability", pass: true},
	{name: "allocator growth of 512 MiB that flattens", scenario: "memory_stability", knobs: "--alloc-growth 512MiB", pass: true},
	{name: "large sample, allocator growth", scenario: "large_sample", knobs: "--time-per-seq 20ms --alloc-growth 512MiB", pass: true},
	{name: "working sets that step between stages", scenario: "memory_stability", knobs: "--stage-working-set 4GiB", pass: true},
	{name: "sawtooth working set", scenario: "memory_stability", knobs: "--sawtooth 2GiB --sawtooth-batches 2", pass: true},
	{name: "accepted rate, sample fits", scenario: "memory_stability", knobs: "--leak-per-batch 1MiB",
		vars: []string{"leak_rate_limit_mb=1000000"}, pass: true},
}

func TestLeakVerdicts(t *testing.T) {
	for _, tc := range leakCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			slots <- struct{}{}
			defer func() { <-slots }()
			dir := t.TempDir()
			args := []string{"run", "--gpu-backend", "sim", "--sim-gpus", "4", "--sample-interval", "20ms",
				"--results-dir", dir, "--out", "junit=" + dir + "/junit.xml",
				"--var", "pipeline=" + filepath.Join(bin, "fakepipe") + " " + leakBase + " " + tc.knobs,
			}
			args = append(args, varArgs([]string{"preset=quick", "sequences_per_file=10000"}, tc.vars...)...)
			out, err := exec.Command(filepath.Join(bin, "benchctl"), append(args, tc.scenario+".lua")...).CombinedOutput()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			msgs := strings.Join(failures(readReport(t, filepath.Join(dir, "results.json"))), "\n")
			switch {
			case tc.pass && code != 0:
				t.Fatalf("exit %d, want 0; failures:\n%s\n%s", code, msgs, out)
			case tc.pass:
				return
			case code != 1:
				t.Fatalf("exit %d, want 1 (the scenario must fail)\n%s", code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(msgs, w) {
					t.Errorf("no failure says %q; failures:\n%s", w, msgs)
				}
			}
		})
	}
}

// TestLeakShapes runs lib.leak on synthetic timelines with known answers
// (testdata/leak_shapes.lua): flat, allocator growth, a sawtooth, stages that
// step around the stage, and leaks alone, under a sawtooth, behind allocator
// growth and in steps.
func TestLeakShapes(t *testing.T) {
	dir := t.TempDir()
	out, err := exec.Command(filepath.Join(bin, "benchctl"), "run", "--gpu-backend", "none", "--results-dir", dir,
		"testdata/leak_shapes.lua").CombinedOutput()
	if err != nil {
		t.Fatalf("%v; failures:\n%s\n%s", err, strings.Join(failures(readReport(t, filepath.Join(dir, "results.json"))), "\n"), out)
	}
}
