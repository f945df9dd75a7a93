package sim

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/benchctl/benchctl/engine/units"
	"github.com/benchctl/benchctl/probes"
)

func init() {
	probes.Register(probes.Registration{Name: "sim", Open: openFlags, Flags: flags})
}

// Config is what the sim backend is opened with.
type Config struct {
	// Select lists GPUs by index or UUID; empty means all.
	Select []string
	// Dir is the state directory; empty means a new temporary one.
	Dir string
	// GPUs and Memory size the simulated GPUs (count, bytes each); zero means
	// DefaultGPUs and DefaultMemory.
	GPUs   int
	Memory uint64
	// NoGPM simulates GPUs without performance monitoring (before Hopper).
	NoGPM bool
}

// flags are the sim backend's command-line flags.
var flags = []probes.Flag{
	{Name: "sim-gpus", Default: strconv.Itoa(DefaultGPUs), Usage: "simulated GPUs for --gpu-backend sim", Parse: parseCount},
	{Name: "sim-memory", Default: "80GiB", Usage: "memory of each simulated GPU", Parse: parseMemory},
	{Name: "sim-gpm", Default: "true", Usage: "simulated GPUs have GPM figures (SM activity, tensor activity) as Hopper has", Parse: parseBool},
}

func parseBool(v string) (string, error) {
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		return "", fmt.Errorf("invalid value %q (want true or false)", v)
	}
	return strconv.FormatBool(b), nil
}

func parseCount(v string) (string, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return "", fmt.Errorf("invalid count %q (want a whole number)", v)
	}
	return strconv.Itoa(n), nil
}

func parseMemory(v string) (string, error) {
	n, err := units.ParseSize(v)
	if err != nil {
		return "", err
	}
	return strconv.FormatUint(n, 10), nil
}

// openFlags is the registered factory: it reads the flags into a Config.
func openFlags(cfg probes.Config) (probes.Backend, error) {
	c := Config{Select: cfg.Select}
	if v := cfg.Flags["sim-gpus"]; v != "" {
		n, err := parseCount(v)
		if err != nil {
			return nil, fmt.Errorf("sim: --sim-gpus: %w", err)
		}
		c.GPUs, _ = strconv.Atoi(n)
	}
	if v := cfg.Flags["sim-memory"]; v != "" {
		mem, err := units.ParseSize(v)
		if err != nil {
			return nil, fmt.Errorf("sim: --sim-memory: %w", err)
		}
		c.Memory = mem
	}
	if v := cfg.Flags["sim-gpm"]; v != "" {
		b, err := parseBool(v)
		if err != nil {
			return nil, fmt.Errorf("sim: --sim-gpm: %w", err)
		}
		c.NoGPM = b == "false"
	}
	return New(c)
}
