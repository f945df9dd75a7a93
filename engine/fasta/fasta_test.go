package fasta

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

func parse(t *testing.T, data []byte) (ids []string, seqs []string) {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, ">") {
			ids = append(ids, line[1:])
		} else {
			seqs = append(seqs, line)
		}
	}
	return ids, seqs
}

func TestPresetsAndDeterminism(t *testing.T) {
	for _, name := range []string{"tiny", "small", "medium"} {
		t.Run(name, func(t *testing.T) {
			var a, b bytes.Buffer
			ra, err := Write(&a, Options{Preset: name, Seed: 7})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Write(&b, Options{Preset: name, Seed: 7}); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatal("same seed gave different output")
			}
			p := Presets[name]
			ids, seqs := parse(t, a.Bytes())
			if len(ids) != p.Sequences || len(seqs) != p.Sequences || ra.Sequences != p.Sequences {
				t.Fatalf("got %d ids, %d seqs, want %d", len(ids), len(seqs), p.Sequences)
			}
			var bases int64
			for _, s := range seqs {
				if len(s) < p.MinLen || len(s) > p.MaxLen {
					t.Fatalf("length %d outside %d..%d", len(s), p.MinLen, p.MaxLen)
				}
				if strings.Trim(s, "ACGT") != "" {
					t.Fatalf("non-ACGT base in %q", s[:20])
				}
				bases += int64(len(s))
			}
			if bases != ra.Bases {
				t.Errorf("Bases = %d, counted %d", ra.Bases, bases)
			}
		})
	}
}

func TestOpenFramesAndGC(t *testing.T) {
	stopsIn := func(s string) int {
		n := 0
		for i := 0; i+3 <= len(s); i += 3 {
			if isStop(s[i], s[i+1], s[i+2]) {
				n++
			}
		}
		return n
	}
	var orf, uni bytes.Buffer
	if _, err := Write(&orf, Options{Sequences: 200, MinLen: 300, MaxLen: 300, Seed: 1, GC: 0.6}); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(&uni, Options{Sequences: 200, MinLen: 300, MaxLen: 300, Seed: 1, UniformBases: true}); err != nil {
		t.Fatal(err)
	}
	_, oseqs := parse(t, orf.Bytes())
	_, useqs := parse(t, uni.Bytes())
	open := 0
	var gc, all int
	for i := range oseqs {
		if stopsIn(oseqs[i]) != 0 {
			t.Fatalf("frame 1 of ORF read %d has a stop codon", i)
		}
		if stopsIn(useqs[i]) == 0 {
			open++
		}
		gc += strings.Count(oseqs[i], "G") + strings.Count(oseqs[i], "C")
		all += len(oseqs[i])
	}
	if open > 20 {
		t.Errorf("%d of 200 uniform reads had an open first frame; expected almost none", open)
	}
	if frac := float64(gc) / float64(all); frac < 0.55 || frac > 0.65 {
		t.Errorf("GC fraction %.3f, want about 0.6", frac)
	}
}

func TestWriteFilesSplits(t *testing.T) {
	dir := t.TempDir()
	res, err := WriteFiles(context.Background(), dir, "input", Options{Preset: "small", Files: 3, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Paths) != 3 {
		t.Fatalf("paths = %v", res.Paths)
	}
	total := 0
	for _, p := range res.Paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		ids, _ := parse(t, data)
		total += len(ids)
	}
	if total != 100 {
		t.Errorf("split files hold %d sequences, want 100", total)
	}
}

func TestBadOptions(t *testing.T) {
	bad := map[string]Options{
		"unknown preset": {Preset: "huge"},
		"no size":        {},
		"min > max":      {Sequences: 1, MinLen: 10, MaxLen: 5},
		"gc":             {Preset: "tiny", GC: 1.5},
		"files":          {Preset: "tiny", Files: 11},
		"gc NaN":         {Preset: "tiny", GC: math.NaN()},
		"max_len 1e11":   {Sequences: 1, MinLen: 1e11, MaxLen: 1e11},
		"sequences 1e10": {Sequences: 1e10, MinLen: 1, MaxLen: 1},
	}
	for name, o := range bad {
		t.Run(name, func(t *testing.T) {
			if _, err := o.Resolve(); err == nil {
				t.Fatal("want error")
			}
		})
	}
}

// TestBounds: a count or length with too many zeros is an error before
// anything is written, not a full disk or a failed allocation.
func TestBounds(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"long reads", Options{Sequences: 1, MinLen: 1e11, MaxLen: 1e11}, "over the limit of 67108864 bases"},
		{"many reads", Options{Sequences: 1e12, MinLen: 100, MaxLen: 150}, "over the limit of 8589934592 bases in all"},
		{"at the limit", Options{Sequences: MaxBases / 1000, MinLen: 1000, MaxLen: 1000}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.o.Resolve()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Resolve: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Resolve: %v, want %q", err, tt.want)
			}
		})
	}
}

// TestWriteFilesStopsAtDeadline: a big input ends at the context's deadline,
// quickly, and leaves no file behind, whole or half.
func TestWriteFilesStopsAtDeadline(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := WriteFiles(ctx, dir, "big", Options{Sequences: 1e6, MinLen: 5000, MaxLen: 5000, Seed: 1})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("stopped after %s", d)
	}
	if left, _ := os.ReadDir(dir); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// TestWorkersEnd: the goroutines that fill batches ahead are gone when
// Write or WriteFiles returns, whether it finished, failed to write, or met
// its deadline.
func TestWorkersEnd(t *testing.T) {
	big := Options{Sequences: 2000, MinLen: 1000, MaxLen: 2000, Seed: 1} // enough for workers
	tests := []struct {
		name string
		run  func() error
	}{
		{"Write", func() error { _, err := Write(io.Discard, big); return err }},
		{"Write to a failing writer", func() error {
			if _, err := Write(failingWriter{}, big); err == nil {
				return errors.New("want the writer's error")
			}
			return nil
		}},
		{"WriteFiles at its deadline", func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			_, err := WriteFiles(ctx, t.TempDir(), "big", Options{Sequences: 1e6, MinLen: 5000, MaxLen: 5000, Seed: 1})
			if !errors.Is(err, context.DeadlineExceeded) {
				return fmt.Errorf("err = %v, want the deadline", err)
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4)) // workers even on one CPU
			before := runtime.NumGoroutine()
			if err := tt.run(); err != nil {
				t.Fatal(err)
			}
			// A worker that has called wg.Done is still counted until it
			// returns: give the joined ones a moment, not a leaked one.
			after := runtime.NumGoroutine()
			for deadline := time.Now().Add(time.Second); after > before && time.Now().Before(deadline); after = runtime.NumGoroutine() {
				time.Sleep(time.Millisecond)
			}
			if after > before {
				t.Errorf("%d goroutines after, %d before", after, before)
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }
