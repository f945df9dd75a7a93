package fasta

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"testing"
)

// TestGoldenOutput holds the generator's output byte for byte: the SHA-256 of
// what Write gives for a few presets, seeds and options. A faster generator
// must give the same bytes for the same seed and options; a deliberate change
// of the output updates these sums and says so in its commit.
func TestGoldenOutput(t *testing.T) {
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"tiny seed 1", Options{Preset: "tiny", Seed: 1},
			"d17bf9f92ffe402e3fdd9a4993e604d3adf471cae42c96ee7fecc68c808c1bf2"},
		{"small seed 42", Options{Preset: "small", Seed: 42},
			"63e560695ba0efc81d689d9098164f8dd1d0682e96a0261d9f471c3c4240b91d"},
		{"medium seed 7 gc 0.6", Options{Preset: "medium", Seed: 7, GC: 0.6},
			"7e1e95b332c43608f169dcbcd5e7dff11f0785e8956d0675d8751cbbd2e141a5"},
		{"small uniform seed 3", Options{Preset: "small", Seed: 3, UniformBases: true},
			"409e368ac768ac5bc6a7a32e693f2c78a09dd6c4d225e02a0c8675abbd46c2b9"},
		{"custom lengths prefix", Options{Sequences: 50, MinLen: 1, MaxLen: 5000, Seed: 9, Prefix: "read"},
			"f40e97c54c6822a12c93cd0d84a3258d0499392f21e9a47a76e0bf79514d2f7b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := sha256.New()
			if _, err := Write(h, tt.o); err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(h.Sum(nil)); got != tt.want {
				t.Errorf("sha256 = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestGoldenSplit holds the files of a split run: their concatenation is what
// one file of the same seed and options holds.
func TestGoldenSplit(t *testing.T) {
	o := Options{Preset: "small", Seed: 42}
	one := sha256.New()
	if _, err := Write(one, o); err != nil {
		t.Fatal(err)
	}
	o.Files = 3
	dir := t.TempDir()
	res, err := WriteFiles(context.Background(), dir, "split", o)
	if err != nil {
		t.Fatal(err)
	}
	all := sha256.New()
	for _, p := range res.Paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	if got, want := hex.EncodeToString(all.Sum(nil)), hex.EncodeToString(one.Sum(nil)); got != want {
		t.Errorf("split files hash %s, one file %s", got, want)
	}
}
