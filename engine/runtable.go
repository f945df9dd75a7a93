package engine

import (
	"fmt"
	"math"

	lua "github.com/yuin/gopher-lua"

	"github.com/benchctl/benchctl/result"
)

// runTable is what bench.pipeline.run returns: the run as in the JSON schema,
// plus conveniences: ok, stages by name with their seconds, the tails as text,
// and peak_memory (the highest memory used on any GPU, in bytes).
func (rt *runtime) runTable(L *lua.LState, run *result.Run) *lua.LTable {
	t, ok := toLua(L, run).(*lua.LTable)
	if !ok {
		t = L.NewTable()
	}
	rt.renameForLua(L, t)
	t.RawSetString("ok", lua.LBool(run.Class == result.ExitOK))
	t.RawSetString("wall", lua.LNumber(run.Seconds))
	byName := L.NewTable()
	for _, s := range run.Stages {
		e, ok := byName.RawGetString(s.Name).(*lua.LTable)
		if !ok {
			e = L.NewTable()
			e.RawSetString("start", lua.LNumber(s.Start))
			e.RawSetString("seconds", lua.LNumber(0))
			byName.RawSetString(s.Name, e)
		}
		e.RawSetString("end", lua.LNumber(s.End))
		e.RawSetString("seconds", lua.LNumber(float64(lua.LVAsNumber(e.RawGetString("seconds")))+s.End-s.Start))
	}
	t.RawSetString("stage", byName)
	t.RawSetString("stdout", lua.LString(joinLines(run.StdoutTail)))
	t.RawSetString("stderr", lua.LString(joinLines(run.StderrTail)))
	var peak, util float64
	n := 0
	if run.GPU != nil {
		for _, g := range run.GPU.GPUs {
			peak = math.Max(peak, g.Stats[result.MemUsed].Max)
			if u, ok := g.Stats[result.UtilGPU]; ok && u.Count > 0 {
				util += u.Mean
				n++
			}
		}
	}
	t.RawSetString("peak_memory", lua.LNumber(peak))
	if n > 0 {
		t.RawSetString("utilization", lua.LNumber(util/float64(n)))
	}
	return t
}

// luaNames are the run's JSON fields that Lua knows by another name, as the
// JSON name is a Lua keyword (run.repeat does not parse).
var luaNames = map[string]string{"repeat": "repeats"}

// renameForLua moves the fields of luaNames to their Lua names; reading an
// old name still works, with a deprecation warning.
func (rt *runtime) renameForLua(L *lua.LState, t *lua.LTable) {
	for old, name := range luaNames {
		if v := t.RawGetString(old); v != lua.LNil {
			t.RawSetString(name, v)
			t.RawSetString(old, lua.LNil)
		}
	}
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		key := L.CheckString(2)
		name, ok := luaNames[key]
		if !ok {
			return 0
		}
		rt.deprecated(L, "bench.pipeline.run result field "+key, name)
		L.Push(L.CheckTable(1).RawGetString(name))
		return 1
	}))
	L.SetMetatable(t, mt)
}

// deprecated warns, once per engine and name, that a scenario used an old
// name, with where and the new name.
func (rt *runtime) deprecated(L *lua.LState, what, use string) {
	if rt.engine == nil || rt.engine.warned[what] {
		return
	}
	rt.engine.warned[what] = true
	where := ""
	if dbg, ok := L.GetStack(1); ok {
		if _, err := L.GetInfo("Sl", dbg, lua.LNil); err == nil && dbg.CurrentLine > 0 {
			where = fmt.Sprintf("%s:%d", dbg.Source, dbg.CurrentLine)
		}
	}
	rt.engine.opts.Log.Warn().Str("where", where).Msgf("%s is deprecated (repeat is a Lua keyword): use %s", what, use)
}

func joinLines(lines []string) string {
	out := ""
	for i, l := range lines {
		if i > 0 {
			out += "\n"
		}
		out += l
	}
	return out
}
