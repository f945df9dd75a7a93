// Package supervisor puts a small process between benchctl and a pipeline, so
// that the pipeline's whole process tree ends whatever ends benchctl: a
// signal it cannot handle (SIGKILL), the OOM killer, a crash.
//
// benchctl re-executes itself as the supervisor (Requested and Main, called
// first thing in main), and the supervisor starts the pipeline: where cgo is
// built in, from an ELF constructor before the Go runtime starts
// (prestart_cgo.go), so that the pipeline does not wait for the runtime and
// benchctl's package initialization; otherwise from Main. The supervisor is
// a child subreaper, so every process of the pipeline's tree that loses its
// parent is re-parented to it and stays its descendant; it sets itself a
// parent-death signal once it handles that signal, and holds the read end of
// a pipe whose write end only benchctl holds (the lifeline). When benchctl dies, the
// lifeline reads end of file (and the parent-death signal comes); the
// supervisor then ends every descendant, SIGTERM first and SIGKILL after the
// grace period, each known by its identity (proctree.Handle), and exits. A
// parent-death signal alone would not do: it is not inherited across fork, so
// it cannot reach the pipeline's own children.
//
// When the supervisor is killed too (SIGKILL of both), no process of benchctl
// is left to end the tree. The pipeline's own process is started with a
// parent-death signal of its own, SIGKILL, which the kernel keeps across its
// exec: it ends with the supervisor, however the supervisor ends. What the
// pipeline started is out of reach then: its children are re-parented to
// init (or a subreaper above benchctl), and `benchctl run --resume` refuses
// while any of them lives (proctree.Running).
//
// The supervisor tells benchctl the pipeline's pid and start time once it has
// started, and its wait status once it has exited, over a second pipe. It
// writes nothing else anywhere: its stdout and stderr are the pipeline's and
// are closed once the pipeline has them, so the pipeline's output ends when
// the pipeline's tree closes it.
package supervisor

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/benchctl/benchctl/proctree"
)

// Arg is the first argument that makes benchctl the supervisor.
const Arg = "__benchctl-supervise"

// ErrLost is returned (wrapped) by Wait when the supervisor ended without
// telling the pipeline's exit status: it was killed.
var ErrLost = errors.New("the supervisor ended without the pipeline's exit status")

// ErrStart is returned (wrapped) by Start when the supervisor itself could
// not be started (its executable cannot be run here, say); the pipeline was
// not started either.
var ErrStart = errors.New("the supervisor could not start")

// Requested reports whether this process was started as the supervisor.
func Requested() bool { return len(os.Args) > 1 && os.Args[1] == Arg }

// Options say what to run under the supervisor.
type Options struct {
	// Exe is the executable that serves as the supervisor: one whose main
	// calls Main when Requested (benchctl itself, os.Executable()).
	Exe string
	// Path is the pipeline's executable, found already; Argv its arguments,
	// Argv[0] included.
	Path string
	Argv []string
	// Env is the environment of the supervisor and so of the pipeline; Dir
	// their working directory ("" for this process's).
	Env []string
	Dir string
	// Stdout and Stderr receive the pipeline's output.
	Stdout, Stderr *os.File
	// Grace is the time between SIGTERM and SIGKILL when the supervisor ends
	// the tree itself.
	Grace time.Duration
}

// Process is a pipeline started under the supervisor.
type Process struct {
	// Pipeline names the pipeline's process; Supervisor the supervisor.
	Pipeline   proctree.Identity
	Supervisor proctree.Identity

	cmd      *exec.Cmd
	lifeline *os.File // write end; closing it ends the supervisor
	status   *bufio.Reader
	statusR  *os.File
}

// Start starts the supervisor and, through it, the pipeline. It returns once
// the pipeline has started; an error that the pipeline could not start wraps
// the system's (errors.Is with os.ErrNotExist or os.ErrPermission holds).
func Start(o Options) (*Process, error) {
	lifeR, lifeW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("supervisor: %w", err)
	}
	statR, statW, err := os.Pipe()
	if err != nil {
		closeAll(lifeR, lifeW)
		return nil, fmt.Errorf("supervisor: %w", err)
	}
	args := append([]string{Arg, o.Grace.String(), o.Path}, o.Argv...)
	cmd := exec.Command(o.Exe, args...)
	cmd.Env, cmd.Dir = o.Env, o.Dir
	cmd.Stdout, cmd.Stderr = o.Stdout, o.Stderr
	cmd.ExtraFiles = []*os.File{lifeR, statW} // fds 3 and 4
	// Its own process group, so a terminal's ^C reaches benchctl only. Its
	// parent-death signal (SIGTERM when benchctl's thread that started it,
	// or benchctl, dies; Go never ends a thread it did not lock) it sets
	// itself, once it handles SIGTERM.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	err = cmd.Start()
	closeAll(lifeR, statW)
	if err != nil {
		closeAll(lifeW, statR)
		return nil, fmt.Errorf("%w: %w", ErrStart, err)
	}
	p := &Process{cmd: cmd, lifeline: lifeW, status: bufio.NewReader(statR), statusR: statR}
	p.Supervisor, _ = proctree.Identify(cmd.Process.Pid)
	if err := p.readStart(); err != nil {
		p.Release(time.Second)
		return nil, err
	}
	return p, nil
}

// readStart reads the supervisor's first line: "start PID START" or
// "error ERRNO MESSAGE".
func (p *Process) readStart() error {
	line, err := p.status.ReadString('\n')
	f := strings.Fields(line)
	switch {
	case err != nil:
		return fmt.Errorf("supervisor: %w", ErrLost)
	case len(f) == 3 && f[0] == "start":
		pid, err1 := strconv.Atoi(f[1])
		start, err2 := strconv.ParseUint(f[2], 10, 64)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("supervisor: bad line %q", line)
		}
		p.Pipeline = proctree.Identity{PID: pid, Start: start}
		return nil
	case len(f) >= 2 && f[0] == "error":
		errno, _ := strconv.Atoi(f[1])
		msg := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(line, "error"), " "+f[1]))
		if errno > 0 {
			return &os.PathError{Op: "start", Path: msg, Err: syscall.Errno(errno)}
		}
		return errors.New(msg)
	}
	return fmt.Errorf("supervisor: bad line %q", line)
}

// Wait waits for the pipeline to exit and returns its wait status. It returns
// an error wrapping ErrLost when the supervisor died first.
func (p *Process) Wait() (syscall.WaitStatus, error) {
	line, err := p.status.ReadString('\n')
	f := strings.Fields(line)
	if err != nil || len(f) != 2 || f[0] != "exit" {
		return 0, fmt.Errorf("pipeline %s: %w", p.Pipeline, ErrLost)
	}
	ws, err := strconv.ParseUint(f[1], 10, 32)
	if err != nil {
		return 0, fmt.Errorf("supervisor: bad line %q", line)
	}
	return syscall.WaitStatus(ws), nil
}

// Release tells the supervisor to end what is left of the tree and exit,
// and waits for it up to wait past the tree's grace period; then it is
// killed.
func (p *Process) Release(wait time.Duration) {
	closeAll(p.lifeline)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(wait):
		_ = p.cmd.Process.Kill()
		<-done
	}
	closeAll(p.statusR)
}

func closeAll(fs ...*os.File) {
	for _, f := range fs {
		if f != nil {
			f.Close()
		}
	}
}
