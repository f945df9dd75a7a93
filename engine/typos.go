package engine

import (
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/benchctl/benchctl/internal/suggest"
)

// guardNames makes reading a name t does not have a Lua error naming it and
// the closest name t has: `bench.tset(...)` says "bench.tset is not a
// function; did you mean bench.test?" rather than "attempt to call a
// non-function object". path is how the names are written before the name
// ("bench.", "t:"); t's own names at the time of the call are the
// candidates. Names a scenario sets on t itself are found before this runs.
func guardNames(L *lua.LState, t *lua.LTable, path string) {
	mt := L.NewTable()
	mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		key := L.Get(2)
		name, ok := key.(lua.LString)
		if !ok {
			return 0
		}
		var have []string
		t.ForEach(func(k, _ lua.LValue) {
			if s, ok := k.(lua.LString); ok {
				have = append(have, string(s))
			}
		})
		sort.Strings(have)
		what, at := "a function", path
		if c := suggest.Closest(string(name), have); c != "" {
			if _, isFn := t.RawGetString(c).(*lua.LFunction); !isFn {
				what, at = "a field", strings.TrimSuffix(path, ":")+"."
			}
		}
		L.RaiseError("%s%s is not %s%s", at, string(name), what, suggest.DidYouMean(string(name), at, have))
		return 0
	}))
	L.SetMetatable(t, mt)
}
