package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"github.com/benchctl/benchctl/engine"
	"github.com/benchctl/benchctl/engine/runner"
	"github.com/benchctl/benchctl/engine/units"
	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/reporters"
	"github.com/benchctl/benchctl/result"
	"github.com/benchctl/benchctl/runrecord"
)

// gpuFlags are the flags that choose and configure the GPU backend: the
// common ones and those each registered backend declares.
func gpuFlags() []cli.Flag {
	names := probes.Names()
	flags := []cli.Flag{
		&cli.StringFlag{Name: "gpu-backend", Value: "auto", Usage: "auto (" + strings.Join(probes.AutoNames(), ", then ") +
			" when a GPU is there, else none), " + strings.Join(names[1:], ", ")},
		&cli.StringFlag{Name: "gpus", Usage: "GPUs to watch, by index or UUID (comma-separated); default all"},
	}
	for _, f := range probes.Flags() {
		flags = append(flags, &cli.StringFlag{Name: f.Name, Value: f.Default, Usage: f.Usage})
	}
	return append(flags,
		&cli.StringFlag{Name: "sample-interval", Aliases: []string{"interval"}, Value: "10ms", Usage: "GPU sampling interval"},
		&cli.BoolFlag{Name: "accounting", Value: true, Usage: "turn on NVML accounting during runs for exact per-process peaks (needs root; the mode found is restored); --accounting=false leaves it off"},
	)
}

func outFlag() cli.Flag {
	return &cli.StringSliceFlag{Name: "out", Aliases: []string{"o"}, Usage: "FORMAT=PATH, repeatable; formats: " + strings.Join(reporters.Names(), ", ") + "; PATH - is stdout"}
}

func runCommand() *cli.Command {
	return &cli.Command{
		Name:      "run",
		Usage:     "run scenarios and write reports",
		ArgsUsage: "SCENARIO.lua...",
		Flags: append([]cli.Flag{
			outFlag(),
			&cli.StringSliceFlag{Name: "var", Usage: "KEY=VALUE, repeatable; read in Lua with bench.var; a var no scenario declares is refused"},
			&cli.BoolFlag{Name: "allow-unknown-vars", Usage: "run even when a --var is declared by no scenario (read only inside a test, say)"},
			&cli.StringFlag{Name: "tags", Usage: "run only suites or tests with one of these tags (comma-separated)"},
			loadTimeoutFlag(),
			&cli.StringFlag{Name: "results-dir", Usage: "logs, work dirs and reports (default ./reports/<time>, made new)"},
			&cli.BoolFlag{Name: "force", Usage: "run into a --results-dir that holds an earlier run, replacing its reports"},
			&cli.StringFlag{Name: "lua-memory", Value: "1GiB", Usage: "memory the scenarios may hold; a test that passes it ends with an error"},
			&cli.StringFlag{Name: "resume", Usage: "DIR: take up the interrupted run in its results dir DIR: finished tests are kept, " +
				"the others run; scenarios, vars and flags left out are taken from DIR's record, and different ones are refused"},
		}, append(recordFlags(), gpuFlags()...)...),
		Action: runAction,
	}
}

// loadTimeoutFlag bounds the top-level code of each scenario.
func loadTimeoutFlag() cli.Flag {
	return &cli.StringFlag{Name: "load-timeout", Value: engine.DefaultLoadTimeout.String(),
		Usage: "how long a scenario's top-level code (outside bench.test) may run before it counts as a load error"}
}

// loadTimeout reads --load-timeout.
func loadTimeout(c *cli.Context) (time.Duration, error) {
	d, err := units.ParseDuration(c.String("load-timeout"))
	if err != nil || d <= 0 {
		return 0, usageError("--load-timeout %q: want a positive duration such as 30s", c.String("load-timeout"))
	}
	return d, nil
}

