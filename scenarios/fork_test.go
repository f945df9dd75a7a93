package scenarios

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/benchctl/benchctl/result"
)

// forkRun is one benchctl run of a shipped scenario against the fake
// pipeline, which speaks VirNucPro's fork (its options, log format, streams,
// prompt and out-of-memory banner).
type forkRun struct {
	code int
	rep  *result.Report
	out  string
}

func runForkScenario(t *testing.T, scenario, knobs string, vars ...string) forkRun {
	t.Helper()
	dir := t.TempDir()
	args := []string{"run", "--gpu-backend", "sim", "--sim-gpus", "2", "--sample-interval", "20ms", "--results-dir", dir,
		"--var", "pipeline=" + filepath.Join(bin, "fakepipe") + " " + healthy + " " + knobs}
	preset := "preset=quick" // unless vars give another: a --var may be given once
	for _, v := range vars {
		if strings.HasPrefix(v, "preset=") {
			preset = v
			continue
		}
		args = append(args, "--var", v)
	}
	args = append(args, "--var", preset)
	cmd := exec.Command(filepath.Join(bin, "benchctl"), append(args, scenario+".lua")...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return forkRun{code: code, rep: readReport(t, filepath.Join(dir, "results.json")), out: string(out)}
}

// text is every failure, log line and metric name of the run, one a line,
// its out-of-memory line, and the last lines of its runs' stderr.
func (r forkRun) text() string {
	var b strings.Builder
	for _, m := range failures(r.rep) {
		b.WriteString("failure: " + m + "\n")
	}
	for _, s := range r.rep.Suites {
		for _, c := range s.Cases {
			for _, l := range c.Logs {
				b.WriteString("log: " + l.Message + "\n")
			}
			for _, m := range c.Metrics {
				b.WriteString("metric: " + m.Name + "\n")
			}
			for _, run := range c.Runs {
				if run.OOMLine != "" {
					b.WriteString("oom: " + run.OOMStream + ": " + run.OOMLine + "\n")
				}
				for _, l := range run.StderrTail {
					b.WriteString("stderr: " + l + "\n")
				}
			}
		}
	}
	return b.String()
}

// TestScenariosSpeakTheFork is the list at the top of issue 15: each way the
// shipped scenarios failed against a pipeline that speaks like the fork, run
// against one that does (the fake pipeline), with the fork's profile (the
// default) and, as the control that shows the trap is real, with the legacy
// profile, or with a fault that the verdict must catch.
func TestScenariosSpeakTheFork(t *testing.T) {
	tests := []struct {
		name     string
		scenario string
		knobs    string
		vars     []string
		pass     bool
		want     []string // in text(): failures, logs, metrics, oom lines
	}{
		// 1. A second run into one output directory meets the prompt: the
		// warm-up and the measured run of typical_10h share their command.
		// What this case checks is the runs and their figures; the
		// utilization floor has cases of its own (scenarios_test.go), with
		// stages long enough to stand clear of it on a busy machine.
		{name: "typical_10h warms up into the same output dir: --force", scenario: "typical_10h", knobs: "--time-per-seq 20ms",
			vars: []string{"warmup=1", "min_utilization=0"}, pass: true,
			want: []string{"metric: typical_300_fork_stage_esm_seconds", "metric: typical_300_fork_total_seconds"}},
		{name: "control: without --force the prompt aborts (exit 1)", scenario: "typical_10h",
			vars: []string{"warmup=1", "preset=smoke", "profile=legacy"},
			want: []string{`run of 1 sequences exit class: got "failed", want == "ok"`, "exists. Overwrite? [y/N]: ", " - ERROR - Prediction failed: "}},

		// 2. The stages are seen on stdout, by name, whatever their number.
		{name: "stage lines on stdout", scenario: "peak_memory_per_stage", pass: true,
			want: []string{"metric: peak_esm_gpu0", "metric: peak_esm_gpu1"}}, // the longest stage: sampled even on a busy machine
		{name: "control: the legacy markers see no stage", scenario: "peak_memory_per_stage", vars: []string{"profile=legacy"},
			want: []string{"stage peaks measured: got 0, want > 0"}},

		// 3. The out-of-memory banner is on stdout: a graceful exit 4.
		// On one GPU DNABERT-S runs in the main process: its out of memory
		// is the banner alone, on stdout.
		{name: "graceful OOM, banner on stdout", scenario: "large_batches_oom", knobs: "--oom-above 1000 --oom-mode exit",
			vars: []string{"gpus=0"}, pass: true,
			want: []string{"oom: stdout: ", "OUT OF MEMORY ERROR", "log: out-of-memory text on stdout: "}},
		// On several, the workers' error comes first, on stderr, then the
		// parent's banner on stdout: graceful too. Which of the two is the
		// run's out-of-memory line is the order benchctl read two pipes in,
		// which a busy machine may turn round: the worker's error is checked
		// on stderr.
		{name: "graceful OOM in a worker", scenario: "large_batches_oom", knobs: "--oom-above 1000 --oom-mode exit", pass: true,
			want: []string{"oom: ", "] torch.OutOfMemoryError: CUDA out of memory", "log: ended oom (exit 4)"}},
		{name: "control: a crash on OOM fails", scenario: "large_batches_oom", knobs: "--oom-above 1000 --oom-mode crash",
			want: []string{"exit code of an out-of-memory run: got 1, want == 4", "oom: stderr: RuntimeError: CUDA error: out of memory"}},
		{name: "OOM text in a run that recovered fails memory_stability", scenario: "memory_stability",
			knobs: "--oom-above 1000 --oom-mode reduce", want: []string{"out-of-memory text in the output (stderr)"}},

		// 4. Files per split through -c, not an option the fork lacks.
		{name: "sequences per file through -c", scenario: "memory_stability", vars: []string{"sequences_per_file=10"}, pass: true,
			want: []string{"metric: stability_fork_stage_esm_seconds"}},
		{name: "control: --sequences-per-file is a usage error (exit 2)", scenario: "memory_stability",
			vars: []string{"sequences_per_file=10", "profile=legacy"},
			want: []string{`pipeline exit class: got "failed", want == "ok"`, "No such option '--sequences-per-file'."}},

		// 5. Flags that never reach the work are no slowdown: the statistics
		// of lib.compare call them "no difference" (or inconclusive, a skip,
		// in a short run), never "slower"; the log says why. Streams that do
		// slow the pipeline down fail: TestScenarios' "streams slow it down".
		{name: "flags that do nothing are no slowdown", scenario: "optimization_impact",
			knobs: "--time-per-seq 20ms --load-time 0 --streams-speedup 0 --persistent-overhead 0",
			vars:  []string{"preset=smoke", "min_runs=3", "max_runs=5"},
			pass:  true, want: []string{"log: --persistent-models does not reach the work in the virnucpro profile's pipeline",
				"log: --cuda-streams does not reach the work in the virnucpro profile's pipeline"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			slots <- struct{}{}
			defer func() { <-slots }()
			r := runForkScenario(t, tt.scenario, tt.knobs, tt.vars...)
			text := r.text()
			if tt.pass && r.code != 0 {
				t.Fatalf("exit %d, want 0:\n%s", r.code, text)
			}
			if !tt.pass && r.code != 1 {
				t.Fatalf("exit %d, want 1 (the scenario must fail):\n%s\n%s", r.code, text, r.out)
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("no failure, log, metric or oom line says %q:\n%s", w, text)
				}
			}
		})
	}
}

