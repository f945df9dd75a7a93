package engine

import (
	"fmt"
	"math"

	lua "github.com/yuin/gopher-lua"

	"github.com/benchctl/benchctl/internal/format"
	"github.com/benchctl/benchctl/result"
)

// matcher is what t:expect returns. Each check (matcherMethods) records a
// failure with value, bound and label when it fails, and returns whether it
// passed, so a scenario can branch on it. Checks are called as m:op(...), so
// their bounds start at argument 2.
type matcher struct {
	st          *testState
	v           lua.LValue
	label, unit string
}

// compareOp returns the numeric check op, written sym in messages.
func compareOp(op, sym string, cmp func(a, b float64) bool) matcherFunc {
	return func(m *matcher, L *lua.LState) int {
		bound := L.Get(2)
		a, b := m.num(L, m.v, "the value"), m.num(L, bound, "the bound")
		ok := !math.IsNaN(a) && cmp(a, b)
		return m.record(L, ok, op, m.show(bound), sym+" "+m.show(bound))
	}
}

// eq implements m:eq(x): Lua equality, any type.
func (m *matcher) eq(L *lua.LState) int {
	bound := L.Get(2)
	return m.record(L, L.Equal(m.v, bound), "eq", m.show(bound), "== "+m.show(bound))
}

// ne implements m:ne(x).
func (m *matcher) ne(L *lua.LState) int {
	bound := L.Get(2)
	return m.record(L, !L.Equal(m.v, bound), "ne", m.show(bound), "~= "+m.show(bound))
}

// between implements m:between(lo, hi), both bounds included.
func (m *matcher) between(L *lua.LState) int {
	lo, hi := L.Get(2), L.Get(3)
	a := m.num(L, m.v, "the value")
	ok := a >= m.num(L, lo, "the lower bound") && a <= m.num(L, hi, "the upper bound")
	bound := fmt.Sprintf("%s and %s", m.show(lo), m.show(hi))
	return m.record(L, ok, "between", bound, "between "+m.show(lo)+" and "+m.show(hi))
}

// near implements m:near(x, tolerance): |value - x| <= tolerance.
func (m *matcher) near(L *lua.LState) int {
	target, tol := L.Get(2), L.Get(3)
	a, b, t := m.num(L, m.v, "the value"), m.num(L, target, "the target"), m.num(L, tol, "the tolerance")
	ok := math.Abs(a-b) <= t
	bound := fmt.Sprintf("%s ± %s", m.show(target), m.show(tol))
	return m.record(L, ok, "near", bound, "within "+m.show(tol)+" of "+m.show(target))
}

// record pushes whether the check passed, records the check, and, when it
// did not pass, the failure: "label: got VALUE, want WANT" with the calling
// file:line. bound is the bound as written after the operator.
func (m *matcher) record(L *lua.LState, ok bool, op, bound, want string) int {
	at := where(L)
	check := result.Check{Label: m.label, Op: op, Value: m.show(m.v), Bound: bound, Unit: m.unit, Outcome: result.Passed, Where: at}
	if !ok {
		check.Outcome = result.Failed
		m.st.c.Failures = append(m.st.c.Failures, result.Failure{
			Label: m.label, Op: op, Value: check.Value, Bound: bound,
			Message: capText(fmt.Sprintf("%s: got %s, want %s", m.label, check.Value, want)),
			Where:   at,
		})
	}
	m.st.c.Checks = append(m.st.c.Checks, check)
	L.Push(lua.LBool(ok))
	return 1
}

// show writes a value for a check: strings quoted, numbers with the unit
// as every report writes them (internal/format).
func (m *matcher) show(x lua.LValue) string {
	switch v := x.(type) {
	case lua.LString:
		return fmt.Sprintf("%q", capText(string(v)))
	case lua.LNumber:
		return format.Value(float64(v), m.unit)
	case lua.LBool:
		return v.String()
	case *lua.LNilType:
		return "nil"
	}
	return cellString(x)
}

// num is x as a number, or a Lua error naming what it is.
func (m *matcher) num(L *lua.LState, x lua.LValue, what string) float64 {
	n, ok := x.(lua.LNumber)
	if !ok {
		L.RaiseError("%s: %s must be a number, got %s", m.label, what, x.Type().String())
	}
	return float64(n)
}
