package engine

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/benchctl/benchctl/engine/pipeline"
	"github.com/benchctl/benchctl/engine/runner"
	"github.com/benchctl/benchctl/engine/units"
	"github.com/benchctl/benchctl/result"
)

// runOpts are bench.pipeline.run's options, read from Lua.
type runOpts struct {
	spec     pipeline.Spec
	repeat   int
	warmup   int
	interval time.Duration
	progress *progressPattern // nil: no progress option
}

func (rt *runtime) readRunOpts(L *lua.LState, st *testState) runOpts {
	opts := L.CheckTable(1)
	o := runOpts{repeat: 1, interval: rt.engine.opts.SampleInterval}
	o.spec.Argv = readCmd(L, opts)
	o.spec.Shell = lua.LVAsBool(opts.RawGetString("shell"))
	o.spec.Cwd = lua.LVAsString(opts.RawGetString("cwd"))
	if env, ok := opts.RawGetString("env").(*lua.LTable); ok {
		env.ForEach(func(k, v lua.LValue) {
			o.spec.Env = append(o.spec.Env, lua.LVAsString(k)+"="+cellString(v))
		})
	}
	o.spec.Timeout = durationOpt(L, opts, "timeout")
	o.spec.Grace = durationOpt(L, opts, "grace")
	if d := durationOpt(L, opts, "sample_every"); d > 0 {
		if d < MinSampleInterval {
			L.ArgError(1, fmt.Sprintf("sample_every: %s is under the shortest sampling interval, %s", d, MinSampleInterval))
		}
		o.interval = d
	}
	if v, ok := opts.RawGetString("oom_exit_code").(lua.LNumber); ok {
		o.spec.OOMExitCode = int(countOpt(L, opts, "oom_exit_code", 0, 255, 0))
		if v == 0 {
			o.spec.OOMExitCode = -1
		}
	}
	o.repeat = countOpt(L, opts, "runs", 1, maxRuns, 0)
	if o.repeat == 0 {
		if opts.RawGetString("repeat") != lua.LNil {
			// "repeat" is a Lua keyword: {repeat = 3} does not parse.
			rt.deprecated(L, "bench.pipeline.run option repeat", "runs")
		}
		o.repeat = countOpt(L, opts, "repeat", 1, maxRuns, 1)
	}
	o.warmup = countOpt(L, opts, "warmup", 0, maxRuns, 0)
	o.spec.TailLines = countOpt(L, opts, "tail_lines", 1, maxTailLines, 0)
	if o.spec.Cwd != "" {
		if fi, err := os.Stat(o.spec.Cwd); err != nil || !fi.IsDir() {
			L.ArgError(1, fmt.Sprintf("cwd %q: working directory not found", o.spec.Cwd))
		}
	}
	o.spec.Markers = readStages(L, opts)
	if p := lua.LVAsString(opts.RawGetString("stages_end")); p != "" {
		m, err := pipeline.NewMarker("stages_end", p)
		if err != nil {
			L.ArgError(1, err.Error())
		}
		o.spec.StagesEnd = &m
	}
	if p := lua.LVAsString(opts.RawGetString("line_time")); p != "" {
		var err error
		if o.spec.LineTime, err = newLineTime(p); err != nil {
			L.ArgError(1, err.Error())
		}
	}
	if p := lua.LVAsString(opts.RawGetString("progress")); p != "" {
		var err error
		if o.progress, err = newProgressPattern(p); err != nil {
			L.ArgError(1, err.Error())
		}
	}
	o.spec.Name = lua.LVAsString(opts.RawGetString("name"))
	if o.spec.Name == "" {
		o.spec.Name = fmt.Sprintf("run%d", len(st.c.Runs)+1)
	}
	o.spec.Name = slug(o.spec.Name)
	o.spec.LogDir = filepath.Join(st.c.Workdir, "logs")
	if dir := rt.engine.opts.ResultsDir; dir != "" {
		o.spec.RunningFile = filepath.Join(dir, pipeline.RunningFile)
	}
	return o
}

// readCmd reads the cmd option: an argv table, or a command string split
// into words as a POSIX shell would, without expansion.
func readCmd(L *lua.LState, opts *lua.LTable) []string {
	switch c := opts.RawGetString("cmd").(type) {
	case *lua.LTable:
		return stringList(c)
	case lua.LString:
		words, err := SplitCommand(string(c))
		if err != nil {
			L.ArgError(1, "cmd: "+err.Error())
		}
		return words
	}
	L.ArgError(1, "cmd must be an argv table or a command string")
	return nil
}

// readStages reads the stages option, { name = pattern } or
// { {name, pattern}, ... }, into the markers of the stages' starts.
func readStages(L *lua.LState, opts *lua.LTable) []pipeline.Marker {
	stages := map[string]string{}
	if t, ok := opts.RawGetString("stages").(*lua.LTable); ok {
		t.ForEach(func(k, v lua.LValue) {
			if pair, ok := v.(*lua.LTable); ok { // { {name, pattern}, ... }
				stages[lua.LVAsString(pair.RawGetInt(1))] = lua.LVAsString(pair.RawGetInt(2))
				return
			}
			stages[lua.LVAsString(k)] = lua.LVAsString(v)
		})
	}
	markers, err := pipeline.NewMarkers(stages)
	if err != nil {
		L.ArgError(1, err.Error())
	}
	return markers
}

