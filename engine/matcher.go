package engine

import (
	"fmt"
	"math"

	lua "github.com/yuin/gopher-lua"

	"github.com/benchctl/benchctl/result"
)

// matcher returns the table t:expect gives back: each method checks the value,
// records a failure with value, bound and label when the check fails, and
// returns whether it passed, so a scenario can branch on it.
func (rt *runtime) matcher(st *testState, v lua.LValue, label, unit string) *lua.LTable {
	L := rt.sc.L
	m := L.NewTable()
	show := func(x lua.LValue) string {
		s := cellString(x)
		if x.Type() == lua.LTString {
			s = fmt.Sprintf("%q", s)
		}
		if unit != "" && x.Type() == lua.LTNumber {
			s += " " + unit
		}
		return s
	}
	record := func(L *lua.LState, ok bool, op, bound, want string) int {
		if !ok {
			st.c.Failures = append(st.c.Failures, result.Failure{
				Label: label, Op: op, Value: show(v), Bound: bound,
				Message: fmt.Sprintf("%s: got %s, want %s", label, show(v), want),
				Where:   where(L),
			})
		}
		L.Push(lua.LBool(ok))
		return 1
	}
	num := func(L *lua.LState, x lua.LValue, what string) float64 {
		n, ok := x.(lua.LNumber)
		if !ok {
			L.RaiseError("%s: %s must be a number, got %s", label, what, x.Type().String())
		}
		return float64(n)
	}
	compare := func(op, sym string, cmp func(a, b float64) bool) {
		m.RawSetString(op, L.NewFunction(func(L *lua.LState) int {
			bound := L.Get(2)
			a, b := num(L, v, "the value"), num(L, bound, "the bound")
			ok := !math.IsNaN(a) && cmp(a, b)
			return record(L, ok, op, show(bound), sym+" "+show(bound))
		}))
	}
	compare("lt", "<", func(a, b float64) bool { return a < b })
	compare("le", "<=", func(a, b float64) bool { return a <= b })
	compare("gt", ">", func(a, b float64) bool { return a > b })
	compare("ge", ">=", func(a, b float64) bool { return a >= b })
	m.RawSetString("eq", L.NewFunction(func(L *lua.LState) int {
		bound := L.Get(2)
		return record(L, L.Equal(v, bound), "eq", show(bound), "== "+show(bound))
	}))
	m.RawSetString("ne", L.NewFunction(func(L *lua.LState) int {
		bound := L.Get(2)
		return record(L, !L.Equal(v, bound), "ne", show(bound), "~= "+show(bound))
	}))
	m.RawSetString("between", L.NewFunction(func(L *lua.LState) int {
		lo, hi := L.Get(2), L.Get(3)
		a := num(L, v, "the value")
		ok := a >= num(L, lo, "the lower bound") && a <= num(L, hi, "the upper bound")
		bound := fmt.Sprintf("[%s, %s]", show(lo), show(hi))
		return record(L, ok, "between", bound, "between "+show(lo)+" and "+show(hi))
	}))
	m.RawSetString("near", L.NewFunction(func(L *lua.LState) int {
		target, tol := L.Get(2), L.Get(3)
		a, b, t := num(L, v, "the value"), num(L, target, "the target"), num(L, tol, "the tolerance")
		ok := math.Abs(a-b) <= t
		bound := fmt.Sprintf("%s ± %s", show(target), show(tol))
		return record(L, ok, "near", bound, "within "+show(tol)+" of "+show(target))
	}))
	// Methods are called with ':' so argument 1 is the matcher itself.
	return m
}
