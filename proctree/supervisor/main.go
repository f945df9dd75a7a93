package supervisor

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/benchctl/benchctl/proctree"
)

// The supervisor's file descriptors, as Start passes them.
const (
	lifelineFD = 3
	statusFD   = 4
)

// Main is the supervisor: os.Args are [exe, Arg, grace, path, argv...]. It
// starts the pipeline where the constructor (prestart_cgo.go) did not,
// reports its pid and exit status, and once benchctl has
// died or released it (the lifeline reads end of file) or a SIGTERM, SIGINT or
// SIGHUP came, ends every descendant left and exits. It does not return.
func Main() {
	os.Exit(supervise(os.Args[2:]))
}

func supervise(args []string) int {
	syscall.CloseOnExec(lifelineFD)
	syscall.CloseOnExec(statusFD)
	lifeline := os.NewFile(lifelineFD, "lifeline")
	status := os.NewFile(statusFD, "status")
	if len(args) < 3 {
		fmt.Fprintln(status, "error 0 supervisor: want grace, path and argv")
		return 2
	}
	grace, err := time.ParseDuration(args[0])
	if err != nil || grace <= 0 {
		grace = 5 * time.Second
	}
	_ = unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
	ended := make(chan os.Signal, 4)
	signal.Notify(ended, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	// SIGTERM when benchctl dies, armed only now that it is handled: before,
	// it would end this process and leave the tree (the lifeline alone tells
	// benchctl's death until here).
	_ = unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0, 0, 0)

	pid, errno, tried := prestarted()
	switch {
	case !tried:
		if pid, err = startPipeline(args[1], args[2:], status); err != nil {
			return 1
		}
	case errno != 0:
		return 1 // the constructor told benchctl why
	}
	quiet() // the output is the pipeline's alone, and ends when its tree closes it

	gone := reap(pid, status)
	lost := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, lifeline); close(lost) }()
	select {
	case <-lost:
	case <-ended:
	}
	endDescendants(grace, gone)
	return 0
}

// startPipeline starts the pipeline, where the constructor did not
// (prestart_cgo.go), and tells benchctl its pid and start time, or why it
// could not start.
func startPipeline(path string, argv []string, status *os.File) (int, error) {
	// The pipeline's parent-death signal fires when the thread that started
	// it ends: this one, locked, lives as long as the supervisor.
	runtime.LockOSThread()
	proc, err := os.StartProcess(path, argv, &os.ProcAttr{
		Files: []*os.File{os.Stdin, os.Stdout, os.Stderr},
		Sys:   &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL},
	})
	if err != nil {
		var errno syscall.Errno
		errors.As(err, &errno)
		fmt.Fprintf(status, "error %d %s\n", int(errno), argv[0])
		return 0, err
	}
	pipeline := proctree.Identity{PID: proc.Pid}
	if id, err := proctree.Identify(proc.Pid); err == nil {
		pipeline = id
	}
	fmt.Fprintf(status, "start %d %d\n", pipeline.PID, pipeline.Start)
	return proc.Pid, nil
}

// quiet points stdout and stderr at /dev/null.
func quiet() {
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return
	}
	_ = unix.Dup2(int(null.Fd()), 1)
	_ = unix.Dup2(int(null.Fd()), 2)
	null.Close()
}

// reap waits for every child, the pipeline and the orphans re-parented here,
// writes the pipeline's wait status once it has one, and closes the channel
// it returns once no child is left.
func reap(pipeline int, status *os.File) <-chan struct{} {
	gone := make(chan struct{})
	go func() {
		defer close(gone)
		for {
			var ws unix.WaitStatus
			pid, err := unix.Wait4(-1, &ws, 0, nil)
			switch {
			case errors.Is(err, syscall.EINTR):
			case err != nil: // ECHILD: none left, and none can come
				return
			case pid == pipeline:
				fmt.Fprintf(status, "exit %d\n", uint32(ws))
			}
		}
	}()
	return gone
}

// endDescendants ends every descendant: SIGTERM, then SIGKILL to those alive
// after grace (and to any that appeared meanwhile), each by its identity. It
// returns once none is left, or two seconds after the first SIGKILL.
func endDescendants(grace time.Duration, gone <-chan struct{}) {
	signalled := map[proctree.Identity]bool{}
	signalAll := func(sig syscall.Signal, again bool) {
		for id := range proctree.DescendantsOfSelf() {
			if signalled[id] && !again {
				continue
			}
			signalled[id] = true
			if h, err := proctree.Open(id); err == nil {
				_ = h.Signal(sig)
				h.Close()
			}
		}
	}
	deadline := time.After(grace)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		signalAll(syscall.SIGTERM, false)
		select {
		case <-gone:
			return
		case <-deadline:
			killAll(signalAll, gone)
			return
		case <-tick.C:
		}
	}
}

// killAll sends SIGKILL to every descendant every 20 ms, so that none forked
// meanwhile is missed, until none is left or two seconds have passed.
func killAll(signalAll func(syscall.Signal, bool), gone <-chan struct{}) {
	stop := time.After(2 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		signalAll(syscall.SIGKILL, true)
		select {
		case <-gone:
			return
		case <-stop:
			return
		case <-tick.C:
		}
	}
}
