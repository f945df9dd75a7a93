package fasta

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"syscall"
	"testing"
)

// referenceWrite is the generator as it was first written, one value at a
// time from math/rand/v2 and fmt for the headers: what the output means.
// The fast generator must give its bytes exactly (TestMatchesReference), and
// BenchmarkWriteTypical runs both, so the speed-up is read from one run.
func referenceWrite(w io.Writer, o Options) error {
	o, err := o.Resolve()
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	rng := rand.New(rand.NewPCG(o.Seed, 0x62656e6368))
	base := func() byte {
		if rng.Float64() < o.GC {
			if rng.IntN(2) == 0 {
				return 'G'
			}
			return 'C'
		}
		if rng.IntN(2) == 0 {
			return 'A'
		}
		return 'T'
	}
	seq := make([]byte, 0, o.MaxLen+1)
	for i := 1; i <= o.Sequences; i++ {
		length := o.MinLen + rng.IntN(o.MaxLen-o.MinLen+1)
		seq = seq[:0]
		for len(seq) < length {
			if o.UniformBases || length-len(seq) < 3 {
				seq = append(seq, base())
				continue
			}
			a, b, c := base(), base(), base()
			for isStop(a, b, c) {
				a, b, c = base(), base(), base()
			}
			seq = append(seq, a, b, c)
		}
		fmt.Fprintf(bw, ">%s_%06d len=%d\n", o.Prefix, i, length)
		bw.Write(append(seq, '\n'))
	}
	return bw.Flush()
}

// cpuSeconds is the process's user and system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func isStop(a, b, c byte) bool {
	return a == 'T' && ((b == 'A' && (c == 'A' || c == 'G')) || (b == 'G' && c == 'A'))
}

// TestMatchesReference: the fast generator gives the reference's bytes over
// options the goldens do not cover: every GC bound, lengths that end on each
// codon phase, uniform and open frames, long reads over several batches of
// draws and output chunks.
func TestMatchesReference(t *testing.T) {
	tests := []struct {
		name string
		o    Options
	}{
		{"lengths 1 to 7", Options{Sequences: 300, MinLen: 1, MaxLen: 7, Seed: 11}},
		{"lengths 1 to 7 uniform", Options{Sequences: 300, MinLen: 1, MaxLen: 7, Seed: 11, UniformBases: true}},
		{"gc 0.01", Options{Sequences: 20, MinLen: 100, MaxLen: 3000, Seed: 5, GC: 0.01}},
		{"gc 0.99", Options{Sequences: 20, MinLen: 100, MaxLen: 3000, Seed: 5, GC: 0.99}},
		{"gc 1/3", Options{Sequences: 20, MinLen: 100, MaxLen: 3000, Seed: 5, GC: 1.0 / 3}},
		{"gc smallest", Options{Sequences: 5, MinLen: 1000, MaxLen: 1000, Seed: 8, GC: 0x1p-53}},
		{"gc largest", Options{Sequences: 5, MinLen: 1000, MaxLen: 1000, Seed: 8, GC: 1 - 0x1p-53}},
		{"long reads over several chunks", Options{Sequences: 3, MinLen: 900_000, MaxLen: 1_100_000, Seed: 2}},
		{"typical seed 1", Options{Preset: "typical", Seed: 1}},
		{"seed max", Options{Preset: "small", Seed: ^uint64(0)}},
		{"one base", Options{Sequences: 1000, MinLen: 1, MaxLen: 1, Seed: 4}},
		{"files split", Options{Preset: "medium", Seed: 3, Files: 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want, got bytes.Buffer
			if err := referenceWrite(&want, tt.o); err != nil {
				t.Fatal(err)
			}
			if _, err := Write(&got, tt.o); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				i := 0
				for i < min(got.Len(), want.Len()) && got.Bytes()[i] == want.Bytes()[i] {
					i++
				}
				t.Fatalf("output differs from the reference at byte %d of %d (got %d bytes)", i, want.Len(), got.Len())
			}
		})
	}
}

// TestPCGStream: the batched stream is math/rand/v2's PCG value for value,
// across batches, filled in turn or ahead by several workers.
func TestPCGStream(t *testing.T) {
	sources := map[string]func(p pcg) batchSource{
		"serial":    func(p pcg) batchSource { return &serialSource{s: stateOf(p, 0)} },
		"1 worker":  func(p pcg) batchSource { return newParallelSource(p, 1) },
		"3 workers": func(p pcg) batchSource { return newParallelSource(p, 3) },
	}
	for name, newSource := range sources {
		for _, seed := range []uint64{0, 42, ^uint64(0)} {
			t.Run(fmt.Sprint(name, " seed ", seed), func(t *testing.T) {
				p := pcg{hi: seed, lo: 0x62656e6368}
				want := rand.NewPCG(p.hi, p.lo)
				s := streamFrom(newSource(p))
				defer s.close()
				for i := range 7*batchLen + 3 {
					if g, w := s.Uint64(), want.Uint64(); g != w {
						t.Fatalf("value %d: %#x, want %#x", i, g, w)
					}
				}
			})
		}
	}
}

// BenchmarkWriteTypical writes the typical preset (5,000 reads of 200 to
// 2,000 bp) to memory; MB/s is in bases. "fast" uses every CPU, "fast_1cpu"
// one (GOMAXPROCS=1: no worker goroutines), and "reference" is the first
// generator, for the ratio on the same machine at the same moment.
// cpu-MB/s divides by the process's CPU time instead of the wall clock: on a
// machine shared with other work it still tells what a core does.
func BenchmarkWriteTypical(b *testing.B) {
	o := Options{Preset: "typical", Seed: 1}
	ro, _ := o.Resolve()
	var buf bytes.Buffer
	for _, impl := range []struct {
		name  string
		write func(io.Writer, Options) error
	}{
		{"fast", func(w io.Writer, o Options) error { _, err := Write(w, o); return err }},
		{"fast_1cpu", func(w io.Writer, o Options) error {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
			_, err := Write(w, o)
			return err
		}},
		{"reference", referenceWrite},
	} {
		b.Run(impl.name, func(b *testing.B) {
			res, _ := Write(io.Discard, ro)
			b.SetBytes(res.Bases)
			cpu := cpuSeconds()
			for b.Loop() {
				buf.Reset()
				if err := impl.write(&buf, o); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(res.Bases)*float64(b.N)/(cpuSeconds()-cpu)/1e6, "cpu-MB/s")
		})
	}
}
