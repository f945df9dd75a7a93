package main

import (
	"fmt"
	"io"
	"math/bits"
	"time"

	"github.com/benchctl/benchctl/probes/sim"
)

// mergedBytes is the size of one merged feature vector: 768 + 2560 floats.
const mergedBytes = 3328 * 4

// model is one of the two language models, as the stage lines, the stage keys
// and the batch-size flags name it.
type model struct{ key, name, batchFlag string }

var (
	dnabert = model{key: stDNABERT, name: "DNABERT-S", batchFlag: "dnabert-batch-size"}
	esm2    = model{key: stESM, name: "ESM-2", batchFlag: "esm-batch-size"}
)

// gpuStats is what a GPU process reports of its memory.
type gpuStats struct {
	PeakAlloc    uint64 `json:"peak_allocated"`
	PeakReserved uint64 `json:"peak_reserved"`
	// ModelEnd is where the process's model clock stood when it finished
	// (Unix nanoseconds): a parent carries on from its workers' latest.
	ModelEnd int64 `json:"model_end_ns"`
}

// gpuWork is one process's share of the models' work on one GPU: its files,
// each through DNABERT-S, ESM-2, the merge and the MLP.
type gpuWork struct {
	opt *options
	log logger
	dev *device
	// The token budgets, halved on out of memory with --oom-mode reduce and
	// kept halved for the rest of the run.
	dnaBudget, esmBudget int
	batches              int
	modelBatches         map[string]int // batches run, per model key
	done                 int            // sequences through every stage, for --ramp-seqs and the progress lines
}

// runGPU runs recs, split in files of --sequences-per-file, on gpu and then,
// whatever happened short of a crash or a hang, leaves the --orphan.
func runGPU(opt *options, proc *sim.Proc, gpu int, recs []record, log logger, stdout io.Writer) (gpuStats, error) {
	dev, err := newDevice(proc, gpu, opt.expandable)
	if err != nil {
		return gpuStats{}, err
	}
	w := &gpuWork{opt: opt, log: log, dev: dev, dnaBudget: opt.dnabertBatch, esmBudget: opt.esmBatch, modelBatches: map[string]int{}}
	err = w.run(recs, stdout)
	if oerr := leaveOrphan(opt, gpu, stdout); oerr != nil && err == nil {
		err = oerr
	}
	return gpuStats{PeakAlloc: dev.peakAlloc, PeakReserved: dev.peakReserved, ModelEnd: clock.now().UnixNano()}, err
}

func (w *gpuWork) run(recs []record, stdout io.Writer) error {
	per := w.opt.seqsPerFile
	files := (len(recs) + per - 1) / per
	for i := 0; i < files; i++ {
		file := recs[i*per : min((i+1)*per, len(recs))]
		fmt.Fprintf(stdout, "%sfile %d/%d: %d sequences\n", w.log.prefix, i+1, files, len(file))
		if i == 0 || !w.opt.persistent {
			if err := w.load(); err != nil {
				return err
			}
		}
		if err := w.file(file); err != nil {
			return err
		}
		w.done += len(file)
		w.log.line("Progress: %d/%d sequences", w.done, len(recs))
		if !w.opt.persistent {
			if err := w.dev.setModels(0); err != nil {
				return err
			}
		}
	}
	return nil
}

// load loads DNABERT-S, then ESM-2, at no utilization.
func (w *gpuWork) load() error {
	o := w.opt
	w.log.stage("Loading models")
	scale := 1.0
	if o.persistent {
		scale += o.persistentOverhead
	}
	if err := w.dev.idle(0); err != nil {
		return err
	}
	pause(o.loadTime / 2)
	if err := w.dev.setModels(uint64(float64(o.dnabertMem) * scale)); err != nil {
		return err
	}
	pause(o.loadTime - o.loadTime/2)
	if err := w.dev.setModels(uint64(float64(o.dnabertMem+o.modelMem) * scale)); err != nil {
		return err
	}
	return o.checkpoint(w.log, stLoad)
}

