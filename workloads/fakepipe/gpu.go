package main

import (
	"fmt"
	"io"
	"math/bits"
	"os"
	"time"

	"github.com/benchctl/benchctl/probes/sim"
)

// mergedBytes is the size of one merged feature vector: 768 + 2560 floats.
const mergedBytes = 3328 * 4

// model is one of the two language models, as the stage lines, the stage keys
// and the batch-size flags name it.
type model struct{ key, name, batchFlag string }

// budget is the work's token budget for m.
func (m model) budget(w *gpuWork) *int {
	if m.key == stDNABERT {
		return &w.dnaBudget
	}
	return &w.esmBudget
}

// tokens are the token lengths of m's items over recs: a chunk each for
// DNABERT-S, six frames a chunk for ESM-2.
func (m model) tokens(recs []record, modelType int) []int {
	var out []int
	for _, c := range chunkReads(recs, modelType) {
		if m.key == stDNABERT {
			out = append(out, dnaTokens(c))
			continue
		}
		for range framesPerRead {
			out = append(out, esmTokens(c))
		}
	}
	return out
}

// mem is the memory m's weights take.
func (m model) mem(o *options) uint64 {
	if m.key == stDNABERT {
		return o.dnabertMem
	}
	return o.modelMem
}

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

// gpuWork is one process's share of the models' work on one GPU: each model
// stage over its files, then (in the main process) the merge and the MLP.
type gpuWork struct {
	opt *options
	log logger
	dev *device
	gpu int
	// The token budgets, halved on out of memory with --oom-mode reduce and
	// kept halved for the rest of the run.
	dnaBudget, esmBudget int
	batches              int
	modelBatches         map[string]int    // batches run, per model key
	done                 int               // sequences through the current model stage, for --ramp-seqs and the progress lines
	items, used, padded  int               // items embedded, their tokens, and the tokens of their padded batches
	loaded               map[string]uint64 // model key -> bytes it holds
}

func newGPUWork(opt *options, proc *sim.Proc, gpu int, log logger) (*gpuWork, error) {
	dev, err := newDevice(proc, gpu, opt.expandable)
	if err != nil {
		return nil, err
	}
	return &gpuWork{opt: opt, log: log, dev: dev, gpu: gpu, dnaBudget: opt.dnabertBatch, esmBudget: opt.esmBatch,
		modelBatches: map[string]int{}, loaded: map[string]uint64{}}, nil
}

// finish returns the process's memory figures and, when orphan is set (the
// last GPU work of this GPU), leaves the --orphan, whatever happened short of
// a crash or a hang.
func (w *gpuWork) finish(err error, stdout io.Writer, orphan bool) (gpuStats, error) {
	if orphan {
		if oerr := leaveOrphan(w.opt, w.gpu, stdout); oerr != nil && err == nil {
			err = oerr
		}
	}
	return gpuStats{PeakAlloc: w.dev.peakAlloc, PeakReserved: w.dev.peakReserved, ModelEnd: clock.now().UnixNano()}, err
}

// files splits recs in files of sequences_per_file.
func (w *gpuWork) files(recs []record) [][]record {
	per := w.opt.seqsPerFile
	var out [][]record
	for i := 0; i < len(recs); i += per {
		out = append(out, recs[i:min(i+per, len(recs))])
	}
	return out
}

// phase runs model m over recs, file by file: the model loads once per file,
// or once with --persistent-models (then it stays loaded).
func (w *gpuWork) phase(m model, recs []record) error {
	files := w.files(recs)
	w.done = 0
	for i, file := range files {
		w.log.line("Processing %s file %d/%d: %d sequences", m.name, i+1, len(files), len(file))
		if i == 0 || !w.opt.persistent {
			if err := w.load(m); err != nil {
				return err
			}
		}
		total := scaled(w.opt.stageTime(m.key, len(file)), w.ramp(len(file)))
		if err := w.embed(m, m.budget(w), m.tokens(file, w.opt.modelType), total); err != nil {
			return err
		}
		w.done += len(file)
		// The model's time of the line, so that a rate read from these
		// lines is the model's, however late a busy machine delivers them.
		w.log.line("Progress: %d/%d sequences (t=%.6f)", w.done, len(recs), unixSeconds(clock.now()))
		if !w.opt.persistent {
			if err := w.unload(m); err != nil {
				return err
			}
		}
	}
	return nil
}

// load loads model m, at no utilization.
func (w *gpuWork) load(m model) error {
	o := w.opt
	w.log.line("Loading %s model", m.name)
	scale := 1.0
	if o.persistent {
		scale += o.persistentOverhead
	}
	if err := w.dev.idle(0); err != nil {
		return err
	}
	pause(o.loadTime / 2)
	w.loaded[m.key] = uint64(float64(m.mem(o)) * scale)
	if err := w.dev.setModels(w.modelBytes()); err != nil {
		return err
	}
	return o.checkpoint(w.log, stLoad)
}

