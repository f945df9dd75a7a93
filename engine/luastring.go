package engine

import (
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/benchctl/benchctl/internal/luapattern"
)

// The pattern functions of Lua's string library, matched by
// internal/luapattern so that they honour the running test's deadline.
// gopher-lua checks its context between two VM instructions, but one
// string.find runs in Go, and a backtracking pattern
// (string.find(string.rep("a", 5000), ".-.-.-.-b")) would run for hours under
// a one-second timeout. Here the matcher checks the context every few thousand
// steps and the call ends with a Lua error. They behave as gopher-lua's, but
// for a gsub replacement string, which follows Lua 5.1 ("%%" is "%").
var boundedStringFuncs = map[string]lua.LGFunction{
	"find":  strFind,
	"match": strMatch,
	"gsub":  strGsub,
}

// boundStringLib replaces string.find, match, gmatch and gsub with bounded ones.
func boundStringLib(L *lua.LState, str *lua.LTable) {
	for name, fn := range boundedStringFuncs {
		str.RawSetString(name, L.NewFunction(fn))
	}
	str.RawSetString("gmatch", L.NewClosure(strGmatch, L.NewFunction(strGmatchIter)))
}

// findAll runs pattern over str from offset for up to limit matches (all
// when limit < 0), stopping with a Lua error when the test's context ends.
func findAll(L *lua.LState, fn, pattern, str string, offset, limit int) []*luapattern.MatchData {
	var lim luapattern.Limits
	if ctx := L.Context(); ctx != nil {
		lim.Check = ctx.Err
	}
	mds, err := luapattern.Find(pattern, []byte(str), offset, limit, lim)
	if err != nil {
		L.RaiseError("string.%s: %v", fn, err)
	}
	return mds
}

// pushCaptures pushes the captures of md, or the whole match when it has
// none (whole), and returns how many it pushed.
func pushCaptures(L *lua.LState, md *luapattern.MatchData, str string, whole bool) int {
	if md.CaptureLength() == 2 {
		if !whole {
			return 0
		}
		L.Push(lua.LString(str[md.Capture(0):md.Capture(1)]))
		return 1
	}
	for i := 2; i < md.CaptureLength(); i += 2 {
		if md.IsPosCapture(i) {
			L.Push(lua.LNumber(md.Capture(i)))
		} else {
			L.Push(lua.LString(str[md.Capture(i):md.Capture(i+1)]))
		}
	}
	return md.CaptureLength()/2 - 1
}

// startIndex turns Lua's 1-based, possibly negative init into a byte offset.
func startIndex(str string, init int) int {
	if init < 0 {
		init = len(str) + init + 1
	}
	return max(init-1, 0)
}

