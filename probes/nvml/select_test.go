package nvml

import (
	"slices"
	"strings"
	"testing"

	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/result"
)

func TestSelect(t *testing.T) {
	m := h100(4) // UUIDs GPU-001b2c3d-..., GPU-011b2c3d-..., GPU-021b..., GPU-031b...
	tests := []struct {
		name    string
		sel     []string
		want    []int
		wantErr string
	}{
		{"all", nil, []int{0, 1, 2, 3}, ""},
		{"indexes sorted and deduplicated", []string{"3", " 1", "3"}, []int{1, 3}, ""},
		{"full uuid", []string{m.GPUs[2].UUID}, []int{2}, ""},
		{"uuid any case", []string{strings.ToUpper(m.GPUs[2].UUID)}, []int{2}, ""},
		{"uuid prefix", []string{"GPU-01"}, []int{1}, ""},
		{"index and uuid", []string{"0", "GPU-03"}, []int{0, 3}, ""},
		{"unknown index", []string{"7"}, nil, "no gpu with nvml index 7"},
		{"negative index", []string{"-1"}, nil, "no gpu with nvml index -1"},
		{"unknown uuid", []string{"GPU-ffff"}, nil, "no gpu with this uuid"},
		{"ambiguous prefix", []string{"GPU-0"}, nil, "more than one gpu"},
		{"bare prefix", []string{"GPU-"}, nil, "not an index"},
		{"mig", []string{"MIG-5c3b1a2e-1111-2222-3333-444455556666"}, nil, "mig instances"},
		{"garbage", []string{"first"}, nil, "not an index"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CUDA_VISIBLE_DEVICES", "")
			b, err := NewWithLib(newFakeLib(m), probes.Config{Select: tt.sel})
			if tt.wantErr != "" {
				if err == nil {
					b.Close()
					t.Fatalf("selected %v, want error %q", b.Devices(), tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "0="+m.GPUs[0].UUID) {
					t.Errorf("error %q: want %q and the list of gpus", err, tt.wantErr)
				}
				if probes.IsUnavailable(err) {
					t.Errorf("a bad selection is a usage error, not unavailable: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			if got := indexes(b.Devices()); !slices.Equal(got, tt.want) {
				t.Errorf("selected %v, want %v", got, tt.want)
			}
			snap, err := b.Sample()
			if err != nil {
				t.Fatal(err)
			}
			var sampled []int
			for _, s := range snap.GPUs {
				sampled = append(sampled, s.Index)
			}
			if !slices.Equal(sampled, tt.want) {
				t.Errorf("sampled %v, want %v", sampled, tt.want)
			}
			if len(b.AllDevices()) != 4 {
				t.Errorf("AllDevices has %d gpus, want 4", len(b.AllDevices()))
			}
		})
	}
}

func TestSelectFromCUDAVisible(t *testing.T) {
	m := h100(4)
	tests := []struct {
		name, env string
		sel       []string
		want      []int
		wantErr   bool
	}{
		{"unset means all", "", nil, []int{0, 1, 2, 3}, false},
		{"ordinals", "2,1", nil, []int{1, 2}, false},
		{"uuid", m.GPUs[3].UUID, nil, []int{3}, false},
		{"explicit selection wins", "2", []string{"0"}, []int{0}, false},
		{"invalid", "9", nil, nil, true},
		{"only mig", "MIG-5c3b1a2e-1111-2222-3333-444455556666", nil, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CUDA_VISIBLE_DEVICES", tt.env)
			b, err := NewWithLib(newFakeLib(m), probes.Config{Select: tt.sel})
			if tt.wantErr {
				if err == nil {
					b.Close()
					t.Fatal("want an error")
				}
				if !strings.Contains(err.Error(), "CUDA_VISIBLE_DEVICES") {
					t.Errorf("error %q does not name CUDA_VISIBLE_DEVICES", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			if got := indexes(b.Devices()); !slices.Equal(got, tt.want) {
				t.Errorf("selected %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMapCUDAVisible(t *testing.T) {
	// Given out of order on purpose: ordinals follow NVML index order.
	devs := []result.GPUInfo{
		{Index: 2, UUID: "GPU-cccc0000-0000-0000-0000-000000000002"},
		{Index: 0, UUID: "GPU-aaaa0000-0000-0000-0000-000000000000"},
		{Index: 1, UUID: "GPU-abbb0000-0000-0000-0000-000000000001"},
		{Index: 3, UUID: "GPU-dddd0000-0000-0000-0000-000000000003"},
	}
	tests := []struct {
		name, env string
		want      []int
		wantErr   string
	}{
		{"empty", "", []int{}, ""},
		{"blank", "  ", []int{}, ""},
		{"ordinals keep cuda order", "3,0,2", []int{3, 0, 2}, ""},
		{"spaces", " 1 , 2 ", []int{1, 2}, ""},
		{"full uuids", "GPU-dddd0000-0000-0000-0000-000000000003,GPU-aaaa0000-0000-0000-0000-000000000000", []int{3, 0}, ""},
		{"uuid prefixes", "GPU-c,GPU-ab", []int{2, 1}, ""},
		{"uuid upper case", "GPU-CCCC", []int{2}, ""},
		{"mixed", "GPU-dd,1", []int{3, 1}, ""},
		{"mig ignored", "MIG-5c3b1a2e-1111-2222-3333-444455556666,0", []int{0}, ""},
		{"ordinal out of range stops", "1,4,2", []int{1}, "cuda ordinal 4"},
		{"minus one hides all", "-1", []int{}, "cuda ordinal -1"},
		{"ambiguous prefix stops", "3,GPU-a", []int{3}, "more than one gpu"},
		{"unknown uuid", "GPU-ffff", []int{}, "no gpu with this uuid"},
		{"repeat stops", "0,GPU-aaaa", []int{0}, "named twice"},
		{"empty entry stops", "0,,1", []int{0}, "not an index"},
		{"garbage", "all", []int{}, "not an index"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MapCUDAVisible(devs, tt.env)
			if !slices.Equal(got, tt.want) {
				t.Errorf("MapCUDAVisible(%q) = %v, want %v", tt.env, got, tt.want)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
	if devs[0].Index != 2 {
		t.Error("MapCUDAVisible reordered its argument")
	}
}

func indexes(gs []result.GPUInfo) []int {
	out := make([]int, len(gs))
	for i, g := range gs {
		out[i] = g.Index
	}
	return out
}
