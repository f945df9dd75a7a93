package html

import (
	"fmt"
	"sort"
	"strings"

	"github.com/benchctl/benchctl/internal/format"
	"github.com/benchctl/benchctl/internal/text"
	"github.com/benchctl/benchctl/reporters/internal/outcome"
	"github.com/benchctl/benchctl/result"
)

// runView is one pipeline run: how it ended, its stages, its GPUs over time
// and what it printed last.
type runView struct {
	ID, Name, Class, Summary string
	Facts                    []kv
	Repeat                   *grid
	Stages                   *grid
	Sampling                 string
	XID                      bool
	GPUs                     *grid
	Charts                   []timeChart
	StageKeys                []stageKey // the legend of the charts' stage colours
	Processes, Events        *grid
	Orphans, Host            *grid
	Stdout, Stderr           string
}

func buildRun(id string, run result.Run) runView {
	name := run.Name
	if name == "" && len(run.Argv) > 0 {
		name = run.Argv[0]
	}
	rv := runView{
		ID:      id,
		Name:    text.OneLine(name),
		Class:   exitClass(run.Class),
		Summary: outcome.Run(run),
		Facts:   runFacts(run),
		Repeat:  repeat(run.Repeat),
		Stages:  stageTable(run),
		Host:    host(run.Host),
		Stdout:  tail(run.StdoutTail),
		Stderr:  tail(run.StderrTail),
	}
	if g := run.GPU; g != nil {
		rv.Sampling = sampling(g)
		rv.XID = g.XID
		rv.GPUs = gpuTable(g.GPUs)
		sp := span(run)
		for _, gpu := range g.GPUs {
			rv.Charts = append(rv.Charts, gpuCharts(gpu, run.Stages, sp)...)
		}
		if len(rv.Charts) > 0 {
			rv.StageKeys = stageLegend(run.Stages)
		}
		rv.Processes = processes(g.Processes)
		rv.Events = events(g.Events)
		rv.Orphans = orphans(g.Orphans)
	}
	return rv
}

func runFacts(run result.Run) []kv {
	var out []kv
	add := func(k, v string, mono bool) {
		if v = text.OneLine(v); strings.TrimSpace(v) != "" {
			out = append(out, kv{Key: k, Value: v, Mono: mono})
		}
	}
	exit := fmt.Sprintf("%s, exit code %d", orUnknown(string(run.Class)), run.ExitCode)
	if run.Signal != "" {
		exit += ", signal " + run.Signal
	}
	add("Exit", exit, false)
	add("Wall time", format.Duration(run.Seconds), false)
	add("Command", shellJoin(run.Argv), true)
	add("Directory", run.Cwd, true)
	if run.PID > 0 {
		add("PID", fmt.Sprint(run.PID), false)
	}
	add("Started", when(run.StartedAt), false)
	add("Error", run.Error, false)
	add("OOM", run.OOMLine, true)
	add("Stdout log", run.StdoutLog, true)
	add("Stderr log", run.StderrLog, true)
	return out
}

func repeat(rs *result.RepeatStats) *grid {
	if rs == nil || rs.Runs == 0 {
		return nil
	}
	outlier := map[int]bool{}
	for _, i := range rs.Outliers {
		outlier[i] = true
	}
	times := make([]string, len(rs.Times))
	for i, t := range rs.Times {
		times[i] = format.Duration(t)
		if outlier[i] {
			times[i] += " (outlier)"
		}
	}
	return &grid{
		Header: []string{"Runs", "Warm-up", "Mean ± stddev", "Median", "Min", "Max", "Times"},
		Rows: [][]cell{{
			{Text: fmt.Sprint(rs.Runs), Class: "num"}, {Text: fmt.Sprint(rs.Warmup), Class: "num"},
			{Text: format.Spread(rs.Mean, rs.Stddev, "s"), Class: "num"}, {Text: format.Duration(rs.Median), Class: "num"},
			{Text: format.Duration(rs.Min), Class: "num"}, {Text: format.Duration(rs.Max), Class: "num"},
			{Text: strings.Join(times, ", ")},
		}},
	}
}

