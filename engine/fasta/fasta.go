// Package fasta writes deterministic synthetic FASTA for benchmarks. By default
// reads are built from codons with no stop codon in the first frame, so that, as
// with real viral reads, translated frames survive a stop-codon filter; uniform
// random bases leave almost no open frame at 300 bp.
package fasta

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Preset is a named input size.
type Preset struct {
	Sequences int
	MinLen    int
	MaxLen    int
}

// Presets are the named sizes of the validation plan.
var Presets = map[string]Preset{
	"tiny":    {10, 200, 500},
	"small":   {100, 200, 800},
	"medium":  {1000, 200, 1500},
	"large":   {10000, 100, 2000},
	"typical": {5000, 200, 2000},
	"full":    {45000, 200, 2000},
}

// PresetNames lists the presets, sorted by size.
func PresetNames() []string {
	names := make([]string, 0, len(Presets))
	for n := range Presets {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return Presets[names[i]].Sequences < Presets[names[j]].Sequences })
	return names
}

// Bounds on what may be generated, whoever asks: a count or length typed
// with a few zeros too many must be an error, not a full disk or an
// allocation that ends the process.
const (
	// MaxLen is the longest sequence, in bases: a sequence is built in
	// memory.
	MaxLen = 1 << 26
	// MaxBases is the most bases in all (sequences times max_len): 8 Gi,
	// about 8.6 GB of FASTA, far above the largest preset.
	MaxBases = 1 << 33
)

// Options say what to generate. Zero fields take the preset's values.
type Options struct {
	Preset       string
	Sequences    int
	MinLen       int
	MaxLen       int
	GC           float64 // GC fraction, 0 < GC < 1; default 0.5
	Seed         uint64
	Files        int    // split the sequences over this many files; default 1
	UniformBases bool   // uniform random bases instead of open reading frames
	Prefix       string // sequence id prefix; default "seq"
}

// Result describes what was written.
type Result struct {
	Paths     []string
	Sequences int
	Bases     int64
}

// Resolve fills defaults from the preset and validates the options.
func (o Options) Resolve() (Options, error) {
	if o.Preset != "" {
		p, ok := Presets[o.Preset]
		if !ok {
			return o, fmt.Errorf("unknown preset %q (known: %s)", o.Preset, strings.Join(PresetNames(), ", "))
		}
		if o.Sequences == 0 {
			o.Sequences = p.Sequences
		}
		if o.MinLen == 0 {
			o.MinLen = p.MinLen
		}
		if o.MaxLen == 0 {
			o.MaxLen = p.MaxLen
		}
	}
	if o.GC == 0 {
		o.GC = 0.5
	}
	if o.Files == 0 {
		o.Files = 1
	}
	if o.Prefix == "" {
		o.Prefix = "seq"
	}
	switch {
	case o.Sequences <= 0:
		return o, fmt.Errorf("sequences must be > 0 (give a preset or sequences)")
	case o.MinLen <= 0 || o.MaxLen < o.MinLen:
		return o, fmt.Errorf("lengths must satisfy 0 < min_len <= max_len, got %d..%d", o.MinLen, o.MaxLen)
	case o.MaxLen > MaxLen:
		return o, fmt.Errorf("max_len %d is over the limit of %d bases", o.MaxLen, MaxLen)
	case o.Sequences > MaxBases/o.MaxLen:
		return o, fmt.Errorf("%d sequences of up to %d bases are over the limit of %d bases in all", o.Sequences, o.MaxLen, MaxBases)
	case !(o.GC > 0 && o.GC < 1): // NaN included
		return o, fmt.Errorf("gc must be between 0 and 1 exclusive, got %g", o.GC)
	case o.Files < 1 || o.Files > o.Sequences:
		return o, fmt.Errorf("files must be between 1 and the sequence count, got %d", o.Files)
	}
	return o, nil
}

