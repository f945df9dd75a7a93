// Package pipeline runs the program under test: argv without a shell unless
// asked, in its own process group, with stdout and stderr streamed to log files,
// stage markers matched per line, the exit classified (ok, failed, oom, timeout,
// killed, interrupted, not startable), and the whole process tree ended on a
// timeout or an interrupt, grandchildren that left the process group included.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/benchctl/benchctl/proctree"
	"github.com/benchctl/benchctl/result"
)

// Spec says what to run and how.
type Spec struct {
	Name        string
	Argv        []string
	Shell       bool     // run Argv joined by spaces through /bin/sh -c
	Env         []string // KEY=VALUE added to benchctl's environment
	Cwd         string
	Timeout     time.Duration // 0: none beyond the context's
	Grace       time.Duration // between SIGTERM and SIGKILL; default 5 s
	Markers     []Marker
	OOMExitCode int // default 4; negative: no exit code means OOM
	TailLines   int // default 40
	LogDir      string
	// RunningFile, when set, holds the pipeline's and its supervisor's
	// identities (proctree.Running) from its start until its tree has ended:
	// left behind, it names a tree that may have outlived benchctl.
	RunningFile string
	Hooks       Hooks
}

// RunningFile is the name of Spec.RunningFile in a results dir.
const RunningFile = "pipeline.json"

// Hooks let the engine follow a run. Each is optional; Stage and Line are called
// from the goroutines that read the output, never concurrently with each other.
type Hooks struct {
	Started   func(pid int)
	Stage     func(name string, at time.Duration)
	Line      func(stream, line string)
	Leftovers func(pids []int) // processes of the tree still alive after the main one ended, before they are ended
}

// oomText is what frameworks print when the GPU runs out of memory.
var oomText = regexp.MustCompile(`(?i)(cuda out of memory|out of memory|outofmemoryerror|CUBLAS_STATUS_ALLOC_FAILED|cudaErrorMemoryAllocation)`)

// Run executes the spec once. It never returns an error: every way a run can
// end, not starting included, is classified in the returned result.Run.
func Run(ctx context.Context, s Spec) result.Run {
	if s.Grace <= 0 {
		s.Grace = 5 * time.Second
	}
	if s.OOMExitCode == 0 {
		s.OOMExitCode = 4
	}
	if s.TailLines <= 0 {
		s.TailLines = 40
	}
	run := result.Run{Name: s.Name, Argv: s.Argv, Cwd: s.Cwd, StartedAt: time.Now()}
	if len(s.Argv) == 0 || s.Argv[0] == "" {
		run.Class, run.ExitCode, run.Error = result.ExitNotStartable, -1, "empty command"
		return run
	}
	argv := s.Argv
	if s.Shell {
		argv = []string{"/bin/sh", "-c", strings.Join(s.Argv, " ")}
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		run.Class, run.ExitCode = result.ExitNotStartable, -1
		run.Error = notStartable(argv[0], err)
		return run
	}

	stdout, stderr := newTail(s.TailLines), newTail(s.TailLines)
	outLog, errLog, err := openLogs(s, &run)
	if err != nil {
		run.Class, run.ExitCode, run.Error = result.ExitNotStartable, -1, err.Error()
		return run
	}
	defer closeAll(outLog, errLog)
	// Plain pipes, not StdoutPipe: Wait then waits for the process only,
	// not for every holder of its output to close it. A daemon the pipeline
	// starts with its stdout would otherwise hold Wait, and benchctl, until it
	// ends, timeouts and interrupts included.
	outR, outW, err := os.Pipe()
	if err == nil {
		var errR, errW *os.File
		if errR, errW, err = os.Pipe(); err == nil {
			before := proctree.DescendantsOfSelf()
			var proc process
			proc, err = startProcess(s, path, argv, outW, errW)
			closeAll(outW, errW) // the child has its own copies
			if err == nil {
				return wait(ctx, s, proc, &run, outR, errR, outLog, errLog, stdout, stderr, before)
			}
			closeAll(errR)
		}
		closeAll(outR, outW)
	}
	run.Class, run.ExitCode = result.ExitNotStartable, -1
	run.Error = notStartable(argv[0], err)
	return run
}

func notStartable(name string, err error) string {
	switch {
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, os.ErrNotExist):
		return fmt.Sprintf("pipeline command %q not found", name)
	case errors.Is(err, os.ErrPermission):
		return fmt.Sprintf("pipeline command %q is not executable", name)
	}
	return fmt.Sprintf("pipeline command %q could not start: %v", name, err)
}

