// Command fakepipe behaves like the VirNucPro pipeline on simulated GPUs, so that
// benchctl's scenarios run end to end where there is no GPU (CI, demos), the
// failing cases included.
//
//	fakepipe [-c CONFIG.yaml] predict INPUT.fa [-o OUTDIR] [--force] [--parallel] [--gpus 0,1,...] ...
//
// It speaks the command line of VirNucPro's multi-GPU fork (broadinstitute/
// virnucpro-broad): global options (-c CONFIG.yaml, -v, -q, -l LOG) before
// predict, the fork's predict options, click's usage errors (exit 2), and its
// prompt on an existing output directory (exit 1 on a closed stdin, unless
// --force). The main process logs in the fork's format on stdout: the nine
// stage lines ("=== Stage N: ESM-2 Feature Extraction ==="), their times, its
// figures, the PIPELINE SUMMARY and, on out of memory, its banner; --parallel
// workers log on stderr. It reads and checks the FASTA and writes
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

// exitErr ends the process with code; msg, when not empty, says why.
type exitErr struct {
	code  int
	msg   string
	quiet bool // nothing to log: the code alone (--exit-code, a cancelled prompt)
}

func (e *exitErr) Error() string { return fmt.Sprintf("exit %d: %s", e.code, e.msg) }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses the command line as the fork's click group does, runs predict,
// and turns errors into exit codes and the fork's last log lines.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == orphanCmd {
		return runOrphan(args[1:])
	}
	g, sub, err := parseGlobals(args)
	var ue *usageErr
	var ee *exitErr
	switch {
	case errors.As(err, &ue):
		printUsageErr(stderr, ue)
		return exitUsage
	case errors.As(err, &ee):
		logger{w: stdout, name: "virnucpro"}.error("%s", ee.msg)
		return ee.code
	}
	// Knobs given before the subcommand go after it, so a scenario's pipeline
	// variable can be "fakepipe --leak-per-batch 50MB" followed by "predict ...".
	rest := append(append([]string(nil), args[sub+1:]...), g.knobArgs...)
	opt, err := parseOptions(rest, stdout)
	if errors.Is(err, errHelp) {
		return exitOK
	}
	if errors.As(err, &ue) {
		printUsageErr(stderr, ue)
		return exitUsage
	}
	if g.perFile > 0 {
		opt.seqsPerFile = g.perFile
	}
	opt.log = logger{name: "virnucpro"}
	if !g.quiet {
		opt.log.w = stdout
	}
	if g.logFile != "" {
		f, err := os.OpenFile(g.logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			opt.log.error("Failed to open log file: %v", err)
			return exitError
		}
		defer f.Close()
		opt.log.file = f
	}
	return exitCode(opt, predict(opt, g, stdout, stderr), stderr)
}

// exitCode logs why the run failed, where the fork does, and returns its
// exit code: the OUT OF MEMORY banner (logger.error, so stdout) and 4; any
// other failure "Prediction failed: ..." and 1. A worker logs on stderr.
func exitCode(opt *options, err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	log := opt.log.named("virnucpro.pipeline.prediction")
	if opt.worker() {
		log = logger{w: stderr, name: "virnucpro.pipeline.gpu_worker", prefix: opt.prefix()}
	}
	var ee *exitErr
	if !errors.As(err, &ee) {
		ee = &exitErr{code: exitError, msg: err.Error()}
	}
	switch {
	case ee.quiet:
	case opt.worker():
		if ee.msg != "" {
			log.error("Worker failed: %s", ee.msg)
		}
	case ee.code == exitOOM:
		log.oomBanner(ee.msg)
	default:
		log.named("virnucpro.cli.predict").error("Prediction failed: %s", ee.msg)
	}
	return ee.code
}
