package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/benchctl/benchctl/internal/capread"
	"github.com/benchctl/benchctl/scenarios"
)

// safeLibs are the only standard libraries a scenario gets. io, debug and the
// package loaders are left out; os is cut down to its clock functions below.
var safeLibs = []struct {
	name string
	open lua.LGFunction
}{
	{lua.BaseLibName, lua.OpenBase},
	{lua.TabLibName, lua.OpenTable},
	{lua.StringLibName, lua.OpenString},
	{lua.MathLibName, lua.OpenMath},
	{lua.OsLibName, lua.OpenOs},
	{lua.CoroutineLibName, lua.OpenCoroutine},
}

// removedGlobals reach the file system or load code from it.
var removedGlobals = []string{"dofile", "loadfile", "module"}

// keptOS are the os functions a scenario may call: clocks only.
var keptOS = []string{"time", "clock", "date", "difftime"}

// deniedOS and deniedIO are the os and io functions a scenario calls by
// habit: they raise an error that says where to go instead.
var (
	deniedOS = []string{"execute", "popen", "exit", "remove", "rename", "getenv", "tmpname", "setenv", "setlocale"}
	deniedIO = []string{"open", "popen", "lines", "read", "write", "output", "input"}
)

var moduleName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)

// newSandbox returns a Lua state with only safe libraries and a require that
// loads the preloaded modules (bench) and helpers from the scenario's lib
// folder or the shipped scenarios/lib.
func newSandbox(scenarioDir string, preload map[string]lua.LGFunction) *lua.LState {
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	openSafeLibs(L)
	L.SetGlobal("require", L.NewFunction(requirer(scenarioDir, preload)))
	return L
}

// openSafeLibs opens safeLibs and cuts them down: no file-system globals, os
// with its clocks only, io with nothing but denials, and string.rep,
// string.gsub and table.concat bounded (see boundLibs).
func openSafeLibs(L *lua.LState) {
	for _, lib := range safeLibs {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	for _, g := range removedGlobals {
		L.SetGlobal(g, lua.LNil)
	}
	osTable := L.GetGlobal("os").(*lua.LTable)
	safeOS := L.NewTable()
	for _, f := range keptOS {
		safeOS.RawSetString(f, osTable.RawGetString(f))
	}
	deny(L, safeOS, "os", deniedOS)
	L.SetGlobal("os", safeOS)
	io := L.NewTable()
	deny(L, io, "io", deniedIO)
	L.SetGlobal("io", io)
	if str, ok := L.GetGlobal("string").(*lua.LTable); ok {
		boundStringLib(L, str)
	}
	if co, ok := L.GetGlobal("coroutine").(*lua.LTable); ok {
		boundCoroutines(L, co)
	}
	boundLibs(L)
}

// deny sets each of names on the library table lib to a function that raises
// "lib.name is not available".
func deny(L *lua.LState, lib *lua.LTable, libName string, names []string) {
	for _, name := range names {
		lib.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			L.RaiseError("%s.%s is not available to scenarios: reach the machine through bench", libName, name)
			return 0
		}))
	}
}

// requirer returns the sandbox's require: a preloaded module, else a helper
// found by loadLib, each loaded once and then returned from a cache.
func requirer(scenarioDir string, preload map[string]lua.LGFunction) lua.LGFunction {
	loaded := map[string]lua.LValue{}
	return func(L *lua.LState) int {
		name := L.CheckString(1)
		mod, ok := loaded[name]
		if !ok {
			mod = loadModule(L, scenarioDir, preload, name)
			loaded[name] = mod
		}
		L.Push(mod)
		return 1
	}
}

// loadModule runs the preloaded opener or the helper file for name and returns
// the module it gives (true when it gives nothing), or raises a Lua error.
func loadModule(L *lua.LState, scenarioDir string, preload map[string]lua.LGFunction, name string) lua.LValue {
	if open, ok := preload[name]; ok {
		L.Push(L.NewFunction(open))
		L.Call(0, 1)
	} else {
		fn, err := loadLib(L, scenarioDir, name)
		if err != nil {
			L.RaiseError("%v", err)
		}
		L.Push(fn)
		L.Push(lua.LString(name))
		L.Call(1, 1)
	}
	mod := L.Get(-1)
	L.Pop(1)
	if mod == lua.LNil {
		mod = lua.LTrue
	}
	return mod
}

// loadLib finds a helper module: "lib.x" or "x" is scenarioDir/lib/x.lua, then
// the shipped scenarios/lib/x.lua. Nothing outside those folders is reachable.
func loadLib(L *lua.LState, scenarioDir, name string) (*lua.LFunction, error) {
	if !moduleName.MatchString(name) {
		return nil, fmt.Errorf("require %q: not a module name", name)
	}
	rel := strings.ReplaceAll(strings.TrimPrefix(name, "lib."), ".", "/") + ".lua"
	local := filepath.Join(scenarioDir, "lib", rel)
	src, err := capread.ReadFile(local, capread.ScenarioBytes)
	switch {
	case err == nil:
		return L.Load(strings.NewReader(string(src)), local)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("require %q: %s: %w", name, local, err)
	}
	if src, err := fs.ReadFile(scenarios.Lib, "lib/"+rel); err == nil { // shipped, not the user's
		return L.Load(strings.NewReader(string(src)), "scenarios/lib/"+rel)
	}
	return nil, fmt.Errorf("module %q not found (looked in %s and the shipped scenarios/lib)", name, filepath.Join(scenarioDir, "lib"))
}
