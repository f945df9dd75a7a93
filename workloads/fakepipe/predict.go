package main

import (
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/benchctl/benchctl/probes/sim"
)

// predict is the predict command: the whole pipeline in the main process, or
// one worker's share of the GPU stages.
func predict(opt *options, stdout, stderr io.Writer) error {
	if opt.workerEpoch > 0 {
		clock.due = time.Unix(0, opt.workerEpoch)
	}
	start := clock.now()
	if opt.ignoreSigterm {
		signal.Ignore(syscall.SIGTERM)
	}
	recs, err := readFASTA(opt.input)
	if err != nil {
		return err
	}
	if err := opt.drawTimeScale(); err != nil {
		return err
	}
	pause(opt.startupFor(recs))
	proc, err := sim.FromEnv()
	if err != nil {
		return err
	}
	defer proc.Close()
	if err := proc.SetSMEfficiency(opt.smEff); err != nil {
		return err
	}
	if opt.worker() {
		return runWorker(opt, proc, recs, stderr, stdout)
	}

	log := logger{w: stderr}
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

	chunks := chunkReads(recs, opt.modelType)
	log.stage("Translating six frames (%d reads -> %d chunks)", len(recs), len(chunks))
	// Translation and consensus run on a pool of CPU processes, one per GPU
	// with --parallel, as the multi-GPU fork does: they scale with the GPUs.
	cpu := 1
	if opt.parallel {
		cpu = len(gpus)
	}
	pause(opt.stageTime(stTranslate, len(recs)) / time.Duration(cpu))
	if err := opt.checkpoint(log, stTranslate); err != nil {
		return err
	}

	var st gpuStats
	if opt.parallel {
		st, err = runParallel(opt, gpus, len(recs), stdout, stderr)
	} else {
		st, err = runGPU(opt, proc, gpus[0], recs, log, stdout)
	}
	if err != nil {
		return err
	}

	log.stage("Consensus over frames")
	pause(opt.stageTime(stConsensus, len(recs)) / time.Duration(cpu))
	if err := opt.checkpoint(log, stConsensus); err != nil {
		return err
	}
	if err := writeResults(opt.outDir, chunks); err != nil {
		return err
	}
	summarize(log, len(recs), len(chunks), clock.now().Sub(start), st)
	if opt.exitCode >= 0 {
		return &exitErr{code: opt.exitCode}
	}
	return nil
}

// summarize prints the closing lines: throughput, peak memory and allocator
// efficiency (allocated over reserved at their peaks).
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
