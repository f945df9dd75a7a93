package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/benchctl/benchctl/engine"
	"github.com/benchctl/benchctl/engine/pipeline"
	"github.com/benchctl/benchctl/engine/units"
	"github.com/benchctl/benchctl/reporters"
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
		}, gpuFlags()...),
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
	run := engine.Execute(ctx, b, pipeline.Spec{
		Name: "monitor", Argv: argv, Timeout: timeout, LogDir: filepath.Join(dir, "logs"),
		Hooks: pipeline.Hooks{Line: func(stream, line string) {
			if stream == "stdout" {
				fmt.Fprintln(os.Stdout, line)
			} else {
				fmt.Fprintln(os.Stderr, line)
			}
		}},
	}, engine.ExecOptions{Interval: interval, Accounting: c.Bool("accounting")})
	status := result.Passed
	if run.Class != result.ExitOK {
		status = result.Failed
	}
	rep := &result.Report{
		SchemaVersion: result.SchemaVersion,
		Tool:          result.Tool{Name: "benchctl", Version: benchctlVersion()},
		StartedAt:     start, FinishedAt: time.Now(), Seconds: time.Since(start).Seconds(),
		Invocation:  result.Invocation{Args: os.Args[1:], GPUBackend: c.String("gpu-backend"), ResultsDir: dir},
		Environment: engine.Environment(benchctlVersion(), b),
		Suites: []result.Suite{{Name: "monitor", File: "-", Status: status, StartedAt: start, Seconds: run.Seconds,
			Cases: []result.Case{{Name: filepath.Base(argv[0]), Status: status, StartedAt: start, Seconds: run.Seconds, Runs: []result.Run{run}}}}},
	}
	newReportWriter(outs, log).write(rep, true)
	if !c.Bool("quiet") {
		printMonitorSummary(&run)
	}
	if code := signalled(); code != 0 {
		return &exitError{code: code}
	}
	if run.Class == result.ExitNotStartable {
		return usageError("monitor: %s", run.Error)
	}
	return &exitError{code: run.ExitCode}
}

func printMonitorSummary(run *result.Run) {
	r, err := reporters.Get("console")
	if err != nil {
		return
	}
	data, err := r.Render(&result.Report{Suites: []result.Suite{{Name: "monitor", Status: result.Passed,
		Cases: []result.Case{{Name: "command", Status: result.Passed, Seconds: run.Seconds, Runs: []result.Run{*run}}}}}})
	if err == nil {
		os.Stderr.Write(data)
	}
}