// Bounds of bench.pipeline.run's counts: a run or a warm-up is a whole
// pipeline execution, and every tail line is kept in memory (up to 64 KiB
// each, for stdout and stderr).
const (
	maxRuns      = 10000
	maxTailLines = 10000
)

// MinSampleInterval is the shortest GPU sampling interval: a shorter one
// (1ns) samples as fast as the backend answers and measures the sampler.
const MinSampleInterval = time.Millisecond

// countOpt reads the whole-number option key of t, between lo and hi; def
// when it is absent. Anything else (a string, 2.5, NaN, 1e300) is an error.
func countOpt(L *lua.LState, t *lua.LTable, key string, lo, hi, def int) int {
	v := t.RawGetString(key)
	if v == lua.LNil {
		return def
	}
	n, ok := v.(lua.LNumber)
	f := float64(n)
	if !ok || f != math.Trunc(f) || f < float64(lo) || f > float64(hi) {
		L.ArgError(1, fmt.Sprintf("%s: want a whole number from %d to %d, got %s", key, lo, hi, cellString(v)))
	}
	return int(f)
}

func durationOpt(L *lua.LState, t *lua.LTable, key string) time.Duration {
	switch v := t.RawGetString(key).(type) {
	case lua.LNumber:
		d, err := units.Seconds(float64(v))
		if err != nil {
			L.ArgError(1, fmt.Sprintf("%s: invalid duration %s: %v", key, cellString(v), err))
		}
		return d
	case lua.LString:
		d, err := units.ParseDuration(string(v))
		if err != nil {
			L.ArgError(1, key+": "+err.Error())
		}
		return d
	}
	return 0
}

// pipelineRun implements bench.pipeline.run: warm-ups, then measured
// executions, each under the GPU sampler; it returns the last measured
// execution with the repeat statistics and records it in the test's result.
func (rt *runtime) pipelineRun(L *lua.LState) int {
	st := rt.inTest(L, "bench.pipeline.run")
	o := rt.readRunOpts(L, st)
	ctx := L.Context()
	var times []float64
	var run result.Run
	var progress *progressLog
	total := o.warmup + o.repeat
	var spent time.Duration
	for i := 0; i < total; i++ {
		spec := o.spec
		if total > 1 {
			spec.Name = fmt.Sprintf("%s.%d", o.spec.Name, i+1)
		}
		if o.progress != nil {
			progress = newProgressLog(o.progress, time.Now())
			spec.Hooks.Line = progress.line
			spec.Hooks.LineHas = pipeline.PatternLiteral(o.progress.pattern)
		}
		start := time.Now()
		rt.engine.setProgress(func(p *Progress) {
			p.Run, p.RunIndex, p.Runs, p.RunStarted, p.Stage = o.spec.Name, i+1, total, start, ""
			p.RunLeftEstimated = 0
			if i > 0 {
				p.RunLeftEstimated = spent / time.Duration(i) * time.Duration(total-i)
			}
		})
		run = rt.execute(ctx, spec, o.interval)
		spent += time.Since(start)
		if run.Class != result.ExitOK || ctx.Err() != nil {
			break
		}
		if i >= o.warmup {
			times = append(times, run.Seconds)
		}
	}
	if total > 1 {
		run.Repeat = pipeline.Stats(times, o.warmup)
	}
	run.Name = o.spec.Name
	st.c.Runs = append(st.c.Runs, run)
	rt.engine.setProgress(func(p *Progress) { p.Stage, p.Run, p.RunIndex, p.Runs, p.RunLeftEstimated = "", "", 0, 0, 0 })
	if ctx.Err() != nil {
		L.RaiseError("interrupted while running %s", strings.Join(run.Argv, " "))
	}
	t := rt.runTable(L, &run)
	if progress != nil {
		t.RawSetString(progressField, progress.table(L))
	}
	L.Push(t)
	return 1
}

// execute runs one execution under the sampler, with progress hooks.
func (rt *runtime) execute(ctx context.Context, spec pipeline.Spec, interval time.Duration) result.Run {
	e := rt.engine
	spec.Hooks.Stage = func(name string, _ time.Time) { e.setProgress(func(p *Progress) { p.Stage = name }) }
	e.opts.Log.Debug().Strs("argv", spec.Argv).Msg("pipeline started")
	var run result.Run
	e.park.park(func() {
		run = runner.Run(ctx, e.opts.Backend, spec, runner.Options{Interval: interval, Accounting: e.opts.Accounting})
	})
	e.opts.Log.Debug().Str("class", string(run.Class)).Int("exit_code", run.ExitCode).
		Float64("seconds", run.Seconds).Msg("pipeline ended")
	return run
}
