package engine

import (
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/benchctl/benchctl/engine/units"
	"github.com/benchctl/benchctl/probes"
)

// gpuDevices implements bench.gpu.devices(): the selected GPUs, with the
// field names of result.GPUInfo's JSON; an empty list where the backend sees
// none.
func (rt *runtime) gpuDevices(L *lua.LState) int {
	devs := rt.engine.opts.Backend.Devices()
	if len(devs) == 0 {
		L.Push(L.NewTable())
		return 1
	}
	L.Push(toLua(L, devs))
	return 1
}

// gpuBackend implements bench.gpu.backend(): "nvml", "sim" or "none".
func (rt *runtime) gpuBackend(L *lua.LState) int {
	L.Push(lua.LString(rt.engine.opts.Backend.Name()))
	return 1
}

// gpuSnapshot implements bench.gpu.snapshot(): one reading of every GPU.
func (rt *runtime) gpuSnapshot(L *lua.LState) int {
	snap, err := rt.engine.opts.Backend.Sample()
	if err != nil {
		L.RaiseError("bench.gpu.snapshot: %v", err)
	}
	L.Push(snapshotTable(L, snap))
	return 1
}

// snapshotTable is a snapshot for Lua: used and total summed over GPUs, and per
// GPU its memory, utilization and processes.
func snapshotTable(L *lua.LState, snap probes.Snapshot) *lua.LTable {
	t := L.NewTable()
	gpus := L.NewTable()
	var used, total float64
	for _, g := range snap.GPUs {
		e := L.NewTable()
		e.RawSetString("index", lua.LNumber(g.Index))
		e.RawSetString("used", lua.LNumber(g.MemUsed))
		e.RawSetString("total", lua.LNumber(g.MemTotal))
		e.RawSetString("utilization", lua.LNumber(finite(g.UtilGPU)))
		e.RawSetString("temperature", lua.LNumber(finite(g.TempC)))
		e.RawSetString("power", lua.LNumber(finite(g.PowerW)))
		procs := L.NewTable()
		for _, p := range g.Processes {
			pe := L.NewTable()
			pe.RawSetString("pid", lua.LNumber(p.PID))
			pe.RawSetString("used", lua.LNumber(p.Used))
			procs.Append(pe)
		}
		e.RawSetString("processes", procs)
		gpus.Append(e)
		used += float64(g.MemUsed)
		total += float64(g.MemTotal)
	}
	t.RawSetString("gpus", gpus)
	t.RawSetString("used", lua.LNumber(used))
	t.RawSetString("total", lua.LNumber(total))
	errs := L.NewTable()
	for _, err := range snap.Errors {
		errs.Append(lua.LString(err.Error()))
	}
	t.RawSetString("errors", errs)
	return t
}

// settle implements bench.gpu.settle{seconds=1, tolerance="4MiB", timeout="60s",
// interval="100ms"}: it samples until every GPU's memory has stayed within
// tolerance for the given seconds, and returns that snapshot as the baseline
// (settled=false when the timeout came first).
func (rt *runtime) settle(L *lua.LState) int {
	rt.inTest(L, "bench.gpu.settle")
	opts := L.OptTable(1, L.NewTable())
	hold := durationOpt(L, opts, "seconds")
	if hold == 0 {
		hold = time.Second
	}
	timeout := durationOpt(L, opts, "timeout")
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	interval := durationOpt(L, opts, "interval")
	if interval == 0 {
		interval = 100 * time.Millisecond
	}
	tol := uint64(4 << 20)
	if v := opts.RawGetString("tolerance"); v != lua.LNil {
		s, err := units.ParseSize(lua.LVAsString(v))
		if err != nil {
			L.ArgError(1, "tolerance: "+err.Error())
		}
		tol = s
	}
	ctx := L.Context()
	b := rt.engine.opts.Backend
	deadline := time.Now().Add(timeout)
	var ref probes.Snapshot
	var since time.Time
	for {
		snap, err := b.Sample()
		if err != nil {
			L.RaiseError("bench.gpu.settle: %v", err)
		}
		now := time.Now()
		if since.IsZero() || !within(ref, snap, tol) {
			ref, since = snap, now
		}
		settled := now.Sub(since) >= hold
		if settled || now.After(deadline) {
			t := snapshotTable(L, snap)
			t.RawSetString("settled", lua.LBool(settled))
			L.Push(t)
			return 1
		}
		select {
		case <-ctx.Done():
			L.RaiseError("bench.gpu.settle: interrupted")
		case <-time.After(interval):
		}
	}
}

func within(a, b probes.Snapshot, tol uint64) bool {
	if len(a.GPUs) != len(b.GPUs) {
		return false
	}
	for i := range a.GPUs {
		x, y := a.GPUs[i].MemUsed, b.GPUs[i].MemUsed
		if x > y {
			x, y = y, x
		}
		if y-x > tol {
			return false
		}
	}
	return true
}
