package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// errHelp means -h was asked for and the usage printed.
var errHelp = errors.New("help requested")

// The --oom-mode values.
const (
	oomExit   = "exit"
	oomReduce = "reduce"
	oomCrash  = "crash"
)

// options is the command line: the real pipeline's flags, the knobs, and the
// internal flags a --parallel parent gives its workers.
type options struct {
	input, outDir string
	args          []string // after "predict", as given: the workers get them again
	log           logger   // the main process's log (stdout unless -q)

	// The real pipeline's flags.
	force, resume bool // an existing -o is overwritten, or resumed, without a prompt
	parallel      bool
	gpus          []int // --gpus; nil: the visible GPUs
	persistent    bool
	cudaStreams   bool
	esmBatch      int // tokens
	dnabertBatch  int // tokens
	expandable    bool
	modelType     int
	cacheClear    int // batches between cache clears; 0 never
	seqsPerFile   int // prediction.sequences_per_file, from -c (10000)
	accepted      acceptedFlags

	// Knobs.
	timePerSeq, startup, loadTime time.Duration
	persistentOverhead            float64       // fraction
	streamsSpeedup                float64       // fraction; negative: streams slow the pipeline down
	slowdownPerBatch              float64       // fraction of a batch's time added per batch already run
	rampSeqs                      int           // a GPU process's first sequences cost more, falling to 1x at this many
	rampFactor                    float64       // the cost of its first sequence, times --time-per-seq
	startupShrink                 time.Duration // start-up saved per input sequence (floored at 0)
	startupJitter                 time.Duration // extra start-up, fixed per input: [0, D) from a hash of the input
	timeNoise                     float64       // fraction: run-to-run spread of every pause
	noiseSeed                     uint64
	modelMem, dnabertMem          uint64
	bytesPerToken                 uint64
	util                          float64 // percent
	smEff                         float64 // share of util that keeps the SMs busy (GPM's SM activity)
	leakPerBatch                  uint64
	allocGrowth                   uint64 // cache growth per model, in halving steps at batches 1, 2, 4, ...
	stageWorkingSet               uint64 // held through a GPU stage, freed at its end
	sawtooth                      uint64 // held in a climb over sawtoothBatches batches, then freed
	sawtoothBatches               int
	spike                         uint64
	spikeEvery                    int
	spikeFor                      time.Duration
	oomAbove                      int // tokens; 0 never
	oomMode                       string
	hangAfter, crashAfter         string // stage keys
	failAfter                     string
	ignoreSigterm                 bool
	orphan                        uint64
	orphanFor                     time.Duration
	exitCode                      int // -1: the natural one
	flood                         int
	badUTF8                       bool

	// Internal: set by a --parallel parent on its workers.
	workerShard, workerShards int // shard index and count; workerShards 0: not a worker
	workerGPU                 int
	workerEpoch               int64  // the parent's model time at the start (Unix nanoseconds); 0: none
	workerPhase               string // the model stage a worker runs: dnabert or esm
}

// acceptedFlags are the fork's options that fakepipe takes and does nothing
// with, so that a command line written for the fork runs unchanged.
type acceptedFlags struct {
	modelPath, device                                   string
	expectedLength, batchSize, numWorkers, threads      int
	dataloaderWorkers                                   int
	keep, noProgress, v1Fallback, v1Attention           bool
	verbose, quiet, skipValidation, forceResume, pinMem bool
}

// worker reports whether this process is a --parallel worker.
func (o *options) worker() bool { return o.workerShards > 0 }

// prefix is what this process puts before its stderr lines.
func (o *options) prefix() string {
	if o == nil || !o.worker() {
		return ""
	}
	return fmt.Sprintf("[gpu %d] ", o.workerGPU)
}

// Internal flags, left out of the usage.
const (
	flagWorkerShard   = "worker-shard"
	flagWorkerGPU     = "worker-gpu"
	flagWorkerEpoch   = "worker-epoch"
	flagWorkerPhase   = "worker-phase"
	flagWorkerPerFile = "worker-per-file"
)

