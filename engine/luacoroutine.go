package engine

import (
	lua "github.com/yuin/gopher-lua"
)

// boundCoroutines makes a coroutine run under the context of whoever resumes
// it. gopher-lua gives a coroutine the context of the state that created it,
// so one created while the scenario loaded and resumed inside a test would
// ignore the test's deadline, and a bench.pipeline.run in it the test's
// timeout. coroutine.resume and the functions coroutine.wrap returns hand the
// resuming state's context to the coroutine first.
func boundCoroutines(L *lua.LState, co *lua.LTable) {
	resume, ok1 := co.RawGetString("resume").(*lua.LFunction)
	wrap, ok2 := co.RawGetString("wrap").(*lua.LFunction)
	if !ok1 || !ok2 {
		return
	}
	co.RawSetString("resume", L.NewFunction(func(L *lua.LState) int {
		adopt(L, L.CheckThread(1))
		return resume.GFunction(L)
	}))
	// As gopher-lua's wrap, whose thread is marked as wrapped (its errors
	// propagate), resumed through a closure that adopts first.
	wrapped := func(L *lua.LState) int {
		th := L.ToThread(lua.UpvalueIndex(1))
		adopt(L, th)
		L.Insert(th, 1)
		return resume.GFunction(L)
	}
	co.RawSetString("wrap", L.NewFunction(func(L *lua.LState) int {
		L.Push(wrap)
		L.Push(L.CheckFunction(1))
		L.Call(1, 1)
		w := L.Get(-1).(*lua.LFunction)
		L.Pop(1)
		L.Push(L.NewClosure(wrapped, w.Upvalues[0].Value()))
		return 1
	}))
}

// adopt gives the thread th the context of L, the state resuming it.
func adopt(L *lua.LState, th *lua.LState) {
	if ctx := L.Context(); ctx != nil && th != nil {
		th.SetContext(ctx)
	}
}
