package host

import (
	"encoding/binary"
	"os"
	"sync"
	"unsafe"
)

// defaultClockTicks is USER_HZ on every Linux architecture Go supports; it is
// used when the auxiliary vector cannot be read.
const defaultClockTicks = 100

// atClkTck is AT_CLKTCK, the auxiliary vector entry holding sysconf(_SC_CLK_TCK).
const atClkTck = 17

// clockTicks is the unit of the times in /proc/<pid>/stat, in ticks a second.
// sysconf(_SC_CLK_TCK) needs libc; the kernel hands the same number to every
// process in its auxiliary vector, which /proc/self/auxv exposes.
var clockTicks = sync.OnceValue(func() float64 {
	b, err := os.ReadFile("/proc/self/auxv")
	if err != nil {
		return defaultClockTicks
	}
	if hz := auxvValue(b, atClkTck); hz > 0 {
		return float64(hz)
	}
	return defaultClockTicks
})

// auxvValue returns the value of key in an auxiliary vector (pairs of native
// words), or 0 when the key is absent.
func auxvValue(b []byte, key uint64) uint64 {
	word := int(unsafe.Sizeof(uintptr(0)))
	read := func(p []byte) uint64 {
		if word == 4 {
			return uint64(binary.NativeEndian.Uint32(p))
		}
		return binary.NativeEndian.Uint64(p)
	}
	for i := 0; i+2*word <= len(b); i += 2 * word {
		k, v := read(b[i:]), read(b[i+word:])
		if k == 0 { // AT_NULL ends the vector
			break
		}
		if k == key {
			return v
		}
	}
	return 0
}
