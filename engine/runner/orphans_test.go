package runner

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benchctl/benchctl/engine/pipeline"
	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/result"
)

// serialBackend is a one-GPU backend that counts calls of Sample made while
// another is still in progress: probes.Backend says that never happens. Its
// GPU runs the process whose pid the pipeline wrote to pidFile. Each Sample
// takes a little while, so a second caller would overlap it; last is written
// without a lock, so the race detector sees an overlap too.
type serialBackend struct {
	pidFile  string
	inFlight atomic.Int32
	overlaps atomic.Int32
	last     probes.Snapshot
}

var _ probes.Backend = (*serialBackend)(nil)

func (b *serialBackend) Name() string { return "serial" }
func (b *serialBackend) Devices() []result.GPUInfo {
	return []result.GPUInfo{{Index: 0, Name: "serial", MemoryTotal: 80 << 30}}
}
func (b *serialBackend) Close() error { return nil }

func (b *serialBackend) Sample() (probes.Snapshot, error) {
	if b.inFlight.Add(1) > 1 {
		b.overlaps.Add(1)
	}
	defer b.inFlight.Add(-1)
	time.Sleep(2 * time.Millisecond)
	g := probes.GPUSample{Index: 0, MemUsed: 1 << 30, MemTotal: 80 << 30}
	if data, err := os.ReadFile(b.pidFile); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil {
			g.Processes = []probes.ProcessMem{{PID: pid, Used: 1 << 30}}
		}
	}
	b.last = probes.Snapshot{Time: time.Now(), GPUs: []probes.GPUSample{g}}
	return b.last, nil
}

// TestOrphansFromSamplerReading: a pipeline leaves a worker holding GPU
// memory. The runner names it an orphan from the sampler's latest reading;
// it never samples the backend itself beside the sampler's goroutine (run
// with -race: the race detector checks the same).
func TestOrphansFromSamplerReading(t *testing.T) {
	tests := []struct {
		name    string
		script  string
		orphans int
	}{
		{"worker left behind", `sleep 30 & echo $! > "$PIDFILE"; sleep 0.3`, 1},
		{"worker waited for", `sleep 0.1 & echo $! > "$PIDFILE"; wait; sleep 0.2`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			b := &serialBackend{pidFile: filepath.Join(dir, "pid")}
			run := Run(context.Background(), b, pipeline.Spec{
				Argv:  []string{"sh", "-c", tt.script},
				Env:   []string{"PIDFILE=" + b.pidFile},
				Grace: time.Second,
			}, Options{Interval: time.Millisecond})
			if n := b.overlaps.Load(); n > 0 {
				t.Errorf("Sample was called %d times while another call was in progress", n)
			}
			if run.GPU == nil {
				t.Fatalf("no GPU summary: %+v", run)
			}
			if len(run.GPU.Orphans) != tt.orphans {
				t.Fatalf("orphans = %+v, want %d", run.GPU.Orphans, tt.orphans)
			}
			if tt.orphans > 0 && run.GPU.Orphans[0].Bytes != 1<<30 {
				t.Errorf("orphan holds %d bytes, want %d", run.GPU.Orphans[0].Bytes, 1<<30)
			}
		})
	}
}
