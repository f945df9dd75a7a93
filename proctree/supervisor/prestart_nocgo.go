//go:build !cgo || !linux

package supervisor

import "syscall"

// prestarted reports that nothing started the pipeline before the Go
// runtime: without cgo there is no constructor, and supervise starts it.
func prestarted() (pid int, errno syscall.Errno, tried bool) { return 0, 0, false }
