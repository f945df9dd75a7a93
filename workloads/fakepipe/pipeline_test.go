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
		t.Fatalf("exit %d, stderr:\n%s", o.code, o.stderr)
	}
	want := []string{
		"Stage: Translating six frames (20 reads -> ",
		"Stage: Loading models",
		"Stage: DNABERT-S features (batch 2048 tokens)",
		"Stage: ESM-2 features (batch 3072 tokens)",
		"Stage: Merging features to 3328-d",
		"Stage: Predicting with MLP",
		"Stage: Consensus over frames",
	}
	got := stageLines(o.stderr)
	if len(got) != len(want) {
		t.Fatalf("stage lines:\n%s\nwant %d", strings.Join(got, "\n"), len(want))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("stage line %d = %q, want %q...", i, got[i], want[i])
		}
	}
	for _, w := range []string{"\nDone: 20 sequences, ", "\nPeak memory: ", " MiB reserved\n", "\nAllocator efficiency: "} {
		if !strings.Contains(o.stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, o.stderr)
		}
	}

	n, _ := strconv.Atoi(strings.Fields(strings.SplitN(got[0], "-> ", 2)[1])[0])
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
	if o.code != 0 || !strings.Contains(o.stderr, "Done: 5 sequences") {
		t.Fatalf("exit %d, stderr:\n%s", o.code, o.stderr)
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
		{"missing file", filepath.Join(dir, "nope.fa"), "no such file"},
		{"sequence before header", filepath.Join(dir, "no header.fa"), ":1: expected a '>' header"},
		{"invalid character", filepath.Join(dir, "bad char.fa"), ":3: invalid character '-'"},
		{"no records", filepath.Join(dir, "no records.fa"), "no FASTA records"},
		{"empty id", filepath.Join(dir, "empty id.fa"), ":1: header line has no sequence id"},
		{"a directory", dir, "is a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := runPipe(t, nil, nil, predictArgs(tt.input, t.TempDir())...)
			lines := strings.Split(strings.TrimSpace(o.stderr), "\n")
			if o.code != exitError || len(lines) != 1 || !strings.HasPrefix(lines[0], "Error: ") || !strings.Contains(lines[0], tt.want) {
				t.Errorf("exit %d, stderr %q; want 1 and one Error line with %q", o.code, o.stderr, tt.want)
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
	}{
		{"no subcommand", nil, nil},
		{"no output dir", nil, []string{"predict", input}},
		{"unknown flag", nil, []string{"predict", input, "-o", "x", "--bogus"}},
		{"bad knob env", []string{"FAKEPIPE_LEAK_PER_BATCH=lots"}, []string{"predict", input, "-o", "x"}},
		{"unknown stage", nil, []string{"predict", input, "-o", "x", "--hang-after", "lunch"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := runPipe(t, nil, tt.env, tt.args...)
			if o.code != exitUsage || !strings.HasPrefix(o.stderr, "Error: ") {
				t.Errorf("exit %d, stderr %q; want 2 and an Error line", o.code, o.stderr)
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
		t.Fatalf("exit %d:\n%s", o.code, o.stderr)
	}
	for _, w := range []string{"\n[gpu 0] Stage: ESM-2 features", "\n[gpu 1] Stage: ESM-2 features", "\nDone: 20 sequences"} {
		if !strings.Contains(o.stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, o.stderr)
		}
	}
	peaks := peaksByGPU(t, b)
	if len(peaks[0]) != 1 || len(peaks[1]) != 1 || len(peaks[2]) != 0 {
		t.Fatalf("peaks by gpu %+v, want one worker on each of gpus 0 and 1", peaks)
	}
	p0, p1 := peaks[0][0].PID, peaks[1][0].PID
	if p0 == p1 || p0 == o.pid || p1 == o.pid {
		t.Errorf("worker pids %d and %d, parent %d: want two workers apart from the parent", p0, p1, o.pid)
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
			o := runPipe(t, b, nil, predictArgs(input, t.TempDir(), append(tt.args, "--sequences-per-file", "5")...)...)
			if o.code != 0 {
				t.Fatalf("exit %d:\n%s", o.code, o.stderr)
			}
			if n := strings.Count(o.stderr, "Stage: Loading models\n"); n != tt.loads {
				t.Errorf("models loaded %d times, want %d:\n%s", n, tt.loads, o.stderr)
			}
		})
	}
}
