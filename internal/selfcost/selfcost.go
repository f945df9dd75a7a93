// Package selfcost says where benchctl's own CPU goes, for
// bench/device/cost.sh. With the environment variable BENCHCTL_COST set to a
// file path (or "-", stderr), each Meter counts its spans and the CPU time
// (user and system, of the thread that ran it) and wall time they took, and
// Report writes them beside the process's own CPU time (getrusage) and what
// is left of it: the Go runtime (timer wake-ups, scheduling, GC) and whatever
// no meter covers. Unset, a span costs a nil check and Report does nothing.
package selfcost

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Env names the environment variable that turns metering on.
const Env = "BENCHCTL_COST"

var (
	dest    = os.Getenv(Env)
	started = time.Now()

	mu     sync.Mutex
	meters []*Meter

	// The process's CPU and the time when the first span began: the table's
	// rest counts from there, leaving start-up out.
	firstOnce sync.Once
	firstCPU  time.Duration
	firstAt   time.Time
)

// On reports whether metering is on.
func On() bool { return dest != "" }

// Meter is one activity's spans. A nil *Meter (metering off) is valid and
// measures nothing.
type Meter struct {
	name   string
	parent *Meter
	calls  atomic.Int64
	cpu    atomic.Int64 // nanoseconds
	wall   atomic.Int64
}

// New returns the meter of activity name, part of parent's spans (nil: a
// top-level activity, counted once in the total); nil when metering is off.
// Meters live for the process; make them once, at package level or when a
// long-lived object is made.
func New(name string, parent *Meter) *Meter {
	if !On() {
		return nil
	}
	m := &Meter{name: name, parent: parent}
	mu.Lock()
	meters = append(meters, m)
	mu.Unlock()
	return m
}

// Span is one measured stretch of work; End it on the goroutine that began
// it.
type Span struct {
	m         *Meter
	cpu, wall int64
}

// Begin starts a span. It keeps the goroutine on its thread until End, so
// the thread's CPU clock measures the span alone.
func (m *Meter) Begin() Span {
	if m == nil {
		return Span{}
	}
	firstOnce.Do(func() { firstCPU, firstAt = processCPU(), time.Now() })
	runtime.LockOSThread()
	return Span{m: m, cpu: ThreadCPU(), wall: time.Now().UnixNano()}
}

// End ends the span and adds it to its meter.
func (s Span) End() {
	if s.m == nil {
		return
	}
	cpu := ThreadCPU() - s.cpu
	wall := time.Now().UnixNano() - s.wall
	runtime.UnlockOSThread()
	s.m.calls.Add(1)
	s.m.cpu.Add(cpu)
	s.m.wall.Add(wall)
}

// ThreadCPU is the calling thread's CPU time in nanoseconds (user and
// system). Differences of it measure a stretch of work only while the
// goroutine stays on its thread (runtime.LockOSThread).
func ThreadCPU() int64 {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts) != nil {
		return 0
	}
	return ts.Nano()
}

// processCPU is the process's CPU time, user and system.
func processCPU() time.Duration {
	var ru unix.Rusage
	_ = unix.Getrusage(unix.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Report writes the table to the destination Env names; errors are ignored,
// as the table is a measuring aid written at exit.
func Report() {
	if !On() {
		return
	}
	var w io.Writer = os.Stderr
	if dest != "-" {
		f, err := os.Create(dest)
		if err != nil {
			return
		}
		defer f.Close()
		w = f
	}
	_, _ = io.WriteString(w, Table())
}

// Table renders every meter, then the rest of the process's CPU since the
// first span began, and the process's totals; "" when metering is off.
func Table() string {
	if !On() {
		return ""
	}
	var ru unix.Rusage
	_ = unix.Getrusage(unix.RUSAGE_SELF, &ru)
	wall := time.Since(started)
	user := time.Duration(ru.Utime.Nano())
	sys := time.Duration(ru.Stime.Nano())
	total := user + sys
	firstOnce.Do(func() { firstCPU, firstAt = total, time.Now() }) // no span began
	since := time.Since(firstAt)
	var sb strings.Builder
	pct := func(d time.Duration) float64 { return 100 * d.Seconds() / since.Seconds() }
	fmt.Fprintf(&sb, "%-36s %8s %10s %8s %10s %10s\n", "benchctl cpu by activity", "calls", "cpu", "% core", "cpu/call", "wall/call")
	mu.Lock()
	ms := append([]*Meter(nil), meters...)
	mu.Unlock()
	var metered time.Duration
	for _, m := range ms {
		n, cpu, w := m.calls.Load(), time.Duration(m.cpu.Load()), time.Duration(m.wall.Load())
		if m.parent == nil {
			metered += cpu
		}
		if n == 0 {
			continue
		}
		name := m.name
		for p := m.parent; p != nil; p = p.parent {
			name = "  " + name
		}
		fmt.Fprintf(&sb, "%-36s %8d %10s %8.3f %10s %10s\n", name, n, cpu.Round(time.Microsecond), pct(cpu),
			(cpu / time.Duration(n)).Round(100*time.Nanosecond), (w / time.Duration(n)).Round(100*time.Nanosecond))
	}
	rest := total - firstCPU - metered
	fmt.Fprintf(&sb, "%-36s %8s %10s %8.3f\n", "rest (Go runtime, timers, GC, other)", "", rest.Round(time.Microsecond), pct(rest))
	fmt.Fprintf(&sb, "%-36s %8s %10s %8.3f   over %s (%% core: of this time)\n", "process since the first span", "",
		(total - firstCPU).Round(time.Microsecond), pct(total-firstCPU), since.Round(time.Millisecond))
	fmt.Fprintf(&sb, "%-36s %8s %10s %8s   user %s sys %s over %s\n", "process total, start-up included", "", total.Round(time.Microsecond), "",
		user.Round(time.Millisecond), sys.Round(time.Millisecond), wall.Round(time.Millisecond))
	fmt.Fprintf(&sb, "%-36s %8d voluntary, %d involuntary (%.0f/s)\n", "context switches", ru.Nvcsw, ru.Nivcsw,
		float64(ru.Nvcsw+ru.Nivcsw)/wall.Seconds())
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	fmt.Fprintf(&sb, "%-36s %8d cycles, %.3f%% of the CPU the process had, %.1f KB/s allocated\n", "go gc", mem.NumGC,
		100*mem.GCCPUFraction, float64(mem.TotalAlloc)/1024/wall.Seconds())
	return sb.String()
}
