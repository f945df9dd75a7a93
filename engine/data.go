package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"

	lua "github.com/yuin/gopher-lua"

	"github.com/benchctl/benchctl/engine/fasta"
)

// presets implements bench.data.presets(): each preset's sequence count and
// length range, by name.
func (rt *runtime) presets(L *lua.LState) int {
	t := L.NewTable()
	for _, name := range fasta.PresetNames() {
		p := fasta.Presets[name]
		e := L.NewTable()
		e.RawSetString("sequences", lua.LNumber(p.Sequences))
		e.RawSetString("min_len", lua.LNumber(p.MinLen))
		e.RawSetString("max_len", lua.LNumber(p.MaxLen))
		t.RawSetString(name, e)
	}
	L.Push(t)
	return 1
}

// fasta implements bench.data.fasta{preset=, sequences=, min_len=, max_len=,
// gc=, seed=, files=, orf=}. Files land in the results dir's data folder, named
// by a hash of the options, so the same input is generated once per run.
func (rt *runtime) fasta(L *lua.LState) int {
	rt.inTest(L, "bench.data.fasta")
	opts := L.OptTable(1, L.NewTable())
	o := fasta.Options{
		Preset:    lua.LVAsString(opts.RawGetString("preset")),
		Sequences: countOpt(L, opts, "sequences", 0, fasta.MaxBases, 0),
		MinLen:    countOpt(L, opts, "min_len", 0, fasta.MaxLen, 0),
		MaxLen:    countOpt(L, opts, "max_len", 0, fasta.MaxLen, 0),
		GC:        float64(lua.LVAsNumber(opts.RawGetString("gc"))),
		Seed:      uint64(lua.LVAsNumber(opts.RawGetString("seed"))),
		Files:     countOpt(L, opts, "files", 0, fasta.MaxBases, 0),
	}
	if v := opts.RawGetString("orf"); v != lua.LNil {
		o.UniformBases = !lua.LVAsBool(v)
	}
	resolved, err := o.Resolve()
	if err != nil {
		L.RaiseError("bench.data.fasta: %v", err)
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%+v", resolved))
	base := "input_" + hex.EncodeToString(sum[:6])
	dir := filepath.Join(rt.engine.opts.ResultsDir, "data", base)
	ctx := L.Context() // the test's: a big count ends at its deadline
	if ctx == nil {
		ctx = context.Background()
	}
	res, err := fasta.WriteFiles(ctx, dir, base, resolved)
	if err != nil {
		L.RaiseError("bench.data.fasta: %v", err)
	}
	t := L.NewTable()
	t.RawSetString("path", lua.LString(res.Paths[0]))
	t.RawSetString("dir", lua.LString(dir))
	paths := L.NewTable()
	for _, p := range res.Paths {
		paths.Append(lua.LString(p))
	}
	t.RawSetString("paths", paths)
	t.RawSetString("sequences", lua.LNumber(res.Sequences))
	t.RawSetString("bases", lua.LNumber(res.Bases))
	t.RawSetString("min_len", lua.LNumber(resolved.MinLen))
	t.RawSetString("max_len", lua.LNumber(resolved.MaxLen))
	L.Push(t)
	return 1
}