// knobs are the flags that an environment variable FAKEPIPE_<NAME> can also set.
var knobs = []string{
	"time-per-seq", "startup", "startup-shrink", "startup-jitter", "time-noise", "noise-seed", "load-time", "persistent-overhead", "streams-speedup", "slowdown-per-batch", "ramp-seqs", "ramp-factor",
	"model-mem", "dnabert-mem", "bytes-per-token", "util", "sm-efficiency",
	"leak-per-batch", "alloc-growth", "stage-working-set", "sawtooth", "sawtooth-batches", "spike", "spike-every", "spike-ms",
	"oom-above", "oom-mode", "hang-after", "ignore-sigterm", "crash-after", "fail-after",
	"orphan", "orphan-for", "exit-code", "flood", "bad-utf8",
}

// knobEnv is the environment variable of a knob: FAKEPIPE_TIME_PER_SEQ.
func knobEnv(name string) string {
	return "FAKEPIPE_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// parseOptions reads the arguments after "predict". Flags may come before or
// after the input file; "--" ends the flags.
// Every error is a *usageErr: click's exit 2.
func parseOptions(args []string, helpOut io.Writer) (*options, error) {
	o := defaults()
	o.args = args
	fs := newFlagSet(o)
	pos, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(fs, helpOut)
		return nil, errHelp
	}
	if err != nil {
		return nil, clickError(err, args)
	}
	if err := applyEnvKnobs(fs); err != nil {
		return nil, &usageErr{cmd: "predict", msg: err.Error()}
	}
	if err := o.finish(fs, pos); err != nil {
		return nil, &usageErr{cmd: "predict", msg: err.Error()}
	}
	return o, nil
}

// clickError words a flag package error as click does: an unknown option is
// "No such option '--x'.", as it was written.
func clickError(err error, args []string) *usageErr {
	name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -")
	if !ok {
		return &usageErr{cmd: "predict", msg: err.Error()}
	}
	for _, a := range args {
		if n, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "="); n == name && strings.HasPrefix(a, "-") {
			return noSuchOption("predict", strings.SplitN(a, "=", 2)[0])
		}
	}
	return noSuchOption("predict", "--"+name)
}

// defaults returns the options of an empty command line, for the flags whose
// default newFlagSet cannot pass (those with their own flag.Value type).
func defaults() *options {
	return &options{
		timePerSeq:         time.Millisecond,
		startup:            200 * time.Millisecond,
		loadTime:           300 * time.Millisecond,
		persistentOverhead: 0.30,
		streamsSpeedup:     0.15,
		modelMem:           6 << 30,
		dnabertMem:         512 << 20,
		bytesPerToken:      1000000,
		spikeFor:           20 * time.Millisecond,
		sawtoothBatches:    8,
		orphanFor:          time.Hour,
		seqsPerFile:        10000,
		modelType:          500,
	}
}

