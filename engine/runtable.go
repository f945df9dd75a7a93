package engine

import (
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
