package nvml

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock"

	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/result"
)

// fakeEvents is an event set that hands out queued events, then times out.
type fakeEvents struct {
	*mock.EventSet
	mu     sync.Mutex
	queue  []nvml.EventData
	freed  int
	result nvml.Return // returned once the queue is empty; TIMEOUT when zero
}

func newFakeEvents(events ...nvml.EventData) *fakeEvents {
	e := &fakeEvents{queue: events}
	e.EventSet = &mock.EventSet{
		WaitFunc: func(ms uint32) (nvml.EventData, nvml.Return) {
			e.mu.Lock()
			defer e.mu.Unlock()
			if len(e.queue) > 0 {
				ev := e.queue[0]
				e.queue = e.queue[1:]
				return ev, nvml.SUCCESS
			}
			if e.result != nvml.SUCCESS {
				return nvml.EventData{}, e.result
			}
			time.Sleep(time.Millisecond) // the real call blocks up to ms
			return nvml.EventData{}, nvml.ERROR_TIMEOUT
		},
		FreeFunc: func() nvml.Return {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.freed++
			return nvml.SUCCESS
		},
	}
	return e
}

func (e *fakeEvents) freedCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.freed
}

func TestWatchEvents(t *testing.T) {
	m := h100(2)
	m.GPUs[1].SupportedEvents = nvml.EventTypeXidCriticalError // no ECC events on this one
	f := newFakeLib(m)
	events := newFakeEvents(
		nvml.EventData{Device: f.devs[1], EventType: nvml.EventTypeXidCriticalError, EventData: 79},
		nvml.EventData{Device: f.devs[0], EventType: nvml.EventTypeDoubleBitEccError},
		nvml.EventData{Device: f.devs[0], EventType: nvml.EventTypePState}, // not watched: dropped
		nvml.EventData{Device: f.devs[0], EventType: nvml.EventTypeSingleBitEccError},
	)
	f.EventSetCreateFunc = func() (nvml.EventSet, nvml.Return) { return events, nvml.SUCCESS }
	var masks [2]uint64
	for i := range f.devs {
		f.devs[i].RegisterEventsFunc = func(mask uint64, set nvml.EventSet) nvml.Return {
			if set != events {
				t.Errorf("gpu %d registered on another set", i)
			}
			masks[i] = mask
			return nvml.SUCCESS
		}
	}
	b := f.open(t)

	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan result.Event)
	done := make(chan error, 1)
	go func() { done <- b.WatchEvents(ctx, ch) }()

	want := []result.Event{
		{GPU: 1, Kind: "xid", Data: 79, Message: "xid 79"},
		{GPU: 0, Kind: "ecc_double"},
		{GPU: 0, Kind: "ecc_single"},
	}
	for i, w := range want {
		select {
		case got := <-ch:
			w.Seconds = 1_700_000_000
			if got != w {
				t.Errorf("event %d = %+v, want %+v", i, got, w)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("event %d not delivered", i)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("WatchEvents returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("WatchEvents did not return after cancel")
	}
	if events.freedCount() != 1 {
		t.Errorf("event set freed %d times, want 1", events.freedCount())
	}
	all := uint64(nvml.EventTypeXidCriticalError | nvml.EventTypeSingleBitEccError | nvml.EventTypeDoubleBitEccError)
	if masks[0] != all || masks[1] != nvml.EventTypeXidCriticalError {
		t.Errorf("registered masks %#x %#x, want %#x and only xid", masks[0], masks[1], all)
	}
}

func TestWatchEventsNotSupported(t *testing.T) {
	tests := []struct {
		name  string
		setup func(f *fakeLib, e *fakeEvents)
	}{
		{"event sets not supported", func(f *fakeLib, e *fakeEvents) {
			f.EventSetCreateFunc = func() (nvml.EventSet, nvml.Return) { return nil, nvml.ERROR_NOT_SUPPORTED }
		}},
		{"no gpu supports the events", func(f *fakeLib, e *fakeEvents) {
			for _, d := range f.devs {
				d.GetSupportedEventTypesFunc = func() (uint64, nvml.Return) { return nvml.EventTypePState, nvml.SUCCESS }
			}
		}},
		{"registration not supported", func(f *fakeLib, e *fakeEvents) {
			for _, d := range f.devs {
				d.RegisterEventsFunc = func(uint64, nvml.EventSet) nvml.Return { return nvml.ERROR_NOT_SUPPORTED }
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeLib(h100(2))
			e := newFakeEvents()
			f.EventSetCreateFunc = func() (nvml.EventSet, nvml.Return) { return e, nvml.SUCCESS }
			tt.setup(f, e)
			b := f.open(t)
			// A context that never ends: WatchEvents must return by itself.
			if err := b.WatchEvents(context.Background(), make(chan result.Event)); err != nil {
				t.Errorf("err = %v, want nil", err)
			}
			if tt.name != "event sets not supported" && e.freedCount() != 1 {
				t.Errorf("event set freed %d times, want 1", e.freedCount())
			}
		})
	}
}

func TestWatchEventsEndedByClose(t *testing.T) {
	f := newFakeLib(h100(1))
	e := newFakeEvents()
	f.EventSetCreateFunc = func() (nvml.EventSet, nvml.Return) { return e, nvml.SUCCESS }
	b := f.open(t)
	done := make(chan error, 1)
	go func() { done <- b.WatchEvents(context.Background(), make(chan result.Event)) }()
	time.Sleep(10 * time.Millisecond)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("err = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("WatchEvents still running after Close")
	}
	if e.freedCount() != 1 {
		t.Errorf("event set freed %d times, want 1", e.freedCount())
	}
}

func TestWatchEventsWaitFails(t *testing.T) {
	tests := []struct {
		name string
		ret  nvml.Return
		is   error
	}{
		{"gpu lost", nvml.ERROR_GPU_IS_LOST, probes.ErrGPULost},
		{"persistent failure", nvml.ERROR_UNKNOWN, nvml.ERROR_UNKNOWN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeLib(h100(1))
			e := newFakeEvents()
			e.result = tt.ret
			f.EventSetCreateFunc = func() (nvml.EventSet, nvml.Return) { return e, nvml.SUCCESS }
			err := f.open(t).WatchEvents(context.Background(), make(chan result.Event))
			if !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want %v", err, tt.is)
			}
		})
	}
}

func TestWatchEventsRegistrationFails(t *testing.T) {
	t.Run("on one gpu", func(t *testing.T) {
		f := newFakeLib(h100(2))
		e := newFakeEvents(nvml.EventData{Device: f.devs[1], EventType: nvml.EventTypeXidCriticalError, EventData: 48})
		f.EventSetCreateFunc = func() (nvml.EventSet, nvml.Return) { return e, nvml.SUCCESS }
		f.devs[0].RegisterEventsFunc = func(uint64, nvml.EventSet) nvml.Return { return nvml.ERROR_UNKNOWN }
		b := f.open(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ch := make(chan result.Event)
		go b.WatchEvents(ctx, ch)
		first, second := <-ch, <-ch
		if first.Kind != "sample_error" || first.GPU != 0 || !strings.Contains(first.Message, "gpu 0: register events") {
			t.Errorf("first event = %+v, want gpu 0's registration failure", first)
		}
		if second.Kind != "xid" || second.GPU != 1 || second.Data != 48 {
			t.Errorf("second event = %+v, want gpu 1's xid 48", second)
		}
	})
	t.Run("on every gpu", func(t *testing.T) {
		f := newFakeLib(h100(2))
		e := newFakeEvents()
		f.EventSetCreateFunc = func() (nvml.EventSet, nvml.Return) { return e, nvml.SUCCESS }
		for _, d := range f.devs {
			d.RegisterEventsFunc = func(uint64, nvml.EventSet) nvml.Return { return nvml.ERROR_UNKNOWN }
		}
		err := f.open(t).WatchEvents(context.Background(), make(chan result.Event))
		if !errors.Is(err, nvml.ERROR_UNKNOWN) || e.freedCount() != 1 {
			t.Errorf("err = %v, freed %d; want the failures and the set freed", err, e.freedCount())
		}
	})
}
