package engine

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	lua "github.com/yuin/gopher-lua"

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

// maxRepBytes bounds what string.rep may build. gopher-lua's own string.rep
// allocates whatever it is asked for, and a Go allocation that cannot be met
// is a fatal error, not a Lua error: string.rep("x", 1e12) would end benchctl
// with a runtime stack trace and no report.
const maxRepBytes = 64 << 20

var moduleName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)

// newSandbox returns a Lua state with only safe libraries and a require that
// loads the bench module and helpers from the scenario's lib folder or the
// shipped scenarios/lib.
func newSandbox(scenarioDir string, preload map[string]lua.LGFunction) *lua.LState {
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
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
	L.SetGlobal("os", safeOS)
	if str, ok := L.GetGlobal("string").(*lua.LTable); ok {
		str.RawSetString("rep", L.NewFunction(boundedRep))
	}
	for _, f := range []string{"execute", "popen", "exit", "remove", "rename", "getenv", "tmpname", "setenv", "setlocale"} {
		denied := f
		safeOS.RawSetString(denied, L.NewFunction(func(L *lua.LState) int {
			L.RaiseError("os.%s is not available to scenarios: reach the machine through bench", denied)
			return 0
		}))
	}
	io := L.NewTable()
	for _, f := range []string{"open", "popen", "lines", "read", "write", "output", "input"} {
		denied := f
		io.RawSetString(denied, L.NewFunction(func(L *lua.LState) int {
			L.RaiseError("io.%s is not available to scenarios: reach the machine through bench", denied)
			return 0
		}))
	}
	L.SetGlobal("io", io)

	loaded := L.NewTable()
	L.SetGlobal("require", L.NewFunction(func(L *lua.LState) int {
		name := L.CheckString(1)
		if v := loaded.RawGetString(name); v != lua.LNil {
			L.Push(v)
			return 1
		}
		var mod lua.LValue
		if open, ok := preload[name]; ok {
			L.Push(L.NewFunction(open))
			L.Call(0, 1)
			mod = L.Get(-1)
			L.Pop(1)
		} else {
			fn, err := loadLib(L, scenarioDir, name)
			if err != nil {
				L.RaiseError("%v", err)
			}
			L.Push(fn)
			L.Push(lua.LString(name))
			L.Call(1, 1)
			mod = L.Get(-1)
			L.Pop(1)
		}
		if mod == lua.LNil {
			mod = lua.LTrue
		}
		loaded.RawSetString(name, mod)
		L.Push(mod)
		return 1
	}))
	return L
}

// boundedRep is string.rep(s, n) that refuses a result over maxRepBytes.
func boundedRep(L *lua.LState) int {
	s := L.CheckString(1)
	n := L.CheckInt(2)
	if n <= 0 || s == "" {
		L.Push(lua.LString(""))
		return 1
	}
	if n > maxRepBytes/len(s) {
		L.RaiseError("string.rep: a result of %d x %d bytes is over the %d MiB limit", n, len(s), maxRepBytes>>20)
	}
	L.Push(lua.LString(strings.Repeat(s, n)))
	return 1
}

// loadLib finds a helper module: "lib.x" or "x" is scenarioDir/lib/x.lua, then
// the shipped scenarios/lib/x.lua. Nothing outside those folders is reachable.
func loadLib(L *lua.LState, scenarioDir, name string) (*lua.LFunction, error) {
	if !moduleName.MatchString(name) {
		return nil, fmt.Errorf("require %q: not a module name", name)
	}
	rel := strings.ReplaceAll(strings.TrimPrefix(name, "lib."), ".", "/") + ".lua"
	local := filepath.Join(scenarioDir, "lib", rel)
	if src, err := os.ReadFile(local); err == nil {
		return L.Load(strings.NewReader(string(src)), local)
	}
	if src, err := fs.ReadFile(scenarios.Lib, "lib/"+rel); err == nil {
		return L.Load(strings.NewReader(string(src)), "scenarios/lib/"+rel)
	}
	return nil, fmt.Errorf("module %q not found (looked in %s and the shipped scenarios/lib)", name, filepath.Join(scenarioDir, "lib"))
}
