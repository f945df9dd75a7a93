package main

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestNormalRun(t *testing.T) {
	b := simGPUs(t, 2, 80<<30)
	out := filepath.Join(t.TempDir(), "out")
	// Flags before, between and after the positional arguments.
	o := runPipe(t, b, nil, append([]string{"predict", "--model-type", "300", writeFASTA(t, 20), "--esm-batch-size", "3072", "-o", out}, fast...)...)
	if o.code != 0 {
		t.Fatalf("exit %d, output:\n%s%s", o.code, o.stdout, o.stderr)
	}
	want := []string{"1: Sequence Chunking", "2: Six-Frame Translation", "3: Nucleotide File Splitting",
		"4: Protein File Splitting", "5: DNABERT-S Feature Extraction", "6: ESM-2 Feature Extraction",
		"7: Feature Merging", "8: Model Prediction", "9: Consensus Scoring"}
	if got := stageLines(o.stdout); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("stage lines on stdout:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := stageLines(o.stderr); len(got) != 0 {
		t.Errorf("stage lines on stderr: %q", got)
	}
	for _, w := range []string{" - INFO - Done: 20 sequences, ", " - INFO - Peak memory: ", " MiB reserved\n", " - INFO - Allocator efficiency: ",
		" - INFO - PIPELINE SUMMARY\n", " - INFO -   ESM-2 Feature Extraction completed in ", "Translation complete: processed "} {
		if !strings.Contains(o.stdout, w) {
			t.Errorf("stdout lacks %q:\n%s", w, o.stdout)
		}
	}

	_, after, _ := strings.Cut(o.stdout, "Consensus Scoring completed in ")
	_, count, _ := strings.Cut(after, "[consensus_sequences: ")
	n, _ := strconv.Atoi(strings.TrimSuffix(strings.Fields(count)[0], "]"))
	for file, rows := range map[string]int{predictionsFile: 6 * n, highestScoreFile: n} {
		data, err := os.ReadFile(filepath.Join(out, file))
		if err != nil {
			t.Fatal(err)
		}
		if lines := strings.Count(string(data), "\n"); lines != rows+1 || n == 0 {
			t.Errorf("%s: %d lines, want header + %d", file, lines, rows)
		}
	}

	// The process has exited: its memory is freed, its peak accounted.
	snap, err := b.Sample()
	if err != nil || len(snap.Errors) > 0 {
		t.Fatal(err, snap.Errors)
	}
	for _, g := range snap.GPUs {
		if g.MemUsed != 0 {
			t.Errorf("gpu %d: %d bytes still used after exit", g.Index, g.MemUsed)
		}
	}
	peaks := peaksByGPU(t, b)
	if len(peaks[0]) != 1 || peaks[0][0].PID != o.pid || peaks[0][0].PeakBytes < 6<<30 || len(peaks[1]) != 0 {
		t.Errorf("peaks %+v, want one on gpu 0 by %d above the models' 6.5 GiB", peaks, o.pid)
	}
}

func TestWithoutSim(t *testing.T) {
	o := runPipe(t, nil, nil, predictArgs(writeFASTA(t, 5), t.TempDir())...)
	if o.code != 0 || !strings.Contains(o.stdout, "Done: 5 sequences") {
		t.Fatalf("exit %d, output:\n%s%s", o.code, o.stdout, o.stderr)
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"no header.fa":  "ACGT\n",
		"bad char.fa":   ">r1\nACGT\nAC-T\n",
		"no records.fa": "\n\n",
		"empty id.fa":   ">\nACGT\n",
	}
	for name, body := range files {
		os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644)
	}
	tests := []struct {
		name, input, want string
	}{
		{"sequence before header", filepath.Join(dir, "no header.fa"), ":1: expected a '>' header"},
		{"invalid character", filepath.Join(dir, "bad char.fa"), ":3: invalid character '-'"},
		{"no records", filepath.Join(dir, "no records.fa"), "no FASTA records"},
		{"empty id", filepath.Join(dir, "empty id.fa"), ":1: header line has no sequence id"},
		{"a directory", dir, "is a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := runPipe(t, nil, nil, predictArgs(tt.input, t.TempDir())...)
			var errs []string
			for _, l := range strings.Split(o.stdout, "\n") {
				if strings.Contains(l, " - ERROR - ") {
					errs = append(errs, l)
				}
			}
			if o.code != exitError || len(errs) != 1 || !strings.Contains(errs[0], " - ERROR - Prediction failed: ") ||
				!strings.Contains(errs[0], tt.want) || o.stderr != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 1 and one ERROR line on stdout with %q", o.code, o.stdout, o.stderr, tt.want)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	input := writeFASTA(t, 2)
	tests := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"no subcommand", nil, nil, "Usage: fakepipe [OPTIONS] COMMAND [ARGS]...\nTry 'fakepipe --help' for help.\n\nError: Missing command.\n"},
		{"no input", nil, []string{"predict"}, "Error: Missing argument 'INPUT_FILE'.\n"},
		{"missing input", nil, []string{"predict", "/nonexistent/in.fa"}, "Error: Invalid value for 'INPUT_FILE': Path '/nonexistent/in.fa' does not exist.\n"},
		{"unknown flag", nil, []string{"predict", input, "-o", "x", "--bogus"},
			"Usage: fakepipe predict [OPTIONS] INPUT_FILE\nTry 'fakepipe predict --help' for help.\n\nError: No such option '--bogus'.\n"},
		{"bad knob env", []string{"FAKEPIPE_LEAK_PER_BATCH=lots"}, []string{"predict", input, "-o", "x"}, "FAKEPIPE_LEAK_PER_BATCH"},
		{"unknown stage", nil, []string{"predict", input, "-o", "x", "--hang-after", "lunch"}, "unknown stage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := runPipe(t, nil, tt.env, tt.args...)
			if o.code != exitUsage || !strings.Contains(o.stderr, "\nError: ") || !strings.Contains(o.stderr, tt.want) || o.stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and click's usage error with %q on stderr", o.code, o.stdout, o.stderr, tt.want)
			}
		})
	}
}

