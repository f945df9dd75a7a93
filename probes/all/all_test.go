package all

import (
	"slices"
	"testing"

	"github.com/benchctl/benchctl/probes"
)

// Every backend is registered once, with its flags, and auto tries nvml.
func TestRegistered(t *testing.T) {
	if got, want := probes.Names(), []string{"auto", "none", "nvml", "sim"}; !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	if got, want := probes.AutoNames(), []string{"nvml"}; !slices.Equal(got, want) {
		t.Errorf("AutoNames() = %v, want %v", got, want)
	}
	var flags []string
	for _, f := range probes.Flags() {
		flags = append(flags, f.Name)
	}
	if want := []string{"sim-gpus", "sim-memory", "sim-gpm"}; !slices.Equal(flags, want) {
		t.Errorf("Flags() = %v, want %v", flags, want)
	}
}

// Every backend opens through the registry with the defaults of its flags, or
// says it is unavailable here.
func TestOpenEach(t *testing.T) {
	for _, name := range probes.Names() {
		t.Run(name, func(t *testing.T) {
			b, err := probes.Open(name, probes.Config{})
			if probes.IsUnavailable(err) {
				t.Skipf("%s: %v", name, err)
			}
			if err != nil {
				t.Fatalf("Open(%q): %v", name, err)
			}
			defer b.Close()
			if name != "auto" && b.Name() != name {
				t.Errorf("Open(%q).Name() = %q", name, b.Name())
			}
		})
	}
}
