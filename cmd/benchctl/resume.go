package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/urfave/cli/v2"

	"github.com/benchctl/benchctl/engine/units"
	"github.com/benchctl/benchctl/probes"
	reportjson "github.com/benchctl/benchctl/reporters/json"
	"github.com/benchctl/benchctl/result"
)

// recordFile is the record of what a run was asked, in its results dir. It is
// written before the first test runs and never changed after; --resume reads
// it to take up the same run.
const recordFile = "invocation.json"

// recordVersion is the version of recordFile's format.
const recordVersion = 1

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

// runRecord is what a run was asked: its scenarios and their content, vars,
// tags, the flags that change results, the backend that was opened and where
// its reports went.
type runRecord struct {
	Version int `json:"version"`
	// StartedAt is the report's started_at: it ties the record to the
	// results.json beside it.
	StartedAt time.Time          `json:"started_at"`
	Args      []string           `json:"args"`
	Cwd       string             `json:"cwd,omitempty"`
	Scenarios []recordedScenario `json:"scenarios"`
	Vars      map[string]string  `json:"vars"`
	Tags      []string           `json:"tags,omitempty"`
	Flags     map[string]string  `json:"flags"`
	// Backend is the GPU backend that was opened ("auto" resolved).
	Backend string `json:"backend"`
	// Outs are the --out values, their paths made absolute; a resumed run
	// writes there unless it is given --out of its own.
	Outs []string `json:"outs,omitempty"`
}

// recordedScenario is one scenario file as given, where it was, and the hash
// of its content.
type recordedScenario struct {
	Path   string `json:"path"`
	Abs    string `json:"abs"`
	SHA256 string `json:"sha256"`
}

// runPlan is what runAction runs: from the flags, or, with --resume, from the
// record of an earlier run in its results dir.
type runPlan struct {
	files []string
	outs  []output
	vars  map[string]string
	tags  []string
	dir   string
	rec   runRecord
	// For a resumed run: the report found in dir and the finished cases to
	// keep, by suite file (as files names it) and test name.
	prev *result.Report
	skip map[string]map[string]result.Case
	kept int
}

// newRecord records the flags of a fresh run; the backend and the start time
// are filled in once known.
func newRecord(c *cli.Context, files []string, vars map[string]string, tags []string) runRecord {
	cwd, _ := os.Getwd()
	rec := runRecord{Version: recordVersion, Args: os.Args[1:], Cwd: cwd, Vars: vars, Tags: tags, Flags: map[string]string{}}
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			abs = f
		}
		rec.Scenarios = append(rec.Scenarios, recordedScenario{Path: f, Abs: abs, SHA256: fileHash(f)})
	}
	for _, name := range resultFlags() {
		rec.Flags[name] = fmt.Sprint(c.Value(name))
	}
	for _, spec := range c.StringSlice("out") {
		format, path, _ := strings.Cut(spec, "=")
		if path != "-" {
			if abs, err := filepath.Abs(path); err == nil {
				path = abs
			}
		}
		rec.Outs = append(rec.Outs, format+"="+path)
	}
	return rec
}

// writeRecord writes the record into dir, atomically.
func writeRecord(dir string, rec runRecord) error {
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, recordFile), append(data, '\n'))
}