// newFlagSet defines every flag on o, whose current values are the defaults of
// the flags with their own flag.Value type.
func newFlagSet(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("fakepipe predict", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported once, as "Error: ..."
	fs.Usage = func() {}

	fs.StringVar(&o.outDir, "o", "", "output directory (default: {input stem}_predictions)")
	fs.StringVar(&o.outDir, "output-dir", "", "output directory (same as -o)")
	fs.BoolVar(&o.force, "force", false, "overwrite an existing output directory (else a prompt, which aborts on a closed stdin)")
	fs.BoolVar(&o.force, "f", false, "same as --force")
	fs.BoolVar(&o.resume, "resume", false, "resume in an existing output directory (fakepipe starts over)")
	addAccepted(fs, &o.accepted)
	fs.BoolVar(&o.parallel, "parallel", false, "one worker process per GPU of --gpus")
	fs.Func("gpus", "comma-separated GPU indexes (several imply --parallel, as in the real pipeline)", func(s string) error {
		g, err := parseGPUList(s)
		o.gpus = g
		return err
	})
	fs.BoolVar(&o.persistent, "persistent-models", false, "load the models once per worker, not once per file")
	fs.Var(boolSetter{&o.cudaStreams, true}, "cuda-streams", "overlap transfers and compute (see --streams-speedup)")
	fs.Var(boolSetter{&o.cudaStreams, false}, "no-cuda-streams", "no CUDA streams (the default)")
	fs.IntVar(&o.esmBatch, "esm-batch-size", 2048, "ESM-2 tokens per batch")
	fs.IntVar(&o.dnabertBatch, "dnabert-batch-size", 2048, "DNABERT-S tokens per batch")
	fs.BoolVar(&o.expandable, "expandable-segments", false, "PyTorch expandable segments: less fragmentation, reserved close to allocated")
	fs.Var(modelTypeFlag{&o.modelType}, "model-type", "model: 300, 500 or custom (500 bp chunks)")
	fs.Var(modelTypeFlag{&o.modelType}, "m", "same as --model-type")
	fs.IntVar(&o.cacheClear, "cache-clear-interval", 0, "empty the allocator cache every N batches (0: never)")

	fs.Var(durationFlag{&o.timePerSeq, time.Second}, "time-per-seq", "compute time per sequence, split over the stages (ESM-2 the largest)")
	fs.Var(durationFlag{&o.startup, time.Second}, "startup", "fixed start-up cost of each process")
	fs.Var(durationFlag{&o.startupShrink, time.Second}, "startup-shrink", "start-up saved per input sequence: a start-up that shrinks as inputs grow, so larger runs can be faster")
	fs.Var(durationFlag{&o.startupJitter, time.Second}, "startup-jitter", "extra start-up in [0, D), the same for the same input (from a hash of it): noise the work cannot stand out of")
	fs.Var(percentFlag{p: &o.timeNoise}, "time-noise", "run-to-run noise: every pause of a run times e^(N*z), z standard normal, drawn per run from --noise-seed (percent)")
	fs.Uint64Var(&o.noiseSeed, "noise-seed", 1, "seed of --time-noise; runs into the same work folder draw in turn from it")
	fs.Var(durationFlag{&o.loadTime, time.Second}, "load-time", "time of one model load")
	fs.Var(percentFlag{p: &o.persistentOverhead}, "persistent-overhead", "extra model memory held with --persistent-models (percent)")
	fs.Var(percentFlag{p: &o.streamsSpeedup, signed: true}, "streams-speedup", "GPU compute time saved by --cuda-streams (percent; negative slows it down)")
	fs.IntVar(&o.rampSeqs, "ramp-seqs", 0, "the first N sequences of each GPU process cost more, falling linearly to 1x at N: the cost per sequence falls as inputs grow (0: none)")
	fs.Float64Var(&o.rampFactor, "ramp-factor", 3, "the cost of the first sequence under --ramp-seqs, times the steady cost")
	fs.Var(percentFlag{p: &o.slowdownPerBatch}, "slowdown-per-batch", "each batch takes this much longer per batch already run (percent; a degrading pipeline)")
	fs.Var(sizeFlag{&o.modelMem}, "model-mem", "ESM-2 model memory")
	fs.Var(sizeFlag{&o.dnabertMem}, "dnabert-mem", "DNABERT-S model memory")
	fs.Var(sizeFlag{&o.bytesPerToken}, "bytes-per-token", "activation memory per batch token")
	fs.Float64Var(&o.util, "util", 85, "GPU utilization while computing (percent)")
	fs.Float64Var(&o.smEff, "sm-efficiency", 0.95, "share of the utilization that keeps the SMs busy, as GPM's SM activity sees it (0 to 1; near 0 is a launch-bound pipeline of tiny kernels)")
	fs.Var(sizeFlag{&o.leakPerBatch}, "leak-per-batch", "memory never freed, per batch (freed at exit)")
	fs.Var(sizeFlag{&o.allocGrowth}, "alloc-growth", "cache the allocator reserves on top, per model, in halving steps after its batches 1, 2, 4, 8, ...: growth that flattens")
	fs.Var(sizeFlag{&o.stageWorkingSet}, "stage-working-set", "held through each GPU stage and freed at its end (DNABERT-S 1x, ESM-2 2x, merge 0.5x, MLP 0.25x): memory that steps between stages")
	fs.Var(sizeFlag{&o.sawtooth}, "sawtooth", "held in a climb over --sawtooth-batches batches, then freed: a sawtooth working set")
	fs.IntVar(&o.sawtoothBatches, "sawtooth-batches", 8, "batches of one sawtooth climb")
	fs.Var(sizeFlag{&o.spike}, "spike", "extra memory held briefly every --spike-every batches")
	fs.IntVar(&o.spikeEvery, "spike-every", 1, "batches between spikes")
	fs.Var(durationFlag{&o.spikeFor, time.Millisecond}, "spike-ms", "how long a spike lasts (a number is milliseconds)")
	fs.IntVar(&o.oomAbove, "oom-above", 0, "a batch of more tokens runs out of memory (0: only the simulated GPU's size limits)")
	fs.StringVar(&o.oomMode, "oom-mode", oomExit, "on out of memory: exit (code 4), reduce (halve the batch, exit 4 at one sequence) or crash (SIGSEGV)")
	fs.StringVar(&o.hangAfter, "hang-after", "", "hang forever once this stage has started (load, translate, dnabert, esm, merge, predict, consensus)")
	fs.BoolVar(&o.ignoreSigterm, "ignore-sigterm", false, "ignore SIGTERM (workers and orphans inherit it)")
	fs.StringVar(&o.crashAfter, "crash-after", "", "die by SIGABRT once this stage has started")
	fs.StringVar(&o.failAfter, "fail-after", "", "exit 1 with an Error line once this stage has started")
	fs.Var(sizeFlag{&o.orphan}, "orphan", "before exiting, leave a detached process holding this much GPU memory")
	fs.Var(durationFlag{&o.orphanFor, time.Second}, "orphan-for", "how long the orphan lives")
	fs.IntVar(&o.exitCode, "exit-code", -1, "exit with this code after a successful run")
	fs.IntVar(&o.flood, "flood", 0, "print this many lines of noise on stdout")
	fs.BoolVar(&o.badUTF8, "bad-utf8", false, "print invalid UTF-8 and control characters on stdout and stderr")

	fs.Func(flagWorkerShard, "internal", func(s string) error {
		i, n, ok := strings.Cut(s, "/")
		var err1, err2 error
		o.workerShard, err1 = strconv.Atoi(i)
		o.workerShards, err2 = strconv.Atoi(n)
		if !ok || err1 != nil || err2 != nil || o.workerShards < 1 || o.workerShard < 0 || o.workerShard >= o.workerShards {
			return fmt.Errorf("want I/N")
		}
		return nil
	})
	fs.IntVar(&o.workerGPU, flagWorkerGPU, 0, "internal")
	fs.Float64Var(&timeScale, flagWorkerTimeScale, 1, "internal")
	fs.Int64Var(&o.workerEpoch, flagWorkerEpoch, 0, "internal")
	fs.StringVar(&o.workerPhase, flagWorkerPhase, "", "internal")
	fs.IntVar(&o.seqsPerFile, flagWorkerPerFile, 10000, "internal")
	return fs
}

// parseInterleaved parses flags that may come before, between or after the
// positional arguments, which it returns.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// applyEnvKnobs sets each knob not given as a flag from its environment
// variable, when that is set.
func applyEnvKnobs(fs *flag.FlagSet) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, name := range knobs {
		v, ok := os.LookupEnv(knobEnv(name))
		if given[name] || !ok || v == "" {
			continue
		}
		if err := fs.Set(name, v); err != nil {
			return fmt.Errorf("%s=%q: %w", knobEnv(name), v, err)
		}
	}
	return nil
}