// TestMemoryKnobs compares each run's accounted peak with a plain run's.
func TestMemoryKnobs(t *testing.T) {
	input := writeFASTA(t, 20)
	peak := func(t *testing.T, args ...string) uint64 {
		b := simGPUs(t, 1, 80<<30)
		o := runPipe(t, b, nil, predictArgs(input, t.TempDir(), args...)...)
		if o.code != 0 {
			t.Fatalf("exit %d:\n%s", o.code, o.stderr)
		}
		p := peaksByGPU(t, b)[0]
		if len(p) != 1 {
			t.Fatalf("peaks %+v, want one process", p)
		}
		return p[0].PeakBytes
	}
	base := peak(t)
	tests := []struct {
		name     string
		args     []string
		min, max int64 // bounds of the peak's difference from the plain run
	}{
		{"leak rises across batches", []string{"--leak-per-batch", "256MiB"}, 4 * 256 << 20, 1 << 40},
		{"spike", []string{"--spike", "2GiB", "--spike-every", "3", "--spike-ms", "0"}, 2 << 30, 1 << 40},
		{"persistent models cost more", []string{"--persistent-models"}, 19 * (6<<30 + 512<<20) / 100, 1 << 40},
		{"expandable segments fragment less", []string{"--expandable-segments"}, -1 << 40, -1},
		{"bigger model", []string{"--model-mem", "10GiB"}, 4 << 30, 4 << 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := int64(peak(t, tt.args...)) - int64(base)
			if d < tt.min || d > tt.max {
				t.Errorf("peak differs by %d bytes from the plain run's %d, want %d to %d", d, base, tt.min, tt.max)
			}
		})
	}
}

func TestParallel(t *testing.T) {
	b := simGPUs(t, 3, 80<<30)
	out := t.TempDir()
	o := runPipe(t, b, nil, predictArgs(writeFASTA(t, 20), out, "--parallel", "--gpus", "0,1")...)
	if o.code != 0 {
		t.Fatalf("exit %d:\n%s%s", o.code, o.stdout, o.stderr)
	}
	for _, w := range []string{" - INFO - [gpu 0] ESM-2 features", " - INFO - [gpu 1] ESM-2 features",
		" - INFO - [gpu 0] Async inference complete: ", " - INFO - [gpu 1] DataLoader stats: "} {
		if !strings.Contains(o.stderr, w) {
			t.Errorf("stderr (the workers' log) lacks %q:\n%s", w, o.stderr)
		}
	}
	if !strings.Contains(o.stdout, " - INFO - Done: 20 sequences") || len(stageLines(o.stdout)) != 9 {
		t.Errorf("stdout lacks the nine stages and the closing lines:\n%s", o.stdout)
	}
	// Per GPU, a DNABERT-S worker and an ESM-2 worker; the parent runs merge
	// and prediction on the first GPU.
	peaks := peaksByGPU(t, b)
	if len(peaks[0]) != 3 || len(peaks[1]) != 2 || len(peaks[2]) != 0 {
		t.Fatalf("peaks by gpu %+v, want 3 processes on gpu 0 (two workers and the parent) and two workers on gpu 1", peaks)
	}
	for _, p := range peaks[1] {
		if p.PID == o.pid {
			t.Errorf("the parent %d holds memory on gpu 1", o.pid)
		}
	}
	if _, err := os.Stat(filepath.Join(out, predictionsFile)); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(filepath.Join(out, workDir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("work dir left behind: %v", err)
	}
}

// TestModelLoads: persistent models load once per worker, others once per file.
func TestModelLoads(t *testing.T) {
	input := writeFASTA(t, 20)
	tests := []struct {
		name  string
		args  []string
		loads int
	}{
		{"per file", nil, 4},
		{"persistent", []string{"--persistent-models"}, 1},
		{"parallel per file", []string{"--gpus", "0,1"}, 4},
		{"parallel persistent", []string{"--gpus", "0,1", "--persistent-models"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := simGPUs(t, 2, 80<<30)
			cfg := filepath.Join(t.TempDir(), "config.yaml")
			if err := os.WriteFile(cfg, []byte("prediction:\n  sequences_per_file: 5\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			o := runPipe(t, b, nil, append([]string{"-c", cfg}, predictArgs(input, t.TempDir(), tt.args...)...)...)
			if o.code != 0 {
				t.Fatalf("exit %d:\n%s%s", o.code, o.stdout, o.stderr)
			}
			if n := strings.Count(o.stdout+o.stderr, "Loading ESM-2 model\n"); n != tt.loads {
				t.Errorf("ESM-2 loaded %d times, want %d:\n%s%s", n, tt.loads, o.stdout, o.stderr)
			}
		})
	}
}
