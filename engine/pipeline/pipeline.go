// Package pipeline runs the program under test: argv without a shell unless
// asked, in its own process group, with stdout and stderr streamed to log files,
// stage markers matched per line, the exit classified (ok, failed, oom, timeout,
// killed, interrupted, not startable), and the whole process tree ended on a
// timeout or an interrupt, grandchildren that left the process group included.
package pipeline

import (
	"bytes"
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
	"sync/atomic"
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
	// EchoStdout and EchoStderr, when set, get the stream's lines as they
	// are read, cleaned, a chunk of lines in one write. A writer that
	// blocks holds the pipeline, as a terminal would; one that fails is
	// dropped.
	EchoStdout, EchoStderr io.Writer
	// RunningFile, when set, holds the pipeline's and its supervisor's
	// identities (proctree.Running) from its start until its tree has ended:
	// left behind, it names a tree that may have outlived benchctl.
	RunningFile string
	Hooks       Hooks

	// LineTime, when set, reads a stage line's own time (Unix seconds) where
	// the line carries one: the stage starts then, not when the line arrived,
	// if that is earlier and not before the stage before it. A pipeline that
	// paces itself by a model of time prints its model's time.
	LineTime func(line string) (unix float64, ok bool)
	// StagesEnd, when set, matches a line that ends the running stage, at
	// the line's own time where LineTime reads one (else on arrival): no
	// stage runs after it until the next stage line. Without it the last
	// stage runs until the process exits. A pipeline that paces itself by a
	// model of time ends its last stage at the model's time, before the
	// wall time a busy machine takes to write its results and exit.
	StagesEnd *Marker
}

// RunningFile is the name of Spec.RunningFile in a results dir.
const RunningFile = "pipeline.json"

