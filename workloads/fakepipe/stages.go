package main

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

// Stage keys, as --hang-after, --crash-after and --fail-after name them.
const (
	stLoad      = "load"
	stTranslate = "translate"
	stDNABERT   = "dnabert"
	stESM       = "esm"
	stMerge     = "merge"
	stPredict   = "predict"
	stConsensus = "consensus"
)

// stageAliases maps what a user may write to a stage key.
var stageAliases = map[string]string{
	"load": stLoad, "loading": stLoad, "models": stLoad,
	"translate": stTranslate, "translating": stTranslate, "translation": stTranslate,
	"dnabert": stDNABERT, "dnabert-s": stDNABERT,
	"esm": stESM, "esm-2": stESM, "esm2": stESM,
	"merge": stMerge, "merging": stMerge,
	"predict": stPredict, "predicting": stPredict, "mlp": stPredict,
	"consensus": stConsensus,
}

// stageShare is each stage's share of --time-per-seq.
var stageShare = map[string]float64{
	stTranslate: 0.05,
	stDNABERT:   0.20,
	stESM:       0.60,
	stMerge:     0.05,
	stPredict:   0.05,
	stConsensus: 0.05,
}

// stageKey resolves a stage name.
func stageKey(s string) (string, error) {
	if k, ok := stageAliases[strings.ToLower(strings.TrimSpace(s))]; ok {
		return k, nil
	}
	keys := []string{stLoad, stTranslate, stDNABERT, stESM, stMerge, stPredict, stConsensus}
	sort.Strings(keys)
	return "", fmt.Errorf("unknown stage %q (known: %s)", s, strings.Join(keys, ", "))
}

// stageTime is the compute time of a stage over n sequences. GPU stages are
// faster with CUDA streams.
func (o *options) stageTime(key string, n int) time.Duration {
	d := time.Duration(float64(o.timePerSeq) * stageShare[key] * float64(n))
	if o.cudaStreams && (key == stDNABERT || key == stESM || key == stPredict) {
		d = time.Duration(float64(d) * (1 - min(o.streamsSpeedup, 1)))
	}
	return d
}

// checkpoint runs the fault asked for at stage key, once the stage has started
// (its line printed, its memory held): hang forever, crash, or fail.
func (o *options) checkpoint(l logger, key string) error {
	switch key {
	case o.hangAfter:
		hang()
	case o.crashAfter:
		// Python's fault handler writes to stderr, whichever process crashed.
		fmt.Fprintf(os.Stderr, "Fatal Python error: Aborted\n\nCurrent thread (most recent call first): stage %s (simulated crash)\n", key)
		dieBy(sigAbort)
	case o.failAfter:
		return &exitErr{code: exitError, msg: "simulated failure in stage " + key}
	}
	return nil
}
