package pipeline

import (
	"os/signal"
	"syscall"
)

func signalIgnore(sig syscall.Signal) { signal.Ignore(sig) }
