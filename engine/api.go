package engine

import (
	"maps"
	"slices"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// This file is the whole scenario API: every name a scenario can reach is
// listed here, and nothing else registers one. require("bench") builds the
// bench module and its submodules from benchModule; each test function gets a
// handle t built from handleFields and handleMethods; t:expect returns a
// matcher built from matcherMethods. api_test.go holds the README's API tables
// to these lists.

type (
	// benchFunc is a function of the bench module or one of its submodules.
	benchFunc func(rt *runtime, L *lua.LState) int
	// handleFunc is a method of the test handle t, called as t:name(...), so
	// argument 1 is t itself.
	handleFunc func(h *handle, L *lua.LState) int
	// matcherFunc is a method of what t:expect returns, called as
	// m:name(...), so argument 1 is the matcher itself.
	matcherFunc func(m *matcher, L *lua.LState) int
)

// benchModule is require("bench"): the module's own functions under "bench",
// each submodule's functions under its dotted path.
var benchModule = map[string]map[string]benchFunc{
	"bench": {
		"suite":          (*runtime).suite,
		"test":           (*runtime).test,
		"var":            varOf("string"),
		"var_number":     varOf("number"),
		"var_bool":       varOf("bool"),
		"var_duration":   varOf("duration"),
		"var_size":       varOf("size"),
		"var_list":       varOf("list"),
		"split":          (*runtime).split,
		"duration":       (*runtime).duration,
		"size":           (*runtime).size,
		"format_bytes":   (*runtime).formatBytes,
		"format_seconds": (*runtime).formatSeconds,
	},
	"bench.data": {
		"fasta":   (*runtime).fasta,
		"presets": (*runtime).presets,
		"text":    (*runtime).dataText,
	},
	"bench.pipeline": {
		"run": (*runtime).pipelineRun,
	},
	"bench.gpu": {
		"devices":  (*runtime).gpuDevices,
		"backend":  (*runtime).gpuBackend,
		"snapshot": (*runtime).gpuSnapshot,
		"settle":   (*runtime).settle,
	},
	"bench.stats": {
		"compare":    (*runtime).statsCompare,
		"interleave": (*runtime).statsInterleave,
	},
}

// handleFields are the plain values of the test handle t.
var handleFields = map[string]func(st *testState) lua.LValue{
	"name":    func(st *testState) lua.LValue { return lua.LString(st.c.Name) },
	"workdir": func(st *testState) lua.LValue { return lua.LString(st.c.Workdir) },
}

// handleMethods are the methods of the test handle t.
var handleMethods = map[string]handleFunc{
	"expect":       (*handle).expect,
	"metric":       (*handle).metric,
	"table":        (*handle).table,
	"log":          (*handle).log,
	"fail":         (*handle).fail,
	"skip":         (*handle).skip,
	"require_gpus": (*handle).requireGPUs,
}

// matcherMethods are the checks of what t:expect returns.
var matcherMethods = map[string]matcherFunc{
	"eq":      (*matcher).eq,
	"ne":      (*matcher).ne,
	"lt":      compareOp("lt", "<", func(a, b float64) bool { return a < b }),
	"le":      compareOp("le", "<=", func(a, b float64) bool { return a <= b }),
	"gt":      compareOp("gt", ">", func(a, b float64) bool { return a > b }),
	"ge":      compareOp("ge", ">=", func(a, b float64) bool { return a >= b }),
	"between": (*matcher).between,
	"near":    (*matcher).near,
}

// API returns the names a scenario can reach, sorted, by namespace: "bench"
// and its submodules ("bench.data", "bench.gpu", "bench.pipeline", "bench.stats") for
// functions, "t" for the test handle's fields and methods, and "matcher" for
// the checks t:expect returns.
func API() map[string][]string {
	api := map[string][]string{
		"t":       slices.Sorted(slices.Values(append(names(handleFields), names(handleMethods)...))),
		"matcher": names(matcherMethods),
	}
	for path, fns := range benchModule {
		api[path] = names(fns)
	}
	return api
}

func names[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// preload are the modules require finds before it looks in lib folders.
func (rt *runtime) preload() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{"bench": rt.openBench}
}

// openBench builds the bench module from benchModule.
func (rt *runtime) openBench(L *lua.LState) int {
	root := L.NewTable()
	for _, path := range names(benchModule) { // sorted: a parent comes before its submodules
		mod := root
		for _, part := range strings.Split(path, ".")[1:] {
			sub, ok := mod.RawGetString(part).(*lua.LTable)
			if !ok {
				sub = L.NewTable()
				mod.RawSetString(part, sub)
			}
			mod = sub
		}
		setFuncs(L, mod, rt, benchModule[path])
		guardNames(L, mod, path+".")
	}
	L.Push(root)
	return 1
}

// handleTable builds the test handle t passed to a test function.
func (rt *runtime) handleTable(st *testState) *lua.LTable {
	L := rt.sc.L
	t := L.NewTable()
	for name, field := range handleFields {
		t.RawSetString(name, field(st))
	}
	setFuncs(L, t, &handle{rt: rt, st: st}, handleMethods)
	guardNames(L, t, "t:")
	return t
}

// matcherTable builds what t:expect returns.
func (rt *runtime) matcherTable(m *matcher) *lua.LTable {
	L := rt.sc.L
	t := L.NewTable()
	setFuncs(L, t, m, matcherMethods)
	guardNames(L, t, "t:expect(...):")
	return t
}

// setFuncs sets each of fns on t as a Lua function bound to recv.
func setFuncs[R any, F ~func(R, *lua.LState) int](L *lua.LState, t *lua.LTable, recv R, fns map[string]F) {
	for name, fn := range fns {
		t.RawSetString(name, L.NewFunction(func(L *lua.LState) int { return fn(recv, L) }))
	}
}
