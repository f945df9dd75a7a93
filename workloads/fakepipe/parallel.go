package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/benchctl/benchctl/probes/sim"
)

// workDir, under OUTDIR, is where workers leave their figures for the parent.
const workDir = ".fakepipe"

// shard is worker i's share of n: contiguous, by sequence count.
func shard(recs []record, i, n int) []record {
	return recs[i*len(recs)/n : (i+1)*len(recs)/n]
}

func statsPath(outDir string, shard int) string {
	return filepath.Join(outDir, workDir, "worker-"+strconv.Itoa(shard)+".json")
}

// runWorker is a --parallel worker: one model stage over its shard on its
// GPU, then its figures in the work directory. It logs to stderr, as the
// fork's GPU workers do; the ESM-2 worker ends with the fork's figures.
func runWorker(opt *options, proc *sim.Proc, recs []record, stderr, stdout io.Writer) error {
	log := logger{w: stderr, name: "virnucpro.pipeline.gpu_worker", prefix: opt.prefix()}
	m := dnabert
	if opt.workerPhase == stESM {
		m = esm2
	}
	w, err := newGPUWork(opt, proc, opt.workerGPU, log)
	if err != nil {
		return err
	}
	start := clock.now()
	err = w.phase(m, shard(recs, opt.workerShard, opt.workerShards))
	st, err := w.finish(err, stdout, m == esm2)
	if err != nil {
		return err
	}
	if m == esm2 {
		secs := max(clock.now().Sub(start).Seconds(), 1e-9)
		log.named("virnucpro.pipeline.async_inference").line("Async inference complete: %d sequences, %.1f seq/s, %.0f tokens/s",
			w.items, float64(w.items)/secs, float64(w.used)/secs)
		eff := 0.0
		if w.padded > 0 {
			eff = float64(w.used) / float64(w.padded)
		}
		log.named("virnucpro.pipeline.async_inference").line("DataLoader stats: avg_wait=0.0ms, max_wait=0.0ms, packing_efficiency=%.2f%%", eff*100)
	}
	data, err := json.Marshal(st)
	if err == nil {
		err = os.WriteFile(statsPath(opt.outDir, opt.workerShard), data, 0o644)
	}
	if err != nil {
		return fmt.Errorf("worker figures: %w", err)
	}
	return nil
}

type workerProc struct {
	shard, gpu int
	cmd        *exec.Cmd
}

