// Package engine is benchctl's Lua host. It loads scenario files into sandboxed
// Lua states, exposes the bench module (suites, tests, expectations, vars,
// synthetic data, pipeline runs, GPU probes), runs the tests in order and builds
// the result model that reporters render.
package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/benchctl/benchctl/internal/capread"
	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/result"
)

// Options configure an Engine.
type Options struct {
	Vars           map[string]string
	Tags           []string
	ResultsDir     string
	Backend        probes.Backend // never nil; probes.None when there is no GPU
	SampleInterval time.Duration  // default 10 ms
	Accounting     bool           // use NVML accounting for exact peaks where possible
	Log            zerolog.Logger
	// Progress is told what runs now, for a live status line. Optional.
	Progress func(Progress)
	// CaseDone is called after every test (and before each starts, with the
	// test marked running) so reports on disk always hold what finished.
	CaseDone func(*result.Report)
	// MemoryBudget is what the scenarios may hold in benchctl's memory, in
	// bytes; default DefaultMemoryBudget. A test that passes it ends with
	// an error, as does a scenario that passes it while it loads.
	MemoryBudget uint64
	// Skip names tests already finished in an earlier, resumed run: suite file
	// -> test name -> the case to keep instead of running it again.
	Skip map[string]map[string]result.Case
	// LoadTimeout bounds the top-level code of each scenario (Load); default
	// DefaultLoadTimeout.
	LoadTimeout time.Duration
}

// DefaultLoadTimeout is how long a scenario's top-level code may run when
// Options gives no LoadTimeout: it only declares the suite, its vars and its
// tests, which takes milliseconds.
const DefaultLoadTimeout = 30 * time.Second

// Progress is the engine's current position.
type Progress struct {
	Suite, Test, Stage string
	Started            time.Time // the test's start
	// Run is the pipeline run in progress ("" between runs): its name, which
	// execution it is of how many (warm-ups included), and, from the second
	// execution on, how long the rest of this run should take, from the mean
	// of the executions so far (0 when not known).
	Run              string
	RunIndex, Runs   int
	RunStarted       time.Time
	RunLeftEstimated time.Duration
}

// Engine runs scenarios. Run it once; it is not safe for concurrent use.
type Engine struct {
	opts     Options
	report   *result.Report
	mu       sync.Mutex
	usedVars map[string]bool
	warned   map[string]bool // deprecations warned about
	workdirs map[string]bool // taken by a test of this run
	heapBase uint64          // heap bytes when the engine was made
	park     *luaPark        // Lua parked in a pipeline run: the memory guard sleeps
	progress Progress
}

// New returns an engine with the given options.
func New(opts Options) *Engine {
	if opts.Backend == nil {
		opts.Backend = probes.None("no backend given")
	}
	if opts.MemoryBudget == 0 {
		opts.MemoryBudget = DefaultMemoryBudget
	}
	if opts.SampleInterval <= 0 {
		opts.SampleInterval = 10 * time.Millisecond
	}
	if opts.LoadTimeout <= 0 {
		opts.LoadTimeout = DefaultLoadTimeout
	}
	if opts.ResultsDir == "" {
		opts.ResultsDir = filepath.Join("reports", time.Now().Format("20060102-150405"))
	}
	e := &Engine{opts: opts, usedVars: map[string]bool{}, warned: map[string]bool{}, workdirs: map[string]bool{}, heapBase: heapBytes(), park: newLuaPark()}
	for _, cases := range opts.Skip {
		for _, c := range cases {
			e.workdirs[c.Workdir] = true
		}
	}
	return e
}

// workdir is a test's own folder inside the results dir: suite/test, made
// safe as names, with -2, -3... added when two tests of the run come to the
// same one ("a b" and "a/b", names that differ only past 80 characters).
func (e *Engine) workdir(suite, test string) string {
	base := filepath.Join(e.opts.ResultsDir, slug(suite), slug(test))
	dir := base
	for i := 2; e.workdirs[dir]; i++ {
		dir = fmt.Sprintf("%s-%d", base, i)
	}
	e.workdirs[dir] = true
	return dir
}

// ErrBadScenario is wrapped by Run's error when a scenario could not be loaded;
// the others still ran.
var ErrBadScenario = errors.New("bad scenario")