// openBackend opens the GPU backend the flags ask for.
func openBackend(c *cli.Context) (probes.Backend, time.Duration, error) {
	interval, err := units.ParseDuration(c.String("sample-interval"))
	if err != nil || interval <= 0 {
		return nil, 0, usageError("--sample-interval %q: want a positive duration such as 10ms", c.String("sample-interval"))
	}
	if interval < engine.MinSampleInterval {
		return nil, 0, usageError("--sample-interval %q: under the shortest sampling interval, %s", c.String("sample-interval"), engine.MinSampleInterval)
	}
	cfg := probes.Config{Flags: map[string]string{}}
	for _, f := range probes.Flags() {
		v := c.String(f.Name)
		if _, err := f.Canonical(v); err != nil {
			return nil, 0, usageError("--%s: %v", f.Name, err)
		}
		cfg.Flags[f.Name] = v
	}
	if g := c.String("gpus"); g != "" {
		cfg.Select = strings.Split(g, ",")
	}
	name := c.String("gpu-backend")
	known := false
	for _, n := range probes.Names() {
		known = known || n == name
	}
	if !known {
		return nil, 0, usageError("--gpu-backend %q: want one of %s", name, strings.Join(probes.Names(), ", "))
	}
	b, err := probes.Open(name, cfg)
	if err != nil {
		return nil, 0, usageError("gpu backend %s: %v", name, err)
	}
	return b, interval, nil
}

// warnIgnoredGPUs warns when --gpus named GPUs and auto found none here (no
// driver, no GPU): the run goes on without GPUs, as auto does, but not
// silently.
func warnIgnoredGPUs(c *cli.Context, log zerolog.Logger, b probes.Backend) {
	none, ok := b.(*probes.NoneBackend)
	if !ok || c.String("gpus") == "" || c.String("gpu-backend") != "auto" {
		return
	}
	log.Warn().Str("gpus", c.String("gpus")).Str("reason", none.Reason).Msg("--gpus ignored: --gpu-backend auto found no GPU here, the run goes on without GPUs")
}

// warnDuplicateVars warns of each --var key given more than once: the last
// value is used, which may not be what was meant (a script adding its own).
func warnDuplicateVars(log zerolog.Logger, specs []string) {
	seen := map[string]string{}
	for _, s := range specs {
		k, v, ok := strings.Cut(s, "=")
		if k = strings.TrimSpace(k); !ok || k == "" {
			continue
		}
		if was, dup := seen[k]; dup && was != v {
			log.Warn().Str("var", k).Str("was", was).Str("used", v).Msg("--var given twice: the last value is used")
		}
		seen[k] = v
	}
}

func parseVars(specs []string) (map[string]string, error) {
	vars := map[string]string{}
	for _, s := range specs {
		k, v, ok := strings.Cut(s, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, usageError("--var %q: want KEY=VALUE", s)
		}
		vars[k] = v
	}
	return vars, nil
}

// expandScenarios expands globs the shell left alone and refuses no match.
func expandScenarios(args []string) ([]string, error) {
	if len(args) == 0 {
		return nil, usageError("no scenario given (benchctl run SCENARIO.lua...)")
	}
	var files []string
	for _, a := range args {
		if strings.ContainsAny(a, "*?[") {
			m, err := filepath.Glob(a)
			if err != nil || len(m) == 0 {
				return nil, usageError("%s: no scenario matches", a)
			}
			files = append(files, m...)
			continue
		}
		files = append(files, a)
	}
	return files, nil
}

// signalContext is cancelled by SIGINT, SIGTERM or SIGHUP; which one came is
// kept for the exit code. A second signal exits at once.
func signalContext() (context.Context, func() int, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var got atomic.Int32
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		for sig := range ch {
			if sig == syscall.SIGHUP {
				// The terminal is gone, and a pipe reading our stderr may
				// be too: a write to it must not kill benchctl before the
				// reports are written.
				signal.Ignore(syscall.SIGPIPE)
			}
			if !got.CompareAndSwap(0, int32(sig.(syscall.Signal))) {
				fmt.Fprintln(os.Stderr, "benchctl: second signal, exiting now")
				os.Exit(exitCodeFor(syscall.Signal(got.Load())))
			}
			fmt.Fprintln(os.Stderr, "benchctl: interrupted; ending the pipeline and writing reports (again to force)")
			cancel()
		}
	}()
	code := func() int {
		if s := got.Load(); s != 0 {
			return exitCodeFor(syscall.Signal(s))
		}
		return 0
	}
	stop := func() { signal.Stop(ch); cancel() }
	return ctx, code, stop
}

func exitCodeFor(sig syscall.Signal) int {
	switch sig {
	case syscall.SIGTERM:
		return exitTerminated
	case syscall.SIGHUP:
		return exitHangup
	}
	return exitInterrupted
}

