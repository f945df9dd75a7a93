package engine

import (
	"fmt"
	"math"

	lua "github.com/yuin/gopher-lua"

	"github.com/benchctl/benchctl/stats"
)

// The functions of bench.stats: the comparisons of repeated timings that every
// speed-up verdict goes through (the same code as benchctl compare).

// statsCompare is bench.stats.compare(a, b [, {confidence=, band=}]): the
// candidate times b against the baseline times a.
func (rt *runtime) statsCompare(L *lua.LState) int {
	a := numberList(L, 1, "baseline times")
	b := numberList(L, 2, "candidate times")
	opts := statsOptions(L, L.OptTable(3, L.NewTable()))
	r, err := stats.Compare(a, b, opts)
	if err != nil {
		L.RaiseError("bench.stats.compare: %s", err.Error())
	}
	L.Push(resultTable(L, r))
	return 1
}

// statsInterleave is bench.stats.interleave{configs=, run=, seed=, min_runs=,
// max_runs=, max_time=, confidence=, band=}. run(name, round) runs one
// configuration once and returns its seconds, or nil and a reason, which
// stops the runs: what was measured is returned with the reason as error.
func (rt *runtime) statsInterleave(L *lua.LState) int {
	opts := L.CheckTable(1)
	names := stringList(opts.RawGetString("configs"))
	fn, ok := opts.RawGetString("run").(*lua.LFunction)
	if !ok {
		L.ArgError(1, "run must be a function(name, round) returning seconds")
	}
	plan := stats.Plan{
		Configs: len(names),
		Seed:    uint64(intOpt(L, opts, "seed", 1)),
		MinRuns: intOpt(L, opts, "min_runs", 0),
		MaxRuns: intOpt(L, opts, "max_runs", 0),
		MaxTime: durationOpt(L, opts, "max_time"),
		Options: statsOptions(L, opts),
	}
	var failed error // the run's own reason, named for Lua
	out, err := stats.Interleave(plan, func(c, round int) (float64, error) {
		if err := L.CallByParam(lua.P{Fn: fn, NRet: 2, Protect: false}, lua.LString(names[c]), lua.LNumber(round+1)); err != nil {
			return 0, err
		}
		secs, reason := L.Get(-2), L.Get(-1)
		L.Pop(2)
		if n, ok := secs.(lua.LNumber); ok {
			return float64(n), nil
		}
		if reason == lua.LNil {
			reason = lua.LString("run returned no time")
		}
		failed = fmt.Errorf("%s, run %d: %s", names[c], round+1, lua.LVAsString(reason))
		return 0, failed
	})
	if err != nil && out.Times == nil {
		L.ArgError(1, err.Error())
	}
	if failed != nil {
		err = failed
	}
	L.Push(outcomeTable(L, names, out, err))
	return 1
}

func statsOptions(L *lua.LState, t *lua.LTable) stats.Options {
	o := stats.Options{}
	if v, ok := t.RawGetString("confidence").(lua.LNumber); ok {
		o.Confidence = float64(v)
	}
	if v, ok := t.RawGetString("band").(lua.LNumber); ok {
		o.Band = float64(v)
	}
	if (o.Confidence != 0 && !(o.Confidence > 0 && o.Confidence < 1)) || (o.Band != 0 && !(o.Band > 0 && o.Band < 1)) {
		L.ArgError(1, fmt.Sprintf("confidence %g and band %g must lie between 0 and 1", o.Confidence, o.Band))
	}
	return o
}

func intOpt(L *lua.LState, t *lua.LTable, key string, def int) int {
	switch v := t.RawGetString(key).(type) {
	case lua.LNumber:
		if v < 0 || float64(v) != math.Trunc(float64(v)) {
			L.ArgError(1, fmt.Sprintf("%s %v: want a whole number >= 0", key, v))
		}
		return int(v)
	case *lua.LNilType:
		return def
	default:
		L.ArgError(1, key+" must be a number")
	}
	return def
}

// numberList reads argument n as a sequence of numbers.
func numberList(L *lua.LState, n int, what string) []float64 {
	t := L.CheckTable(n)
	var xs []float64
	for i := 1; i <= t.Len(); i++ {
		v, ok := t.RawGetInt(i).(lua.LNumber)
		if !ok {
			L.ArgError(n, fmt.Sprintf("%s: element %d is not a number", what, i))
		}
		xs = append(xs, float64(v))
	}
	return xs
}

// resultTable gives a comparison to Lua; an unbounded end of the interval
// (too few runs) is nil.
func resultTable(L *lua.LState, r stats.Result) *lua.LTable {
	t := L.NewTable()
	set := func(k string, v float64) { t.RawSetString(k, lua.LNumber(v)) }
	t.RawSetString("method", lua.LString(r.Method))
	t.RawSetString("verdict", lua.LString(r.Verdict))
	t.RawSetString("summary", lua.LString(r.String()))
	set("ratio", r.Ratio)
	set("speedup", r.Speedup)
	if r.Low > 0 {
		set("low", r.Low)
		set("speedup_high", 1/r.Low)
	}
	if !math.IsInf(r.High, 1) {
		set("high", r.High)
		set("speedup_low", 1/r.High)
	}
	set("confidence", r.Confidence)
	set("achieved", r.Achieved)
	set("band", r.Band)
	set("n_base", float64(r.NBase))
	set("n_candidate", float64(r.NCandidate))
	set("median_base", r.MedianBase)
	set("median_candidate", r.MedianCand)
	return t
}

func outcomeTable(L *lua.LState, names []string, out stats.Outcome, err error) *lua.LTable {
	t := L.NewTable()
	times, results, order := L.NewTable(), L.NewTable(), L.NewTable()
	for c, ts := range out.Times {
		list := L.NewTable()
		for _, x := range ts {
			list.Append(lua.LNumber(x))
		}
		times.RawSetString(names[c], list)
	}
	for i, r := range out.Results {
		results.RawSetString(names[i+1], resultTable(L, r))
	}
	for _, c := range out.Order {
		order.Append(lua.LString(names[c]))
	}
	t.RawSetString("times", times)
	t.RawSetString("results", results)
	t.RawSetString("order", order)
	t.RawSetString("rounds", lua.LNumber(out.Rounds))
	t.RawSetString("looks", lua.LNumber(out.Looks))
	t.RawSetString("look_confidence", lua.LNumber(out.LookConfidence))
	t.RawSetString("stopped", lua.LString(out.Stopped))
	if err != nil {
		t.RawSetString("stopped", lua.LString("error"))
		t.RawSetString("error", lua.LString(err.Error()))
	}
	return t
}
