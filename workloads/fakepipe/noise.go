package main

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// timeScale multiplies every simulated pause of this process: 1 unless
// --time-noise drew another factor for this run (a worker gets its parent's).
var timeScale = 1.0

// flagWorkerTimeScale hands the parent's factor to its workers.
const flagWorkerTimeScale = "worker-time-scale"

// drawTimeScale sets timeScale for this run from --time-noise: e^(noise*z),
// z standard normal, so run-to-run times spread by about noise (10% noise:
// a standard deviation of about 10%). z comes from a PCG seeded by
// --noise-seed and the number of runs before this one, counted in a file
// beside the output folder: consecutive runs into the same work folder draw
// different factors, and the same sequence again for the same seed.
func (o *options) drawTimeScale() error {
	if o.worker() || o.timeNoise == 0 {
		return nil
	}
	counter := filepath.Join(filepath.Dir(filepath.Clean(o.outDir)), fmt.Sprintf(".fakepipe-noise-%d", o.noiseSeed))
	n := uint64(0)
	data, err := os.ReadFile(counter)
	switch {
	case err == nil:
		if n, err = strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64); err != nil {
			return fmt.Errorf("noise counter %s: %w", counter, err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("noise counter: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(counter), 0o755); err != nil {
		return fmt.Errorf("noise counter: %w", err)
	}
	if err := os.WriteFile(counter, []byte(strconv.FormatUint(n+1, 10)), 0o644); err != nil {
		return fmt.Errorf("noise counter: %w", err)
	}
	rng := rand.New(rand.NewPCG(o.noiseSeed, n))
	timeScale = math.Exp(o.timeNoise * rng.NormFloat64())
	return nil
}
