package nvml

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock"

	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/result"
)

func TestStartAccounting(t *testing.T) {
	m := h100(3)
	m.GPUs[1].AccountingEnabled = true // already on: must be left on
	f := newFakeLib(m)
	b := f.open(t)

	restore, err := b.StartAccounting()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.mode, []nvml.EnableState{nvml.FEATURE_ENABLED, nvml.FEATURE_ENABLED, nvml.FEATURE_ENABLED}) {
		t.Fatalf("modes after start = %v, want all enabled", f.mode)
	}
	if n := len(f.devs[1].SetAccountingModeCalls()); n != 0 {
		t.Errorf("mode set %d times on a gpu where it was already on", n)
	}
	if err := restore(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.mode, []nvml.EnableState{nvml.FEATURE_DISABLED, nvml.FEATURE_ENABLED, nvml.FEATURE_DISABLED}) {
		t.Errorf("modes after restore = %v, want gpu 1 alone enabled", f.mode)
	}
	if err := restore(); err != nil {
		t.Fatal(err)
	}
	b.Close()
	if n := len(f.devs[0].SetAccountingModeCalls()); n != 2 {
		t.Errorf("gpu 0 mode set %d times, want 2 (on, then off once)", n)
	}
}

func TestStartAccountingRestoredByClose(t *testing.T) {
	f := newFakeLib(h100(2))
	b := f.open(t)
	if _, err := b.StartAccounting(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.mode, []nvml.EnableState{nvml.FEATURE_DISABLED, nvml.FEATURE_DISABLED}) {
		t.Errorf("modes after close = %v, want both restored to disabled", f.mode)
	}
}

func TestStartAccountingUnavailable(t *testing.T) {
	tests := []struct {
		name  string
		setup func(d *mock.Device)
		want  string
	}{
		{"permission denied", func(d *mock.Device) {
			d.SetAccountingModeFunc = func(nvml.EnableState) nvml.Return { return nvml.ERROR_NO_PERMISSION }
		}, "enable accounting mode"},
		{"not supported", func(d *mock.Device) {
			d.GetAccountingModeFunc = func() (nvml.EnableState, nvml.Return) { return 0, nvml.ERROR_NOT_SUPPORTED }
		}, "read accounting mode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeLib(h100(3))
			tt.setup(f.devs[2]) // GPU 0 and 1 were switched on before GPU 2 failed
			b := f.open(t)
			restore, err := b.StartAccounting()
			if err == nil || restore != nil {
				t.Fatal("want an error and no restore function")
			}
			if !errors.Is(err, probes.ErrUnavailable) || !strings.Contains(err.Error(), "gpu 2: "+tt.want) {
				t.Errorf("err = %v", err)
			}
			if f.mode[0] != nvml.FEATURE_DISABLED || f.mode[1] != nvml.FEATURE_DISABLED {
				t.Errorf("modes = %v: the gpus switched on before the failure were not switched back", f.mode)
			}
		})
	}
}

func TestAccountedPeaks(t *testing.T) {
	m := h100(3)
	m.GPUs[0].Accounted = []fakeStats{{PID: 100, MaxUsed: 60 << 30}, {PID: 200, MaxUsed: 1 << 30}, {PID: 100, MaxUsed: 60 << 30}}
	m.GPUs[1].Accounted = []fakeStats{{PID: 100, MaxUsed: 3 << 30}, {PID: 300, MaxUsed: ^uint64(0)}}
	m.GPUs[2].Accounted = []fakeStats{{PID: 100, MaxUsed: 9 << 30}} // accounting stays off here
	f := newFakeLib(m)
	b := f.open(t)
	f.mode[0], f.mode[1] = nvml.FEATURE_ENABLED, nvml.FEATURE_ENABLED

	got, err := b.AccountedPeaks([]int{100, 300, 999})
	if err != nil {
		t.Fatal(err)
	}
	want := []result.ProcessPeak{
		{PID: 100, GPU: 0, PeakBytes: 60 << 30, Exact: true, Source: "accounting"},
		{PID: 100, GPU: 1, PeakBytes: 3 << 30, Exact: true, Source: "accounting"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("peaks\n got %+v\nwant %+v", got, want)
	}
	if n := len(f.devs[0].GetAccountingStatsCalls()); n != 1 {
		t.Errorf("stats read %d times on gpu 0, want once (pid 100, listed twice)", n)
	}
}

func TestAccountedPeaksErrors(t *testing.T) {
	m := h100(2)
	m.GPUs[1].AccountingEnabled = true
	m.GPUs[1].Accounted = []fakeStats{{PID: 7, MaxUsed: 5 << 20}}
	f := newFakeLib(m)
	f.devs[0].GetAccountingPidsFunc = func() ([]int, nvml.Return) { return nil, nvml.ERROR_UNKNOWN }
	got, err := f.open(t).AccountedPeaks([]int{7})
	if len(got) != 1 || got[0].GPU != 1 || got[0].PeakBytes != 5<<20 {
		t.Errorf("peaks = %+v", got)
	}
	if !errors.Is(err, nvml.ERROR_UNKNOWN) || !strings.Contains(err.Error(), "gpu 0") {
		t.Errorf("err = %v", err)
	}
}
