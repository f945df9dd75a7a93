package main

import (
	"math"
	"path/filepath"
	"testing"
)

// drawScales draws n consecutive run factors into one work folder.
func drawScales(t *testing.T, dir string, noise float64, seed uint64, n int) []float64 {
	t.Helper()
	defer func() { timeScale = 1 }()
	var out []float64
	for i := 0; i < n; i++ {
		o := &options{outDir: filepath.Join(dir, "cfg"), timeNoise: noise, noiseSeed: seed}
		if err := o.drawTimeScale(); err != nil {
			t.Fatal(err)
		}
		out = append(out, timeScale)
	}
	return out
}

func TestDrawTimeScale(t *testing.T) {
	tests := []struct {
		name  string
		noise float64
		check func(t *testing.T, a, b, other []float64)
	}{
		{"no noise keeps every run at 1", 0, func(t *testing.T, a, _, _ []float64) {
			for _, x := range a {
				if x != 1 {
					t.Fatalf("scale %g without noise", x)
				}
			}
		}},
		{"10% noise spreads by about 10%, reproducibly", 0.10, func(t *testing.T, a, b, other []float64) {
			var s, ss float64
			for i, x := range a {
				if x != b[i] {
					t.Fatalf("run %d: %g then %g for the same seed", i, x, b[i])
				}
				s += math.Log(x)
				ss += math.Log(x) * math.Log(x)
			}
			n := float64(len(a))
			sd := math.Sqrt(ss/n - (s/n)*(s/n))
			if sd < 0.08 || sd > 0.12 {
				t.Errorf("spread of log factors %.3f, want about 0.10", sd)
			}
			if a[0] == a[1] || a[0] == other[0] {
				t.Errorf("runs or seeds draw the same factor: %g %g %g", a[0], a[1], other[0])
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := drawScales(t, t.TempDir(), tt.noise, 3, 400)
			b := drawScales(t, t.TempDir(), tt.noise, 3, 400)
			other := drawScales(t, t.TempDir(), tt.noise, 4, 1)
			tt.check(t, a, b, other)
		})
	}
}
