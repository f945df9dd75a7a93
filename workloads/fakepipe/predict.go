package main

import (
	"bufio"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/benchctl/benchctl/probes/sim"
)

// predict is the predict command: the whole pipeline in the main process, or
// one worker's model stage. The main process logs as the fork does, on
// stdout: its nine stages, their times, its figures and the summary.
func predict(opt *options, g *globals, stdout, stderr io.Writer) error {
	if opt.workerEpoch > 0 {
		// A worker carries on from its parent's model time: its start-up is
		// the modelled --startup (paused below), and the real time a busy
		// machine takes to exec it is made up by its pauses, as the main
		// process's is, instead of adding to the run.
		clock.due = time.Unix(0, opt.workerEpoch)
	}
	start := clock.now()
	if opt.ignoreSigterm {
		signal.Ignore(syscall.SIGTERM)
	}
	if opt.worker() {
		recs, err := readFASTA(opt.input)
		if err != nil {
			return err
		}
		pause(opt.startupFor(recs))
		proc, err := openGPU(opt)
		if err != nil {
			return err
		}
		defer proc.Close()
		return runWorker(opt, proc, recs, stderr, stdout)
	}
	log := opt.log.named("virnucpro.cli.predict")
	log.line("VirNucPro Prediction - Input: %s", opt.input)
	if err := confirmOutDir(opt, log, stdout); err != nil {
		return err
	}
	recs, err := readFASTA(opt.input)
	if err != nil {
		return err
	}
	if err := opt.drawTimeScale(); err != nil {
		return err
	}
	pause(opt.startupFor(recs))
	proc, err := openGPU(opt)
	if err != nil {
		return err
	}
	defer proc.Close()
	if opt.badUTF8 {
		badUTF8(stdout, stderr)
	}
	if opt.flood > 0 {
		flood(stdout, opt.flood)
	}
	gpus, err := opt.resolveGPUs(proc)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(opt.outDir, 0o755); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	logConfiguration(log, opt, g, gpus)
	st, err := runStages(opt, proc, gpus, recs, stdout, stderr)
	if err != nil {
		return err
	}
	summarize(log.named("virnucpro.pipeline.prediction"), len(recs), len(chunkReads(recs, opt.modelType)), clock.now().Sub(start), st)
	log.line("Prediction completed successfully!")
	log.line("Results saved to: %s", opt.outDir)
	if opt.exitCode >= 0 {
		return &exitErr{code: opt.exitCode, quiet: true}
	}
	return nil
}

// logConfiguration logs the lines the fork's predict command logs first.
func logConfiguration(log logger, opt *options, g *globals, gpus []int) {
	if g.config != "" {
		log.named("virnucpro").line("Loaded configuration from %s", g.config)
	}
	log.line("Configuration:")
	log.line("  Output directory: %s", opt.outDir)
	log.line("  Parallel processing: %s", map[bool]string{true: "enabled", false: "disabled"}[opt.parallel])
	log.line("  CUDA streams: %s", map[bool]string{true: "enabled", false: "disabled"}[opt.cudaStreams])
	if opt.persistent {
		log.line("  Persistent models: enabled (models remain in GPU memory)")
	} else {
		log.line("  Persistent models: disabled (standard model loading)")
	}
	log.line("  GPUs: %v", gpus)
	log.line("Starting prediction pipeline...")
}

// runStages runs the fork's nine stages in its order. With --parallel each
// model stage runs as one worker process per GPU; merge and prediction run
// in the main process on the first GPU.
func runStages(opt *options, proc *sim.Proc, gpus []int, recs []record, stdout, stderr io.Writer) (gpuStats, error) {
	log := opt.log.named("virnucpro.pipeline.prediction")
	tel := newTelemetry(opt.log)
	tel.seqs = len(recs)
	cpu := 1 // translation and consensus use a CPU pool, one process per GPU with --parallel
	if opt.parallel {
		cpu = len(gpus)
	}
	tel.begin(tsChunking)
	chunks := chunkReads(recs, opt.modelType)
	tel.end(tsChunking, "sequences: "+commas(len(recs)))

	tel.begin(tsTranslation)
	t0 := clock.now()
	pause(opt.stageTime(stTranslate, len(recs)) / time.Duration(cpu))
	if err := opt.checkpoint(log, stTranslate); err != nil {
		return gpuStats{}, err
	}
	secs := max(clock.now().Sub(t0).Seconds(), 1e-9)
	log.line("Translation complete: processed %s sequences in %.1fs (%s seq/s)", commas(len(chunks)), secs, commas(int(float64(len(chunks))/secs)))
	tel.end(tsTranslation, "sequences: "+commas(len(chunks)))

	files := (len(recs) + opt.seqsPerFile - 1) / opt.seqsPerFile
	log.line("Splitting nucleotide sequences into batches of %d", opt.seqsPerFile)
	tel.begin(tsNucSplit)
	tel.end(tsNucSplit, "files: "+commas(files))
	log.line("Splitting protein sequences into batches of %d", opt.seqsPerFile)
	tel.begin(tsProtSplit)
	tel.end(tsProtSplit, "files: "+commas(files))

	main, err := newGPUWork(opt, proc, gpus[0], log)
	if err != nil {
		return gpuStats{}, err
	}
	var st gpuStats
	for _, m := range []model{dnabert, esm2} {
		name := map[string]string{stDNABERT: tsDNABERT, stESM: tsESM}[m.key]
		tel.begin(name)
		// As in the fork: ESM-2 runs in GPU workers whenever --parallel is
		// on (the v2.0 path), DNABERT-S only on more than one GPU; on one it
		// takes the single-GPU path in the main process.
		if opt.parallel && (m == esm2 || len(gpus) > 1) {
			var ws gpuStats
			ws, err = runParallel(opt, m.key, gpus, len(recs), stdout, stderr)
			st.PeakAlloc, st.PeakReserved = max(st.PeakAlloc, ws.PeakAlloc), max(st.PeakReserved, ws.PeakReserved)
		} else {
			err = main.phase(m, recs)
		}
		if err != nil {
			_, err = main.finish(err, stdout, !opt.parallel)
			return st, err
		}
		tel.end(name, "")
	}
	for _, step := range []struct {
		name string
		run  func([]record, int) error
	}{{tsMerge, main.merge}, {tsPredict, main.predict}} {
		tel.begin(step.name)
		if err := step.run(recs, cpu); err != nil {
			_, err = main.finish(err, stdout, !opt.parallel)
			return st, err
		}
		tel.end(step.name, "")
	}
	ms, err := main.finish(nil, stdout, !opt.parallel)
	st.PeakAlloc, st.PeakReserved = max(st.PeakAlloc, ms.PeakAlloc), max(st.PeakReserved, ms.PeakReserved)
	if err != nil {
		return st, err
	}

	tel.begin(tsConsensus)
	pause(opt.stageTime(stConsensus, len(recs)) / time.Duration(cpu))
	if err := opt.checkpoint(log, stConsensus); err != nil {
		return st, err
	}
	if err := writeResults(opt.outDir, chunks); err != nil {
		return st, err
	}
	tel.end(tsConsensus, "consensus_sequences: "+commas(len(chunks)))
	tel.summary()
	log.line("Pipeline completed successfully!")
	return st, nil
}

