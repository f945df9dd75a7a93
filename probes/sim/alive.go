package sim

import (
	"bytes"
	"os"
	"strconv"
)

// processAlive reports whether pid is a running process: /proc/<pid>/stat exists
// and its state is neither Z (zombie) nor X (dead). A zombie has exited and the
// driver has freed its memory, even though its parent has not reaped it yet.
func processAlive(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The command name, in parentheses, may hold spaces and ')'; the state is
	// the field after the last ')'.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 || i+2 >= len(data) {
		return false
	}
	switch data[i+2] {
	case 'Z', 'X', 'x':
		return false
	}
	return true
}