func openLogs(s Spec, run *result.Run) (out, errw *os.File, err error) {
	if s.LogDir == "" {
		return nil, nil, nil
	}
	if err := os.MkdirAll(s.LogDir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("creating log dir: %w", err)
	}
	base := s.Name
	if base == "" {
		base = "run"
	}
	run.StdoutLog = filepath.Join(s.LogDir, base+".stdout.log")
	run.StderrLog = filepath.Join(s.LogDir, base+".stderr.log")
	if out, err = os.Create(run.StdoutLog); err != nil {
		return nil, nil, fmt.Errorf("creating log: %w", err)
	}
	if errw, err = os.Create(run.StderrLog); err != nil {
		out.Close()
		return nil, nil, fmt.Errorf("creating log: %w", err)
	}
	return out, errw, nil
}

func closeAll(fs ...*os.File) {
	for _, f := range fs {
		if f != nil {
			f.Close()
		}
	}
}

// noteLogCut adds to the run's error that its output did not all reach its
// log files (the disk filled up): the reports then say the log was cut.
func noteLogCut(run *result.Run, cut error) {
	if cut == nil {
		return
	}
	msg := strings.ReplaceAll(cut.Error(), "\n", "; ")
	if run.Error != "" {
		msg = run.Error + "; " + msg
	}
	run.Error = msg
}

func wait(ctx context.Context, s Spec, proc process, run *result.Run, outPipe, errPipe *os.File,
	outLog, errLog *os.File, stdout, stderr *tail, before map[proctree.Identity]bool) result.Run {
	defer closeAll(outPipe, errPipe)
	start := time.Now()
	run.StartedAt = start
	tracker, done := follow(s, proc, run, before)
	defer done()

	st := &stager{spec: s, start: start, run: run}
	pumped := readOutput(s, run, st, outPipe, errPipe, outLog, errLog, stdout, stderr)
	exited := make(chan error, 1)
	go func() { exited <- proc.wait() }()

	waitErr, endedBy := waitExit(ctx, s, tracker, exited)
	elapsed := time.Since(start)
	// The output ends when every process holding it has closed it, at once
	// most often. One that outlived the main process may hold it open: it
	// gets the grace period, then is ended with the rest of the leftovers.
	drained := waitOrDone(ctx, pumped, s.Grace)
	tracker.Stop()
	endLeftovers(s, run, tracker, before, endedBy)
	if !drained && !waitOrDone(context.Background(), pumped, s.Grace) {
		// Held by a process out of reach: stop reading; what was read stays.
		closeAll(outPipe, errPipe)
		<-pumped
	}
	st.finish(elapsed)
	run.Seconds = elapsed.Seconds()
	run.StdoutTail, run.StderrTail = stdout.get(), stderr.get()
	proctree.ReapZombies()
	classify(run, s, waitErr, endedBy)
	noteReused(run, tracker.Reused())
	st.noteGaveUp()
	noteLogCut(run, st.logCut)
	return *run
}

// follow starts following the pipeline's tree: its identities go into the
// run and the running file, a tracker polls it. done, called once the tree
// has ended, lets the supervisor go and releases the rest.
func follow(s Spec, proc process, run *result.Run, before map[proctree.Identity]bool) (*proctree.Tracker, func()) {
	id, sup := proc.id(), proc.supervisor()
	run.PID, run.PIDStart, run.SupervisorPID = id.PID, id.Start, sup.PID
	if s.Hooks.Started != nil {
		s.Hooks.Started(id.PID)
	}
	tracker := proctree.TrackIdentity(id)
	before[sup] = true // the supervisor is no leftover: it ends the tree when benchctl dies
	// Best effort: without the file a resumed run cannot look for survivors,
	// which the supervisor ends anyway. It goes once the tree has ended.
	recorded := s.RunningFile != "" &&
		proctree.WriteRunning(s.RunningFile, proctree.Running{Pipeline: id, Supervisor: sup, Argv: s.Argv}) == nil
	return tracker, func() {
		proc.release(s.Grace)
		if recorded {
			os.Remove(s.RunningFile)
		}
		tracker.Close()
	}
}

