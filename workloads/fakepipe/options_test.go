package main

import (
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// inTempDir runs the test in a folder holding in.fa, a.fa, b.fa and -odd.fa:
// predict's INPUT_FILE must exist, as click.Path(exists=True) wants.
func inTempDir(t *testing.T) {
	t.Helper()
	t.Chdir(t.TempDir())
	for _, f := range []string{"in.fa", "a.fa", "b.fa", "-odd.fa"} {
		if err := os.WriteFile(f, []byte(">r\nACGT\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestParseOptions(t *testing.T) {
	inTempDir(t)
	tests := []struct {
		name  string
		env   map[string]string
		args  []string
		check func(o *options) bool
	}{
		{"positional first", nil, []string{"in.fa", "-o", "out"},
			func(o *options) bool { return o.input == "in.fa" && o.outDir == "out" && !o.parallel }},
		{"positional last", nil, []string{"--output-dir", "out", "--esm-batch-size", "3072", "in.fa"},
			func(o *options) bool { return o.input == "in.fa" && o.esmBatch == 3072 }},
		{"interleaved", nil, []string{"--gpus", "0,2", "in.fa", "--persistent-models", "-o", "out", "-m", "300"},
			func(o *options) bool {
				return o.input == "in.fa" && slices.Equal(o.gpus, []int{0, 2}) && o.parallel && o.persistent && o.modelType == 300
			}},
		{"double dash", nil, []string{"-o", "out", "--", "-odd.fa"},
			func(o *options) bool { return o.input == "-odd.fa" }},
		{"defaults", nil, []string{"in.fa", "-o", "out"},
			func(o *options) bool {
				return o.timePerSeq == time.Millisecond && o.startup == 200*time.Millisecond && o.loadTime == 300*time.Millisecond &&
					o.modelMem == 6<<30 && o.bytesPerToken == 1000000 && o.util == 85 && o.persistentOverhead == 0.3 &&
					o.streamsSpeedup == 0.15 && o.oomMode == oomExit && o.exitCode == -1 && o.seqsPerFile == 10000 && !o.cudaStreams
			}},
		{"sizes, durations and percentages", nil, []string{"in.fa", "-o", "out", "--model-mem", "100MB", "--leak-per-batch", "2GiB",
			"--time-per-seq", "5ms", "--startup", "1.5", "--spike-ms", "7", "--persistent-overhead", "50%"},
			func(o *options) bool {
				return o.modelMem == 100e6 && o.leakPerBatch == 2<<30 && o.timePerSeq == 5*time.Millisecond &&
					o.startup == 1500*time.Millisecond && o.spikeFor == 7*time.Millisecond && o.persistentOverhead == 0.5
			}},
		{"last of --cuda-streams/--no-cuda-streams wins", nil, []string{"in.fa", "-o", "o", "--no-cuda-streams", "--cuda-streams"},
			func(o *options) bool { return o.cudaStreams }},
		{"--no-cuda-streams", nil, []string{"in.fa", "-o", "o", "--cuda-streams", "--no-cuda-streams"},
			func(o *options) bool { return !o.cudaStreams }},
		{"stage aliases", nil, []string{"in.fa", "-o", "o", "--hang-after", "ESM-2", "--fail-after", "Loading"},
			func(o *options) bool { return o.hangAfter == stESM && o.failAfter == stLoad }},
		{"knob from the environment", map[string]string{"FAKEPIPE_TIME_PER_SEQ": "5ms", "FAKEPIPE_IGNORE_SIGTERM": "1"}, []string{"in.fa", "-o", "o"},
			func(o *options) bool { return o.timePerSeq == 5*time.Millisecond && o.ignoreSigterm }},
		{"flag beats the environment", map[string]string{"FAKEPIPE_UTIL": "50"}, []string{"in.fa", "-o", "o", "--util", "70"},
			func(o *options) bool { return o.util == 70 }},
		{"only knobs come from the environment", map[string]string{"FAKEPIPE_ESM_BATCH_SIZE": "1"}, []string{"in.fa", "-o", "o"},
			func(o *options) bool { return o.esmBatch == 2048 }},
		{"worker", nil, []string{"in.fa", "-o", "o", "--worker-shard", "1/2", "--worker-gpu", "3", "--worker-phase", "esm"},
			func(o *options) bool {
				return o.worker() && o.workerShard == 1 && o.workerGPU == 3 && o.prefix() == "[gpu 3] " && o.workerPhase == stESM
			}},
		{"default output dir, as the fork's", nil, []string{"in.fa"},
			func(o *options) bool { return o.outDir == "in_predictions" && !o.force }},
		{"the fork's options are accepted", nil, []string{"in.fa", "-f", "--resume", "-m", "custom", "-p", "m.pth", "-d", "cuda:0",
			"-b", "64", "-w", "2", "-k", "--no-progress", "--v1-fallback", "-t", "4", "--skip-checkpoint-validation", "--pin-memory",
			"--dataloader-workers", "3", "--quiet", "--cache-clear-interval", "50"},
			func(o *options) bool {
				return o.force && o.resume && o.modelType == 500 && o.accepted.modelPath == "m.pth" && o.accepted.threads == 4 &&
					o.cacheClear == 50 && o.accepted.dataloaderWorkers == 3
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range knobs {
				t.Setenv(knobEnv(k), "")
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			o, err := parseOptions(tt.args, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(o) {
				t.Errorf("options %+v", *o)
			}
		})
	}
}

func TestParseOptionsErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no input", []string{"-o", "out"}, "Missing argument 'INPUT_FILE'."},
		{"missing input", []string{"nope.fa"}, "Invalid value for 'INPUT_FILE': Path 'nope.fa' does not exist."},
		{"two inputs", []string{"a.fa", "b.fa", "-o", "out"}, "Got unexpected extra argument (b.fa)"},
		{"no such option", []string{"in.fa", "--sequences-per-file", "5"}, "No such option '--sequences-per-file'."},
		{"no such option, short", []string{"in.fa", "-c", "x.yaml"}, "No such option '-c'."},
		{"model type", []string{"in.fa", "-o", "o", "--model-type", "400"}, "'400' is not one of '300', '500', 'custom'"},
		{"worker phase", []string{"in.fa", "--worker-shard", "0/1", "--worker-gpu", "0", "--worker-phase", "merge"}, "want dnabert or esm"},
		{"oom mode", []string{"in.fa", "-o", "o", "--oom-mode", "panic"}, "--oom-mode"},
		{"stage", []string{"in.fa", "-o", "o", "--crash-after", "lunch"}, "unknown stage"},
		{"gpus", []string{"in.fa", "-o", "o", "--gpus", "0,x"}, "bad gpu index"},
		{"size", []string{"in.fa", "-o", "o", "--spike", "lots"}, "invalid size"},
		{"util", []string{"in.fa", "-o", "o", "--util", "120"}, "--util"},
		{"worker flags apart", []string{"in.fa", "-o", "o", "--worker-gpu", "1"}, "go together"},
		{"bad shard", []string{"in.fa", "-o", "o", "--worker-shard", "2/2", "--worker-gpu", "1"}, "want I/N"},
	}
	inTempDir(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseOptions(tt.args, io.Discard)
			var ue *usageErr
			if !errors.As(err, &ue) || ue.cmd != "predict" || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want predict's usage error containing %q", err, tt.want)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	var out strings.Builder
	if _, err := parseOptions([]string{"-h"}, &out); !errors.Is(err, errHelp) {
		t.Fatalf("err = %v, want errHelp", err)
	}
	for _, k := range knobs {
		if !strings.Contains(out.String(), " * --"+k+"\n") {
			t.Errorf("usage does not mark knob %s", k)
		}
	}
	if strings.Contains(out.String(), flagWorkerShard) {
		t.Error("usage shows an internal flag")
	}
}

func TestStageTime(t *testing.T) {
	o := defaults()
	o.timePerSeq = time.Second
	o.streamsSpeedup = 0.5
	var sum time.Duration
	for k := range stageShare {
		sum += o.stageTime(k, 10)
	}
	if sum != 10*time.Second {
		t.Errorf("stages of 10 sequences take %v, want 10s", sum)
	}
	o.cudaStreams = true
	tests := []struct {
		stage string
		want  time.Duration
	}{
		{stESM, 3 * time.Second},
		{stDNABERT, time.Second},
		{stTranslate, 500 * time.Millisecond}, // on the CPU: no speed-up
	}
	for _, tt := range tests {
		t.Run(tt.stage, func(t *testing.T) {
			if got := o.stageTime(tt.stage, 10); got != tt.want {
				t.Errorf("stageTime = %v, want %v", got, tt.want)
			}
		})
	}
}
