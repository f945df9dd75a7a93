package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"github.com/benchctl/benchctl/engine/pipeline"
	"github.com/benchctl/benchctl/engine/units"
	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/proctree"
	"github.com/benchctl/benchctl/result"
	"github.com/benchctl/benchctl/runrecord"
)

// resultFlags are the run flags that change what a run measures: the GPU
// flags, each backend's among them. A resumed run takes them from the record
// when they are left out, and refuses to go on when one is given with another
// value.
func resultFlags() []string {
	names := []string{"gpu-backend", "gpus"}
	for _, f := range probes.Flags() {
		names = append(names, f.Name)
	}
	return append(names, "sample-interval", "accounting")
}

// runPlan is what runAction runs: from the flags, or, with --resume, from the
// record of an earlier run in its results dir.
type runPlan struct {
	files []string
	outs  []output
	vars  map[string]string
	tags  []string
	dir   string
	rec   runrecord.Record
	// For a resumed run: the report found in dir and the finished cases to
	// keep, by suite file (as files names it) and test name.
	prev *result.Report
	skip map[string]map[string]result.Case
	kept int
	// loadTimeout bounds each scenario's top-level code.
	loadTimeout time.Duration
}

// newRecord records the flags of a fresh run; the backend and the start time
// are filled in once known.
func newRecord(c *cli.Context, files []string, vars map[string]string, tags []string) runrecord.Record {
	flags := map[string]string{}
	for _, name := range resultFlags() {
		flags[name] = fmt.Sprint(c.Value(name))
	}
	return runrecord.New(os.Args[1:], files, vars, tags, flags, c.StringSlice("out"))
}

// writeRecord writes the record into dir, atomically.
func writeRecord(dir string, rec runrecord.Record) error {
	data, err := rec.Marshal()
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, runrecord.File), data)
}

// planResume reads the record and the report of the run in dir and checks
// that what this command gives agrees with them. Flags, vars, tags, scenarios
// and outputs left out are taken from the record; the result flags among them
// are set on c so that the rest of runAction reads them as usual. Every
// difference is one line of the error, which is a usage error.
func planResume(c *cli.Context, dir string) (*runPlan, error) {
	if rd := c.String("results-dir"); rd != "" && !runrecord.SamePath(rd, dir) {
		return nil, usageError("--resume %s: --results-dir %s: a resumed run writes into the dir it resumes", dir, rd)
	}
	prev, rec, err := runrecord.Read(dir)
	if err != nil {
		return nil, usageError("--resume %s: %v", dir, err)
	}
	if err := checkSurvivors(dir); err != nil {
		return nil, err
	}
	p := &runPlan{dir: dir, rec: rec, prev: prev}
	var diffs []string
	p.files, diffs = resumeScenarios(c, rec)
	if c.IsSet("var") {
		if p.vars, err = parseVars(c.StringSlice("var")); err != nil {
			return nil, err
		}
		diffs = append(diffs, runrecord.DiffVars(rec.Vars, p.vars)...)
	} else {
		p.vars = maps.Clone(rec.Vars)
		if p.vars == nil {
			p.vars = map[string]string{}
		}
	}
	p.tags = rec.Tags
	if c.IsSet("tags") {
		p.tags = parseTags(c.String("tags"))
		if !slices.Equal(p.tags, rec.Tags) {
			diffs = append(diffs, fmt.Sprintf("--tags: recorded %q, given %q", strings.Join(rec.Tags, ","), strings.Join(p.tags, ",")))
		}
	}
	diffs = append(diffs, resumeFlags(c, rec)...)
	if len(diffs) > 0 {
		return nil, usageError("--resume %s: refusing to resume: what was asked differs from the run recorded there:\n  %s",
			dir, strings.Join(diffs, "\n  "))
	}
	outSpecs := rec.Outs
	if c.IsSet("out") {
		outSpecs = c.StringSlice("out")
	}
	if p.outs, err = parseOutputs(outSpecs); err != nil {
		return nil, err
	}
	p.skip, p.kept = rec.FinishedCases(prev, p.files)
	return p, nil
}

