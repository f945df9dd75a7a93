package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"github.com/benchctl/benchctl/internal/format"
	"github.com/benchctl/benchctl/probes/sim"
)

// The signals a simulated crash dies by.
const (
	sigAbort = syscall.SIGABRT // an abort, as a failed C++ assertion
	sigSegv  = syscall.SIGSEGV // a segmentation fault, as a CUDA crash
)

// orphanCmd is the hidden subcommand of the orphan process; orphanReadyEnv
// tells it that fd 3 is the pipe to close once it holds its memory.
const (
	orphanCmd      = "__orphan"
	orphanReadyEnv = "FAKEPIPE_ORPHAN_READY_FD"
)

// orphanReadyTimeout bounds the wait for the orphan to hold its memory; it only
// guards against an orphan that cannot start.
const orphanReadyTimeout = 10 * time.Second

// hang stops the process forever. Signals keep their effect: SIGTERM ends it
// unless --ignore-sigterm.
func hang() {
	for {
		time.Sleep(time.Hour)
	}
}

// dieBy ends the process by sig, as a crash would, with no core file. The Go
// runtime catches SIGSEGV and SIGABRT and exits 2 instead, so the process
// replaces itself (same pid) with a shell that sends the signal to itself.
func dieBy(sig syscall.Signal) {
	os.Stdout.Sync()
	syscall.Setrlimit(syscall.RLIMIT_CORE, &syscall.Rlimit{})
	script := "kill -" + strconv.Itoa(int(sig)) + " $$"
	syscall.Exec("/bin/sh", []string{"sh", "-c", script}, os.Environ())
	syscall.Kill(os.Getpid(), syscall.SIGKILL) // no shell: die all the same
	hang()
}

// leaveOrphan starts, when --orphan asks for it, a process in a session of its
// own that holds the given memory on gpu for --orphan-for: a worker the
// pipeline forgot. It returns once the orphan holds the memory.
func leaveOrphan(opt *options, gpu int, stdout io.Writer) error {
	if opt.orphan == 0 {
		return nil
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("orphan: %w", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("orphan: %w", err)
	}
	defer r.Close()
	cmd := exec.Command(self, orphanCmd, strconv.Itoa(gpu), strconv.FormatUint(opt.orphan, 10), opt.orphanFor.String())
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.ExtraFiles = []*os.File{w} // fd 3: closed once the memory is held
	cmd.Env = append(os.Environ(), orphanReadyEnv+"=3")
	err = cmd.Start()
	w.Close()
	if err != nil {
		return fmt.Errorf("orphan: %w", err)
	}
	ready := make(chan struct{})
	go func() {
		io.Copy(io.Discard, r)
		close(ready)
	}()
	select {
	case <-ready:
	case <-time.After(orphanReadyTimeout):
	}
	fmt.Fprintf(stdout, "left orphan process %d holding %s on gpu %d\n", cmd.Process.Pid, format.Bytes(opt.orphan), gpu)
	return cmd.Process.Release()
}

// runOrphan is the orphan: __orphan GPU BYTES DURATION. Its standard streams are
// /dev/null, so it holds no pipe of whoever ran the pipeline.
func runOrphan(args []string) int {
	if len(args) != 3 {
		return exitUsage
	}
	gpu, err1 := strconv.Atoi(args[0])
	bytes, err2 := strconv.ParseUint(args[1], 10, 64)
	life, err3 := time.ParseDuration(args[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return exitUsage
	}
	proc, err := sim.FromEnv()
	if err == nil {
		err = proc.Set(gpu, bytes, 0, 0)
	}
	if os.Getenv(orphanReadyEnv) == "3" {
		os.NewFile(3, "ready").Close()
	}
	if err != nil {
		return exitError
	}
	time.Sleep(life)
	proc.Close()
	return exitOK
}

// flood prints n lines of progress-bar noise on stdout, as fast as it can.
func flood(stdout io.Writer, n int) {
	bw := bufio.NewWriterSize(stdout, 64<<10)
	for i := range n {
		pct := 100 * (i + 1) / n
		fmt.Fprintf(bw, "Processing batches: %3d%%|%-20s| %d/%d [00:00<00:00, 9999.99it/s] noise=%08x\n",
			pct, bar(pct), i+1, n, uint32(i)*2654435761)
	}
	bw.Flush()
}

func bar(pct int) string {
	b := make([]byte, pct/5)
	for i := range b {
		b[i] = '#'
	}
	return string(b)
}

// badUTF8 prints invalid UTF-8, terminal escapes and control characters on
// both streams, as a progress bar or a crashing library may.
func badUTF8(stdout, stderr io.Writer) {
	const junk = "bad bytes: \xff\xfe\xc3\x28 \xed\xa0\x80 | \x1b[31mred\x1b[0m | nul\x00 bell\x07 back\x08 tab\t cr\rprogress 50%\x0c\n"
	io.WriteString(stdout, junk)
	io.WriteString(stderr, junk)
}
