package nvml

import (
	"context"
	"errors"
	"fmt"

	"github.com/NVIDIA/go-nvml/pkg/nvml"

	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/result"
)

// watchedEvents are the event types WatchEvents registers, where supported.
const watchedEvents = uint64(nvml.EventTypeXidCriticalError | nvml.EventTypeSingleBitEccError | nvml.EventTypeDoubleBitEccError)

// waitMillis bounds each nvmlEventSetWait, and so how long WatchEvents takes
// to notice that ctx ended or that Close was called.
const waitMillis = 200

// maxWaitFailures is how many wait failures in a row WatchEvents tolerates
// (ERROR_UNKNOWN can be transient) before it gives up.
const maxWaitFailures = 10

// WatchEvents implements probes.EventSource: it registers the XID and
// single- and double-bit ECC events each selected GPU supports and delivers
// them on ch, as kinds "xid" (Data: the XID number), "ecc_single" and
// "ecc_double", until ctx ends or the backend is closed. Seconds is the Unix
// time the event was received (NVML gives none). Where no GPU supports any of
// these events it returns nil at once. A GPU whose registration fails while
// others succeed is reported as a "sample_error" event and not watched; when
// every registration fails, WatchEvents returns the failures.
func (b *Backend) WatchEvents(ctx context.Context, ch chan<- result.Event) error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.watchers.Add(1)
	b.mu.Unlock()
	defer b.watchers.Done()

	set, ret := b.lib.EventSetCreate()
	if ret == nvml.ERROR_NOT_SUPPORTED {
		return nil
	}
	if ret != nvml.SUCCESS {
		return wrapRet("create event set", ret)
	}
	defer set.Free()
	n, errs := b.register(set)
	if n == 0 {
		return errors.Join(errs...)
	}
	// Some GPUs are watched: report the others' failures as events and go on.
	for _, err := range errs {
		ev := result.Event{Seconds: b.unixNow(), GPU: errorIndex(err), Kind: "sample_error", Message: err.Error()}
		if !b.send(ctx, ch, ev) {
			return nil
		}
	}
	failures := 0
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-b.closing:
			return nil
		default:
		}
		data, ret := set.Wait(waitMillis)
		switch ret {
		case nvml.SUCCESS:
			failures = 0
			if ev, ok := b.toEvent(data); ok && !b.send(ctx, ch, ev) {
				return nil
			}
		case nvml.ERROR_TIMEOUT:
			failures = 0
		case nvml.ERROR_GPU_IS_LOST:
			return fmt.Errorf("wait for gpu events: %w: %w", probes.ErrGPULost, ret)
		default:
			if failures++; failures >= maxWaitFailures {
				return fmt.Errorf("wait for gpu events: %d failures in a row: %w", failures, ret)
			}
		}
	}
}

// register adds the watched events each selected GPU supports to set. It
// returns on how many GPUs it did, and why it could not on others (not
// counting GPUs that support none of the events).
func (b *Backend) register(set nvml.EventSet) (int, []error) {
	n := 0
	var errs []error
	for _, d := range b.sel {
		// d.lost is not read: it belongs to the sampling goroutine.
		supported, ret := d.h.GetSupportedEventTypes()
		if ret == nvml.ERROR_NOT_SUPPORTED {
			continue
		}
		if ret != nvml.SUCCESS {
			errs = append(errs, gpuErrorf(d.info.Index, "supported event types: %w", ret))
			continue
		}
		mask := supported & watchedEvents
		if mask == 0 {
			continue
		}
		switch ret := d.h.RegisterEvents(mask, set); ret {
		case nvml.SUCCESS:
			n++
		case nvml.ERROR_NOT_SUPPORTED:
		default:
			errs = append(errs, gpuErrorf(d.info.Index, "register events: %w", ret))
		}
	}
	return n, errs
}

// send delivers ev on ch; it returns false when ctx ended or the backend
// closed first.
func (b *Backend) send(ctx context.Context, ch chan<- result.Event, ev result.Event) bool {
	select {
	case ch <- ev:
		return true
	case <-ctx.Done():
	case <-b.closing:
	}
	return false
}

// unixNow is the current Unix time in seconds.
func (b *Backend) unixNow() float64 { return float64(b.now().UnixNano()) / 1e9 }

// errorIndex is the GPU an error from this package names, or -1.
func errorIndex(err error) int {
	if ge, ok := errors.AsType[*gpuError](err); ok {
		return ge.index
	}
	return -1
}

// toEvent converts an NVML event; ok is false for a type not watched.
func (b *Backend) toEvent(data nvml.EventData) (result.Event, bool) {
	ev := result.Event{Seconds: b.unixNow(), GPU: b.eventGPU(data.Device)}
	switch data.EventType {
	case nvml.EventTypeXidCriticalError:
		ev.Kind, ev.Data = "xid", data.EventData
		ev.Message = fmt.Sprintf("xid %d", data.EventData)
	case nvml.EventTypeSingleBitEccError:
		ev.Kind = "ecc_single"
	case nvml.EventTypeDoubleBitEccError:
		ev.Kind = "ecc_double"
	default:
		return ev, false
	}
	return ev, true
}

// eventGPU is the NVML index of the GPU an event came from, or -1.
func (b *Backend) eventGPU(h nvml.Device) int {
	if h == nil {
		return -1
	}
	for _, d := range b.sel {
		if d.h == h {
			return d.info.Index
		}
	}
	if i, ret := h.GetIndex(); ret == nvml.SUCCESS {
		return i
	}
	return -1
}
