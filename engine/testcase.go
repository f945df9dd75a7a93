package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	goruntime "runtime"
	"runtime/debug"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/benchctl/benchctl/engine/units"
	"github.com/benchctl/benchctl/result"
)

// testState is the Go side of a running test's handle t.
type testState struct {
	c       *result.Case
	start   time.Time
	skipped bool
	// logBytes counts the bytes of the log lines kept; logFull is set once
	// the note that more were dropped is written.
	logBytes int
	logFull  bool
}

// skipSignal is raised by t:skip to end the test function early.
type skipSignal struct{ reason string }

func (s *skipSignal) String() string { return "skip: " + s.reason }

func (e *Engine) runTest(ctx context.Context, sc *Scenario, si int, td TestDecl) {
	suite := &e.report.Suites[si]
	c := result.Case{Name: td.Name, Tags: td.Tags, Status: result.Running, StartedAt: time.Now()}
	c.Workdir = e.workdir(suite.Name, td.Name)
	suite.Cases = append(suite.Cases, c)
	ci := len(suite.Cases) - 1
	e.notify() // the running case is on disk before anything can go wrong

	st := &testState{c: &suite.Cases[ci], start: time.Now()}
	e.setProgress(func(p *Progress) { *p = Progress{Suite: suite.Name, Test: td.Name, Started: st.start} })
	e.opts.Log.Info().Str("suite", suite.Name).Str("test", td.Name).Msg("test started")

	testCtx := ctx
	if td.Timeout != "" {
		d, _ := units.ParseDuration(td.Timeout) // validated at declaration
		var cancel context.CancelFunc
		testCtx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	testCtx, release := e.guardMemory(testCtx)
	defer release()
	if err := os.MkdirAll(st.c.Workdir, 0o755); err != nil {
		st.c.Error = &result.Error{Message: fmt.Sprintf("creating work dir: %v", err)}
	} else {
		sc.rt.current = st
		sc.L.SetContext(testCtx)
		sc.L.Push(td.fn)
		sc.L.Push(sc.rt.handleTable(st))
		err := sc.L.PCall(1, 0, nil)
		sc.rt.current = nil
		sc.L.SetContext(ctx)
		e.finishCase(st, err, ctx, testCtx, td)
	}
	st.c.Seconds = time.Since(st.start).Seconds()
	if st.c.Status == result.Running {
		st.c.Status = statusOf(st.c)
	}
	e.opts.Log.Info().Str("suite", suite.Name).Str("test", td.Name).Str("status", string(st.c.Status)).
		Float64("seconds", st.c.Seconds).Msg("test finished")
	e.notify()
}

func (e *Engine) finishCase(st *testState, err error, ctx, testCtx context.Context, td TestDecl) {
	if err == nil {
		return
	}
	var ae *lua.ApiError
	if errors.As(err, &ae) {
		if ud, ok := ae.Object.(*lua.LUserData); ok {
			if s, ok := ud.Value.(*skipSignal); ok {
				st.skipped = true
				st.c.SkipReason = s.reason
				return
			}
		}
	}
	msg, trace := splitLuaError(err)
	switch {
	case ctx.Err() != nil:
		msg = "interrupted: " + msg
		st.c.Status = result.Errored
	case overBudget(testCtx):
		msg = e.overBudgetMessage("the test")
		trace = ""
		goruntime.GC() // what the test built is garbage now, unless a global holds it
		debug.FreeOSMemory()
	case testCtx.Err() != nil:
		msg = fmt.Sprintf("test exceeded its timeout of %s", td.Timeout)
	}
	where := ""
	if m := luaPos.FindStringSubmatch(msg); m != nil {
		where = strings.TrimSuffix(msg[:len(msg)-len(m[2])], ": ")
		where = strings.TrimSpace(strings.TrimSuffix(where, ":"))
	}
	st.c.Error = &result.Error{Message: capText(msg), Where: capText(where), Traceback: capText(trace)}
}

func splitLuaError(err error) (msg, trace string) {
	var ae *lua.ApiError
	if errors.As(err, &ae) {
		if ae.Object != nil {
			msg = ae.Object.String()
		}
		trace = ae.StackTrace
	} else {
		msg = err.Error()
	}
	if i := strings.Index(msg, "\nstack traceback:"); i >= 0 {
		if trace == "" {
			trace = strings.TrimSpace(msg[i+1:])
		}
		msg = msg[:i]
	}
	return strings.TrimSpace(msg), strings.TrimSpace(trace)
}

func statusOf(c *result.Case) result.Status {
	switch {
	case c.Error != nil:
		return result.Errored
	case len(c.Failures) > 0:
		return result.Failed
	case c.SkipReason != "":
		return result.Skipped
	}
	return result.Passed
}
