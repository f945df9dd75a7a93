package fasta

import (
	"io"
	"math"
	"testing"
)

// TestExpectedSize: the expected size is within a fraction of a percent of
// what is written, exact where lengths are fixed, and refuses what Resolve
// refuses.
func TestExpectedSize(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		tol  float64 // relative
	}{
		{"fixed lengths", Options{Sequences: 1234, MinLen: 150, MaxLen: 150, Prefix: "read"}, 0},
		{"over a million reads", Options{Sequences: 1_000_123, MinLen: 5, MaxLen: 5}, 0},
		{"typical", Options{Preset: "typical", Seed: 1}, 0.02},
		{"lengths 1 to 10000", Options{Sequences: 2000, MinLen: 1, MaxLen: 10000, Seed: 3}, 0.05},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := ExpectedSize(tt.o)
			if err != nil {
				t.Fatal(err)
			}
			var c countWriter
			if _, err := Write(&c, tt.o); err != nil {
				t.Fatal(err)
			}
			if got := float64(c); math.Abs(got-want) > tt.tol*got {
				t.Errorf("expected %.0f bytes, wrote %.0f", want, got)
			}
		})
	}
	if _, err := ExpectedSize(Options{Preset: "huge"}); err == nil {
		t.Error("unknown preset: want an error")
	}
}

type countWriter int64

func (c *countWriter) Write(b []byte) (int, error) { *c += countWriter(len(b)); return len(b), nil }

var _ io.Writer = (*countWriter)(nil)
