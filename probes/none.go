package probes

import "github.com/benchctl/benchctl/result"

func init() {
	Register(Registration{Name: "none", Open: func(Config) (Backend, error) { return None("--gpu-backend none"), nil }})
}

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
