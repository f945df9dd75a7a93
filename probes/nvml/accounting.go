package nvml

import (
	"errors"
	"fmt"
	"sync"

	"github.com/NVIDIA/go-nvml/pkg/nvml"

	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/result"
)

// StartAccounting implements probes.Accounting. It switches accounting mode on
// for every selected GPU where it is off. Switching needs root: NO_PERMISSION
// (like NOT_SUPPORTED, or any failure) returns an error wrapping
// probes.ErrUnavailable, after switching back what it had switched on.
//
// The restore function switches accounting off again on the GPUs this call
// switched on, once however often it is called; Close calls it if the caller
// did not. Switching accounting off clears the driver's accounting records,
// so call AccountedPeaks before restore. The mode is not persistent: it
// falls back to off if the driver unloads (no persistence mode and no
// client); NVML holding the GPUs open should prevent that while the backend
// is open, but persistence mode is the documented way to be sure.
func (b *Backend) StartAccounting() (func() error, error) {
	if b.closed {
		return nil, errClosed
	}
	var changed []*device
	for _, d := range b.sel {
		if d.lost {
			continue
		}
		mode, ret := d.h.GetAccountingMode()
		if ret == nvml.SUCCESS && mode == nvml.FEATURE_ENABLED {
			continue
		}
		what := "read accounting mode"
		if ret == nvml.SUCCESS {
			what, ret = "enable accounting mode", d.h.SetAccountingMode(nvml.FEATURE_ENABLED)
		}
		if ret != nvml.SUCCESS {
			err := fmt.Errorf("%w: gpu %d: %s: %w", probes.ErrUnavailable, d.info.Index, what, ret)
			if uerr := disableAccounting(changed); uerr != nil {
				err = errors.Join(err, uerr)
			}
			return nil, err
		}
		changed = append(changed, d)
	}
	restore := sync.OnceValue(func() error { return disableAccounting(changed) })
	b.mu.Lock()
	b.restores = append(b.restores, restore)
	b.mu.Unlock()
	return restore, nil
}

// disableAccounting switches accounting mode off on ds.
func disableAccounting(ds []*device) error {
	var errs []error
	for _, d := range ds {
		if ret := d.h.SetAccountingMode(nvml.FEATURE_DISABLED); ret != nvml.SUCCESS {
			errs = append(errs, gpuErrorf(d.info.Index, "restore accounting mode: %w", ret))
		}
	}
	return errors.Join(errs...)
}

// AccountedPeaks implements probes.Accounting: for each selected GPU, the
// maximum memory the driver recorded for each of pids that used it, running
// or ended. GPUs where accounting is off are passed over silently; a pid the
// driver holds no record of is absent from the result.
//
// The driver keeps records in a ring buffer (nvmlDeviceGetAccountingBufferSize,
// about 4000 processes) and under host PIDs: a pipeline in another PID
// namespace has other numbers.
func (b *Backend) AccountedPeaks(pids []int) ([]result.ProcessPeak, error) {
	if b.closed {
		return nil, errClosed
	}
	want := make(map[int]bool, len(pids))
	for _, p := range pids {
		want[p] = true
	}
	var out []result.ProcessPeak
	var errs []error
	for _, d := range b.sel {
		if d.lost {
			continue
		}
		got, ret := d.h.GetAccountingPids()
		switch ret {
		case nvml.SUCCESS:
		case nvml.ERROR_NOT_SUPPORTED: // accounting is off, or not on this GPU
			continue
		default:
			errs = append(errs, gpuErrorf(d.info.Index, "accounting pids: %w", ret))
			continue
		}
		done := make(map[int]bool, len(got))
		for _, pid := range got {
			if !want[pid] || done[pid] {
				continue
			}
			done[pid] = true
			st, ret := d.h.GetAccountingStats(uint32(pid))
			if ret == nvml.ERROR_NOT_FOUND {
				continue // overwritten in the ring since the pid list was read
			}
			if ret != nvml.SUCCESS {
				errs = append(errs, gpuErrorf(d.info.Index, "accounting stats of pid %d: %w", pid, ret))
				continue
			}
			if st.MaxMemoryUsage == valueNotAvailable {
				continue
			}
			out = append(out, result.ProcessPeak{PID: pid, GPU: d.info.Index, PeakBytes: st.MaxMemoryUsage, Exact: true, Source: "accounting"})
		}
	}
	return out, errors.Join(errs...)
}
