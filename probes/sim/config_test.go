package sim

import (
	"strings"
	"testing"

	"github.com/benchctl/benchctl/probes"
)

// The sim backend reads its flags into its GPUs.
func TestOpenFlags(t *testing.T) {
	tests := []struct {
		name    string
		flags   map[string]string
		gpus    int
		mem     uint64
		wantErr string
	}{
		{"defaults", nil, DefaultGPUs, DefaultMemory, ""},
		{"sized", map[string]string{"sim-gpus": "2", "sim-memory": "16GiB"}, 2, 16 << 30, ""},
		{"zero count is the default", map[string]string{"sim-gpus": "0"}, DefaultGPUs, DefaultMemory, ""},
		{"bad count", map[string]string{"sim-gpus": "two"}, 0, 0, "--sim-gpus"},
		{"negative count", map[string]string{"sim-gpus": "-1"}, 0, 0, "must be positive"},
		{"bad memory", map[string]string{"sim-memory": "lots"}, 0, 0, "--sim-memory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := openFlags(probes.Config{Flags: tt.flags})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to say %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			devs := b.Devices()
			if len(devs) != tt.gpus || devs[0].MemoryTotal != tt.mem {
				t.Errorf("got %d GPUs of %d bytes, want %d of %d", len(devs), devs[0].MemoryTotal, tt.gpus, tt.mem)
			}
		})
	}
}