// file runs one file's reads through the models.
func (w *gpuWork) file(recs []record) error {
	o := w.opt
	chunks := chunkReads(recs, o.modelType)
	dna := make([]int, len(chunks))
	esm := make([]int, 0, len(chunks)*framesPerRead)
	for i, c := range chunks {
		dna[i] = dnaTokens(c)
		for range framesPerRead {
			esm = append(esm, esmTokens(c))
		}
	}
	ramp := w.ramp(len(recs))
	if err := w.embed(dnabert, &w.dnaBudget, dna, scaled(o.stageTime(stDNABERT, len(recs)), ramp)); err != nil {
		return err
	}
	if err := w.embed(esm2, &w.esmBudget, esm, scaled(o.stageTime(stESM, len(recs)), ramp)); err != nil {
		return err
	}
	features := uint64(len(esm)) * mergedBytes
	w.log.stage("Merging features to 3328-d")
	if err := w.enterStage(stMerge); err != nil {
		return err
	}
	if err := w.dev.allocate(features, o.util/4); err != nil {
		return err
	}
	pause(scaled(o.stageTime(stMerge, len(recs)), ramp))
	if err := o.checkpoint(w.log, stMerge); err != nil {
		return err
	}
	w.log.stage("Predicting with MLP")
	if err := w.enterStage(stPredict); err != nil {
		return err
	}
	if err := w.dev.allocate(2*features, o.util); err != nil {
		return err
	}
	pause(scaled(o.stageTime(stPredict, len(recs)), ramp))
	if err := o.checkpoint(w.log, stPredict); err != nil {
		return err
	}
	if err := w.enterStage(""); err != nil {
		return err
	}
	return w.dev.idle(0)
}

// stageSetShare is each GPU stage's --stage-working-set, as a share of it.
var stageSetShare = map[string]float64{stDNABERT: 1, stESM: 2, stMerge: 0.5, stPredict: 0.25}

// enterStage holds the stage's working set (--stage-working-set) in place of
// the previous stage's; "" frees it.
func (w *gpuWork) enterStage(key string) error {
	return w.dev.setHeld(uint64(float64(w.opt.stageWorkingSet)*stageSetShare[key]), w.dev.saw)
}

// ramp is the mean cost factor of the next n sequences of this process under
// --ramp-seqs: sequence i costs 1 + (factor-1) * (1 - i/N) times the steady
// cost while i < N, then 1.
func (w *gpuWork) ramp(n int) float64 {
	o := w.opt
	if o.rampSeqs == 0 || n == 0 {
		return 1
	}
	sum := 0.0
	for i := w.done; i < w.done+n; i++ {
		sum += 1 + (o.rampFactor-1)*max(0, 1-float64(i)/float64(o.rampSeqs))
	}
	return sum / float64(n)
}

func scaled(d time.Duration, f float64) time.Duration {
	return time.Duration(float64(d) * f)
}

// embed runs model m over items of the given token lengths, in batches of
// *budget padded tokens, taking total time in proportion to the tokens.
func (w *gpuWork) embed(m model, budget *int, lengths []int, total time.Duration) error {
	o := w.opt
	w.log.stage("%s features (batch %d tokens)", m.name, *budget)
	if err := w.enterStage(m.key); err != nil {
		return err
	}
	sum := 0
	for _, n := range lengths {
		sum += n
	}
	queue := planBatches(lengths, *budget)
	for started := false; len(queue) > 0; {
		b := queue[0]
		tokens := paddedTokens(lengths, b)
		if len(b) > 1 && tokens > *budget { // planned before the budget was halved
			queue = append(fit(b, lengths, *budget), queue[1:]...)
			continue
		}
		act := uint64(tokens) * o.bytesPerToken
		if (o.oomAbove > 0 && tokens > o.oomAbove) || !w.dev.fits(act) {
			if err := w.outOfMemory(m, budget, tokens, act, len(b)); err != nil {
				return err
			}
			queue = append(fit(b, lengths, *budget), queue[1:]...)
			continue
		}
		queue = queue[1:]
		unpadded := 0
		for _, i := range b {
			unpadded += lengths[i]
		}
		if err := w.batch(m, act, time.Duration(float64(total)*float64(unpadded)/float64(sum))); err != nil {
			return err
		}
		if !started {
			started = true
			if err := o.checkpoint(w.log, m.key); err != nil {
				return err
			}
		}
	}
	return nil
}