// confirmOutDir is the fork's check of an existing output directory: without
// --force or --resume it asks "Overwrite?" on stdout and reads the answer
// from stdin. On a closed stdin click raises Abort, which the fork's predict
// command catches as any exception: "Prediction failed: " (Abort's message is
// empty) and exit 1. "n" (the default) cancels with exit 0.
func confirmOutDir(opt *options, log logger, stdout io.Writer) error {
	if _, err := os.Stat(opt.outDir); err != nil || opt.force || opt.resume {
		return nil
	}
	fmt.Fprintf(stdout, "Output directory %s exists. Overwrite? [y/N]: ", opt.outDir)
	answer, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && answer == "" {
		return &exitErr{code: exitError, msg: ""}
	}
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes":
		return nil
	}
	log.line("Prediction cancelled by user")
	return &exitErr{code: exitOK, quiet: true}
}

// summarize logs fakepipe's own closing lines: throughput, peak memory and
// allocator efficiency (allocated over reserved at their peaks).
func summarize(log logger, reads, chunks int, took time.Duration, st gpuStats) {
	secs := took.Seconds()
	log.line("Done: %d sequences, %d chunks in %.2f s (%.1f seq/s)", reads, chunks, secs, float64(reads)/max(secs, 1e-9))
	log.line("Peak memory: %.1f MiB allocated, %.1f MiB reserved", float64(st.PeakAlloc)/(1<<20), float64(st.PeakReserved)/(1<<20))
	eff := 100.0
	if st.PeakReserved > 0 {
		eff = 100 * float64(st.PeakAlloc) / float64(st.PeakReserved)
	}
	log.line("Allocator efficiency: %.1f%%", eff)
}

// resolveGPUs returns the GPUs to run on: --gpus, checked against the simulated
// machine, or the visible ones (CUDA_VISIBLE_DEVICES), or GPU 0 without a
// simulated machine.
func (o *options) resolveGPUs(proc *sim.Proc) ([]int, error) {
	if proc == nil {
		if o.gpus != nil {
			return o.gpus, nil
		}
		return []int{0}, nil
	}
	if o.gpus != nil {
		for _, g := range o.gpus {
			if _, err := sim.MemoryTotal(proc.Dir(), g); err != nil {
				return nil, fmt.Errorf("--gpus: %w", err)
			}
		}
		return o.gpus, nil
	}
	gpus, err := proc.Visible()
	if err != nil {
		return nil, err
	}
	if len(gpus) == 0 {
		return nil, fmt.Errorf("no CUDA device visible")
	}
	if !o.parallel {
		gpus = gpus[:1]
	}
	return gpus, nil
}

// startupFor is the start-up of a run over recs: the fixed cost, less what
// --startup-shrink saves per sequence, plus --startup-jitter's share for this
// input. Workers (given their share of the input) pay the plain fixed cost.
func (o *options) startupFor(recs []record) time.Duration {
	d := o.startup
	if o.worker() {
		return d
	}
	d -= time.Duration(len(recs)) * o.startupShrink
	if o.startupJitter > 0 {
		h := fnv.New32a()
		for _, r := range recs {
			h.Write([]byte(r.id))
		}
		d += time.Duration(float64(o.startupJitter) * float64(h.Sum32()) / (1 << 32))
	}
	return max(d, 0)
}

// openGPU opens this process's simulated GPU use (the sim backend's state
// file, from the environment), timed by the model's clock and working at the
// --sm-efficiency the options give. The caller closes it.
func openGPU(opt *options) (*sim.Proc, error) {
	proc, err := sim.FromEnv()
	if err != nil {
		return nil, err
	}
	proc.SetClock(clock.now) // its GPU use is timed by the model
	if err := proc.SetSMEfficiency(opt.smEff); err != nil {
		proc.Close()
		return nil, err
	}
	return proc, nil
}