// finish checks the options as a whole.
func (o *options) finish(fs *flag.FlagSet, pos []string) error {
	switch len(pos) {
	case 0:
		return fmt.Errorf("Missing argument 'INPUT_FILE'.")
	case 1:
		o.input = pos[0]
	default:
		return fmt.Errorf("Got unexpected extra argument (%s)", strings.Join(pos[1:], " "))
	}
	if _, err := os.Stat(o.input); err != nil {
		return fmt.Errorf("Invalid value for 'INPUT_FILE': Path '%s' does not exist.", o.input)
	}
	if o.outDir == "" {
		stem := strings.TrimSuffix(filepath.Base(o.input), filepath.Ext(o.input))
		o.outDir = stem + "_predictions"
	}
	if len(o.gpus) > 1 {
		o.parallel = true // as the real pipeline: several GPUs mean --parallel
	}
	switch {
	case o.esmBatch < 1 || o.dnabertBatch < 1:
		return fmt.Errorf("batch sizes must be at least 1 token")
	case o.seqsPerFile < 1:
		return fmt.Errorf("sequences per file must be at least 1")
	case o.rampSeqs < 0 || o.rampFactor < 1:
		return fmt.Errorf("--ramp-seqs must be >= 0 and --ramp-factor >= 1")
	case !(o.smEff >= 0 && o.smEff <= 1):
		return fmt.Errorf("--sm-efficiency %v: want 0 to 1", o.smEff)
	case o.workerPhase != "" && o.workerPhase != stDNABERT && o.workerPhase != stESM:
		return fmt.Errorf("--%s %q: want dnabert or esm", flagWorkerPhase, o.workerPhase)
	case o.cacheClear < 0 || o.spikeEvery < 1 || o.oomAbove < 0 || o.flood < 0 || o.sawtoothBatches < 1:
		return fmt.Errorf("--cache-clear-interval, --oom-above and --flood must be >= 0, --spike-every and --sawtooth-batches >= 1")
	case o.util < 0 || o.util > 100:
		return fmt.Errorf("--util %v: want 0 to 100", o.util)
	case o.oomMode != oomExit && o.oomMode != oomReduce && o.oomMode != oomCrash:
		return fmt.Errorf("--oom-mode %q: want exit, reduce or crash", o.oomMode)
	}
	for _, st := range []*string{&o.hangAfter, &o.crashAfter, &o.failAfter} {
		if *st == "" {
			continue
		}
		key, err := stageKey(*st)
		if err != nil {
			return err
		}
		*st = key
	}
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == flagWorkerGPU })
	if o.worker() != given {
		return fmt.Errorf("--%s and --%s go together", flagWorkerShard, flagWorkerGPU)
	}
	return nil
}

// parseGPUList reads "0,1,3".
func parseGPUList(s string) ([]int, error) {
	var gpus []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		g, err := strconv.Atoi(f)
		if err != nil || g < 0 {
			return nil, fmt.Errorf("bad gpu index %q", f)
		}
		gpus = append(gpus, g)
	}
	if len(gpus) == 0 {
		return nil, fmt.Errorf("no gpu in %q", s)
	}
	return gpus, nil
}

func printUsage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprintln(w, "Usage: fakepipe predict INPUT.fa -o OUTDIR [flags]")
	fmt.Fprintln(w, "\nKnobs (marked *) can also be set as FAKEPIPE_<NAME>, e.g. FAKEPIPE_TIME_PER_SEQ=5ms; the flag wins.")
	isKnob := map[string]bool{}
	for _, k := range knobs {
		isKnob[k] = true
	}
	fs.VisitAll(func(f *flag.Flag) {
		if f.Usage == "internal" {
			return
		}
		mark := " "
		if isKnob[f.Name] {
			mark = "*"
		}
		def := ""
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			def = " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(w, " %s --%s\n      %s%s\n", mark, f.Name, f.Usage, def)
	})
}
