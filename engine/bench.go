package engine

import (
	"fmt"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/benchctl/benchctl/engine/units"
	"github.com/benchctl/benchctl/internal/format"
)

// runtime is the Go side of one scenario's bench module.
type runtime struct {
	engine   *Engine
	sc       *Scenario
	current  *testState // the running test; nil at top level
	suiteSet bool
}

// suite implements bench.suite{name=, description=, tags=}: once per file.
func (rt *runtime) suite(L *lua.LState) int {
	if rt.suiteSet {
		L.RaiseError("bench.suite may be called once per file")
	}
	rt.suiteSet = true
	opts := L.CheckTable(1)
	if n := lua.LVAsString(opts.RawGetString("name")); n != "" {
		rt.sc.Name = n
	}
	rt.sc.Description = lua.LVAsString(opts.RawGetString("description"))
	rt.sc.Tags = stringList(opts.RawGetString("tags"))
	return 0
}

// test implements bench.test(name, fn [, {tags=, timeout=}]): it declares a
// test, which runs later; only at the top level, and names are unique.
func (rt *runtime) test(L *lua.LState) int {
	if rt.current != nil {
		L.RaiseError("bench.test must be called at the top level of the scenario, not inside a test")
	}
	name := L.CheckString(1)
	fn := L.CheckFunction(2)
	td := TestDecl{Name: name, fn: fn}
	if opts, ok := L.Get(3).(*lua.LTable); ok {
		td.Tags = stringList(opts.RawGetString("tags"))
		if to := lua.LVAsString(opts.RawGetString("timeout")); to != "" {
			if _, err := units.ParseDuration(to); err != nil {
				L.ArgError(3, err.Error())
			}
			td.Timeout = to
		}
	}
	for _, t := range rt.sc.Tests {
		if t.Name == name {
			L.ArgError(1, fmt.Sprintf("a test named %q is already declared", name))
		}
	}
	rt.sc.Tests = append(rt.sc.Tests, td)
	return 0
}

// varOf returns bench.var and its typed variants. The --var value, when given,
// is parsed as the type; a value that does not parse is a Lua error naming the
// variable. The declaration is recorded for `benchctl list`.
func varOf(typ string) benchFunc {
	return func(rt *runtime, L *lua.LState) int {
		key := L.CheckString(1)
		def := L.Get(2)
		rt.declare(key, typ, def)
		raw, given := rt.engine.opts.Vars[key]
		if given {
			rt.engine.usedVars[key] = true
		}
		if !given {
			if def == lua.LNil {
				L.Push(lua.LNil)
				return 1
			}
			if def.Type() != lua.LTString || typ == "string" {
				L.Push(def)
				return 1
			}
			raw = def.String()
		}
		v, err := parseVar(L, typ, raw)
		if err != nil {
			L.RaiseError("--var %s=%q: %v", key, raw, err)
		}
		L.Push(v)
		return 1
	}
}

func (rt *runtime) declare(key, typ string, def lua.LValue) {
	for _, v := range rt.sc.Vars {
		if v.Key == key {
			return
		}
	}
	d := ""
	if def != lua.LNil {
		d = cellString(def)
		if tb, ok := def.(*lua.LTable); ok {
			d = strings.Join(stringList(tb), ",")
		}
	}
	rt.sc.Vars = append(rt.sc.Vars, VarDecl{Key: key, Type: typ, Default: d})
}

func parseVar(L *lua.LState, typ, raw string) (lua.LValue, error) {
	switch typ {
	case "number":
		f, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
		if err != nil {
			return nil, fmt.Errorf("not a number")
		}
		return lua.LNumber(f), nil
	case "bool":
		b, err := strconv.ParseBool(strings.TrimSpace(raw))
		if err != nil {
			return nil, fmt.Errorf("not a boolean (true/false)")
		}
		return lua.LBool(b), nil
	case "duration":
		d, err := units.ParseDuration(raw)
		if err != nil {
			return nil, err
		}
		return lua.LNumber(d.Seconds()), nil
	case "size":
		s, err := units.ParseSize(raw)
		if err != nil {
			return nil, err
		}
		return lua.LNumber(s), nil
	case "list":
		t := L.NewTable()
		for _, p := range strings.Split(raw, ",") {
			if p = strings.TrimSpace(p); p != "" {
				t.Append(lua.LString(p))
			}
		}
		return t, nil
	}
	return lua.LString(raw), nil
}

// split builds argv: the command line is split by SplitCommand (POSIX quoting,
// no expansion), and each further argument is appended as one
// argument (tables are flattened).
func (rt *runtime) split(L *lua.LState) int {
	words, err := SplitCommand(L.CheckString(1))
	if err != nil {
		L.ArgError(1, err.Error())
	}
	out := L.NewTable()
	for _, w := range words {
		out.Append(lua.LString(w))
	}
	for i := 2; i <= L.GetTop(); i++ {
		switch v := L.Get(i).(type) {
		case *lua.LTable:
			for _, s := range stringList(v) {
				out.Append(lua.LString(s))
			}
		case *lua.LNilType:
		default:
			out.Append(lua.LString(cellString(v)))
		}
	}
	L.Push(out)
	return 1
}

// duration implements bench.duration("1h30m"): seconds.
func (rt *runtime) duration(L *lua.LState) int {
	d, err := units.ParseDuration(L.CheckString(1))
	if err != nil {
		L.ArgError(1, err.Error())
	}
	L.Push(lua.LNumber(d.Seconds()))
	return 1
}

// size implements bench.size("2GiB"): bytes.
func (rt *runtime) size(L *lua.LState) int {
	s, err := units.ParseSize(L.CheckString(1))
	if err != nil {
		L.ArgError(1, err.Error())
	}
	L.Push(lua.LNumber(s))
	return 1
}

// formatBytes implements bench.format_bytes(n) as the reports write bytes.
func (rt *runtime) formatBytes(L *lua.LState) int {
	L.Push(lua.LString(format.SignedBytes(float64(L.CheckNumber(1)))))
	return 1
}

// formatSeconds implements bench.format_seconds(s) as the reports write
// durations.
func (rt *runtime) formatSeconds(L *lua.LState) int {
	L.Push(lua.LString(format.Duration(float64(L.CheckNumber(1)))))
	return 1
}

// inTest raises a Lua error when a primitive with side effects is called at
// the top level, where `benchctl list` and `check` run the code too.
func (rt *runtime) inTest(L *lua.LState, what string) *testState {
	if rt.current == nil {
		L.RaiseError("%s may only be called inside a bench.test function", what)
	}
	return rt.current
}

func stringList(v lua.LValue) []string {
	switch t := v.(type) {
	case *lua.LTable:
		var out []string
		for i := 1; i <= t.Len(); i++ {
			out = append(out, lua.LVAsString(t.RawGetInt(i)))
		}
		return out
	case lua.LString:
		return []string{string(t)}
	}
	return nil
}
