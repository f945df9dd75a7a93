package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"

	"github.com/benchctl/benchctl/internal/capread"
)

// VarDecl is a variable a scenario reads with bench.var.
type VarDecl struct {
	Key     string `json:"key"`
	Type    string `json:"type"` // string, number, bool, duration, size, list
	Default string `json:"default"`
}

// TestDecl is a test a scenario declared with bench.test.
type TestDecl struct {
	Name    string
	Tags    []string
	Timeout string
	fn      *lua.LFunction
}

// Scenario is a loaded scenario file: its suite header and tests, ready to run.
type Scenario struct {
	File        string
	Name        string
	Description string
	Tags        []string
	Vars        []VarDecl
	Tests       []TestDecl

	L  *lua.LState
	rt *runtime
}

// Close releases the scenario's Lua state.
func (s *Scenario) Close() {
	if s.L != nil {
		s.L.Close()
	}
}

// LoadError is a scenario that cannot be loaded: a missing or unreadable file,
// a syntax error, or a runtime error in its top-level code.
type LoadError struct {
	File string
	Line int
	Msg  string
}

func (e *LoadError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

var luaPos = regexp.MustCompile(`^(?:<string>|[^\s:]+):(\d+):\s*(.*)$`)
var luaSyntax = regexp.MustCompile(`line:(\d+)\(column:\d+\)\s*near\s*'(.*)':\s*(.*)`)

// Load reads a scenario file and runs its top-level code, which declares the
// suite, its vars and its tests. Nothing with side effects (a pipeline run, data
// generation) may happen at the top level.
func Load(ctx context.Context, file string, e *Engine) (*Scenario, error) {
	fi, err := os.Stat(file)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, &LoadError{File: file, Msg: "no such scenario file"}
	case err != nil:
		return nil, &LoadError{File: file, Msg: err.Error()}
	case fi.IsDir():
		return nil, &LoadError{File: file, Msg: "is a directory, not a scenario file (use a glob: " + filepath.Join(file, "*.lua") + ")"}
	}
	src, err := capread.ReadFile(file, capread.ScenarioBytes)
	if err != nil {
		return nil, &LoadError{File: file, Msg: err.Error()}
	}
	if !utf8.Valid(src) || strings.ContainsRune(string(src), 0) {
		return nil, &LoadError{File: file, Msg: "not a Lua text file (binary content)"}
	}
	sc := &Scenario{File: file, Name: strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))}
	sc.rt = &runtime{engine: e, sc: sc}
	sc.L = newSandbox(filepath.Dir(file), sc.rt.preload())
	sc.L.SetGlobal("print", sc.L.NewFunction(sc.rt.print))
	fn, err := sc.L.Load(strings.NewReader(string(src)), file)
	if err != nil {
		sc.Close()
		return nil, loadError(file, err)
	}
	// The top level has a deadline of its own: `while true do end` there
	// would otherwise hang run, check and list before any test starts.
	loadCtx, cancel := context.WithTimeout(ctx, e.opts.LoadTimeout)
	defer cancel()
	sc.L.SetContext(loadCtx)
	sc.L.Push(fn)
	err = sc.L.PCall(0, 0, nil)
	sc.L.SetContext(ctx)
	if err != nil {
		sc.Close()
		le := loadError(file, err)
		if ctx.Err() == nil && loadCtx.Err() != nil {
			le.Msg = fmt.Sprintf("its top-level code ran past the load timeout of %s (--load-timeout): "+
				"an endless loop outside bench.test?", e.opts.LoadTimeout)
		}
		return nil, le
	}
	if len(sc.Tests) == 0 {
		sc.Close()
		return nil, &LoadError{File: file, Msg: "declares no tests (call bench.test)"}
	}
	return sc, nil
}

func loadError(file string, err error) *LoadError {
	var ae *lua.ApiError
	msg := err.Error()
	if errors.As(err, &ae) {
		if ae.Object != nil {
			msg = ae.Object.String()
		}
		if ae.Cause != nil && ae.Type == lua.ApiErrorSyntax {
			msg = ae.Cause.Error()
		}
	}
	msg = strings.TrimSpace(strings.SplitN(msg, "\nstack traceback:", 2)[0])
	if m := luaSyntax.FindStringSubmatch(msg); m != nil {
		var line int
		fmt.Sscan(m[1], &line)
		return &LoadError{File: file, Line: line, Msg: "syntax error near '" + m[2] + "': " + m[3]}
	}
	// Runtime errors read "FILE:LINE: message", possibly after other text.
	if k := strings.Index(msg, file+":"); k >= 0 {
		rest := msg[k+len(file)+1:]
		if n, after, ok := strings.Cut(rest, ":"); ok {
			var line int
			if _, err := fmt.Sscan(n, &line); err == nil {
				return &LoadError{File: file, Line: line, Msg: strings.TrimSpace(after)}
			}
		}
	}
	return &LoadError{File: file, Msg: msg}
}