// resumeFlags compares the result flags given with the recorded ones, and
// sets those left out to their recorded value.
func resumeFlags(c *cli.Context, rec runrecord.Record) []string {
	var diffs []string
	for _, name := range resultFlags() {
		was, ok := rec.Flags[name]
		switch {
		case !ok:
		case c.IsSet(name):
			if now := fmt.Sprint(c.Value(name)); canonicalFlag(name, now) != canonicalFlag(name, was) {
				diffs = append(diffs, fmt.Sprintf("--%s: recorded %q, given %q", name, was, now))
			}
		default:
			if err := c.Set(name, was); err != nil {
				diffs = append(diffs, fmt.Sprintf("--%s: recorded value %q is not valid: %v", name, was, err))
			}
		}
	}
	return diffs
}

// resumeScenarios returns the scenario files to run: those given, which must
// be the recorded ones in the recorded order, or the recorded ones.
func resumeScenarios(c *cli.Context, rec runrecord.Record) ([]string, []string) {
	var given []string
	if c.Args().Len() > 0 {
		var err error
		if given, err = expandScenarios(c.Args().Slice()); err != nil {
			return nil, []string{err.Error()}
		}
	}
	return rec.ScenarioFiles(given)
}

// canonicalFlag puts a flag's value in a form where equal settings compare
// equal: 10ms and 0.01s; a backend's flag as its Parse says (80GiB and
// 85899345920).
func canonicalFlag(name, v string) string {
	switch name {
	case "sample-interval":
		if d, err := units.ParseDuration(v); err == nil {
			return d.String()
		}
	}
	for _, f := range probes.Flags() {
		if f.Name == name {
			if s, err := f.Canonical(v); err == nil {
				return s
			}
		}
	}
	return strings.TrimSpace(v)
}

// checkBackend refuses a resumed run whose backend is not the recorded one:
// --gpu-backend auto may open nvml on one machine and none on another.
func (p *runPlan) checkBackend(name string) error {
	if p.prev == nil || p.rec.Backend == "" || p.rec.Backend == name {
		return nil
	}
	return usageError("--resume %s: refusing to resume: what was asked differs from the run recorded there:\n  gpu backend: recorded %s, opened %s",
		p.dir, p.rec.Backend, name)
}

// warnMachine logs when a resumed run goes on on another machine or other
// GPUs than it started on (its figures may not compare), or from another
// working directory (relative paths in vars would name other files).
func (p *runPlan) warnMachine(log zerolog.Logger, env result.Environment) {
	if p.prev == nil {
		return
	}
	if cwd, err := os.Getwd(); err == nil && p.rec.Cwd != "" && cwd != p.rec.Cwd {
		log.Warn().Str("was", p.rec.Cwd).Str("now", cwd).Msg("resuming from another working directory: relative paths in --var values now name other files")
	}
	old := p.prev.Environment
	if old.Hostname != env.Hostname {
		log.Warn().Str("was", old.Hostname).Str("now", env.Hostname).Msg("resuming on another host")
	}
	uuids := func(gs []result.GPUInfo) []string {
		var out []string
		for _, g := range gs {
			out = append(out, g.UUID)
		}
		return out
	}
	if !slices.Equal(uuids(old.GPUs), uuids(env.GPUs)) {
		log.Warn().Strs("was", uuids(old.GPUs)).Strs("now", uuids(env.GPUs)).Msg("resuming on other GPUs")
	}
}

// checkSurvivors refuses to resume a run whose pipeline's tree is still alive:
// a second copy would run beside it, on the same GPUs and files. The
// supervisor ends the tree when benchctl dies; this catches the tree of a
// run whose supervisor died too (killed with it by hand, or by the OOM
// killer).
func checkSurvivors(dir string) error {
	r, err := proctree.ReadRunning(filepath.Join(dir, pipeline.RunningFile))
	if err != nil {
		return nil // no pipeline was running, or nothing can be known
	}
	left := r.Survivors()
	if len(left) == 0 {
		return nil
	}
	pids := make([]string, len(left))
	for i, id := range left {
		pids[i] = strconv.Itoa(id.PID)
	}
	return usageError("--resume %s: the interrupted run's pipeline is still running (%s, pid %s): end it first (kill -TERM -- -%d) or let it finish",
		dir, strings.Join(r.Argv, " "), strings.Join(pids, " "), r.Pipeline.PID)
}
