package engine

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
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
}

// skipSignal is raised by t:skip to end the test function early.
type skipSignal struct{ reason string }

func (s *skipSignal) String() string { return "skip: " + s.reason }

func (e *Engine) runTest(ctx context.Context, sc *Scenario, si int, td TestDecl) {
	suite := &e.report.Suites[si]
	c := result.Case{Name: td.Name, Tags: td.Tags, Status: result.Running, StartedAt: time.Now()}
	c.Workdir = filepath.Join(e.opts.ResultsDir, slug(suite.Name), slug(td.Name))
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
	if err := os.MkdirAll(st.c.Workdir, 0o755); err != nil {
		st.c.Error = &result.Error{Message: fmt.Sprintf("creating work dir: %v", err)}
	} else {
		sc.rt.current = st
		sc.L.SetContext(testCtx)
		sc.L.Push(td.fn)
		sc.L.Push(sc.rt.handle(st))
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
	case testCtx.Err() != nil:
		msg = fmt.Sprintf("test exceeded its timeout of %s", td.Timeout)
	}
	where := ""
	if m := luaPos.FindStringSubmatch(msg); m != nil {
		where = strings.TrimSuffix(msg[:len(msg)-len(m[2])], ": ")
		where = strings.TrimSpace(strings.TrimSuffix(where, ":"))
	}
	st.c.Error = &result.Error{Message: msg, Where: where, Traceback: trace}
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

// handle builds the Lua table t passed to a test function.
func (rt *runtime) handle(st *testState) *lua.LTable {
	L := rt.sc.L
	t := L.NewTable()
	t.RawSetString("name", lua.LString(st.c.Name))
	t.RawSetString("workdir", lua.LString(st.c.Workdir))
	set := func(name string, fn lua.LGFunction) { t.RawSetString(name, L.NewFunction(fn)) }

	set("expect", func(L *lua.LState) int {
		v := L.Get(2)
		label := L.OptString(3, "value")
		unit := L.OptString(4, "")
		L.Push(rt.matcher(st, v, label, unit))
		return 1
	})
	set("metric", func(L *lua.LState) int {
		name := L.CheckString(2)
		value := float64(L.CheckNumber(3))
		m := result.Metric{Name: name, Value: value, Unit: L.OptString(4, "")}
		if opts, ok := L.Get(5).(*lua.LTable); ok {
			switch b := lua.LVAsString(opts.RawGetString("better")); b {
			case "lower", "higher", "":
				m.Better = result.Direction(b)
			default:
				L.ArgError(5, `better must be "lower" or "higher", got "`+b+`"`)
			}
			m.Spread = float64(lua.LVAsNumber(opts.RawGetString("spread")))
			if s, ok := opts.RawGetString("samples").(*lua.LTable); ok {
				s.ForEach(func(_, v lua.LValue) {
					if n, ok := v.(lua.LNumber); ok {
						m.Samples = append(m.Samples, float64(n))
					}
				})
			}
		}
		if math.IsNaN(value) || math.IsInf(value, 0) {
			L.ArgError(3, fmt.Sprintf("metric %q is not a finite number", name))
		}
		for i := range st.c.Metrics {
			if st.c.Metrics[i].Name == name {
				st.c.Metrics[i] = m
				return 0
			}
		}
		st.c.Metrics = append(st.c.Metrics, m)
		return 0
	})
	set("table", func(L *lua.LState) int {
		tb := result.Table{Name: L.CheckString(2)}
		L.CheckTable(3).ForEach(func(_, v lua.LValue) { tb.Columns = append(tb.Columns, lua.LVAsString(v)) })
		L.CheckTable(4).ForEach(func(_, row lua.LValue) {
			var cells []string
			if rt, ok := row.(*lua.LTable); ok {
				for i := 1; i <= rt.Len(); i++ {
					cells = append(cells, cellString(rt.RawGetInt(i)))
				}
			}
			tb.Rows = append(tb.Rows, cells)
		})
		st.c.Tables = append(st.c.Tables, tb)
		return 0
	})
	set("skip", func(L *lua.LState) int {
		ud := L.NewUserData()
		ud.Value = &skipSignal{reason: L.OptString(2, "skipped")}
		L.Error(ud, 0)
		return 0
	})
	set("fail", func(L *lua.LState) int {
		msg := L.OptString(2, "failed")
		st.c.Failures = append(st.c.Failures, result.Failure{Label: msg, Op: "fail", Message: msg, Where: where(L)})
		return 0
	})
	set("log", func(L *lua.LState) int {
		parts := make([]string, 0, L.GetTop()-1)
		for i := 2; i <= L.GetTop(); i++ {
			parts = append(parts, L.ToStringMeta(L.Get(i)).String())
		}
		st.c.Logs = append(st.c.Logs, result.Log{Seconds: time.Since(st.start).Seconds(), Message: strings.Join(parts, " ")})
		return 0
	})
	set("require_gpus", func(L *lua.LState) int {
		n := L.CheckInt(2)
		if have := len(rt.engine.opts.Backend.Devices()); have < n {
			ud := L.NewUserData()
			ud.Value = &skipSignal{reason: fmt.Sprintf("needs %d GPU(s), %d visible (backend %s)", n, have, rt.engine.opts.Backend.Name())}
			L.Error(ud, 0)
		}
		return 0
	})
	return t
}

func cellString(v lua.LValue) string {
	if n, ok := v.(lua.LNumber); ok {
		return formatNumber(float64(n))
	}
	return lua.LVAsString(v)
}

// where returns "file:line" of the Lua code that called the current function.
func where(L *lua.LState) string {
	return strings.TrimSuffix(strings.TrimSpace(L.Where(1)), ":")
}

func formatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprintf("%.6g", f)
}