func runAction(c *cli.Context) error {
	log, err := newLogger(c)
	if err != nil {
		return err
	}
	plan, err := planRun(c)
	if err != nil {
		return err
	}
	warnDuplicateVars(log, c.StringSlice("var"))
	if plan.loadTimeout, err = loadTimeout(c); err != nil {
		return err
	}
	if err := preflight(plan, c.Bool("allow-unknown-vars")); err != nil {
		return err
	}
	hist, labels, err := openRunHistory(c, log)
	if err != nil {
		return err
	}
	if err := checkOutsNotInputs(plan.outs, plan.files, plan.dir); err != nil {
		return err
	}
	budget, err := memoryBudget(c)
	if err != nil {
		return err
	}
	backend, interval, err := openBackend(c)
	if err != nil {
		return err
	}
	defer backend.Close()
	warnIgnoredGPUs(c, log, backend)
	if err := plan.prepareResultsDir(c.Bool("force")); err != nil {
		return err
	}
	dir := plan.dir
	if err := plan.checkBackend(backend.Name()); err != nil {
		return err
	}

	jsonRep, _ := reporters.Get("json")
	// results.json first: an output that fails or stalls never keeps it back.
	outs := append([]output{{format: "json", path: filepath.Join(dir, "results.json"), rep: jsonRep}}, plan.outs...)
	writer := newReportWriter(outs, log)

	pacer := newReportPacer(func(r *result.Report) {
		writer.write(r, false)
		hist.record(r)
	})
	ctx, signalled, stop := signalContext()
	defer stop()
	rep, err := plan.start(c, backend)
	if err != nil {
		return err
	}
	rep.Invocation.Labels = plan.labels(labels)
	hist.recordAsync(rep)
	plan.warnMachine(log, rep.Environment)
	if plan.prev != nil && !c.Bool("quiet") {
		fmt.Fprintf(os.Stderr, "resuming %s: %d finished %s kept\n", dir, plan.kept, plural(plan.kept, "test", "tests"))
	}
	runErr := runScenarios(ctx, c, plan, rep, engine.Options{
		Backend: backend, SampleInterval: interval, Log: log, MemoryBudget: budget,
		CaseDone: func(r *result.Report) {
			r.FinishedAt = time.Now()
			r.Seconds = r.FinishedAt.Sub(r.StartedAt).Seconds()
			pacer.offer(r)
		},
	})
	pacer.stop()
	rep.Partial = false
	rep.FinishedAt = time.Now()
	rep.Seconds = rep.FinishedAt.Sub(rep.StartedAt).Seconds()
	writer.write(rep, true)
	histErr := hist.finish(rep, filepath.Join(dir, "results.json"))
	if !c.Bool("quiet") {
		printSummary(summaryWriter(plan.outs), rep, dir)
	}
	return withHistory(runExit(rep, runErr, writer.err(), signalled()), histErr)
}

// minMemoryBudget is the smallest --lua-memory: below it benchctl's own
// heap (reports, GPU timelines) would end tests.
const minMemoryBudget = 64 << 20

// memoryBudget reads --lua-memory and sets the Go runtime's soft memory
// limit above it, a backstop that makes the garbage collector work harder
// before memory runs out, while the engine's guard ends the test.
func memoryBudget(c *cli.Context) (uint64, error) {
	budget, err := units.ParseSize(c.String("lua-memory"))
	if err != nil {
		return 0, usageError("--lua-memory: %v", err)
	}
	if budget < minMemoryBudget || budget > 1<<50 {
		return 0, usageError("--lua-memory %s: want from 64MiB to 1PiB", c.String("lua-memory"))
	}
	debug.SetMemoryLimit(int64(budget) + 512<<20)
	return budget, nil
}

// prepareResultsDir makes the results dir (a new one under reports/ when
// none is given), checks that results.json can be written there and takes
// its lock, before anything runs. A fresh run into a dir that holds an
// earlier run is refused unless forced: it would overwrite that run.
func (p *runPlan) prepareResultsDir(force bool) error {
	if p.dir == "" {
		dir, err := defaultResultsDir()
		if err != nil {
			return usageError("results dir: %v", err)
		}
		p.dir = dir
	}
	if err := mkdirAll(p.dir); err != nil {
		return usageError("--results-dir %s: %v", p.dir, unwrapPath(err))
	}
	if err := checkWritable(filepath.Join(p.dir, "results.json")); err != nil {
		return usageError("--results-dir %s: %v", p.dir, err)
	}
	if err := lockResultsDir(p.dir); err != nil {
		return usageError("--results-dir %s: %v", p.dir, err)
	}
	if name := holdsRun(p.dir); name != "" && p.prev == nil && !force {
		return usageError("--results-dir %s holds an earlier run (%s): take it up with --resume %s, replace it with --force, or give another dir",
			p.dir, name, p.dir)
	}
	return nil
}

