package console

import (
	"fmt"
	"strings"

	"github.com/benchctl/benchctl/internal/format"
	"github.com/benchctl/benchctl/internal/table"
	"github.com/benchctl/benchctl/internal/text"
	"github.com/benchctl/benchctl/result"
)

// writeRuns writes, for each run of a case, its exit and what the probes saw:
// the host tree's CPU time and peak RSS, then per GPU memory, utilization,
// power, temperature and energy, then each process's peak, the orphans ended
// after the run and the GPU events. benchctl monitor shows this for its one
// command; the summary of a run of scenarios leaves it to the other reports.
func writeRuns(b *strings.Builder, c result.Case) {
	for _, run := range c.Runs {
		b.WriteString("\n")
		writeRun(b, &run)
	}
}

func writeRun(b *strings.Builder, run *result.Run) {
	line := func(format string, args ...any) {
		b.WriteString(text.OneLine(fmt.Sprintf(format, args...)) + "\n")
	}
	line("%s: %s (exit %d) in %s", strings.Join(run.Argv, " "), run.Class, run.ExitCode, format.Duration(run.Seconds))
	if run.Error != "" {
		line("  %s", run.Error)
	}
	if h := run.Host; h != nil {
		line("host: %.1f CPU s, peak RSS %s, up to %d processes", h.CPUSeconds, format.Bytes(h.PeakRSSBytes), h.MaxProcesses)
	}
	g := run.GPU
	if g == nil {
		line("no GPU seen")
		return
	}
	head := fmt.Sprintf("%d samples every %s (%s backend)", g.Samples, format.Duration(g.IntervalSeconds), g.Backend)
	if g.SampleErrors > 0 {
		head += fmt.Sprintf(", %d sample errors (last: %s)", g.SampleErrors, g.LastError)
	}
	line("%s", head)
	b.WriteString(gpuTable(g).Text(""))
	for _, p := range g.Processes {
		line("process %d on GPU %d: peak %s (%s)", p.PID, p.GPU, format.Bytes(p.PeakBytes), p.Source)
	}
	for _, o := range g.Orphans {
		line("orphan %d on GPU %d held %s after the command ended (ended)", o.PID, o.GPU, format.Bytes(o.Bytes))
	}
	for _, e := range g.Events {
		line("event at %s on GPU %d: %s %d %s", format.Duration(e.Seconds), e.GPU, e.Kind, e.Data, e.Message)
	}
}

// smActivity is a GPU's mean GPM SM activity, or "–" where it has no GPM.
func smActivity(gr result.GPURun) string {
	if st, ok := gr.Stats[result.SMActivity]; ok && st.Count > 0 {
		return fmt.Sprintf("%.0f%%", st.Mean)
	}
	return "–"
}

// gpuTable is one row per GPU of a run's summary.
func gpuTable(g *result.GPUSummary) table.Table {
	tb := table.Table{
		Header: []string{"GPU", "MEM PEAK", "MEM MEAN", "OF TOTAL", "UTIL MEAN", "UTIL MAX", "SM ACT", "POWER MEAN", "TEMP MAX", "ENERGY", "FLOOR SLOPE"},
		Align:  []table.Align{table.Right, table.Right, table.Right, table.Right, table.Right, table.Right, table.Right, table.Right, table.Right, table.Right, table.Right},
	}
	for _, gr := range g.GPUs {
		mem, util, pw, temp := gr.Stats[result.MemUsed], gr.Stats[result.UtilGPU], gr.Stats[result.Power], gr.Stats[result.Temperature]
		frac := 0.0
		if gr.MemoryTotal > 0 {
			frac = mem.Max / float64(gr.MemoryTotal) * 100
		}
		tb.Rows = append(tb.Rows, []string{fmt.Sprint(gr.Index),
			format.SignedBytes(mem.Max), format.SignedBytes(mem.Mean), fmt.Sprintf("%.1f%%", frac),
			fmt.Sprintf("%.0f%%", util.Mean), fmt.Sprintf("%.0f%%", util.Max), smActivity(gr), fmt.Sprintf("%.0f W", pw.Mean),
			fmt.Sprintf("%.0f C", temp.Max), fmt.Sprintf("%.0f J", gr.EnergyJoules), format.SignedBytes(gr.FloorSlope) + "/s"})
	}
	return tb
}