// Run loads and runs every scenario file in order and returns the report. A
// scenario that fails to load is recorded as a suite with an error, and Run
// goes on with the next; the returned error then wraps ErrBadScenario. When ctx
// ends (an interrupt), the test in progress is marked as an error, the rest are
// not run, and the report says it was interrupted.
func (e *Engine) Run(ctx context.Context, files []string, rep *result.Report) error {
	e.report = rep
	var bad []string
	for _, f := range files {
		if ctx.Err() != nil {
			break
		}
		if err := e.runFile(ctx, f); err != nil {
			bad = append(bad, err.Error())
		}
	}
	if ctx.Err() != nil {
		rep.Interrupted = true
	}
	if len(bad) > 0 {
		return fmt.Errorf("%w: %s", ErrBadScenario, strings.Join(bad, "; "))
	}
	return nil
}

// UnusedVars lists --var keys that no scenario read.
func (e *Engine) UnusedVars() []string {
	var out []string
	for k := range e.opts.Vars {
		if !e.usedVars[k] {
			out = append(out, k)
		}
	}
	return out
}

func (e *Engine) runFile(ctx context.Context, file string) error {
	suiteStart := time.Now()
	e.report.Invocation.Scenarios = append(e.report.Invocation.Scenarios, result.ScenarioFile{Path: file, SHA256: hashFile(file)})
	loadCtx, release := e.guardMemory(ctx)
	sc, err := Load(loadCtx, file, e)
	release()
	if err != nil && overBudget(loadCtx) {
		err = &LoadError{File: file, Msg: e.overBudgetMessage("loading the scenario")}
	}
	if err != nil {
		e.report.Suites = append(e.report.Suites, result.Suite{
			Name: strings.TrimSuffix(filepath.Base(file), filepath.Ext(file)), File: file,
			Status: result.Errored, StartedAt: suiteStart, Error: err.Error(),
		})
		e.notify()
		// Info, not Error: Run returns the error and the CLI prints it once.
		e.opts.Log.Info().Str("file", file).Err(err).Msg("scenario not loaded")
		return err
	}
	defer sc.Close()
	e.report.Suites = append(e.report.Suites, result.Suite{
		Name: sc.Name, File: file, Description: sc.Description, Tags: sc.Tags,
		StartedAt: suiteStart, Status: result.Passed,
	})
	si := len(e.report.Suites) - 1
	for _, td := range sc.Tests {
		if !e.selected(sc.Tags, td.Tags) {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		if kept, ok := e.opts.Skip[file][td.Name]; ok {
			e.report.Suites[si].Cases = append(e.report.Suites[si].Cases, kept)
			continue
		}
		e.runTest(ctx, sc, si, td)
	}
	s := &e.report.Suites[si]
	s.Seconds = time.Since(suiteStart).Seconds()
	s.Status = worst(s.Cases)
	e.notify()
	return nil
}

func (e *Engine) selected(suiteTags, testTags []string) bool {
	return Selected(e.opts.Tags, suiteTags, testTags)
}

// Selected says whether a test runs under --tags want: with no tags every
// test does, otherwise those whose suite or own tags hold one of them.
func Selected(want, suiteTags, testTags []string) bool {
	if len(want) == 0 {
		return true
	}
	for _, w := range want {
		for _, t := range append(append([]string(nil), suiteTags...), testTags...) {
			if t == w {
				return true
			}
		}
	}
	return false
}

func worst(cases []result.Case) result.Status {
	rank := map[result.Status]int{result.Skipped: 0, result.Passed: 1, result.Failed: 2, result.Errored: 3, result.Running: 3}
	st := result.Passed
	if len(cases) > 0 {
		st = result.Skipped
	}
	for _, c := range cases {
		if rank[c.Status] > rank[st] {
			st = c.Status
		}
	}
	return st
}

func (e *Engine) notify() {
	if e.opts.CaseDone != nil {
		e.opts.CaseDone(e.report)
	}
}

func (e *Engine) setProgress(f func(*Progress)) {
	e.mu.Lock()
	f(&e.progress)
	p := e.progress
	e.mu.Unlock()
	if e.opts.Progress != nil {
		e.opts.Progress(p)
	}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// slug makes a test or suite name safe as a folder name: no separator, no
// leading dot (so never "." or ".."), at most 80 bytes.
func slug(s string) string {
	s = strings.TrimLeft(strings.Trim(unsafeName.ReplaceAllString(s, "_"), "_"), ".")
	if len(s) > 80 {
		s = s[:80]
	}
	if s == "" {
		s = "test"
	}
	return s
}

// hashFile is the hex SHA-256 of a scenario file, "" when it cannot be read
// or is over capread.ScenarioBytes (Load then says why).
func hashFile(path string) string {
	data, err := capread.ReadFile(path, capread.ScenarioBytes)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
