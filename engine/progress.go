package engine

import (
	"cmp"
	"fmt"
	"math"
	"regexp"
	"slices"
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
// latest count. A regular expression may also name a group "t": the
// pipeline's own time of the line, in seconds since the Unix epoch (a
// pipeline that paces itself by a model of time prints its model's time). A
// line without one, or whose t does not parse, is timed on arrival, as are
// the lines of a pattern without a t group.
type progressPattern struct {
	pattern string
	// match gives the count's captures (nil when the line does not match)
	// and the line's own time in Unix seconds, when it has one.
	match func(line string) (caps []string, stamp float64, stamped bool)
}

// progressTimeGroup names the group of a re: pattern that holds the time.
const progressTimeGroup = "t"

// captures is the count's captures of line, nil when it does not match.
func (p *progressPattern) captures(line string) []string {
	caps, _, _ := p.match(line)
	return caps
}

func newProgressPattern(pattern string) (*progressPattern, error) {
	if expr, ok := strings.CutPrefix(pattern, "re:"); ok {
		return newProgressRegexp(pattern, expr)
	}
	pat, err := luapattern.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("progress: bad Lua pattern %q: %w", pattern, err)
	}
	if n := strings.Count(pattern, "(") - strings.Count(pattern, "%("); n < 1 || n > 2 {
		return nil, fmt.Errorf("progress %q: want one capture (the count) or two (source, count), got %d", pattern, n)
	}
	return &progressPattern{pattern: pattern, match: func(line string) ([]string, float64, bool) {
		// Matched on the goroutine that reads the output: within a step
		// budget, so a pattern that backtracks cannot hold it.
		ms, err := pat.Find([]byte(line), 0, 1, luapattern.Limits{Steps: pipeline.MatchSteps})
		if err != nil || len(ms) == 0 {
			return nil, 0, false
		}
		md := ms[0]
		var out []string
		for i := 2; i+1 < md.CaptureLength(); i += 2 {
			out = append(out, line[md.Capture(i):md.Capture(i+1)])
		}
		return out, 0, false
	}}, nil
}

// newProgressRegexp is a re: progress pattern: its groups other than t are
// the count, or the source and the count.
func newProgressRegexp(pattern, expr string) (*progressPattern, error) {
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("progress: bad regular expression: %w", err)
	}
	ti := re.SubexpIndex(progressTimeGroup)
	n := re.NumSubexp()
	if ti > 0 {
		n--
	}
	if n < 1 || n > 2 {
		return nil, fmt.Errorf("progress %q: want one group (the count) or two (source, count) besides a time group (?P<t>...), got %d", pattern, n)
	}
	return &progressPattern{pattern: pattern, match: func(line string) ([]string, float64, bool) {
		m := re.FindStringSubmatch(line)
		if m == nil {
			return nil, 0, false
		}
		out := make([]string, 0, 2)
		for i, c := range m[1:] {
			if i+1 != ti {
				out = append(out, c)
			}
		}
		if ti <= 0 || m[ti] == "" {
			return out, 0, false
		}
		v, err := strconv.ParseFloat(m[ti], 64)
		return out, v, err == nil && v > 0 && !math.IsInf(v, 0)
	}}, nil
}

// newLineTime reads a stage line's own time: pattern is a Go regular
// expression (the re: prefix optional) whose group t is the time in Unix
// seconds.
func newLineTime(pattern string) (func(string) (float64, bool), error) {
	re, err := regexp.Compile(strings.TrimPrefix(pattern, "re:"))
	if err != nil {
		return nil, fmt.Errorf("line_time: bad regular expression: %w", err)
	}
	ti := re.SubexpIndex(progressTimeGroup)
	if ti <= 0 {
		return nil, fmt.Errorf("line_time %q: want a group (?P<t>...), the time in Unix seconds", pattern)
	}
	return func(line string) (float64, bool) {
		m := re.FindStringSubmatch(line)
		if m == nil || m[ti] == "" {
			return 0, false
		}
		v, err := strconv.ParseFloat(m[ti], 64)
		return v, err == nil && v > 0 && !math.IsInf(v, 0)
	}, nil
}

// progressEvent is one matching line: a source's count at a time since the
// run started.
type progressEvent struct {
	source string
	t, n   float64
}

// progressLog follows one run's output lines (pipeline.Hooks.Line). Lines
// with their own time may arrive out of that time's order (workers writing
// to one pipe, a busy machine): the points are made by replaying the lines in
// time order, so that each point sums every source's count at that time.
type progressLog struct {
	mu     sync.Mutex
	pat    *progressPattern
	start  time.Time
	events []progressEvent
	every  int // keep every this many matching lines
	seen   int
}

func newProgressLog(p *progressPattern, start time.Time) *progressLog {
	return &progressLog{pat: p, start: start, every: 1}
}

func (p *progressLog) line(_, line string) {
	caps, stamp, stamped := p.pat.match(line)
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
	t := time.Since(p.start).Seconds()
	if stamped {
		t = stamp - float64(p.start.UnixNano())/1e9
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seen++
	if p.seen%p.every != 0 {
		return
	}
	p.events = append(p.events, progressEvent{source: source, t: t, n: v})
	if len(p.events) >= maxProgressPoints {
		kept := p.events[:0]
		for i, e := range p.events {
			if i%2 == 0 {
				kept = append(kept, e)
			}
		}
		p.events, p.every = kept, p.every*2
	}
}

// points replays the lines in time order: the items done (every source's
// latest count summed) after each.
func (p *progressLog) points() []progressEvent {
	evs := slices.Clone(p.events)
	slices.SortStableFunc(evs, func(a, b progressEvent) int { return cmp.Compare(a.t, b.t) })
	latest := map[string]float64{}
	out := make([]progressEvent, len(evs))
	for i, e := range evs {
		latest[e.source] = e.n
		total := 0.0
		for _, c := range latest {
			total += c
		}
		out[i] = progressEvent{t: e.t, n: total}
	}
	return out
}

// table gives the points to Lua: { {t=, n=}, ... }.
func (p *progressLog) table(L *lua.LState) *lua.LTable {
	p.mu.Lock()
	defer p.mu.Unlock()
	pts := p.points()
	t := L.CreateTable(len(pts), 0)
	for _, pt := range pts {
		e := L.CreateTable(0, 2)
		e.RawSetString("t", lua.LNumber(pt.t))
		e.RawSetString("n", lua.LNumber(pt.n))
		t.Append(e)
	}
	return t
}