// planResume reads the record and the report of the run in dir and checks
// that what this command gives agrees with them. Flags, vars, tags, scenarios
// and outputs left out are taken from the record; the result flags among them
// are set on c so that the rest of runAction reads them as usual. Every
// difference is one line of the error, which is a usage error.
func planResume(c *cli.Context, dir string) (*runPlan, error) {
	if rd := c.String("results-dir"); rd != "" && !samePath(rd, dir) {
		return nil, usageError("--resume %s: --results-dir %s: a resumed run writes into the dir it resumes", dir, rd)
	}
	prev, rec, err := readRun(dir)
	if err != nil {
		return nil, err
	}
	p := &runPlan{dir: dir, rec: rec, prev: prev}
	var diffs []string
	p.files, diffs = resumeScenarios(c, rec)
	if c.IsSet("var") {
		if p.vars, err = parseVars(c.StringSlice("var")); err != nil {
			return nil, err
		}
		diffs = append(diffs, diffVars(rec.Vars, p.vars)...)
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
	p.skip, p.kept = finishedCases(prev, rec, p.files)
	return p, nil
}

// resumeFlags compares the result flags given with the recorded ones, and
// sets those left out to their recorded value.
func resumeFlags(c *cli.Context, rec runRecord) []string {
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

// readRun reads results.json and the record in dir and checks they belong to
// one run.
func readRun(dir string) (*result.Report, runRecord, error) {
	var rec runRecord
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return nil, rec, usageError("--resume %s: %v", dir, unwrapPath(err))
	case !fi.IsDir():
		return nil, rec, usageError("--resume %s: not a directory", dir)
	}
	data, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if errors.Is(err, os.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(dir, recordFile)); err == nil {
			return nil, rec, usageError("--resume %s: no results.json: the run recorded there ended before its first test; run it again", dir)
		}
		return nil, rec, usageError("--resume %s: no results.json: not the results dir of a benchctl run", dir)
	} else if err != nil {
		return nil, rec, usageError("--resume %s: results.json: %v", dir, unwrapPath(err))
	}
	prev, err := reportjson.Decode(data)
	if err != nil {
		return nil, rec, usageError("--resume %s: results.json: %s", dir, oneLine(err.Error()))
	}
	data, err = os.ReadFile(filepath.Join(dir, recordFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, rec, usageError("--resume %s: no %s: the run was not recorded for resuming", dir, recordFile)
	} else if err != nil {
		return nil, rec, usageError("--resume %s: %s: %v", dir, recordFile, unwrapPath(err))
	}
	if err := json.Unmarshal(data, &rec); err != nil {
		return nil, rec, usageError("--resume %s: %s: %s", dir, recordFile, oneLine(err.Error()))
	}
	if rec.Version != recordVersion {
		return nil, rec, usageError("--resume %s: %s: version %d, want %d", dir, recordFile, rec.Version, recordVersion)
	}
	if !rec.StartedAt.Equal(prev.StartedAt) {
		return nil, rec, usageError("--resume %s: results.json is of another run than %s (started %s, recorded %s)",
			dir, recordFile, prev.StartedAt.Format(time.RFC3339), rec.StartedAt.Format(time.RFC3339))
	}
	return prev, rec, nil
}

// resumeScenarios returns the scenario files to run: those given, which must
// be the recorded ones in the recorded order, or the recorded ones. Each must
// still hash as it did.
func resumeScenarios(c *cli.Context, rec runRecord) ([]string, []string) {
	var diffs []string
	var files []string
	if c.Args().Len() > 0 {
		given, err := expandScenarios(c.Args().Slice())
		if err != nil {
			return nil, []string{err.Error()}
		}
		same := len(given) == len(rec.Scenarios)
		for i := 0; same && i < len(given); i++ {
			same = samePath(given[i], rec.Scenarios[i].Abs)
		}
		if !same {
			var was []string
			for _, s := range rec.Scenarios {
				was = append(was, s.Path)
			}
			return nil, []string{fmt.Sprintf("scenarios: recorded %s, given %s", strings.Join(was, " "), strings.Join(given, " "))}
		}
		files = given
	} else {
		for _, s := range rec.Scenarios {
			f := s.Path
			if !samePath(f, s.Abs) {
				f = s.Abs // the record was made in another working directory
			}
			files = append(files, f)
		}
	}
	for i, s := range rec.Scenarios {
		switch now := fileHash(files[i]); {
		case now == s.SHA256:
		case now == "":
			diffs = append(diffs, fmt.Sprintf("scenario %s: cannot be read any more", s.Path))
		case now != s.SHA256:
			diffs = append(diffs, fmt.Sprintf("scenario %s: changed since the run (sha256 %s, now %s)", s.Path, short(s.SHA256), short(now)))
		}
	}
	return files, diffs
}

// diffVars says, one line a key, how two sets of vars differ.
func diffVars(was, now map[string]string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(was)) {
		v, ok := now[k]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("--var %s: recorded %q, not given", k, was[k]))
		case v != was[k]:
			out = append(out, fmt.Sprintf("--var %s: recorded %q, given %q", k, was[k], v))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(now)) {
		if _, ok := was[k]; !ok {
			out = append(out, fmt.Sprintf("--var %s: not recorded, given %q", k, now[k]))
		}
	}
	return out
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

// finishedCases picks, from the report of the earlier run, the cases to keep:
// every case that ended (passed, failed, errored, skipped), but not the one
// that was running or that the interrupt ended. They are keyed by the file
// name of this run, which may differ from the recorded one.
func finishedCases(prev *result.Report, rec runRecord, files []string) (map[string]map[string]result.Case, int) {
	fileFor := map[string]string{}
	for i, s := range rec.Scenarios {
		if i < len(files) {
			fileFor[s.Path] = files[i]
		}
	}
	skip := map[string]map[string]result.Case{}
	kept := 0
	for _, s := range prev.Suites {
		f, ok := fileFor[s.File]
		if !ok {
			continue
		}
		for _, c := range s.Cases {
			if !finished(c) {
				continue
			}
			if skip[f] == nil {
				skip[f] = map[string]result.Case{}
			}
			skip[f][c.Name] = c
			kept++
		}
	}
	return skip, kept
}

// finished reports whether a case ended by itself: not still running (the
// process died), and not errored because the run was interrupted.
func finished(c result.Case) bool {
	if c.Status == result.Running || c.Status == "" {
		return false
	}
	if c.Status == result.Errored && c.Error != nil && strings.HasPrefix(c.Error.Message, "interrupted") {
		return false
	}
	for _, r := range c.Runs {
		if r.Class == result.ExitInterrupted {
			return false
		}
	}
	return true
}

func samePath(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

func fileHash(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