// batch runs one batch of model m, then its spike, leak, cache growth,
// sawtooth and cache clear.
func (w *gpuWork) batch(m model, act uint64, d time.Duration) error {
	o, dev := w.opt, w.dev
	if err := dev.allocate(act, o.util); err != nil {
		return err
	}
	// A pipeline that degrades as it goes (fragmentation, a growing cache)
	// takes longer for every batch it has run.
	pause(time.Duration(float64(d) * (1 + o.slowdownPerBatch*float64(w.batches))))
	w.batches++
	if o.spike > 0 && w.batches%o.spikeEvery == 0 {
		if err := dev.spike(o.spike); err != nil {
			return err
		}
		clock.hold(o.spikeFor)
		if err := dev.show(0); err != nil {
			return err
		}
	}
	if o.leakPerBatch > 0 {
		if err := dev.addLeak(o.leakPerBatch); err != nil {
			return err
		}
	}
	w.modelBatches[m.key]++
	if err := w.shapeMemory(w.modelBatches[m.key]); err != nil {
		return err
	}
	if o.cacheClear > 0 && w.batches%o.cacheClear == 0 {
		return dev.emptyCache()
	}
	return nil
}

// outOfMemory handles a batch that does not fit, as --oom-mode says: nil when
// the budget was halved and the batch is to be cut and retried.
func (w *gpuWork) outOfMemory(m model, budget *int, tokens int, act uint64, members int) error {
	switch w.opt.oomMode {
	case oomReduce:
		if members <= 1 {
			w.log.line("torch.OutOfMemoryError: CUDA out of memory. %s", w.dev.describe(act))
			return &exitErr{code: exitOOM, msg: fmt.Sprintf("CUDA out of memory at the smallest batch size (%d tokens)", tokens)}
		}
		half := max(1, min(*budget, tokens)/2)
		w.log.line("CUDA out of memory at batch of %d tokens; reducing batch size to %d", tokens, half)
		*budget = half
		return nil
	case oomCrash:
		w.log.line("Traceback (most recent call last):")
		w.log.line(`  File "virnucpro/pipeline/features.py", line 212, in extract_features`)
		w.log.line("    out = model(tokens)  # %s, batch of %d tokens", m.name, tokens)
		w.log.line("RuntimeError: CUDA error: out of memory")
		w.log.line("CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.")
		dieBy(sigSegv)
	}
	w.log.line("torch.OutOfMemoryError: CUDA out of memory. %s", w.dev.describe(act))
	return &exitErr{code: exitOOM, msg: fmt.Sprintf("CUDA out of memory at batch of %d tokens (%s); try a smaller --%s", tokens, m.name, m.batchFlag)}
}

// shapeMemory applies, after a model's n-th batch, the allocator's growth
// (--alloc-growth: half of it after the first batch, a quarter after the
// second, an eighth after the fourth, ...: steps that shrink and space out, so
// the floor flattens) and the sawtooth's next tooth.
func (w *gpuWork) shapeMemory(n int) error {
	o, dev := w.opt, w.dev
	if o.allocGrowth > 0 && n&(n-1) == 0 {
		if step := o.allocGrowth >> (bits.TrailingZeros(uint(n)) + 1); step > 0 {
			if err := dev.grow(step); err != nil {
				return err
			}
		}
	}
	if o.sawtooth > 0 {
		k := uint64(o.sawtoothBatches)
		return dev.setHeld(dev.stageSet, o.sawtooth*(uint64(w.batches)%k)/k)
	}
	return nil
}
