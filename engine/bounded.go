package engine

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// maxStringBytes bounds a string that a library function builds from its
// arguments in one call (string.rep, table.concat, string.gsub). gopher-lua
// allocates whatever it is asked for, and a Go allocation that cannot be met
// is a fatal error, not a Lua error: table.concat of 200 references to a
// 64 MiB string would end benchctl with a runtime stack trace and no report.
// What a scenario builds step by step is bounded by the memory budget.
const maxStringBytes = 64 << 20

// boundLibs replaces the library functions that can build a huge string in
// one call with versions that refuse a result over maxStringBytes first.
func boundLibs(L *lua.LState) {
	if str, ok := L.GetGlobal("string").(*lua.LTable); ok {
		str.RawSetString("rep", L.NewFunction(boundedRep))
		if format, ok := str.RawGetString("format").(*lua.LFunction); ok {
			str.RawSetString("format", L.NewFunction(boundedFormat(format)))
		}
		if gsub, ok := str.RawGetString("gsub").(*lua.LFunction); ok {
			str.RawSetString("gsub", L.NewFunction(boundedGsub(gsub)))
		}
	}
	if co, ok := L.GetGlobal("coroutine").(*lua.LTable); ok {
		depth := 0
		for _, name := range []string{"resume", "wrap"} {
			if fn, ok := co.RawGetString(name).(*lua.LFunction); ok {
				co.RawSetString(name, L.NewFunction(nestedBound(fn, name == "wrap", &depth)))
			}
		}
	}
	if tab, ok := L.GetGlobal("table").(*lua.LTable); ok {
		if concat, ok := tab.RawGetString("concat").(*lua.LFunction); ok {
			tab.RawSetString("concat", L.NewFunction(boundedConcat(concat)))
		}
	}
}

// maxCoroutineDepth bounds coroutines resumed inside each other. Each
// nested resume is a Go call deeper on benchctl's stack, which Lua's own
// stack limit does not see: a coroutine that resumes a new one without end
// (local function f() return coroutine.wrap(f)() end) would otherwise grow
// it until the Go runtime ends benchctl.
const maxCoroutineDepth = 200

// nestedBound wraps coroutine.resume, or the functions coroutine.wrap
// returns (wrap set), to count how deep resumes nest in depth and raise an
// error past maxCoroutineDepth.
func nestedBound(orig *lua.LFunction, wrap bool, depth *int) lua.LGFunction {
	resume := func(fn *lua.LFunction) lua.LGFunction {
		return func(L *lua.LState) int {
			if *depth >= maxCoroutineDepth {
				L.RaiseError("coroutines nested over %d deep", maxCoroutineDepth)
			}
			*depth++
			defer func() { *depth-- }() // also when a Lua error unwinds through
			return callOriginal(L, fn)
		}
	}
	if !wrap {
		return resume(orig)
	}
	return func(L *lua.LState) int {
		callOriginal(L, orig)
		fn, ok := L.Get(-1).(*lua.LFunction)
		if !ok {
			return 1
		}
		L.Push(L.NewFunction(resume(fn)))
		return 1
	}
}

// callOriginal calls fn with the arguments of the current call and returns
// its results.
func callOriginal(L *lua.LState, fn *lua.LFunction) int {
	top := L.GetTop()
	L.Push(fn)
	for i := 1; i <= top; i++ {
		L.Push(L.Get(i))
	}
	L.Call(top, lua.MultRet)
	return L.GetTop() - top
}

// boundedConcat is table.concat(list [, sep [, i [, j]]]) that sums the
// lengths first and refuses a result over maxStringBytes.
func boundedConcat(orig *lua.LFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		list := L.CheckTable(1)
		sep := len(L.OptString(2, ""))
		i, j := L.OptInt(3, 1), L.OptInt(4, list.Len())
		total := 0
		for k := i; k <= j; k++ {
			switch v := list.RawGetInt(k).(type) {
			case lua.LString:
				total += len(v)
			case lua.LNumber:
				total += 24
			default:
				k = j // not a string: the original raises its own error
			}
			if k > i {
				total += sep
			}
			if total > maxStringBytes {
				L.RaiseError("table.concat: a result over the %d MiB limit", maxStringBytes>>20)
			}
		}
		return callOriginal(L, orig)
	}
}