// runParallel runs one worker process per GPU, each on its share of the
// sequences (a GPU whose share is empty gets none), and waits for all. Any
// worker out of memory makes it exit 4; any other failure, 1. SIGINT and
// SIGTERM are passed on to the workers, and then end the parent too.
func runParallel(opt *options, phase string, gpus []int, nrecs int, stdout, stderr io.Writer) (gpuStats, error) {
	self, err := os.Executable()
	if err != nil {
		return gpuStats{}, fmt.Errorf("parallel: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(opt.outDir, workDir), 0o755); err != nil {
		return gpuStats{}, fmt.Errorf("parallel: %w", err)
	}
	defer os.RemoveAll(filepath.Join(opt.outDir, workDir))

	relay := relaySignals(opt)
	var workers []workerProc
	for i, g := range gpus {
		if (i+1)*nrecs/len(gpus) == i*nrecs/len(gpus) {
			continue
		}
		args := []string{"predict", "--" + flagWorkerShard, fmt.Sprintf("%d/%d", i, len(gpus)), "--" + flagWorkerGPU, strconv.Itoa(g),
			"--" + flagWorkerTimeScale, strconv.FormatFloat(timeScale, 'g', -1, 64),
			"--" + flagWorkerEpoch, strconv.FormatInt(clock.now().UnixNano(), 10),
			"--" + flagWorkerPhase, phase, "--" + flagWorkerPerFile, strconv.Itoa(opt.seqsPerFile), "-o", opt.outDir}
		cmd := exec.Command(self, append(args, opt.args...)...)
		cmd.Stdout, cmd.Stderr = stdout, stderr
		if err := cmd.Start(); err != nil {
			relay.stop()
			for _, w := range workers {
				w.cmd.Process.Kill()
				w.cmd.Wait()
			}
			return gpuStats{}, fmt.Errorf("parallel: start worker for gpu %d: %w", g, err)
		}
		workers = append(workers, workerProc{shard: i, gpu: g, cmd: cmd})
		relay.add(cmd.Process)
	}

	st, oom, failures := waitWorkers(opt.outDir, workers)
	clock.reach(time.Unix(0, st.ModelEnd))
	relay.stop()
	relay.reraise()
	if len(failures) == 0 {
		return st, nil
	}
	name := "DNABERT-S"
	if phase == stESM {
		name = "v2.0 ESM-2"
	}
	msg := fmt.Sprintf("%s inference failed on %d/%d workers: %s", name, len(failures), len(workers), strings.Join(failures, "; "))
	if oom {
		return st, &exitErr{code: exitOOM, msg: msg}
	}
	return st, &exitErr{code: exitError, msg: msg}
}

// waitWorkers waits for every worker and gathers their figures (the largest
// peaks) and failures; oom is set when one ran out of GPU memory.
func waitWorkers(outDir string, workers []workerProc) (st gpuStats, oom bool, failures []string) {
	for _, w := range workers {
		err := w.cmd.Wait()
		var ee *exec.ExitError
		switch {
		case err == nil:
			ws, err := readStats(outDir, w.shard)
			if err != nil {
				failures = append(failures, err.Error())
			}
			st.PeakAlloc = max(st.PeakAlloc, ws.PeakAlloc)
			st.PeakReserved = max(st.PeakReserved, ws.PeakReserved)
			st.ModelEnd = max(st.ModelEnd, ws.ModelEnd)
		case errors.As(err, &ee) && ee.ExitCode() == exitOOM:
			oom = true
			failures = append(failures, fmt.Sprintf("worker on gpu %d ran out of GPU memory (exit %d)", w.gpu, exitOOM))
		default:
			failures = append(failures, fmt.Sprintf("worker on gpu %d failed: %v", w.gpu, err))
		}
	}
	return st, oom, failures
}

func readStats(outDir string, shard int) (gpuStats, error) {
	var st gpuStats
	data, err := os.ReadFile(statsPath(outDir, shard))
	if err == nil {
		err = json.Unmarshal(data, &st)
	}
	if err != nil {
		return st, fmt.Errorf("worker %d figures: %w", shard, err)
	}
	return st, nil
}

// signalRelay passes SIGINT and SIGTERM (unless ignored) on to the workers and
// remembers the first, so the parent can end by it once they are gone.
type signalRelay struct {
	ch    chan os.Signal
	mu    sync.Mutex
	procs []*os.Process
	got   os.Signal
}

func relaySignals(opt *options) *signalRelay {
	r := &signalRelay{ch: make(chan os.Signal, 2)}
	sigs := []os.Signal{os.Interrupt}
	if !opt.ignoreSigterm {
		sigs = append(sigs, syscall.SIGTERM)
	}
	signal.Notify(r.ch, sigs...)
	go func() {
		for s := range r.ch {
			r.mu.Lock()
			if r.got == nil {
				r.got = s
			}
			for _, p := range r.procs {
				p.Signal(s)
			}
			r.mu.Unlock()
		}
	}()
	return r
}

func (r *signalRelay) add(p *os.Process) {
	r.mu.Lock()
	r.procs = append(r.procs, p)
	r.mu.Unlock()
}

// stop ends the relay; the signals' default effect is back.
func (r *signalRelay) stop() {
	signal.Stop(r.ch)
	close(r.ch)
}

// reraise ends the process by the signal it relayed, if any.
func (r *signalRelay) reraise() {
	r.mu.Lock()
	s, ok := r.got.(syscall.Signal)
	r.mu.Unlock()
	if !ok {
		return
	}
	signal.Reset(s)
	syscall.Kill(os.Getpid(), s)
	hang() // until the signal arrives
}
