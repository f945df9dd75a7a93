package engine

import (
	"unsafe"

	lua "github.com/yuin/gopher-lua"
)

// luaJumpTable is gopher-lua's table of instruction functions, one per
// opcode, which its VM calls for every instruction it runs. Each takes the
// state, the instruction and the current call frame (a *callFrame, a type
// the package does not export: a pointer here).
//
//go:linkname luaJumpTable github.com/yuin/gopher-lua.jumpTable
var luaJumpTable [lua.OP_NOP + 1]func(*lua.LState, uint32, unsafe.Pointer) int

// Lua's `..` is an instruction, not a library function: gopher-lua joins its
// operands in Go with no check, so `s = s .. s` in a loop doubles a string
// faster than the memory guard, which reads the heap every few milliseconds,
// can see it (one step from 1 GiB makes 2 GiB before the next instruction
// looks at the context). The concatenation instruction is wrapped, once, to
// sum its operands' lengths first and refuse a result over maxStringBytes,
// as string.rep and table.concat do.
func init() {
	concat := luaJumpTable[lua.OP_CONCAT]
	luaJumpTable[lua.OP_CONCAT] = func(L *lua.LState, inst uint32, frame unsafe.Pointer) int {
		if n := concatBytes(L, inst); n > maxStringBytes {
			L.RaiseError("..: a result of %d bytes is over the %d MiB limit", n, maxStringBytes>>20)
		}
		return concat(L, inst, frame)
	}
}

// concatBytes is the length of what the concatenation instruction inst
// builds from its operands, registers B to C of the current frame. A number
// counts as its longest text (24 bytes), or as its own text when that first
// count is over the limit.
func concatBytes(L *lua.LState, inst uint32) int {
	b, c := int(inst&0x1ff), int(inst>>9)&0x1ff
	if n := operandBytes(L, b, c, false); n <= maxStringBytes {
		return n
	}
	return operandBytes(L, b, c, true)
}

// operandBytes sums the lengths of registers b to c as text; a number is
// formatted when exact is set, else counted as 24 bytes.
func operandBytes(L *lua.LState, b, c int, exact bool) int {
	total := 0
	for r := b; r <= c; r++ {
		switch v := L.Get(r + 1).(type) {
		case lua.LString:
			total += len(v)
		case lua.LNumber:
			if exact {
				total += len(v.String())
			} else {
				total += 24
			}
		}
	}
	return total
}