// stageTable lists each stage once, in the order the stages first start:
// how many windows it had, its first start and last end, the sum of its
// windows and, per GPU, its peak memory and mean utilization. Stages the GPUs
// saw but the run did not mark come last, without times.
func stageTable(run result.Run) *grid {
	var gpus []result.GPURun
	if run.GPU != nil {
		gpus = run.GPU.GPUs
	}
	groups := groupStages(run.Stages)
	seen := map[string]bool{}
	for _, g := range groups {
		seen[g.Name] = true
	}
	for _, g := range gpus {
		for _, name := range sortedKeys(g.Stages) {
			if !seen[name] {
				seen[name] = true
				groups = append(groups, stageGroup{Name: name})
			}
		}
	}
	if len(groups) == 0 {
		return nil
	}
	tb := &grid{Header: []string{"Stage", "Windows", "First start", "Last end", "Time in stage"}}
	for _, g := range gpus {
		tb.Header = append(tb.Header, fmt.Sprintf("GPU%d peak · util", g.Index))
	}
	for _, g := range groups {
		cells := []cell{{Text: text.OneLine(g.Name)}, {}, {}, {}, {}}
		if g.Windows > 0 {
			copy(cells[1:], []cell{
				{Text: fmt.Sprint(g.Windows), Class: "num"}, {Text: format.Duration(g.First), Class: "num"},
				{Text: format.Duration(g.Last), Class: "num"}, {Text: format.Duration(g.Seconds), Class: "num"},
			})
		}
		for _, gpu := range gpus {
			cells = append(cells, cell{Text: stageFigures(gpu.Stages[g.Name]), Class: "num"})
		}
		tb.Rows = append(tb.Rows, cells)
	}
	return tb
}

// stageFigures is "60 GiB · 95.5%": a stage's peak memory and mean utilization
// on one GPU, with "–" for what was not measured.
func stageFigures(stats map[string]result.Stat) string {
	mem, util := "", ""
	if st, ok := stats[result.MemUsed]; ok && st.Count > 0 {
		mem = format.SignedBytes(st.Max)
	}
	if st, ok := stats[result.UtilGPU]; ok && st.Count > 0 {
		util = format.Value(st.Mean, "%")
	}
	switch {
	case mem == "" && util == "":
		return "–"
	case util == "":
		return mem
	case mem == "":
		return util
	}
	return mem + " · " + util
}

func sampling(g *result.GPUSummary) string {
	s := fmt.Sprintf("%d samples", g.Samples)
	if g.IntervalSeconds > 0 {
		s += " every " + format.Duration(g.IntervalSeconds)
	}
	if g.Backend != "" {
		s += " from " + g.Backend
	}
	if g.SampleErrors > 0 {
		s += fmt.Sprintf(", %d sample %s", g.SampleErrors, plural(int(g.SampleErrors), "error", "errors"))
		if g.LastError != "" {
			s += " (last: " + g.LastError + ")"
		}
	}
	return text.OneLine(s)
}

func gpuTable(gpus []result.GPURun) *grid {
	if len(gpus) == 0 {
		return nil
	}
	tb := &grid{Header: []string{"GPU", "Name", "Peak used", "Mean used", "Before → after", "Util mean (max)", "SM activity", "Tensor activity", "Temp max", "Power mean", "Energy", "Floor slope", "Throttle"}}
	for _, g := range gpus {
		stat := func(m string, f func(result.Stat) string) string {
			if st, ok := g.Stats[m]; ok && st.Count > 0 {
				return f(st)
			}
			return "–"
		}
		energy := "–"
		if g.EnergyJoules > 0 {
			energy = format.Value(g.EnergyJoules, "J")
		}
		tb.Rows = append(tb.Rows, []cell{
			{Text: fmt.Sprint(g.Index), Class: "num"},
			{Text: text.OneLine(g.Name)},
			{Text: stat(result.MemUsed, func(s result.Stat) string { return format.SignedBytes(s.Max) }), Class: "num"},
			{Text: stat(result.MemUsed, func(s result.Stat) string { return format.SignedBytes(s.Mean) }), Class: "num"},
			{Text: beforeAfter(g), Class: "num"},
			{Text: stat(result.UtilGPU, func(s result.Stat) string {
				return format.Value(s.Mean, "%") + " (" + format.Value(s.Max, "%") + ")"
			}), Class: "num"},
			{Text: stat(result.SMActivity, func(s result.Stat) string { return format.Value(s.Mean, "%") }), Class: "num"},
			{Text: stat(result.TensorActivity, func(s result.Stat) string { return format.Value(s.Mean, "%") }), Class: "num"},
			{Text: stat(result.Temperature, func(s result.Stat) string { return format.Number(s.Max) + " °C" }), Class: "num"},
			{Text: stat(result.Power, func(s result.Stat) string { return format.Value(s.Mean, "W") }), Class: "num"},
			{Text: energy, Class: "num"},
			{Text: format.SignedBytes(g.FloorSlope) + "/s", Class: "num"},
			{Text: text.OneLine(strings.Join(g.Throttle, ", "))},
		})
	}
	return tb
}

