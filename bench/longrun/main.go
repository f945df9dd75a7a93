// Command longrun measures benchctl's memory over a long monitored run without
// waiting for one: it drives probes/sampler (its own goroutine, fed by a
// FakeClock) through a simulated run of -hours on -gpus synthetic GPUs at
// -interval, builds the report a pipeline run of that length would give, and
// renders it in every registered format. It prints the wall time, the peak RSS
// of the process (VmHWM), the Go heap after the sampling and the size of each
// report, so that bench/longrun/run.sh can show they stay flat as the
// simulated duration grows. It exits 1 when a one-sample peak it planted is
// missing from the summary's Stat or timeline.
//
//	go run ./bench/longrun -hours 10 -gpus 8 -interval 10ms
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/benchctl/benchctl/probes/sampler"
	"github.com/benchctl/benchctl/reporters"
	_ "github.com/benchctl/benchctl/reporters/all" // every format, as the CLI has them
	"github.com/benchctl/benchctl/result"
)

// formats are rendered in this order; console is what benchctl prints at the end.
var formats = []string{"json", "junit", "html", "markdown", "console"}

// stagePlan is the VirNucPro shape: where each stage starts, as a fraction of
// the run; each ends where the next starts, the last at the end.
var stagePlan = []struct {
	name  string
	start float64
}{{"translation", 0}, {"dnabert", 0.03}, {"esm", 0.18}, {"consensus", 0.97}}

// checkpoints is how many times the heap is read during the sampling: after
// each tenth of the run (printRow shows the 2nd, 9th and 10th).
const checkpoints = 10

func main() {
	hours := flag.Float64("hours", 10, "simulated duration of the run, hours")
	gpus := flag.Int("gpus", 8, "simulated GPUs")
	interval := flag.Duration("interval", 10*time.Millisecond, "sampling interval")
	out := flag.String("out", "", "write the reports into this folder")
	row := flag.Bool("row", false, "print one Markdown table row (for run.sh) instead of the full text")
	header := flag.Bool("header", false, "print the header of the -row table and exit")
	flag.Parse()
	if *header {
		fmt.Println(rowHeader())
		return
	}
	if *hours <= 0 || *gpus <= 0 || *interval <= 0 {
		fmt.Fprintln(os.Stderr, "longrun: -hours, -gpus and -interval must be positive")
		os.Exit(2)
	}
	m, err := measure(*hours, *gpus, *interval, *out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "longrun:", err)
		os.Exit(1)
	}
	if *row {
		m.printRow(os.Stdout)
	} else {
		m.print(os.Stdout)
	}
	if !m.peakKept {
		os.Exit(1)
	}
}

// measurement is what one simulated run gave.
type measurement struct {
	hours     float64
	gpus      int
	interval  time.Duration
	ticks     int64 // sampler ticks (each reads every GPU once)
	simWall   time.Duration
	simCPU    time.Duration // user+system CPU of the process during the sampling
	hwmSample uint64        // VmHWM once the sampling has ended
	hwmFinal  uint64        // VmHWM once every report is rendered
	heap      [checkpoints]uint64
	heapInuse uint64 // HeapInuse once the summaries are built
	timeline  int    // buckets in GPU 0's timeline
	peakKept  bool
	reports   []rendered
}

// rendered is one format's report of the run.
type rendered struct {
	format string
	bytes  int
	wall   time.Duration
}

func measure(hours float64, gpus int, interval time.Duration, out string) (*measurement, error) {
	m := &measurement{hours: hours, gpus: gpus, interval: interval}
	total := time.Duration(hours * float64(time.Hour))
	m.ticks = int64(total / interval)
	recordAt := m.ticks*37/100 + 3 // a sample index that lines up with nothing

	start := time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)
	clk := sampler.NewFakeClock(start)
	b := newSynthBackend(gpus, interval, recordAt)
	cpu0 := cpuTime()
	wall0 := time.Now()
	s := sampler.Start(context.Background(), b, sampler.Options{Interval: interval, Clock: clk, Host: newSynthHost(gpus)})
	s.SetRoot(rootPID)
	stages := drive(s, clk, total, m)
	gs, hs := s.Stop()
	m.simWall = time.Since(wall0)
	m.simCPU = cpuTime() - cpu0
	m.hwmSample = vmHWM()
	m.heapInuse = heapInuse()

	if len(gs.GPUs) > 0 {
		g := gs.GPUs[0]
		m.timeline = len(g.Timeline)
		tlMax := 0.0
		for _, bk := range g.Timeline {
			tlMax = max(tlMax, bk.Max[result.MemUsed])
		}
		m.peakKept = g.Stats[result.MemUsed].Max == recordBytes && tlMax == recordBytes
	}
	rep := buildReport(start, total, gs, hs, stages, b)
	for _, f := range formats {
		r, err := reporters.Get(f)
		if err != nil {
			return nil, err
		}
		t0 := time.Now()
		data, err := r.Render(rep)
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", f, err)
		}
		m.reports = append(m.reports, rendered{format: f, bytes: len(data), wall: time.Since(t0)})
		if out != "" {
			if err := os.WriteFile(filepath.Join(out, "report."+f), data, 0o644); err != nil {
				return nil, err
			}
		}
	}
	m.hwmFinal = vmHWM()
	return m, nil
}

// drive advances the fake clock through the run a simulated minute at a time,
// switching stages on the way and reading the live heap at every tenth of it.
// FakeClock.Advance returns once every tick but the last has been handled, so
// a stage change lands within one tick of where the plan puts it.
func drive(s *sampler.Sampler, clk *sampler.FakeClock, total time.Duration, m *measurement) []result.Stage {
	const chunk = time.Minute
	var stages []result.Stage
	next, cp := 0, 0
	for at := time.Duration(0); at < total; {
		if next < len(stagePlan) && at >= time.Duration(stagePlan[next].start*float64(total)) {
			if n := len(stages); n > 0 {
				stages[n-1].End = at.Seconds()
			}
			s.Stage(stagePlan[next].name)
			stages = append(stages, result.Stage{Name: stagePlan[next].name, Start: at.Seconds()})
			next++
		}
		step := min(chunk, total-at)
		if next < len(stagePlan) {
			step = min(step, max(time.Duration(stagePlan[next].start*float64(total))-at, time.Nanosecond))
		}
		clk.Advance(step)
		at += step
		for cp < checkpoints && at >= total*time.Duration(cp+1)/checkpoints {
			m.heap[cp] = liveHeap()
			cp++
		}
	}
	if n := len(stages); n > 0 {
		stages[n-1].End = total.Seconds()
	}
	return stages
}

// liveHeap is the bytes of live heap objects after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// heapInuse is the bytes of heap spans in use after a full collection.
func heapInuse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}
