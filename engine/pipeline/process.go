package pipeline

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/benchctl/benchctl/proctree"
	"github.com/benchctl/benchctl/proctree/supervisor"
)

var (
	supMu  sync.Mutex
	supExe string
)

// UseSupervisor makes every later Run start its pipeline under the
// supervisor (proctree/supervisor), exe being an executable whose main runs
// supervisor.Main when supervisor.Requested: benchctl itself. The pipeline's
// tree then ends when benchctl dies, however it dies. "" turns it off.
//
// It also starts, in the background, the check os makes once before its
// first process start (whether the kernel's pidfds work: a clone of a child
// that exits at once, and a wait), so that the first pipeline does not wait
// for it: 1 to 4 ms on a busy machine.
func UseSupervisor(exe string) {
	supMu.Lock()
	defer supMu.Unlock()
	supExe = exe
	if exe != "" {
		warmOnce.Do(func() { go warmProcessStart() })
	}
}

var warmOnce sync.Once

// warmProcessStart has os check its pidfd support: finding a process checks
// it first, as starting one does, and the answer is kept for the process's
// life.
func warmProcessStart() {
	if p, err := os.FindProcess(os.Getpid()); err == nil {
		_ = p.Release()
	}
}

func supervisorExe() string {
	supMu.Lock()
	defer supMu.Unlock()
	return supExe
}

// process is the pipeline's main process as Run follows it: started directly
// as a child of this process, or under the supervisor.
type process interface {
	// id names the pipeline's process.
	id() proctree.Identity
	// supervisor names the supervisor; zero when there is none.
	supervisor() proctree.Identity
	// wait waits for the pipeline to exit: nil for exit 0, an
	// *exec.ExitError or a *waitStatusError otherwise.
	wait() error
	// release lets the supervisor end what is left of the tree and exit.
	release(grace time.Duration)
}

// startProcess starts the pipeline, under the supervisor when one is set.
func startProcess(s Spec, path string, argv []string, stdout, stderr *os.File) (process, error) {
	env := append(os.Environ(), s.Env...)
	if exe := supervisorExe(); exe != "" {
		p, err := supervisor.Start(supervisor.Options{Exe: exe, Path: path, Argv: argv, Env: env, Dir: s.Cwd,
			Stdout: stdout, Stderr: stderr, Grace: s.Grace})
		if err == nil {
			return supervised{p}, nil
		}
		if !errors.Is(err, supervisor.ErrStart) {
			return nil, err
		}
		// No supervisor here: the pipeline runs as benchctl's child, and a
		// signal that ends benchctl at once leaves its tree (the run's
		// supervisor_pid is 0).
	}
	cmd := exec.Command(path, argv[1:]...)
	cmd.Args[0] = argv[0]
	cmd.Dir, cmd.Env = s.Cwd, env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	id := proctree.Identity{PID: cmd.Process.Pid}
	if st, err := proctree.NewWalker().Stat(id.PID); err == nil {
		id.Start = st.Start // a zombie's too: the child is not reaped before wait
	}
	return direct{cmd: cmd, ident: id}, nil
}

// direct is a pipeline started as a child of this process.
type direct struct {
	cmd   *exec.Cmd
	ident proctree.Identity
}

func (d direct) id() proctree.Identity         { return d.ident }
func (d direct) supervisor() proctree.Identity { return proctree.Identity{} }
func (d direct) wait() error                   { return d.cmd.Wait() }
func (d direct) release(time.Duration)         {}

// supervised is a pipeline started under the supervisor.
type supervised struct{ p *supervisor.Process }

func (s supervised) id() proctree.Identity         { return s.p.Pipeline }
func (s supervised) supervisor() proctree.Identity { return s.p.Supervisor }

func (s supervised) wait() error {
	ws, err := s.p.Wait()
	if err != nil {
		return err
	}
	if ws == 0 {
		return nil
	}
	return &waitStatusError{ws: ws}
}

// release gives the supervisor the grace period and a little more to end
// what is left (nothing, after endLeftovers) and exit.
func (s supervised) release(grace time.Duration) { s.p.Release(grace + 2*time.Second) }

// waitStatusError is a pipeline's exit other than 0, as the supervisor told it.
type waitStatusError struct{ ws syscall.WaitStatus }

func (e *waitStatusError) Error() string {
	if e.ws.Signaled() {
		return "signal: " + signalName(e.ws.Signal())
	}
	return fmt.Sprintf("exit status %d", e.ws.ExitStatus())
}