// waitExit waits for the main process to exit, or ends the tree on the
// timeout or on ctx's end; endedBy says which ended it ("" for a plain exit).
func waitExit(ctx context.Context, s Spec, tracker *proctree.Tracker, exited <-chan error) (waitErr error, endedBy result.ExitClass) {
	var timeout <-chan time.Time
	if s.Timeout > 0 {
		timer := time.NewTimer(s.Timeout)
		defer timer.Stop()
		timeout = timer.C
	}
	select {
	case waitErr = <-exited:
	case <-timeout:
		endedBy = result.ExitTimeout
		waitErr = tracker.End(s.Grace, exited)
	case <-ctx.Done():
		endedBy = result.ExitInterrupted
		waitErr = tracker.End(s.Grace, exited)
	}
	return waitErr, endedBy
}

// endLeftovers ends whatever of the tree outlived the main process: an
// orphaned worker still holding a GPU is the leak users most need to hear
// about. A pipeline that exited on its own is told so in run.Error.
func endLeftovers(s Spec, run *result.Run, tracker *proctree.Tracker, before map[proctree.Identity]bool, endedBy result.ExitClass) {
	left := tracker.Leftovers(before)
	if len(left) == 0 {
		return
	}
	pids := make([]int, len(left))
	for i, id := range left {
		pids[i] = id.PID
	}
	if s.Hooks.Leftovers != nil {
		s.Hooks.Leftovers(pids)
	}
	tracker.Kill(left, s.Grace)
	if endedBy == "" {
		run.Error = fmt.Sprintf("%d process(es) of the pipeline outlived it and were ended: %v", len(pids), pids)
	}
}

// noteReused records the processes of the tree that had ended, their pid
// taken by another process, when they were to be signalled: that process was
// left alone, and the report says so.
func noteReused(run *result.Run, reused []proctree.Identity) {
	if len(reused) == 0 {
		return
	}
	for _, id := range reused {
		run.ReusedPIDs = append(run.ReusedPIDs, id.PID)
	}
	msg := fmt.Sprintf("%d pid(s) of the pipeline's tree had been reused by other processes, which were not signalled: %v",
		len(reused), run.ReusedPIDs)
	if run.Error == "" {
		run.Error = msg
	} else {
		run.Error += "; " + msg
	}
}

// readOutput copies both streams to their logs and hands each line to the
// tails, the OOM and stage matchers and the Line hook. The channel it
// returns is closed once both streams have ended.
func readOutput(s Spec, run *result.Run, st *stager, outPipe, errPipe io.Reader,
	outLog, errLog *os.File, stdout, stderr *tail) <-chan struct{} {
	var oomMu sync.Mutex
	onLine := func(stream string, tl *tail) func(string) {
		return func(line string) {
			tl.add(line)
			// Out-of-memory text counts on either stream: PyTorch's error
			// goes to stderr, but a pipeline that logs it (VirNucPro's
			// "OUT OF MEMORY ERROR" banner, through logging) prints it on
			// stdout. The first line wins, and its stream is recorded.
			if oomText.MatchString(line) {
				oomMu.Lock()
				if run.OOMLine == "" {
					run.OOMLine, run.OOMStream = line, stream
				}
				oomMu.Unlock()
			}
			st.line(line)
			if s.Hooks.Line != nil {
				s.Hooks.Line(stream, line)
			}
		}
	}
	var wg sync.WaitGroup
	wg.Add(2)
	cuts := make([]error, 2)
	go func() { defer wg.Done(); cuts[0] = pumpToLog(outPipe, outLog, "stdout", onLine("stdout", stdout)) }()
	go func() { defer wg.Done(); cuts[1] = pumpToLog(errPipe, errLog, "stderr", onLine("stderr", stderr)) }()
	pumped := make(chan struct{})
	go func() {
		wg.Wait()
		st.logCut = errors.Join(cuts...) // read once pumped is closed
		close(pumped)
	}()
	return pumped
}

// pumpToLog pumps a stream into its log file through a logBuffer, and
// returns the error that cut the log (a full disk), naming the stream.
func pumpToLog(r io.Reader, f *os.File, stream string, onLine func(string)) error {
	var lb *logBuffer
	var w io.Writer
	if f != nil {
		lb = newLogBuffer(f)
		w = lb
	}
	err := pump(r, w, onLine)
	if lb != nil {
		if cerr := lb.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("the %s log was cut: %w", stream, err)
	}
	return nil
}

// waitOrDone waits for done up to d or until ctx ends; it reports whether done
// closed.
func waitOrDone(ctx context.Context, done <-chan struct{}, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-done:
		return true
	case <-timer.C:
	case <-ctx.Done():
	}
	select {
	case <-done:
		return true
	default:
		return false
	}
}

