package engine

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/benchctl/benchctl/engine/pipeline"
	"github.com/benchctl/benchctl/internal/luapattern"
)

// progressField is the field of bench.pipeline.run's result that holds the
// progress points, there only when the progress option asked for them.
const progressField = "progress"

// maxProgressPoints bounds the progress points kept of one run: past it,
// every other point is dropped, and from then on every other line is kept,
// so a run of any length keeps between half and all of this many.
const maxProgressPoints = 4096

// progressPattern reads the items a pipeline has done from one output line:
// one capture is the count; two are a source (a worker) and its count. Each
// source's count is cumulative; the items done are the sum of every source's
// latest count.
type progressPattern struct {
	pattern  string
	captures func(line string) []string // nil when the line does not match
}

func newProgressPattern(pattern string) (*progressPattern, error) {
	if expr, ok := strings.CutPrefix(pattern, "re:"); ok {
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, fmt.Errorf("progress: bad regular expression: %w", err)
		}
		if n := re.NumSubexp(); n < 1 || n > 2 {
			return nil, fmt.Errorf("progress %q: want one group (the count) or two (source, count), got %d", pattern, n)
		}
		return &progressPattern{pattern: pattern, captures: func(line string) []string {
			m := re.FindStringSubmatch(line)
			if m == nil {
				return nil
			}
			return m[1:]
		}}, nil
	}
	pat, err := luapattern.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("progress: bad Lua pattern %q: %w", pattern, err)
	}
	if n := strings.Count(pattern, "(") - strings.Count(pattern, "%("); n < 1 || n > 2 {
		return nil, fmt.Errorf("progress %q: want one capture (the count) or two (source, count), got %d", pattern, n)
	}
	return &progressPattern{pattern: pattern, captures: func(line string) []string {
		// Matched on the goroutine that reads the output: within a step
		// budget, so a pattern that backtracks cannot hold it.
		ms, err := pat.Find([]byte(line), 0, 1, luapattern.Limits{Steps: pipeline.MatchSteps})
		if err != nil || len(ms) == 0 {
			return nil
		}
		md := ms[0]
		var out []string
		for i := 2; i+1 < md.CaptureLength(); i += 2 {
			out = append(out, line[md.Capture(i):md.Capture(i+1)])
		}
		return out
	}}, nil
}

// progressPoint is the items done at a time since the run started.
type progressPoint struct{ t, n float64 }

// progressLog follows one run's output lines (pipeline.Hooks.Line).
type progressLog struct {
	mu     sync.Mutex
	pat    *progressPattern
	start  time.Time
	latest map[string]float64
	points []progressPoint
	every  int // keep every this many matching lines
	seen   int
}

func newProgressLog(p *progressPattern, start time.Time) *progressLog {
	return &progressLog{pat: p, start: start, latest: map[string]float64{}, every: 1}
}

func (p *progressLog) line(_, line string) {
	caps := p.pat.captures(line)
	if caps == nil {
		return
	}
	source, count := "", caps[len(caps)-1]
	if len(caps) == 2 {
		source = caps[0]
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(count), ",", ""), 64)
	if err != nil || v < 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.latest[source] = v
	p.seen++
	if p.seen%p.every != 0 {
		return
	}
	total := 0.0
	for _, c := range p.latest {
		total += c
	}
	p.points = append(p.points, progressPoint{t: time.Since(p.start).Seconds(), n: total})
	if len(p.points) >= maxProgressPoints {
		kept := p.points[:0]
		for i, pt := range p.points {
			if i%2 == 0 {
				kept = append(kept, pt)
			}
		}
		p.points, p.every = kept, p.every*2
	}
}

// table gives the points to Lua: { {t=, n=}, ... }.
func (p *progressLog) table(L *lua.LState) *lua.LTable {
	p.mu.Lock()
	defer p.mu.Unlock()
	t := L.CreateTable(len(p.points), 0)
	for _, pt := range p.points {
		e := L.CreateTable(0, 2)
		e.RawSetString("t", lua.LNumber(pt.t))
		e.RawSetString("n", lua.LNumber(pt.n))
		t.Append(e)
	}
	return t
}