// WriteFiles generates the sequences into dir, as base.fa or base_NNN.fa when
// split over several files. Files are written to a temporary name and renamed,
// so a reader never sees half a file. When ctx ends first, it stops within a
// few milliseconds, removes what it had begun and returns ctx's error.
func WriteFiles(ctx context.Context, dir, base string, o Options) (Result, error) {
	o, err := o.Resolve()
	if err != nil {
		return Result{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Result{}, fmt.Errorf("creating data dir: %w", err)
	}
	g := newGen(o)
	defer g.close()
	res := Result{Sequences: o.Sequences}
	per := (o.Sequences + o.Files - 1) / o.Files
	for f := 0; f < o.Files; f++ {
		name := base + ".fa"
		if o.Files > 1 {
			name = fmt.Sprintf("%s_%03d.fa", base, f)
		}
		path := filepath.Join(dir, name)
		n := min(per, o.Sequences-f*per)
		bases, err := writeAtomic(path, func(w io.Writer) (int64, error) { return g.write(ctx, w, n) })
		if err != nil {
			return Result{}, err
		}
		res.Bases += bases
		res.Paths = append(res.Paths, path)
	}
	return res, nil
}

// Write generates every sequence into w.
func Write(w io.Writer, o Options) (Result, error) {
	o, err := o.Resolve()
	if err != nil {
		return Result{}, err
	}
	g := newGen(o)
	defer g.close()
	bases, err := g.write(context.Background(), w, o.Sequences)
	return Result{Sequences: o.Sequences, Bases: bases}, err
}

func writeAtomic(path string, fill func(io.Writer) (int64, error)) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".fasta-*")
	if err != nil {
		return 0, fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	n, err := fill(tmp) // in chunks of writeChunk: no buffer needed
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return 0, fmt.Errorf("writing %s: %w", path, err)
	}
	return n, nil
}

// gen writes sequences: its stream is the one PCG stream that lengths and
// bases are taken from, in turn. close ends the goroutines it may start.
type gen struct {
	o         Options
	s         *stream
	rng       *rand.Rand // over s: lengths, as IntN draws them
	threshold uint64     // the GC bound, for baseIndex
	next      int        // the last sequence number written
	out       []byte     // headers and sequences not yet written
}

func newGen(o Options) *gen {
	// About two values a base, and a few more for redrawn stop codons.
	about := int64(o.Sequences) * int64(o.MinLen+o.MaxLen)
	s := newStream(pcg{hi: o.Seed, lo: 0x62656e6368}, about)
	return &gen{o: o, s: s, rng: rand.New(s), threshold: gcThreshold(o.GC)}
}

func (g *gen) close() { g.s.close() }

// appendHeader appends the sequence's header line, as fmt's
// ">%s_%06d len=%d\n" of the prefix, the sequence number and length would.
func (g *gen) appendHeader(h []byte, length int) []byte {
	h = append(h, '>')
	h = append(h, g.o.Prefix...)
	h = append(h, '_')
	var digits [20]byte
	d := strconv.AppendInt(digits[:0], int64(g.next), 10)
	for range 6 - len(d) {
		h = append(h, '0')
	}
	h = append(h, d...)
	h = append(h, " len="...)
	h = strconv.AppendInt(h, int64(length), 10)
	return append(h, '\n')
}

// appendSequence draws the next sequence and appends its header and line.
func (g *gen) appendSequence(out []byte) ([]byte, int) {
	g.next++
	length := g.o.MinLen + g.rng.IntN(g.o.MaxLen-g.o.MinLen+1)
	out = g.appendHeader(out, length)
	out = slices.Grow(out, length+1)
	seq := out[len(out) : len(out)+length+1]
	if g.o.UniformBases {
		g.s.uniformBases(seq[:length], g.threshold)
	} else {
		g.s.orfBases(seq, length, g.threshold)
	}
	seq[length] = '\n'
	out = out[:len(out)+length+1]
	return out, length
}

// Output is written in chunks of about writeChunk bytes, one Write each; the
// context is looked at before each.
const writeChunk = 1 << 20

// write generates n sequences into w and returns how many bases it wrote.
func (g *gen) write(ctx context.Context, w io.Writer, n int) (int64, error) {
	var total int64
	out := g.out[:0]
	for i := 0; i < n; i++ {
		if len(out) >= writeChunk || i == 0 {
			if err := ctx.Err(); err != nil {
				return total, err
			}
			if len(out) > 0 {
				if _, err := w.Write(out); err != nil {
					return total, err
				}
			}
			out = out[:0]
		}
		var length int
		out, length = g.appendSequence(out)
		total += int64(length)
	}
	_, err := w.Write(out)
	g.out = out[:0]
	return total, err
}