func (w *gpuWork) unload(m model) error {
	delete(w.loaded, m.key)
	return w.dev.setModels(w.modelBytes())
}

func (w *gpuWork) modelBytes() uint64 {
	var sum uint64
	for _, b := range w.loaded {
		sum += b
	}
	return sum
}

// merge and predict run over all recs in the main process: the merged
// 3328-d features, then the MLP. Their time is shared by pool processes
// (the fork merges on a CPU pool of --threads, one per GPU by default, and
// the MLP's batches are small beside the language models').
func (w *gpuWork) merge(recs []record, pool int) error {
	o := w.opt
	if err := w.enterStage(stMerge); err != nil {
		return err
	}
	if err := w.dev.allocate(w.features(recs), o.util/4); err != nil {
		return err
	}
	pause(scaled(o.stageTime(stMerge, len(recs)), w.rampFrom(0, len(recs))) / time.Duration(pool))
	return o.checkpoint(w.log, stMerge)
}

func (w *gpuWork) predict(recs []record, pool int) error {
	o := w.opt
	if err := w.enterStage(stPredict); err != nil {
		return err
	}
	if err := w.dev.allocate(2*w.features(recs), o.util); err != nil {
		return err
	}
	pause(scaled(o.stageTime(stPredict, len(recs)), w.rampFrom(0, len(recs))) / time.Duration(pool))
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

// ramp is the mean cost factor of the next n sequences of the current model
// stage under --ramp-seqs: sequence i costs 1 + (factor-1) * (1 - i/N) times
// the steady cost while i < N, then 1.
func (w *gpuWork) ramp(n int) float64 { return w.rampFrom(w.done, n) }

// rampFrom is ramp for sequences from..from+n.
func (w *gpuWork) rampFrom(from, n int) float64 {
	o := w.opt
	if o.rampSeqs == 0 || n == 0 {
		return 1
	}
	sum := 0.0
	for i := from; i < from+n; i++ {
		sum += 1 + (o.rampFactor-1)*max(0, 1-float64(i)/float64(o.rampSeqs))
	}
	return sum / float64(n)
}

func scaled(d time.Duration, f float64) time.Duration {
	return time.Duration(float64(d) * f)
}

func (w *gpuWork) features(recs []record) uint64 {
	return uint64(len(chunkReads(recs, w.opt.modelType))*framesPerRead) * mergedBytes
}

// embed runs model m over items of the given token lengths, in batches of
// *budget padded tokens, taking total time in proportion to the tokens.
func (w *gpuWork) embed(m model, budget *int, lengths []int, total time.Duration) error {
	o := w.opt
	w.log.line("%s features (batch %d tokens)", m.name, *budget)
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
		w.items, w.used, w.padded = w.items+len(b), w.used+unpadded, w.padded+tokens
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
			return w.oomError(act, fmt.Sprintf("CUDA out of memory at the smallest batch size (%d tokens)", tokens))
		}
		half := max(1, min(*budget, tokens)/2)
		w.log.warn("CUDA out of memory at batch of %d tokens; reducing batch size to %d", tokens, half)
		*budget = half
		return nil
	case oomCrash:
		// An uncaught error's traceback, as Python prints it: on stderr.
		fmt.Fprintf(os.Stderr, "%s", "Traceback (most recent call last):\n"+
			"  File \"virnucpro/pipeline/features.py\", line 212, in extract_features\n"+
			fmt.Sprintf("    out = model(tokens)  # %s, batch of %d tokens\n", m.name, tokens)+
			"RuntimeError: CUDA error: out of memory\n"+
			"CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.\n")
		dieBy(sigSegv)
	}
	return w.oomError(act, fmt.Sprintf("CUDA out of memory at batch of %d tokens (%s); try a smaller --%s", tokens, m.name, m.batchFlag))
}

// oomError ends the work out of memory. A worker logs torch's error (on
// stderr) before it exits 4; in the main process the error reaches the top,
// where the OUT OF MEMORY banner is its only report, as in the fork.
func (w *gpuWork) oomError(act uint64, msg string) error {
	torch := "torch.OutOfMemoryError: CUDA out of memory. " + w.dev.describe(act)
	if w.opt.worker() {
		w.log.error("%s", torch)
		return &exitErr{code: exitOOM, msg: msg}
	}
	return &exitErr{code: exitOOM, msg: "Memory at failure: " + msg + ". " + w.dev.describe(act)}
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
