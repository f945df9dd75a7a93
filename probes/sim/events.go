package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/benchctl/benchctl/internal/capread"
	"github.com/benchctl/benchctl/result"
)

// maxEventRead bounds one pass over events.jsonl, so a flood of events costs
// several passes rather than one large buffer.
const maxEventRead = 1 << 20

// WatchEvents implements probes.EventSource: it tails events.jsonl and delivers
// each complete line of a selected GPU on ch, with Seconds the Unix time it was
// read, until ctx ends; then it returns nil. It starts where the previous
// watcher stopped (where the file ended when the backend opened, at first), so
// each event is delivered once. When ctx ends it delivers, without blocking,
// the lines already written; those ch cannot take are left for the next
// watcher.
func (b *Backend) WatchEvents(ctx context.Context, ch chan<- result.Event) error {
	t := time.NewTicker(b.pollEvery)
	defer t.Stop()
	for {
		if err := b.readEvents(ctx, ch, false); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return b.readEvents(ctx, ch, true)
		case <-t.C:
		}
	}
}

// readEvents delivers the complete lines after b.eventOff. With final set it
// does not block on ch.
func (b *Backend) readEvents(ctx context.Context, ch chan<- result.Event, final bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	f, err := capread.OpenRegular(filepath.Join(b.dir, eventsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sim events: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("sim events: %w", err)
	}
	if fi.Size() < b.eventOff {
		b.eventOff = 0 // truncated or replaced: read the new file from its start
	}
	buf := make([]byte, min(fi.Size()-b.eventOff, maxEventRead))
	n, err := f.ReadAt(buf, b.eventOff)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("sim events: %w", err)
	}
	buf = buf[:n]
	now := b.now()
	if b.skipLine {
		nl := bytes.IndexByte(buf, '\n')
		if nl < 0 {
			b.eventOff += int64(len(buf))
			return nil
		}
		b.eventOff += int64(nl + 1)
		buf, b.skipLine = buf[nl+1:], false
	}
	for {
		nl := bytes.IndexByte(buf, '\n')
		if nl < 0 && len(buf) == maxEventRead {
			// A line longer than a pass can read would stop every later
			// event: it is skipped, and said so.
			b.eventOff += int64(len(buf))
			b.skipLine = true
			send(ctx, ch, result.Event{Seconds: float64(now.UnixNano()) / 1e9, GPU: -1, Kind: "sample_error",
				Message: fmt.Sprintf("%s: a line over %d bytes skipped", eventsFile, maxEventRead)}, final)
			return nil
		}
		if nl < 0 {
			return nil // a line still being written waits for the next pass
		}
		if ev, ok := b.parseEvent(buf[:nl], now); ok && !send(ctx, ch, ev, final) {
			return nil
		}
		b.eventOff += int64(nl + 1)
		buf = buf[nl+1:]
	}
}

// parseEvent makes an event of one line; false for a blank line or an event of
// a GPU that is not selected.
func (b *Backend) parseEvent(line []byte, now time.Time) (result.Event, bool) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return result.Event{}, false
	}
	secs := float64(now.UnixNano()) / 1e9
	var e eventLine
	if err := json.Unmarshal(line, &e); err != nil {
		return result.Event{Seconds: secs, GPU: -1, Kind: "sample_error",
			Message: fmt.Sprintf("%s: bad line %q: %v", eventsFile, line, err)}, true
	}
	for _, g := range b.gpus {
		if g.Index == e.GPU {
			return result.Event{Seconds: secs, GPU: e.GPU, Kind: e.Kind, Data: e.Data, Message: e.Message}, true
		}
	}
	return result.Event{}, false
}

func send(ctx context.Context, ch chan<- result.Event, ev result.Event, final bool) bool {
	if final {
		select {
		case ch <- ev:
			return true
		default:
			return false
		}
	}
	select {
	case ch <- ev:
		return true
	case <-ctx.Done():
		return false
	}
}
