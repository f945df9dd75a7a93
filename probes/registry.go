package probes

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Factory opens a backend. It returns an error wrapping ErrUnavailable when the
// backend cannot be used here.
type Factory func(Config) (Backend, error)

// Registration is what a backend registers: its name, how to open it, and the
// command-line flags that configure it.
type Registration struct {
	// Name is what --gpu-backend calls it.
	Name string
	// Open opens the backend.
	Open Factory
	// Flags are the backend's own settings. Their names are global to the
	// command line: prefix them with the backend's name ("sim-gpus").
	Flags []Flag
	// Auto makes "auto" try this backend: the first of the auto backends (by
	// name) that opens is used, and none, with their reasons, when none opens.
	Auto bool
}

// Flag is a command-line flag of a backend. The CLI offers the flags of every
// registered backend, checks every value with Parse before a backend opens,
// and hands the values to the chosen backend in Config.Flags.
type Flag struct {
	Name    string // without dashes
	Default string
	Usage   string
	// Parse checks a value and returns its canonical form, in which equal
	// settings compare equal ("80GiB" and "85899345920"); a resumed run
	// compares flags so. The error is one line, without the flag's name. nil
	// takes any value as it is.
	Parse func(string) (string, error)
}

// Canonical returns v checked and in canonical form (see Parse).
func (f Flag) Canonical(v string) (string, error) {
	if f.Parse == nil {
		return strings.TrimSpace(v), nil
	}
	return f.Parse(v)
}

var (
	mu            sync.Mutex
	registrations = map[string]Registration{}
)

// Register makes a backend available. Backends call it from init; a name
// registered twice panics.
func Register(r Registration) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registrations[r.Name]; dup || r.Name == "auto" {
		panic("probes: backend registered twice: " + r.Name)
	}
	registrations[r.Name] = r
}

func registration(name string) Registration {
	mu.Lock()
	defer mu.Unlock()
	return registrations[name]
}

// sorted returns the registrations by name.
func sorted() []Registration {
	mu.Lock()
	defer mu.Unlock()
	out := make([]Registration, 0, len(registrations))
	for _, r := range registrations {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Registration) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// Names lists "auto" and the registered backends, by name.
func Names() []string {
	names := []string{"auto"}
	for _, r := range sorted() {
		names = append(names, r.Name)
	}
	return names
}

// AutoNames lists the backends "auto" tries, in order.
func AutoNames() []string {
	var names []string
	for _, r := range sorted() {
		if r.Auto {
			names = append(names, r.Name)
		}
	}
	return names
}

// Flags lists the flags of every registered backend, by backend name, each
// backend's in the order it registered them.
func Flags() []Flag {
	var flags []Flag
	for _, r := range sorted() {
		flags = append(flags, r.Flags...)
	}
	return flags
}

// Open opens the named backend. "auto" opens the first auto backend that
// opens (nvml when a GPU is there); when every one says there is no GPU here
// (an error wrapping ErrUnavailable) it returns the none backend with their
// reasons, and any other error of an auto backend (a GPU in cfg.Select that
// does not exist, say) is returned: a run must not go GPU-less because its
// GPU selection was wrong. An unknown name is an error naming the known ones.
func Open(name string, cfg Config) (Backend, error) {
	if name == "" || name == "auto" {
		return openAuto(cfg)
	}
	r := registration(name)
	if r.Open == nil {
		return nil, fmt.Errorf("unknown gpu backend %q (known: %v)", name, Names())
	}
	return r.Open(cfg)
}

func openAuto(cfg Config) (Backend, error) {
	var reasons []string
	for _, name := range AutoNames() {
		b, err := registration(name).Open(cfg)
		if err == nil {
			return b, nil
		}
		if !IsUnavailable(err) {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		reasons = append(reasons, err.Error())
	}
	if len(reasons) == 0 {
		return None(fmt.Errorf("%w: no backend for auto is compiled in", ErrUnavailable).Error()), nil
	}
	return None(strings.Join(reasons, "; ")), nil
}

// IsUnavailable reports whether err means "no GPU here".
func IsUnavailable(err error) bool { return errors.Is(err, ErrUnavailable) }