// boundedGsub is string.gsub(s, pattern, repl [, n]) that refuses a result
// over maxStringBytes. A string repl is checked before: the matches are
// counted and each expansion bounded (a capture is at most s); a function
// or table repl is checked as its replacements come.
func boundedGsub(orig *lua.LFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		s := L.CheckString(1)
		L.CheckString(2)
		switch repl := L.Get(3).(type) {
		case lua.LString:
			if per := gsubExpansion(string(repl), len(s)); len(s)+(len(s)+1)*per > maxStringBytes {
				if n := gsubMatches(L, orig); len(s)+n*per > maxStringBytes {
					L.RaiseError("string.gsub: a result over the %d MiB limit (%d matches)", maxStringBytes>>20, n)
				}
			}
		case *lua.LFunction, *lua.LTable:
			L.Replace(3, L.NewFunction(countedRepl(repl)))
		}
		return callOriginal(L, orig)
	}
}

// gsubExpansion bounds what one match of a string repl becomes: its bytes,
// and for each %0-%9 the whole subject.
func gsubExpansion(repl string, subject int) int {
	n := len(repl)
	for k := 0; k+1 < len(repl); k++ {
		if repl[k] == '%' && repl[k+1] >= '0' && repl[k+1] <= '9' {
			n += subject
			k++
		}
	}
	return n
}

// gsubMatches counts the matches the current gsub call would replace: gsub
// with an empty replacement, whose result is never longer than the subject.
func gsubMatches(L *lua.LState, orig *lua.LFunction) int {
	s, pattern, max := L.Get(1), L.Get(2), L.Get(4) // before the pushes move the top
	L.Push(orig)
	L.Push(s)
	L.Push(pattern)
	L.Push(lua.LString(""))
	L.Push(max)
	L.Call(4, 2)
	n := L.ToInt(-1)
	L.Pop(2)
	return n
}

// countedRepl wraps a function or table repl of gsub: it returns what the
// original returns, and raises an error once the replacements pass
// maxStringBytes.
func countedRepl(repl lua.LValue) lua.LGFunction {
	total := 0
	return func(L *lua.LState) int {
		var v lua.LValue
		if fn, ok := repl.(*lua.LFunction); ok {
			top := L.GetTop()
			L.Push(fn)
			for i := 1; i <= top; i++ {
				L.Push(L.Get(i))
			}
			L.Call(top, 1)
			v = L.Get(-1)
			L.Pop(1)
		} else {
			v = L.GetTable(repl, L.Get(1))
		}
		if str, ok := v.(lua.LString); ok {
			total += len(str)
		}
		if total > maxStringBytes {
			L.RaiseError("string.gsub: replacements over the %d MiB limit", maxStringBytes>>20)
		}
		L.Push(v)
		return 1
	}
}

// boundedRep is string.rep(s, n) that refuses a result over maxStringBytes.
func boundedRep(L *lua.LState) int {
	s := L.CheckString(1)
	n := L.CheckInt(2)
	if n <= 0 || s == "" {
		L.Push(lua.LString(""))
		return 1
	}
	if n > maxStringBytes/len(s) {
		L.RaiseError("string.rep: a result of %d x %d bytes is over the %d MiB limit", n, len(s), maxStringBytes>>20)
	}
	L.Push(lua.LString(strings.Repeat(s, n)))
	return 1
}

// boundedFormat is string.format(fmt, ...) that refuses a result that could
// pass maxStringBytes: gopher-lua hands the format to Go's fmt.Sprintf, so
// string.format("%s%s", s, s) doubles a string in one call and
// string.format("%999999999d", 1) asks for a gigabyte.
func boundedFormat(orig *lua.LFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		format := L.CheckString(1)
		total := len(format) + formatPadding(format)
		for i := 2; i <= L.GetTop(); i++ {
			if s, ok := L.Get(i).(lua.LString); ok {
				total += len(s)
			} else {
				total += 64 // a number, a boolean, a value's address
			}
			if total > maxStringBytes {
				break
			}
		}
		if total > maxStringBytes {
			L.RaiseError("string.format: a result over the %d MiB limit", maxStringBytes>>20)
		}
		return callOriginal(L, orig)
	}
}

// formatPadding sums the widths and precisions of format's verbs ("%-10.3f"
// adds 13), each counted as over maxStringBytes when it has more digits
// than such a number can.
func formatPadding(format string) int {
	total := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		for i++; i < len(format) && format[i] != '%' && !isVerb(format[i]); i++ {
			n := 0
			for ; i < len(format) && format[i] >= '0' && format[i] <= '9'; i++ {
				n = min(n*10+int(format[i]-'0'), maxStringBytes+1)
			}
			total += n
			if i < len(format) && isVerb(format[i]) {
				break
			}
		}
	}
	return total
}

// isVerb says whether c ends a format directive: a letter.
func isVerb(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
