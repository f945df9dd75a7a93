package nvml

import (
	"errors"
	"strings"
	"testing"

	"github.com/NVIDIA/go-nvml/pkg/nvml"

	"github.com/benchctl/benchctl/probes"
)

func TestOpenUnavailable(t *testing.T) {
	tests := []struct {
		name  string
		setup func(f *fakeLib)
		want  string // in the error message
	}{
		{"library missing", func(f *fakeLib) {
			f.InitFunc = func() nvml.Return { return nvml.ERROR_LIBRARY_NOT_FOUND }
		}, "libnvidia-ml.so.1 not found"},
		{"driver not loaded", func(f *fakeLib) {
			f.InitFunc = func() nvml.Return { return nvml.ERROR_DRIVER_NOT_LOADED }
		}, "driver not loaded"},
		{"no permission", func(f *fakeLib) {
			f.InitFunc = func() nvml.Return { return nvml.ERROR_NO_PERMISSION }
		}, "no permission"},
		{"driver and library differ", func(f *fakeLib) {
			f.InitFunc = func() nvml.Return { return nvml.ERROR_LIB_RM_VERSION_MISMATCH }
		}, "versions differ"},
		{"zero devices", func(f *fakeLib) {
			f.DeviceGetCountFunc = func() (int, nvml.Return) { return 0, nvml.SUCCESS }
		}, "sees no gpu"},
		{"count fails", func(f *fakeLib) {
			f.DeviceGetCountFunc = func() (int, nvml.Return) { return 0, nvml.ERROR_UNKNOWN }
		}, "count gpus"},
		{"no gpu can be opened", func(f *fakeLib) {
			f.DeviceGetHandleByIndexFunc = func(int) (nvml.Device, nvml.Return) { return nil, nvml.ERROR_NO_PERMISSION }
		}, "no gpu could be opened"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeLib(h100(2))
			shutdowns := 0
			f.ShutdownFunc = func() nvml.Return { shutdowns++; return nvml.SUCCESS }
			tt.setup(f)
			b, err := NewWithLib(f, probes.Config{})
			if err == nil {
				b.Close()
				t.Fatal("open succeeded, want unavailable")
			}
			if !probes.IsUnavailable(err) {
				t.Errorf("error %q does not wrap ErrUnavailable", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			want := 1 // NVML started, so it must be shut down
			if f.InitFunc() != nvml.SUCCESS {
				want = 0
			}
			if shutdowns != want {
				t.Errorf("shutdown called %d times after a failed open, want %d", shutdowns, want)
			}
		})
	}
}

func TestOpenNilLibrary(t *testing.T) {
	if _, err := NewWithLib(nil, probes.Config{}); !probes.IsUnavailable(err) {
		t.Fatalf("err = %v, want unavailable", err)
	}
}

// TestRegisteredFactory opens the real library through the registry: on a
// machine without a driver it must say "unavailable", not crash; on a GPU
// machine it must see GPUs.
func TestRegisteredFactory(t *testing.T) {
	b, err := probes.Open("nvml", probes.Config{})
	if err != nil {
		if !probes.IsUnavailable(err) {
			t.Fatalf("open real nvml: %v, want an error wrapping ErrUnavailable", err)
		}
		t.Logf("real nvml unavailable here, as expected without a driver: %v", err)
		return
	}
	defer b.Close()
	if len(b.Devices()) == 0 {
		t.Fatal("real nvml opened with no devices")
	}
	for _, g := range b.Devices() {
		t.Logf("real gpu %d: %s %s, %d bytes, driver %s, cuda %s", g.Index, g.UUID, g.Name, g.MemoryTotal, g.Driver, g.CUDA)
	}
}

func TestStaticInfo(t *testing.T) {
	m := h100(2)
	m.GPUs[1].AccountingEnabled = true
	m.GPUs[0].PowerLimitMW = 700_000 // GPU 1 does not give its limit
	tests := []struct {
		name   string
		root   bool
		wantOK [2]bool
	}{
		{"root", true, [2]bool{true, true}},
		{"not root", false, [2]bool{false, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			asRoot(t, tt.root)
			b := newFakeLib(m).open(t)
			devs := b.Devices()
			if len(devs) != 2 {
				t.Fatalf("got %d devices, want 2", len(devs))
			}
			for i, g := range devs {
				if g.Index != i || g.UUID != m.GPUs[i].UUID || g.Name != "NVIDIA H100 80GB HBM3" ||
					g.MemoryTotal != 81559<<20 || g.Driver != "580.159.04" || g.CUDA != "13.0" {
					t.Errorf("device %d = %+v", i, g)
				}
				if want := [2]float64{700, 0}[i]; g.PowerLimitW != want {
					t.Errorf("device %d power limit %g W, want %g", i, g.PowerLimitW, want)
				}
				if g.AccountingOK != tt.wantOK[i] {
					t.Errorf("device %d accounting ok = %v (%q), want %v", i, g.AccountingOK, g.AccountingWhy, tt.wantOK[i])
				}
				if !g.AccountingOK && !strings.Contains(g.AccountingWhy, "root") {
					t.Errorf("device %d accounting note %q does not say why", i, g.AccountingWhy)
				}
			}
			if b.DriverVersion() != "580.159.04" || b.CUDAVersion() != "13.0" || b.Name() != "nvml" {
				t.Errorf("driver %q cuda %q name %q", b.DriverVersion(), b.CUDAVersion(), b.Name())
			}
		})
	}
}

func TestAccountingNotSupportedNote(t *testing.T) {
	f := newFakeLib(h100(1))
	f.devs[0].GetAccountingModeFunc = func() (nvml.EnableState, nvml.Return) { return 0, nvml.ERROR_NOT_SUPPORTED }
	g := f.open(t).Devices()[0]
	if g.AccountingOK || !strings.Contains(g.AccountingWhy, "not supported") {
		t.Errorf("accounting = %v %q", g.AccountingOK, g.AccountingWhy)
	}
}

func TestOpenSkipsUnopenableGPU(t *testing.T) {
	f := newFakeLib(h100(3))
	f.DeviceGetHandleByIndexFunc = func(i int) (nvml.Device, nvml.Return) {
		if i == 1 {
			return nil, nvml.ERROR_NO_PERMISSION
		}
		return f.devs[i], nvml.SUCCESS
	}
	b := f.open(t)
	devs := b.Devices()
	if len(devs) != 2 || devs[0].Index != 0 || devs[1].Index != 2 {
		t.Fatalf("devices = %+v, want GPUs 0 and 2", devs)
	}
	if s := b.Skipped(); len(s) != 1 || !strings.Contains(s[0], "gpu 1") {
		t.Errorf("skipped = %q", s)
	}
	if _, err := NewWithLib(f, probes.Config{Select: []string{"1"}}); err == nil || !strings.Contains(err.Error(), "unopened gpu 1") {
		t.Errorf("selecting the unopened gpu: err = %v", err)
	}
}

func TestCUDAVersion(t *testing.T) {
	for _, tt := range []struct {
		in   int
		want string
	}{{13000, "13.0"}, {12080, "12.8"}, {12020, "12.2"}, {11040, "11.4"}, {0, ""}} {
		if got := cudaVersion(tt.in); got != tt.want {
			t.Errorf("cudaVersion(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCloseShutsDownOnce(t *testing.T) {
	f := newFakeLib(h100(1))
	b := f.open(t)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(f.ShutdownCalls()); n != 1 {
		t.Errorf("shutdown called %d times, want 1", n)
	}
	if _, err := b.Sample(); !errors.Is(err, errClosed) {
		t.Errorf("sample after close: %v", err)
	}
}

// TestAutoFallsBackOnlyWithoutGPU drives --gpu-backend auto through the
// registry on a mocked NVML: only "no GPU here" gives the none backend; any
// other error, a GPU selection naming no GPU above all, is returned so the
// run stops with the reason instead of going on without GPUs.
func TestAutoFallsBackOnlyWithoutGPU(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(f *fakeLib)
		sel      []string
		wantName string // backend opened; "" wants an error
		wantErr  string
	}{
		{"gpus here", nil, nil, "nvml", ""},
		{"gpus here, good selection", nil, []string{"1"}, "nvml", ""},
		{"no driver falls back", func(f *fakeLib) {
			f.InitFunc = func() nvml.Return { return nvml.ERROR_LIBRARY_NOT_FOUND }
		}, []string{"7"}, "none", ""},
		{"no gpu falls back", func(f *fakeLib) {
			f.DeviceGetCountFunc = func() (int, nvml.Return) { return 0, nvml.SUCCESS }
		}, nil, "none", ""},
		{"bad index is an error", nil, []string{"7"}, "", `no gpu with nvml index 7`},
		{"bad uuid is an error", nil, []string{"GPU-nope"}, "", `select gpu "GPU-nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeLib(h100(2))
			if tt.setup != nil {
				tt.setup(f)
			}
			defer func(old func() nvml.Interface) { newLib = old }(newLib)
			newLib = func() nvml.Interface { return f }
			b, err := probes.Open("auto", probes.Config{Select: tt.sel})
			if tt.wantName == "" {
				if err == nil {
					b.Close()
					t.Fatalf("auto opened %s, want the error %q", b.Name(), tt.wantErr)
				}
				if probes.IsUnavailable(err) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("auto: %v, want an error saying %q, not unavailable", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("auto: %v", err)
			}
			defer b.Close()
			if b.Name() != tt.wantName {
				t.Errorf("auto opened %s, want %s", b.Name(), tt.wantName)
			}
		})
	}
}
