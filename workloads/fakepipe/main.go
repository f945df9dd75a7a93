// Command fakepipe behaves like the VirNucPro pipeline on simulated GPUs, so that
// benchctl's scenarios run end to end where there is no GPU (CI, demos), the
// failing cases included.
//
//	fakepipe predict INPUT.fa -o OUTDIR [--parallel] [--gpus 0,1,...] [--persistent-models] ...
//
// It reads and checks the FASTA, prints the pipeline's stage lines on stderr
// ("Stage: Loading models", "Stage: Translating six frames (N reads -> M chunks)",
// ... "Done: ...", "Peak memory: ...", "Allocator efficiency: ...") and writes
// OUTDIR/prediction_results.txt and OUTDIR/prediction_results_highestscore.csv
// with deterministic fake scores. When BENCHCTL_SIM_DIR names a sim backend's
// state directory (probes/sim), each GPU process sets its simulated memory and
// utilization stage by stage; without it fakepipe only takes its time.
//
// Knobs make it slow, leak, spike, run out of memory (exit 4), hang, crash,
// fail, leave an orphan holding GPU memory, or flood its output. Each knob is a
// flag and an environment variable FAKEPIPE_<NAME> (the flag wins); run
// `fakepipe predict -h` for the list. Exit codes follow the real pipeline: 0 ok,
// 1 error, 2 bad usage, 4 CUDA out of memory.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Exit codes, as the real pipeline's.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
	exitOOM   = 4
)

// exitErr ends the process with code; msg, when not empty, is printed as its
// one "Error: ..." line.
type exitErr struct {
	code int
	msg  string // printed as "Error: msg" when not empty
}

func (e *exitErr) Error() string { return fmt.Sprintf("exit %d: %s", e.code, e.msg) }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches the subcommands and turns errors into exit codes.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == orphanCmd {
		return runOrphan(args[1:])
	}
	// Knobs may come before the subcommand, so a scenario's pipeline variable
	// can be "fakepipe --leak-per-batch 50MB" followed by "predict INPUT ...".
	sub := -1
	for i, a := range args {
		if a == "predict" {
			sub = i
			break
		}
	}
	if sub < 0 {
		fmt.Fprintln(stderr, "Error: usage: fakepipe [knobs] predict INPUT.fa -o OUTDIR [flags] (fakepipe predict -h lists them)")
		return exitUsage
	}
	rest := append(append([]string(nil), args[sub+1:]...), args[:sub]...)
	opt, err := parseOptions(rest, stdout)
	if errors.Is(err, errHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "Error: %v\n", err)
		return exitUsage
	}
	err = predict(opt, stdout, stderr)
	var ee *exitErr
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		if ee.msg != "" {
			fmt.Fprintf(stderr, "%sError: %s\n", opt.prefix(), ee.msg)
		}
		return ee.code
	default:
		fmt.Fprintf(stderr, "%sError: %v\n", opt.prefix(), err)
		return exitError
	}
}