// TestVirnucsimSpeaksTheFork runs shipped scenarios against the PyTorch
// stand-in's command line and parent (workloads/virnucsim, through its test
// runner: no torch, no GPU): it speaks the fork as the fake pipeline does.
func TestVirnucsimSpeaksTheFork(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	workloads, err := filepath.Abs("../workloads")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, scenario string
		vars           []string
		pass           bool
		want           []string
	}{
		{"stages on stdout, sequences per file through -c", "memory_stability", []string{"sequences_per_file=20"}, true,
			[]string{"metric: stability_fork_stage_esm_seconds", "metric: stability_fork_total_seconds"}},
		{"a graceful run of large batches", "large_batches_oom", nil, true, []string{"log: ended ok (exit 0)"}},
		{"control: --sequences-per-file is a usage error", "memory_stability", []string{"sequences_per_file=20", "profile=legacy"}, false,
			[]string{`pipeline exit class: got "failed", want == "ok"`, "No such option '--sequences-per-file'."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"run", "--gpu-backend", "sim", "--sim-gpus", "1", "--results-dir", dir,
				"--var", "pipeline=" + python + " -m virnucsim.tests.fake_cli", "--var", "pipeline_flags=--size tiny --model-type 300",
			}
			args = append(args, varArgs([]string{"preset=quick"}, tt.vars...)...)
			cmd := exec.Command(filepath.Join(bin, "benchctl"), append(args, tt.scenario+".lua")...)
			cmd.Env = append(cmd.Environ(), "PYTHONPATH="+workloads)
			out, err := cmd.CombinedOutput()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			r := forkRun{code: code, rep: readReport(t, filepath.Join(dir, "results.json")), out: string(out)}
			text := r.text()
			if tt.pass != (code == 0) || (!tt.pass && code != 1) {
				t.Fatalf("exit %d (pass %v):\n%s\n%s", code, tt.pass, text, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("no failure, log or metric says %q:\n%s", w, text)
				}
			}
		})
	}
}
