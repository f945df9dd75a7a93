package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// print writes the measurement as text.
func (m *measurement) print(w io.Writer) {
	perTick := m.simWall / time.Duration(max(m.ticks, 1))
	fmt.Fprintf(w, "simulated:  %v on %d GPUs every %v: %d ticks, %d GPU samples\n",
		time.Duration(m.hours*float64(time.Hour)), m.gpus, m.interval, m.ticks, m.ticks*int64(m.gpus))
	fmt.Fprintf(w, "sampling:   wall %.2f s (%.0f ticks/s, %v a tick), CPU %.2f s\n",
		m.simWall.Seconds(), float64(m.ticks)/m.simWall.Seconds(), perTick, m.simCPU.Seconds())
	fmt.Fprintf(w, "peak RSS:   %s after sampling, %s after rendering every report (VmHWM)\n",
		mibs(m.hwmSample), mibs(m.hwmFinal))
	heap := make([]string, len(m.heap))
	for i, h := range m.heap {
		heap[i] = fmt.Sprintf("%.1f", float64(h)/1024)
	}
	fmt.Fprintf(w, "Go heap:    live KiB after each tenth of the run: %s; in use once summarised: %.1f KiB\n",
		strings.Join(heap, " "), float64(m.heapInuse)/1024)
	fmt.Fprintf(w, "timeline:   %d buckets on GPU 0; one-sample %d GiB peak kept in stats and timeline: %v\n",
		m.timeline, recordBytes/gib, yesNo(m.peakKept))
	for _, r := range m.reports {
		fmt.Fprintf(w, "report:     %-8s %9d bytes (%s), rendered in %v\n", r.format, r.bytes, kibs(r.bytes), r.wall.Round(time.Microsecond))
	}
}

// rowHeader is the Markdown table header that printRow's rows belong under.
func rowHeader() string {
	cols := []string{"simulated", "GPU samples", "wall", "per tick", "CPU", "peak RSS (sampling)", "peak RSS (with reports)",
		"live heap at 20% / 90% / end", "timeline", "peak kept"}
	for _, f := range formats {
		cols = append(cols, f)
	}
	return "| " + strings.Join(cols, " | ") + " |\n|" + strings.Repeat("---|", len(cols))
}

// printRow writes the measurement as one Markdown table row.
func (m *measurement) printRow(w io.Writer) {
	cells := []string{
		fmt.Sprintf("%g h", m.hours),
		fmt.Sprintf("%.3g M", float64(m.ticks*int64(m.gpus))/1e6),
		fmt.Sprintf("%.1f s", m.simWall.Seconds()),
		fmt.Sprintf("%.2f µs", float64(m.simWall.Nanoseconds())/float64(max(m.ticks, 1))/1e3),
		fmt.Sprintf("%.1f s", m.simCPU.Seconds()),
		mibs(m.hwmSample),
		mibs(m.hwmFinal),
		fmt.Sprintf("%.0f / %.0f / %.0f KiB", float64(m.heap[1])/1024, float64(m.heap[8])/1024, float64(m.heap[9])/1024),
		fmt.Sprintf("%d buckets", m.timeline),
		yesNo(m.peakKept),
	}
	for _, r := range m.reports {
		cells = append(cells, kibs(r.bytes))
	}
	fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
}

func mibs(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
func kibs(b int) string    { return fmt.Sprintf("%.1f KiB", float64(b)/1024) }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