func classify(run *result.Run, s Spec, waitErr error, endedBy result.ExitClass) {
	code := 0
	if waitErr != nil {
		ws, ok := waitStatus(waitErr)
		if !ok {
			run.Class, run.ExitCode, run.Error = result.ExitFailed, -1, waitErr.Error()
			return
		}
		code = ws.ExitStatus()
		if ws.Signaled() {
			run.Signal = signalName(ws.Signal())
			code = 128 + int(ws.Signal())
		}
	}
	run.ExitCode = code
	switch {
	case endedBy == result.ExitTimeout:
		run.Class = result.ExitTimeout
		run.Error = fmt.Sprintf("timed out after %s and was ended", s.Timeout)
	case endedBy == result.ExitInterrupted:
		run.Class = result.ExitInterrupted
		run.Error = "interrupted; the pipeline was ended"
	case run.Signal != "":
		run.Class = result.ExitKilled
		if run.Error == "" {
			run.Error = "killed by " + run.Signal
		}
	case code == 0:
		run.Class = result.ExitOK
	case s.OOMExitCode > 0 && code == s.OOMExitCode:
		run.Class = result.ExitOOM
	case run.OOMLine != "":
		run.Class = result.ExitOOM
	default:
		run.Class = result.ExitFailed
	}
}

// waitStatus is the wait status an error of process.wait carries.
func waitStatus(err error) (syscall.WaitStatus, bool) {
	var exitErr *exec.ExitError
	var wsErr *waitStatusError
	switch {
	case errors.As(err, &wsErr):
		return wsErr.ws, true
	case errors.As(err, &exitErr):
		ws, ok := exitErr.Sys().(syscall.WaitStatus)
		return ws, ok
	}
	return 0, false
}

func signalName(sig syscall.Signal) string {
	names := map[syscall.Signal]string{
		syscall.SIGHUP: "SIGHUP", syscall.SIGINT: "SIGINT", syscall.SIGQUIT: "SIGQUIT",
		syscall.SIGILL: "SIGILL", syscall.SIGABRT: "SIGABRT", syscall.SIGBUS: "SIGBUS",
		syscall.SIGFPE: "SIGFPE", syscall.SIGKILL: "SIGKILL", syscall.SIGSEGV: "SIGSEGV",
		syscall.SIGPIPE: "SIGPIPE", syscall.SIGTERM: "SIGTERM",
	}
	if n, ok := names[sig]; ok {
		return n
	}
	return fmt.Sprintf("signal %d", int(sig))
}

// stager turns marker lines into stages.
type stager struct {
	mu      sync.Mutex
	spec    Spec
	start   time.Time
	run     *result.Run
	current int // index into run.Stages, -1 when none
	started bool
	gaveUp  map[string]int // stage -> lines its pattern was too complex for
	logCut  error          // why the logs are not whole; set once the output ends
}

func (st *stager) line(line string) {
	for _, m := range st.spec.Markers {
		ok, err := m.match(line)
		if err != nil {
			st.mu.Lock()
			if st.gaveUp == nil {
				st.gaveUp = map[string]int{}
			}
			st.gaveUp[m.Name]++
			st.mu.Unlock()
		}
		if !ok {
			continue
		}
		st.mu.Lock()
		at := time.Since(st.start)
		if st.started && st.run.Stages[st.current].Name == m.Name {
			st.mu.Unlock()
			return
		}
		if st.started {
			st.run.Stages[st.current].End = at.Seconds()
		}
		st.run.Stages = append(st.run.Stages, result.Stage{Name: m.Name, Start: at.Seconds()})
		st.current, st.started = len(st.run.Stages)-1, true
		st.mu.Unlock()
		if st.spec.Hooks.Stage != nil {
			st.spec.Hooks.Stage(m.Name, at)
		}
		return
	}
}

func (st *stager) finish(at time.Duration) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.started {
		st.run.Stages[st.current].End = at.Seconds()
	}
}

// noteGaveUp says in the run's error which stage patterns were too complex
// for some lines: a stage may have been missed.
func (st *stager) noteGaveUp() {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, name := range slices.Sorted(maps.Keys(st.gaveUp)) {
		msg := fmt.Sprintf("stage %s: its pattern was too complex for %d line(s), which did not match", name, st.gaveUp[name])
		if st.run.Error != "" {
			msg = st.run.Error + "; " + msg
		}
		st.run.Error = msg
	}
}