// strFind is string.find(s, pattern [, init [, plain]]).
func strFind(L *lua.LState) int {
	str, pattern := L.CheckString(1), L.CheckString(2)
	init := startIndex(str, L.OptInt(3, 1))
	if init > len(str) {
		L.Push(lua.LNil)
		return 1
	}
	if lua.LVAsBool(L.Get(4)) || !strings.ContainsAny(pattern, "^$*+?.([%-") {
		pos := strings.Index(str[init:], pattern)
		if pos < 0 {
			L.Push(lua.LNil)
			return 1
		}
		L.Push(lua.LNumber(init + pos + 1))
		L.Push(lua.LNumber(init + pos + len(pattern)))
		return 2
	}
	mds := findAll(L, "find", pattern, str, init, 1)
	if len(mds) == 0 {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(lua.LNumber(mds[0].Capture(0) + 1))
	L.Push(lua.LNumber(mds[0].Capture(1)))
	return 2 + pushCaptures(L, mds[0], str, false)
}

// strMatch is string.match(s, pattern [, init]).
func strMatch(L *lua.LState) int {
	str, pattern := L.CheckString(1), L.CheckString(2)
	init := startIndex(str, L.OptInt(3, 1))
	if init > len(str) {
		L.Push(lua.LNil)
		return 1
	}
	mds := findAll(L, "match", pattern, str, init, 1)
	if len(mds) == 0 {
		L.Push(lua.LNil)
		return 1
	}
	return pushCaptures(L, mds[0], str, true)
}

// gmatchState is where a string.gmatch iteration stands.
type gmatchState struct {
	str     string
	next    int
	matches []*luapattern.MatchData
}

// strGmatch is string.gmatch(s, pattern): its matches are found at once.
func strGmatch(L *lua.LState) int {
	str, pattern := L.CheckString(1), L.CheckString(2)
	ud := L.NewUserData()
	ud.Value = &gmatchState{str: str, matches: findAll(L, "gmatch", pattern, str, 0, -1)}
	L.Push(L.Get(lua.UpvalueIndex(1)))
	L.Push(ud)
	return 2
}

func strGmatchIter(L *lua.LState) int {
	st := L.CheckUserData(1).Value.(*gmatchState)
	if st.next >= len(st.matches) {
		return 0
	}
	md := st.matches[st.next]
	st.next++
	return pushCaptures(L, md, st.str, true)
}

// strGsub is string.gsub(s, pattern, repl [, n]).
func strGsub(L *lua.LState) int {
	str, pattern := L.CheckString(1), L.CheckString(2)
	L.CheckTypes(3, lua.LTString, lua.LTNumber, lua.LTTable, lua.LTFunction)
	repl := L.Get(3)
	mds := findAll(L, "gsub", pattern, str, 0, L.OptInt(4, -1))
	var b strings.Builder
	last := 0
	for _, md := range mds {
		start, end := md.Capture(0), md.Capture(1)
		b.WriteString(str[last:start])
		b.WriteString(replacement(L, md, str, repl))
		last = end
	}
	b.WriteString(str[last:])
	L.Push(lua.LString(b.String()))
	L.Push(lua.LNumber(len(mds)))
	return 2
}

// replacement is what gsub puts in place of the match md: repl's value for
// it, or the match itself when that value is false or nil.
func replacement(L *lua.LState, md *luapattern.MatchData, str string, repl lua.LValue) string {
	whole := str[md.Capture(0):md.Capture(1)]
	var v lua.LValue
	switch r := repl.(type) {
	case *lua.LTable:
		v = L.GetTable(r, firstCapture(md, str))
	case *lua.LFunction:
		L.Push(r)
		n := pushCaptures(L, md, str, true)
		L.Call(n, 1)
		v = L.Get(-1)
		L.Pop(1)
	default:
		return expandRepl(L, lua.LVAsString(repl), md, str)
	}
	if !lua.LVAsBool(v) {
		return whole
	}
	if s, ok := v.(lua.LString); ok {
		return string(s)
	}
	if n, ok := v.(lua.LNumber); ok {
		return n.String()
	}
	L.RaiseError("string.gsub: invalid replacement value (a %s)", v.Type())
	return ""
}

// firstCapture is the first capture of md, or the whole match without one.
func firstCapture(md *luapattern.MatchData, str string) lua.LValue {
	if md.CaptureLength() == 2 {
		return lua.LString(str[md.Capture(0):md.Capture(1)])
	}
	if md.IsPosCapture(2) {
		return lua.LNumber(md.Capture(2))
	}
	return lua.LString(str[md.Capture(2):md.Capture(3)])
}

// expandRepl expands a gsub replacement string: %0 is the match, %1 to %9
// its captures, %% a percent sign.
func expandRepl(L *lua.LState, repl string, md *luapattern.MatchData, str string) string {
	if !strings.Contains(repl, "%") {
		return repl
	}
	var b strings.Builder
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		if c != '%' || i+1 == len(repl) {
			b.WriteByte(c)
			continue
		}
		i++
		d := repl[i]
		switch {
		case d == '0':
			b.WriteString(str[md.Capture(0):md.Capture(1)])
		case d >= '1' && d <= '9':
			k := 2 * int(d-'0')
			switch {
			case k == 2 && md.CaptureLength() == 2:
				b.WriteString(str[md.Capture(0):md.Capture(1)])
			case k >= md.CaptureLength():
				L.RaiseError("string.gsub: invalid capture index %%%c", d)
			case md.IsPosCapture(k):
				b.WriteString(strconv.Itoa(md.Capture(k)))
			default:
				b.WriteString(str[md.Capture(k):md.Capture(k+1)])
			}
		default:
			b.WriteByte(d)
		}
	}
	return b.String()
}
