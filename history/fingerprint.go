package history

import (
	"fmt"
	"slices"
	"strings"

	"github.com/benchctl/benchctl/result"
)

// Fingerprint is what a run's figures depend on besides the code under test:
// the GPUs and their software. Runs with different fingerprints are not
// compared silently (see Diff).
type Fingerprint struct {
	Backend    string  `json:"gpu_backend"`
	GPUModel   string  `json:"gpu_model"` // the models, "+"-joined when they differ
	GPUCount   int     `json:"gpu_count"`
	Driver     string  `json:"driver"`
	CUDA       string  `json:"cuda"`
	PowerLimit float64 `json:"power_limit_w"` // the lowest of the GPUs; 0 when NVML gives none
	// Host, Version and Pipeline are recorded and shown but do not make two
	// runs incomparable: the version and the pipeline are what is being
	// measured, and a pool of identical hosts is one environment.
	Host     string `json:"host"`
	Version  string `json:"benchctl_version"`
	Pipeline string `json:"pipeline"`
}

// FingerprintOf reads the fingerprint of a report. pipeline is the pipeline
// command (the pipeline var of a run, the command of a monitor).
func FingerprintOf(rep *result.Report, pipeline string) Fingerprint {
	env := rep.Environment
	f := Fingerprint{Backend: env.GPUBackend, GPUCount: len(env.GPUs), Host: env.Hostname,
		Version: rep.Tool.Version, Pipeline: pipeline}
	var models []string
	for _, g := range env.GPUs {
		if !slices.Contains(models, g.Name) {
			models = append(models, g.Name)
		}
		f.Driver, f.CUDA = firstNonEmpty(f.Driver, g.Driver), firstNonEmpty(f.CUDA, g.CUDA)
		if g.PowerLimitW > 0 && (f.PowerLimit == 0 || g.PowerLimitW < f.PowerLimit) {
			f.PowerLimit = g.PowerLimitW
		}
	}
	f.GPUModel = strings.Join(models, "+")
	if f.Version == "" {
		f.Version = env.Version
	}
	return f
}

// Diff names the fields that make two fingerprints incomparable, as
// "driver 550.54 vs 580.65"; none when they can be compared.
func Diff(a, b Fingerprint) []string {
	var d []string
	add := func(name, x, y string) {
		if x != y {
			d = append(d, fmt.Sprintf("%s %s vs %s", name, orNone(x), orNone(y)))
		}
	}
	add("gpu backend", a.Backend, b.Backend)
	add("gpu model", a.GPUModel, b.GPUModel)
	add("gpu count", fmt.Sprint(a.GPUCount), fmt.Sprint(b.GPUCount))
	add("driver", a.Driver, b.Driver)
	add("cuda", a.CUDA, b.CUDA)
	add("power limit", watts(a.PowerLimit), watts(b.PowerLimit))
	return d
}

func watts(w float64) string {
	if w == 0 {
		return ""
	}
	return fmt.Sprintf("%g W", w)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
