package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/benchctl/benchctl/engine/pipeline"
	"github.com/benchctl/benchctl/engine/runner"
	"github.com/benchctl/benchctl/engine/units"
	"github.com/benchctl/benchctl/internal/format"
	"github.com/benchctl/benchctl/result"
)

func monitorCommand() *cli.Command {
	return &cli.Command{
		Name:      "monitor",
		Usage:     "run one command under the probes and print a per-GPU summary",
		ArgsUsage: "-- CMD ARGS...",
		Flags: append([]cli.Flag{
			outFlag(),
			&cli.StringFlag{Name: "interval", Usage: "sampling interval (same as --sample-interval)"},
			&cli.StringFlag{Name: "timeout", Usage: "end the command after this long"},
			&cli.StringFlag{Name: "results-dir", Usage: "where the command's logs go (default a temporary folder)"},
		}, append(recordFlags(), gpuFlags()...)...),
		Action: monitorAction,
	}
}

// monitorAction exits with the command's own exit code (128+signal when killed),
// like time(1), so it can wrap a command in a script.
func monitorAction(c *cli.Context) error {
	log, err := newLogger(c)
	if err != nil {
		return err
	}
	argv := c.Args().Slice()
	if len(argv) == 0 {
		return usageError("monitor: no command given (benchctl monitor -- CMD ARGS...)")
	}
	outs, err := parseOutputs(c.StringSlice("out"))
	if err != nil {
		return err
	}
	if iv := c.String("interval"); iv != "" {
		if err := c.Set("sample-interval", iv); err != nil {
			return usageError("--interval: %v", err)
		}
	}
	var timeout time.Duration
	if t := c.String("timeout"); t != "" {
		if timeout, err = units.ParseDuration(t); err != nil {
			return usageError("--timeout: %v", err)
		}
	}
	hist, labels, err := openRunHistory(c, log)
	if err != nil {
		return err
	}
	b, interval, err := openBackend(c)
	if err != nil {
		return err
	}
	defer b.Close()
	dir := c.String("results-dir")
	if dir == "" {
		if dir, err = os.MkdirTemp("", "benchctl-monitor-"); err != nil {
			return usageError("monitor: %v", err)
		}
	}
	ctx, signalled, stop := signalContext()
	defer stop()
	start := time.Now()
	rep := &result.Report{
		SchemaVersion: result.SchemaVersion,
		Tool:          result.Tool{Name: "benchctl", Version: benchctlVersion()},
		StartedAt:     start, Partial: true,
		Invocation:  result.Invocation{Args: os.Args[1:], GPUBackend: c.String("gpu-backend"), ResultsDir: dir, Labels: labels},
		Environment: runner.Environment(benchctlVersion(), b),
	}
	hist.record(rep)
	run := runner.Run(ctx, b, pipeline.Spec{
		Name: "monitor", Argv: argv, Timeout: timeout, LogDir: filepath.Join(dir, "logs"),
		Hooks: pipeline.Hooks{Line: func(stream, line string) {
			if stream == "stdout" {
				fmt.Fprintln(os.Stdout, line)
			} else {
				fmt.Fprintln(os.Stderr, line)
			}
		}},
	}, runner.Options{Interval: interval, Accounting: c.Bool("accounting")})
	status := result.Passed
	if run.Class != result.ExitOK {
		status = result.Failed
	}
	rep.Partial, rep.FinishedAt, rep.Seconds = false, time.Now(), time.Since(start).Seconds()
	rep.Suites = []result.Suite{{Name: "monitor", File: "-", Status: status, StartedAt: start, Seconds: run.Seconds,
		Cases: []result.Case{{Name: filepath.Base(argv[0]), Status: status, StartedAt: start, Seconds: run.Seconds, Runs: []result.Run{run}}}}}
	newReportWriter(outs, log).write(rep, true)
	histErr := hist.finish(rep, filepath.Join(dir, "results.json"))
	if !c.Bool("quiet") {
		printMonitorSummary(&run)
	}
	if code := signalled(); code != 0 {
		return withHistory(&exitError{code: code}, histErr)
	}
	if run.Class == result.ExitNotStartable {
		return withHistory(usageError("monitor: %s", run.Error), histErr)
	}
	if run.ExitCode != 0 {
		return withHistory(&exitError{code: run.ExitCode}, histErr)
	}
	return withHistory(nil, histErr)
}

// printMonitorSummary prints the run's exit and, per GPU, memory, utilization,
// power, temperature and energy, then each process's peak and any event.
func printMonitorSummary(run *result.Run) {
	w := tabwriter.NewWriter(os.Stderr, 0, 0, 2, ' ', 0)
	defer w.Flush()
	fmt.Fprintf(w, "\n%s: %s (exit %d) in %s\n", strings.Join(run.Argv, " "), run.Class, run.ExitCode, format.Duration(run.Seconds))
	if run.Error != "" {
		fmt.Fprintf(w, "  %s\n", run.Error)
	}
	if h := run.Host; h != nil {
		fmt.Fprintf(w, "host: %.1f CPU s, peak RSS %s, up to %d processes\n", h.CPUSeconds, format.Bytes(h.PeakRSSBytes), h.MaxProcesses)
	}
	g := run.GPU
	if g == nil {
		fmt.Fprintln(w, "no GPU seen")
		return
	}
	fmt.Fprintf(w, "%d samples every %s (%s backend)", g.Samples, format.Duration(g.IntervalSeconds), g.Backend)
	if g.SampleErrors > 0 {
		fmt.Fprintf(w, ", %d sample errors (last: %s)", g.SampleErrors, g.LastError)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "GPU\tMEM PEAK\tMEM MEAN\tOF TOTAL\tUTIL MEAN\tUTIL MAX\tPOWER MEAN\tTEMP MAX\tENERGY\tFLOOR SLOPE")
	for _, gr := range g.GPUs {
		mem, util, pw, temp := gr.Stats[result.MemUsed], gr.Stats[result.UtilGPU], gr.Stats[result.Power], gr.Stats[result.Temperature]
		frac := 0.0
		if gr.MemoryTotal > 0 {
			frac = mem.Max / float64(gr.MemoryTotal) * 100
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%.1f%%\t%.0f%%\t%.0f%%\t%.0f W\t%.0f C\t%.0f J\t%s/s\n", gr.Index,
			format.SignedBytes(mem.Max), format.SignedBytes(mem.Mean), frac, util.Mean, util.Max, pw.Mean, temp.Max,
			gr.EnergyJoules, format.SignedBytes(gr.FloorSlope))
	}
	for _, p := range g.Processes {
		fmt.Fprintf(w, "process %d on GPU %d: peak %s (%s)\n", p.PID, p.GPU, format.Bytes(p.PeakBytes), p.Source)
	}
	for _, o := range g.Orphans {
		fmt.Fprintf(w, "orphan %d on GPU %d held %s after the command ended (ended)\n", o.PID, o.GPU, format.Bytes(o.Bytes))
	}
	for _, e := range g.Events {
		fmt.Fprintf(w, "event at %s on GPU %d: %s %d %s\n", format.Duration(e.Seconds), e.GPU, e.Kind, e.Data, e.Message)
	}
}