// beforeAfter is the memory used when the run started and once it ended.
func beforeAfter(g result.GPURun) string {
	if g.Baseline == 0 && g.After == 0 {
		return "–"
	}
	return format.Bytes(g.Baseline) + " → " + format.Bytes(g.After)
}

func processes(ps []result.ProcessPeak) *grid {
	if len(ps) == 0 {
		return nil
	}
	tb := &grid{Header: []string{"PID", "GPU", "Peak memory", "Measured"}}
	for _, p := range ps {
		how := "sampled"
		if p.Exact {
			how = "exact"
		}
		if p.Source != "" {
			how += " (" + text.OneLine(p.Source) + ")"
		}
		tb.Rows = append(tb.Rows, []cell{
			{Text: fmt.Sprint(p.PID), Class: "num"}, {Text: fmt.Sprint(p.GPU), Class: "num"},
			{Text: format.Bytes(p.PeakBytes), Class: "num"}, {Text: how},
		})
	}
	return tb
}

func events(es []result.Event) *grid {
	if len(es) == 0 {
		return nil
	}
	tb := &grid{Header: []string{"Time", "GPU", "Kind", "Data", "Message"}}
	for _, e := range es {
		kind := text.OneLine(e.Kind)
		class := ""
		if e.Kind == "xid" || e.Kind == "ecc_double" || e.Kind == "gpu_lost" {
			kind, class = strings.ToUpper(kind), "bad"
		}
		data := ""
		if e.Data != 0 {
			data = fmt.Sprint(e.Data)
		}
		tb.Rows = append(tb.Rows, []cell{
			{Text: format.Duration(e.Seconds), Class: "num"}, {Text: fmt.Sprint(e.GPU), Class: "num"},
			{Text: kind, Class: class}, {Text: data, Class: "num"}, {Text: text.Clean(e.Message), Class: "pre"},
		})
	}
	return tb
}

func orphans(list []result.Orphan) *grid {
	if len(list) == 0 {
		return nil
	}
	tb := &grid{Header: []string{"PID", "GPU", "Memory held", "Ended by benchctl"}}
	for _, o := range list {
		killed := "no"
		if o.Killed {
			killed = "yes"
		}
		tb.Rows = append(tb.Rows, []cell{
			{Text: fmt.Sprint(o.PID), Class: "num"}, {Text: fmt.Sprint(o.GPU), Class: "num"},
			{Text: format.Bytes(o.Bytes), Class: "num"}, {Text: killed},
		})
	}
	return tb
}

func host(h *result.HostSummary) *grid {
	if h == nil {
		return nil
	}
	cpu := "–"
	if st, ok := h.Stats[result.CPUPercent]; ok && st.Count > 0 {
		cpu = format.Value(st.Mean, "%") + " (max " + format.Value(st.Max, "%") + ")"
	}
	return &grid{
		Header: []string{"CPU time", "CPU mean (max)", "Peak RSS", "Max processes"},
		Rows: [][]cell{{
			{Text: format.Duration(h.CPUSeconds), Class: "num"}, {Text: cpu, Class: "num"},
			{Text: format.Bytes(h.PeakRSSBytes), Class: "num"}, {Text: fmt.Sprint(h.MaxProcesses), Class: "num"},
		}},
	}
}

// tail is captured output as a terminal would have shown it: a progress bar's
// last rewrite, with control characters and escapes cleaned.
func tail(lines []string) string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = text.Clean(text.Terminal(l))
	}
	return strings.Join(out, "\n")
}

// exitClass colours an exit class like a status: ok passes, a timeout or an
// interrupt is amber, anything else failed.
func exitClass(c result.ExitClass) string {
	switch c {
	case result.ExitOK:
		return "passed"
	case result.ExitTimeout, result.ExitInterrupted:
		return "running"
	}
	return "failed"
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