// runScenarios runs the plan's scenarios into rep with the engine, behind
// the progress line; o brings the backend, the log and what to do after each
// test, the plan and the flags the rest. Vars no scenario read are warned of.
func runScenarios(ctx context.Context, c *cli.Context, plan *runPlan, rep *result.Report, o engine.Options) error {
	progress := newProgressLine(c.Bool("quiet") || c.String("log-format") == "json")
	defer progress.stop()
	o.Vars, o.Tags, o.ResultsDir, o.Skip = plan.vars, plan.tags, plan.dir, plan.skip
	o.LoadTimeout = plan.loadTimeout
	o.Accounting, o.Progress = c.Bool("accounting"), progress.set
	eng := engine.New(o)
	runErr := eng.Run(ctx, plan.files, rep)
	progress.stop()
	for _, k := range eng.UnusedVars() {
		o.Log.Warn().Str("var", k).Msg("--var not read by any scenario")
	}
	return runErr
}

// planRun reads what to run from the flags, or with --resume from the record
// of the run being resumed.
func planRun(c *cli.Context) (*runPlan, error) {
	if dir := c.String("resume"); dir != "" {
		return planResume(c, dir)
	}
	files, err := expandScenarios(c.Args().Slice())
	if err != nil {
		return nil, err
	}
	outs, err := parseOutputs(c.StringSlice("out"))
	if err != nil {
		return nil, err
	}
	vars, err := parseVars(c.StringSlice("var"))
	if err != nil {
		return nil, err
	}
	tags := parseTags(c.String("tags"))
	dir := c.String("results-dir") // "" until prepareResultsDir makes one
	rec := newRecord(c, files, vars, tags)
	return &runPlan{files: files, outs: outs, vars: vars, tags: tags, dir: dir, rec: rec}, nil
}

// start builds the report the engine fills. A fresh run records what it was
// asked in the results dir first; a resumed run keeps the start and the
// invocation of the run it takes up.
func (p *runPlan) start(c *cli.Context, backend probes.Backend) (*result.Report, error) {
	rep := &result.Report{
		SchemaVersion: result.SchemaVersion,
		Tool:          result.Tool{Name: "benchctl", Version: benchctlVersion()},
		StartedAt:     time.Now(),
		Partial:       true,
		Invocation: result.Invocation{
			Args: os.Args[1:], Vars: p.vars, Tags: p.tags, GPUBackend: c.String("gpu-backend"), ResultsDir: p.dir,
		},
		Environment: runner.Environment(benchctlVersion(), backend),
	}
	if p.prev != nil {
		rep.StartedAt = p.prev.StartedAt
		rep.Invocation.Args = p.rec.Args
		return rep, nil
	}
	p.rec.StartedAt = rep.StartedAt
	p.rec.Backend = backend.Name()
	if err := writeRecord(p.dir, p.rec); err != nil {
		return nil, usageError("--results-dir %s: %s not written: %v", p.dir, runrecord.File, err)
	}
	return rep, nil
}

func parseTags(s string) []string {
	var tags []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	return tags
}

// runExit picks the exit code: an interrupt first, then bad scenarios and
// unwritable outputs, then failed tests.
func runExit(rep *result.Report, runErr, writeErr error, signalled int) error {
	if signalled != 0 {
		return &exitError{code: signalled}
	}
	if runErr != nil {
		if errors.Is(runErr, engine.ErrBadScenario) {
			return &exitError{code: exitUsage, err: runErr}
		}
		return &exitError{code: exitUsage, err: runErr}
	}
	if writeErr != nil {
		return &exitError{code: exitUsage, err: writeErr}
	}
	for _, s := range rep.Suites {
		if s.Status == result.Failed || s.Status == result.Errored {
			return &exitError{code: exitFailed}
		}
	}
	return nil
}

// printSummary writes the end-of-run summary, every test and every check
// with its mark, and where the results are.
func printSummary(w io.Writer, rep *result.Report, dir string) {
	r, err := reporters.Get("console")
	if err != nil {
		return
	}
	data, err := r.Render(rep)
	if err != nil {
		return
	}
	w.Write(data)
	fmt.Fprintf(w, "results: %s\n", dir)
}

// summaryWriter is where the summary goes: stdout, as it is the run's
// answer (logs stay on stderr), unless an --out report is written there.
func summaryWriter(outs []output) io.Writer {
	for _, o := range outs {
		if o.path == "-" || o.path == "/dev/stdout" {
			return os.Stderr
		}
	}
	return os.Stdout
}
