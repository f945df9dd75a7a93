package probes

import (
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/benchctl/benchctl/result"
)

// Factory opens a backend. It returns an error wrapping ErrUnavailable when the
// backend cannot be used here.
type Factory func(Config) (Backend, error)

var (
	mu        sync.Mutex
	factories = map[string]Factory{}
)

// Register makes a backend available under name. Backends call it from init.
func Register(name string, f Factory) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := factories[name]; dup {
		panic("probes: backend registered twice: " + name)
	}
	factories[name] = f
}

// Names lists the registered backends and the "auto" and "none" pseudo-backends.
func Names() []string {
	mu.Lock()
	defer mu.Unlock()
	names := []string{"auto", "none"}
	for n := range factories {
		names = append(names, n)
	}
	sort.Strings(names[2:])
	return names
}

// Open opens the named backend. "auto" opens nvml when a GPU is there and
// otherwise returns the none backend with the reason nvml gave; "none" sees no
// GPUs. An unknown name is an error naming the known ones.
func Open(name string, cfg Config) (Backend, error) {
	switch name {
	case "", "auto":
		b, err := open("nvml", cfg)
		if err == nil {
			return b, nil
		}
		return None(err.Error()), nil
	case "none":
		return None("--gpu-backend none"), nil
	}
	return open(name, cfg)
}

func open(name string, cfg Config) (Backend, error) {
	mu.Lock()
	f, ok := factories[name]
	mu.Unlock()
	if !ok {
		if name == "nvml" {
			return nil, fmt.Errorf("%w: nvml support not compiled in", ErrUnavailable)
		}
		return nil, fmt.Errorf("unknown gpu backend %q (known: %v)", name, Names())
	}
	return f(cfg)
}

// IsUnavailable reports whether err means "no GPU here".
func IsUnavailable(err error) bool { return errors.Is(err, ErrUnavailable) }

// NoneBackend sees no GPUs. Reason says why, for reports and `benchctl gpus`.
type NoneBackend struct{ Reason string }

var _ Backend = (*NoneBackend)(nil)

// None returns a backend that sees no GPUs, for the given reason.
func None(reason string) *NoneBackend { return &NoneBackend{Reason: reason} }

// Name implements Backend.
func (*NoneBackend) Name() string { return "none" }

// Devices implements Backend: there are none.
func (*NoneBackend) Devices() []result.GPUInfo { return nil }

// Sample implements Backend: an empty snapshot.
func (*NoneBackend) Sample() (Snapshot, error) { return Snapshot{}, nil }

// Close implements Backend.
func (*NoneBackend) Close() error { return nil }
