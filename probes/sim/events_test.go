package sim

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/benchctl/benchctl/result"
)

// watch runs WatchEvents until the returned stop is called; stop returns the
// events delivered, in order.
func watch(t *testing.T, b *Backend, ch chan result.Event) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.WatchEvents(ctx, ch) }()
	return func() error {
		cancel()
		return <-done
	}
}

func TestWatchEvents(t *testing.T) {
	b := open(t, Config{GPUs: 3, Select: []string{"0", "2"}})
	clock := time.Unix(1700000000, 500e6)
	b.now = func() time.Time { return clock }
	b.pollEvery = time.Millisecond
	p, err := Attach(b.Dir())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []struct {
		gpu  int
		kind string
		data uint64
		msg  string
	}{
		{0, "xid", 79, "GPU has fallen off the bus"},
		{1, "xid", 48, "not a selected gpu"},
		{2, "ecc_double", 1, ""},
	} {
		if err := p.Event(e.gpu, e.kind, e.data, e.msg); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.OpenFile(filepath.Join(b.Dir(), eventsFile), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\nnot json\n{\"gpu\":0,\"kind\":\"xid\",\"data\":13") // the last line is unfinished
	f.Close()

	ch := make(chan result.Event)
	stop := watch(t, b, ch)
	want := []result.Event{
		{Seconds: 1700000000.5, GPU: 0, Kind: "xid", Data: 79, Message: "GPU has fallen off the bus"},
		{Seconds: 1700000000.5, GPU: 2, Kind: "ecc_double", Data: 1},
		{Seconds: 1700000000.5, GPU: -1, Kind: "sample_error"},
	}
	for i, w := range want {
		got := <-ch
		if w.Kind == "sample_error" {
			if got.Kind != w.Kind || got.GPU != -1 || !strings.Contains(got.Message, "not json") {
				t.Errorf("event %d = %+v, want a sample_error naming the line", i, got)
			}
			continue
		}
		if got != w {
			t.Errorf("event %d = %+v, want %+v", i, got, w)
		}
	}

	// The unfinished line is delivered once it is complete.
	f, _ = os.OpenFile(filepath.Join(b.Dir(), eventsFile), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("}\n")
	f.Close()
	if got := <-ch; got.Kind != "xid" || got.Data != 13 {
		t.Errorf("completed line delivered as %+v", got)
	}
	if err := stop(); err != nil {
		t.Errorf("WatchEvents returned %v", err)
	}

	// A later watcher goes on where this one stopped: nothing is delivered twice.
	if err := p.Event(2, "xid", 31, "after"); err != nil {
		t.Fatal(err)
	}
	ch = make(chan result.Event, 10)
	stop = watch(t, b, ch)
	if got := <-ch; got.Data != 31 {
		t.Errorf("second watcher got %+v first, want the new event", got)
	}
	stop()
	if len(ch) != 0 {
		t.Errorf("%d more events delivered", len(ch))
	}
}

// TestWatchEventsFinalDrain: events written before the watcher is stopped are
// delivered to a buffered channel even though no poll saw them.
func TestWatchEventsFinalDrain(t *testing.T) {
	b := open(t, Config{GPUs: 1})
	b.pollEvery = time.Hour
	p, err := Attach(b.Dir())
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan result.Event, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Event(0, "xid", 1, ""); err != nil {
		t.Fatal(err)
	}
	if err := p.Event(0, "xid", 2, ""); err != nil {
		t.Fatal(err)
	}
	if err := b.WatchEvents(ctx, ch); err != nil {
		t.Fatal(err)
	}
	if got := <-ch; got.Data != 1 {
		t.Errorf("got %+v", got)
	}
	// The second did not fit: the next watcher has it.
	if err := b.WatchEvents(ctx, ch); err != nil {
		t.Fatal(err)
	}
	if got := <-ch; got.Data != 2 {
		t.Errorf("got %+v, want the event left over", got)
	}
}

func TestEventsBeforeOpenIgnored(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, eventsFile), []byte(`{"gpu":0,"kind":"xid","data":1}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b := open(t, Config{Dir: dir, GPUs: 1})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ch := make(chan result.Event, 1)
	if err := b.WatchEvents(ctx, ch); err != nil {
		t.Fatal(err)
	}
	if len(ch) != 0 {
		t.Errorf("an event from before the backend opened was delivered: %+v", <-ch)
	}
}
