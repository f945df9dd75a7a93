package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/benchctl/benchctl/engine/pipeline"
	"github.com/benchctl/benchctl/engine/runner"
	"github.com/benchctl/benchctl/engine/units"
	"github.com/benchctl/benchctl/reporters/console"
	"github.com/benchctl/benchctl/result"
)

func monitorCommand() *cli.Command {
	return &cli.Command{
		Name:      "monitor",
		Usage:     "run one command under the probes and print a per-GPU summary",
		ArgsUsage: "-- CMD ARGS...",
		Flags: append([]cli.Flag{
			outFlag(),
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
	m, err := readMonitorFlags(c)
	if err != nil {
		return err
	}
	if err := lookCommand(m.argv[0]); err != nil {
		return err
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
	warnIgnoredGPUs(c, log, b)
	if m.dir == "" {
		if m.dir, err = os.MkdirTemp("", "benchctl-monitor-"); err != nil {
			return usageError("monitor: %v", err)
		}
	}
	ctx, signalled, stop := signalContext()
	defer stop()
	rep := startMonitorReport(c, m.dir, labels, runner.Environment(benchctlVersion(), b))
	hist.recordAsync(rep)
	run := runner.Run(ctx, b, m.spec(), runner.Options{Interval: interval, Accounting: c.Bool("accounting")})
	finishMonitorReport(rep, m.argv, run)
	newReportWriter(m.outs, log).write(rep, true)
	histErr := hist.finish(rep, filepath.Join(m.dir, "results.json"))
	if !c.Bool("quiet") && run.Class != result.ExitNotStartable {
		if data, err := (&console.Reporter{Runs: true}).Render(rep); err == nil {
			fmt.Fprintf(os.Stderr, "\n%s", data)
		}
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

// monitorFlags are what monitor runs and where its outputs go.
type monitorFlags struct {
	argv    []string
	outs    []output
	timeout time.Duration
	dir     string // the command's logs; a temporary folder unless given
}

// Exit codes of a command that cannot be run, as time(1) and the shell give.
const (
	exitNotExecutable = 126
	exitNotFound      = 127
)

// lookCommand checks that name can be run, before anything is opened: a
// command not found exits 127 and one that is not executable (or a
// directory) 126, with one line.
func lookCommand(name string) error {
	_, err := exec.LookPath(name)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, fs.ErrNotExist):
		return &exitError{code: exitNotFound, err: fmt.Errorf("monitor: %s: command not found", name)}
	}
	if fi, serr := os.Stat(name); serr == nil && fi.IsDir() {
		return &exitError{code: exitNotExecutable, err: fmt.Errorf("monitor: %s: is a directory", name)}
	}
	return &exitError{code: exitNotExecutable, err: fmt.Errorf("monitor: %s: not executable", name)}
}

// readMonitorFlags reads monitor's own flags.
func readMonitorFlags(c *cli.Context) (monitorFlags, error) {
	m := monitorFlags{argv: c.Args().Slice(), dir: c.String("results-dir")}
	if len(m.argv) == 0 {
		return m, usageError("monitor: no command given (benchctl monitor -- CMD ARGS...)")
	}
	var err error
	if m.outs, err = parseOutputs(c.StringSlice("out")); err != nil {
		return m, err
	}
	if t := c.String("timeout"); t != "" {
		if m.timeout, err = units.ParseDuration(t); err != nil {
			return m, usageError("--timeout: %v", err)
		}
	}
	return m, nil
}

// spec runs the command with its output passed through to ours.
func (m monitorFlags) spec() pipeline.Spec {
	return pipeline.Spec{
		Name: "monitor", Argv: m.argv, Timeout: m.timeout, LogDir: filepath.Join(m.dir, "logs"),
		EchoStdout: os.Stdout, EchoStderr: os.Stderr,
	}
}

// startMonitorReport is the report of a monitored command before it runs.
func startMonitorReport(c *cli.Context, dir string, labels map[string]string, env result.Environment) *result.Report {
	return &result.Report{
		SchemaVersion: result.SchemaVersion,
		Tool:          result.Tool{Name: "benchctl", Version: benchctlVersion()},
		StartedAt:     time.Now(), Partial: true,
		Invocation:  result.Invocation{Args: os.Args[1:], GPUBackend: c.String("gpu-backend"), ResultsDir: dir, Labels: labels},
		Environment: env,
	}
}

// finishMonitorReport completes the report with one suite of one case of the
// command's one run, passed when the command exited 0.
func finishMonitorReport(rep *result.Report, argv []string, run result.Run) {
	status := result.Passed
	if run.Class != result.ExitOK {
		status = result.Failed
	}
	start := rep.StartedAt
	rep.Partial, rep.FinishedAt, rep.Seconds = false, time.Now(), time.Since(start).Seconds()
	rep.Interrupted = run.Class == result.ExitInterrupted
	rep.Suites = []result.Suite{{Name: "monitor", File: "-", Status: status, StartedAt: start, Seconds: run.Seconds,
		Cases: []result.Case{{Name: filepath.Base(argv[0]), Status: status, StartedAt: start, Seconds: run.Seconds, Runs: []result.Run{run}}}}}
}