// Hooks let the engine follow a run. Each is optional; Stage and Line are called
// from the goroutines that match the output (one a stream), never from the
// ones that read it: a slow hook does not hold the pipeline, but when the
// matcher falls behind by more than its bounded buffer, lines go unmatched
// and unseen by Line (the run's error says how many).
type Hooks struct {
	Started func(pid int)
	// Stage is called when a stage starts, at its line's own time where
	// Spec.LineTime reads one (see there), else at the line's arrival.
	Stage func(name string, at time.Time)
	Line  func(stream, line string)
	// LineHas, when set, is in every line Line needs: Line gets only
	// the lines that contain it (see PatternLiteral).
	LineHas   string
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
	outR, outW, err := newPipe()
	if err == nil {
		var errR *pipeReader
		var errW *os.File
		if errR, errW, err = newPipe(); err == nil {
			before := proctree.DescendantsOfSelf()
			var proc process
			proc, err = startProcess(s, path, argv, outW, errW)
			closeAll(outW, errW) // the child has its own copies
			if err == nil {
				return wait(ctx, s, proc, &run, outR, errR, outLog, errLog, stdout, stderr, before)
			}
			errR.Close()
		}
		outR.Close()
		outW.Close()
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
	// A run never takes the logs of an earlier one of the same name: the
	// first free of NAME, NAME.2, NAME.3, ... is claimed, stdout first.
	for i := 1; ; i++ {
		name := base
		if i > 1 {
			name = fmt.Sprintf("%s.%d", base, i)
		}
		run.StdoutLog = filepath.Join(s.LogDir, name+".stdout.log")
		run.StderrLog = filepath.Join(s.LogDir, name+".stderr.log")
		out, err = os.OpenFile(run.StdoutLog, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) && i < maxLogNames {
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("creating log: %w", err)
		}
		if errw, err = os.OpenFile(run.StderrLog, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644); err != nil {
			out.Close()
			os.Remove(run.StdoutLog)
			if errors.Is(err, os.ErrExist) && i < maxLogNames {
				continue
			}
			return nil, nil, fmt.Errorf("creating log: %w", err)
		}
		return out, errw, nil
	}
}

// maxLogNames bounds the search for free log names of one run name.
const maxLogNames = 100000

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

func wait(ctx context.Context, s Spec, proc process, run *result.Run, outPipe, errPipe *pipeReader,
	outLog, errLog *os.File, stdout, stderr *tail, before map[proctree.Identity]bool) result.Run {
	defer outPipe.Close()
	defer errPipe.Close()
	start := time.Now()
	run.StartedAt = start
	tracker, done := follow(s, proc, run, before)
	defer done()

	st := &stager{spec: s, start: start, run: run}
	out := readOutput(s, run, st, outPipe, errPipe, outLog, errLog, stdout, stderr)
	pumped := out.done
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
		// Held by a process out of reach, or a matcher far behind: stop
		// reading and matching; what was read stays.
		out.stop.Store(true)
		outPipe.Close()
		errPipe.Close()
		<-pumped
	}
	st.finish(elapsed)
	run.Seconds = elapsed.Seconds()
	run.StdoutTail, run.StderrTail = stdout.get(), stderr.get()
	proctree.ReapZombies()
	classify(run, s, waitErr, endedBy)
	noteReused(run, tracker.Reused())
	st.noteGaveUp()
	noteUnmatched(run, out.unmatched())
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

// output is the reading of both streams: done is closed once both have
// ended and their matchers are through; stop tells the matchers to drop
// what they still hold.
type output struct {
	done    chan struct{}
	stop    *atomic.Bool
	streams [2]*stream
}

// unmatched is the number of lines the matchers did not look at.
func (o *output) unmatched() int64 { return o.streams[0].skipped.Load() + o.streams[1].skipped.Load() }

// readOutput copies both streams to their logs, echoes and tails, and hands
// their lines to the OOM and stage matchers and the Line hook (see stream
// and lineMatcher).
func readOutput(s Spec, run *result.Run, st *stager, outPipe, errPipe io.Reader,
	outLog, errLog *os.File, stdout, stderr *tail) *output {
	o := &output{done: make(chan struct{}), stop: new(atomic.Bool)}
	var oomMu sync.Mutex
	var oomAt time.Duration
	onLine := func(stream string) func(string, []byte, time.Duration) {
		return func(line string, b []byte, at time.Duration) {
			// Out-of-memory text counts on either stream: PyTorch's error
			// goes to stderr, but a pipeline that logs it (VirNucPro's
			// "OUT OF MEMORY ERROR" banner, through logging) prints it on
			// stdout. The first line read wins, and its stream is recorded:
			// each stream is matched on its own goroutine, so on a busy
			// machine the order lines are matched in is not the order
			// they were read in.
			if hasOOMWord(b) && oomText.MatchString(line) {
				oomMu.Lock()
				if run.OOMLine == "" || at < oomAt {
					run.OOMLine, run.OOMStream, oomAt = line, stream, at
				}
				oomMu.Unlock()
			}
			st.line(line, b, at)
			if s.Hooks.Line != nil && (s.Hooks.LineHas == "" || bytes.Contains(b, []byte(s.Hooks.LineHas))) {
				s.Hooks.Line(stream, line)
			}
		}
	}
	pipes, logs, tails := [2]io.Reader{outPipe, errPipe}, [2]*os.File{outLog, errLog}, [2]*tail{stdout, stderr}
	echoes := [2]io.Writer{s.EchoStdout, s.EchoStderr}
	var wg sync.WaitGroup
	cuts := make([]error, 2)
	for i, name := range []string{"stdout", "stderr"} {
		o.streams[i] = &stream{name: name, r: pipes[i], echo: echoes[i], tail: tails[i], start: st.start, stop: o.stop,
			lines: newLineMatcher(s, onLine(name))}
		if p, ok := pipes[i].(*pipeReader); ok {
			o.streams[i].batch = p.grown
		}
		wg.Go(func() { cuts[i] = pumpToLog(o.streams[i], logs[i]) })
	}
	go func() {
		wg.Wait()
		st.logCut = errors.Join(cuts...) // read once done is closed
		close(o.done)
	}()
	return o
}

// newLineMatcher picks the lines of a stream that line needs: those with
// out-of-memory words, a stage marker's literal or the Line hook's.
func newLineMatcher(s Spec, line func(string, []byte, time.Duration)) *lineMatcher {
	m := &lineMatcher{lits: slices.Clone(oomWords), line: line}
	markers := s.Markers
	if s.StagesEnd != nil {
		markers = append(slices.Clone(markers), *s.StagesEnd)
	}
	for _, mk := range markers {
		if mk.lit == nil {
			m.everyLine = true
		}
		m.lits = append(m.lits, literal{s: mk.lit})
	}
	if s.Hooks.Line != nil {
		if s.Hooks.LineHas == "" {
			m.everyLine = true
		}
		m.lits = append(m.lits, literal{s: []byte(s.Hooks.LineHas)})
	}
	return m
}

// pumpToLog pumps a stream into its log file through a logBuffer, and
// returns the error that cut the log (a full disk), naming the stream.
func pumpToLog(s *stream, f *os.File) error {
	var lb *logBuffer
	if f != nil {
		lb = newLogBuffer(f)
		s.log = lb
	}
	err := s.pump()
	if lb != nil {
		if cerr := lb.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("the %s log was cut: %w", s.name, err)
	}
	return nil
}

// noteUnmatched says in the run's error how many output lines the matchers
// did not look at (they fell behind): a stage or OOM text may have been
// missed.
func noteUnmatched(run *result.Run, n int64) {
	if n == 0 {
		return
	}
	msg := fmt.Sprintf("%d output line(s) were not matched against stages, out-of-memory text or progress: the matcher fell behind", n)
	if run.Error != "" {
		msg = run.Error + "; " + msg
	}
	run.Error = msg
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

// line starts the stage of the first marker that matches line (b: its
// bytes), read at the given time since the start, or ends the running stage
// where the line matches Spec.StagesEnd instead.
func (st *stager) line(line string, b []byte, at time.Duration) {
	if st.startLine(line, b, at) {
		return
	}
	if e := st.spec.StagesEnd; e != nil && st.matches(*e, line, b) {
		st.end(line, at)
	}
}

// matches says whether marker m matches line (b: its bytes), its literal
// tried first, and counts a match that gave up against m's name.
func (st *stager) matches(m Marker, line string, b []byte) bool {
	if m.lit != nil && !bytes.Contains(b, m.lit) {
		return false
	}
	ok, err := m.match(line)
	if err != nil {
		st.mu.Lock()
		if st.gaveUp == nil {
			st.gaveUp = map[string]int{}
		}
		st.gaveUp[m.Name]++
		st.mu.Unlock()
	}
	return ok
}

// startLine starts the stage of the first marker that matches line, and
// says whether one did.
func (st *stager) startLine(line string, b []byte, at time.Duration) bool {
	for _, m := range st.spec.Markers {
		if !st.matches(m, line, b) {
			continue
		}
		st.mu.Lock()
		at := st.lineAt(line, at)
		if st.started && st.run.Stages[st.current].Name == m.Name {
			st.mu.Unlock()
			return true
		}
		if st.started {
			st.run.Stages[st.current].End = at.Seconds()
		}
		st.run.Stages = append(st.run.Stages, result.Stage{Name: m.Name, Start: at.Seconds()})
		st.current, st.started = len(st.run.Stages)-1, true
		st.mu.Unlock()
		if st.spec.Hooks.Stage != nil {
			st.spec.Hooks.Stage(m.Name, st.start.Add(at))
		}
		return true
	}
	return false
}

// end ends the running stage, if any, at the line's time (lineAt); the
// sampler's readings from then on belong to no stage.
func (st *stager) end(line string, at time.Duration) {
	st.mu.Lock()
	if !st.started {
		st.mu.Unlock()
		return
	}
	at = st.lineAt(line, at)
	st.run.Stages[st.current].End = at.Seconds()
	st.started = false
	st.mu.Unlock()
	if st.spec.Hooks.Stage != nil {
		st.spec.Hooks.Stage("", st.start.Add(at))
	}
}

// lineAt is when a stage line that arrived at (since the start) happened:
// then, or at the line's own time where Spec.LineTime reads one that is
// earlier and not before the last stage's start (its end, once ended), so
// the stages stay in order. st.mu is held.
func (st *stager) lineAt(line string, at time.Duration) time.Duration {
	if st.spec.LineTime == nil {
		return at
	}
	unix, ok := st.spec.LineTime(line)
	if !ok {
		return at
	}
	own := time.Duration((unix - float64(st.start.UnixNano())/1e9) * float64(time.Second))
	floor := time.Duration(0)
	if n := len(st.run.Stages); n > 0 {
		last := st.run.Stages[n-1]
		floor = time.Duration(last.Start * float64(time.Second))
		if !st.started {
			floor = time.Duration(last.End * float64(time.Second))
		}
	}
	if own < at {
		at = max(own, floor)
	}
	return at
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
