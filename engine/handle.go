package engine

import (
	"fmt"
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/benchctl/benchctl/probes"
	"github.com/benchctl/benchctl/result"
)

// handle is the Go side of the test handle t: its methods (handleMethods)
// record into the running test's case. Methods are called as t:name(...), so
// the method's own arguments start at 2.
type handle struct {
	rt *runtime
	st *testState
}

// expect implements t:expect(value [, label [, unit]]): a matcher on value.
func (h *handle) expect(L *lua.LState) int {
	m := &matcher{st: h.st, v: L.Get(2), label: capText(L.OptString(3, "value")), unit: capText(L.OptString(4, ""))}
	switch m.v.Type() {
	case lua.LTNil, lua.LTBool, lua.LTNumber, lua.LTString:
	default:
		// A table compares by identity and shows as nothing in a failure:
		// the check would always fail, saying "got , want ...".
		L.RaiseError("t:expect: %s is a %s: expect a number, a string, a boolean or nil (a field of it, say)", m.label, m.v.Type())
	}
	L.Push(h.rt.matcherTable(m))
	return 1
}

// metric implements t:metric(name, value, unit [, {better=, spread=,
// samples=}]). A metric recorded twice keeps the last value.
func (h *handle) metric(L *lua.LState) int {
	name := capText(L.CheckString(2))
	value := float64(L.CheckNumber(3))
	m := result.Metric{Name: name, Value: value, Unit: capText(L.OptString(4, ""))}
	if opts, ok := L.Get(5).(*lua.LTable); ok {
		metricOptions(L, opts, &m)
	}
	if math.IsNaN(value) || math.IsInf(value, 0) {
		L.ArgError(3, fmt.Sprintf("metric %q is not a finite number", name))
	}
	c := h.st.c
	for i := range c.Metrics {
		if c.Metrics[i].Name == name {
			c.Metrics[i] = m
			return 0
		}
	}
	c.Metrics = append(c.Metrics, m)
	return 0
}

// metricOptions reads t:metric's option table (argument 5) into m.
func metricOptions(L *lua.LState, opts *lua.LTable, m *result.Metric) {
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

// table implements t:table(name, columns, rows).
func (h *handle) table(L *lua.LState) int {
	tb := result.Table{Name: capText(L.CheckString(2))}
	L.CheckTable(3).ForEach(func(_, v lua.LValue) { tb.Columns = append(tb.Columns, capText(lua.LVAsString(v))) })
	L.CheckTable(4).ForEach(func(_, row lua.LValue) {
		var cells []string
		if rt, ok := row.(*lua.LTable); ok {
			for i := 1; i <= rt.Len(); i++ {
				cells = append(cells, capText(cellString(rt.RawGetInt(i))))
			}
		}
		tb.Rows = append(tb.Rows, cells)
	})
	h.st.c.Tables = append(h.st.c.Tables, tb)
	return 0
}

// log implements t:log(...): one line with the time since the test started.
func (h *handle) log(L *lua.LState) int {
	parts := make([]string, 0, L.GetTop()-1)
	for i := 2; i <= L.GetTop(); i++ {
		parts = append(parts, L.ToStringMeta(L.Get(i)).String())
	}
	appendLog(h.st, strings.Join(parts, " "))
	return 0
}

// fail implements t:fail(msg): a failure, and the test goes on.
func (h *handle) fail(L *lua.LState) int {
	msg := capText(L.OptString(2, "failed"))
	h.st.c.Failures = append(h.st.c.Failures, result.Failure{Label: msg, Op: "fail", Message: msg, Where: where(L)})
	return 0
}

// skip implements t:skip(reason): it ends the test function as skipped.
func (h *handle) skip(L *lua.LState) int {
	raiseSkip(L, capText(L.OptString(2, "skipped")))
	return 0
}

// requireGPUs implements t:require_gpus(n): a skip when fewer GPUs are visible.
func (h *handle) requireGPUs(L *lua.LState) int {
	n := L.CheckInt(2)
	b := h.rt.engine.opts.Backend
	if have := len(b.Devices()); have < n {
		why := b.Name()
		if none, ok := b.(*probes.NoneBackend); ok && none.Reason != "" {
			why += ": " + none.Reason
		}
		raiseSkip(L, fmt.Sprintf("needs %d GPU(s), %d visible (backend %s)", n, have, why))
	}
	return 0
}

// raiseSkip ends the test function with a skipSignal, which runTest tells
// from an error.
func raiseSkip(L *lua.LState, reason string) {
	ud := L.NewUserData()
	ud.Value = &skipSignal{reason: reason}
	L.Error(ud, 0)
}

// where returns "file:line" of the Lua code that called the current function.
func where(L *lua.LState) string {
	return strings.TrimSuffix(strings.TrimSpace(L.Where(1)), ":")
}
