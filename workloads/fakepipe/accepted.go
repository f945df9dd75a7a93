package main

import "flag"

// addAccepted defines the fork's predict options that fakepipe accepts and
// ignores (virnucpro/cli/predict.py at a8d3e4b), so that any command line
// written for the fork parses here as it does there.
func addAccepted(fs *flag.FlagSet, a *acceptedFlags) {
	for _, n := range []string{"model-path", "p"} {
		fs.StringVar(&a.modelPath, n, "", "accepted and ignored (the fork's custom model file)")
	}
	for _, n := range []string{"device", "d"} {
		fs.StringVar(&a.device, n, "auto", "accepted and ignored")
	}
	ints := []struct {
		p     *int
		names []string
	}{
		{&a.expectedLength, []string{"expected-length", "e"}},
		{&a.batchSize, []string{"batch-size", "b"}},
		{&a.numWorkers, []string{"num-workers", "w"}},
		{&a.threads, []string{"threads", "t", "merge-threads"}},
		{&a.dataloaderWorkers, []string{"dataloader-workers"}},
	}
	for _, v := range ints {
		for _, n := range v.names {
			fs.IntVar(v.p, n, 0, "accepted and ignored")
		}
	}
	bools := []struct {
		p     *bool
		names []string
	}{
		{&a.keep, []string{"keep-intermediate", "k"}},
		{&a.noProgress, []string{"no-progress"}},
		{&a.v1Fallback, []string{"v1-fallback"}},
		{&a.v1Attention, []string{"v1-attention"}},
		{&a.verbose, []string{"verbose"}},
		{&a.quiet, []string{"quiet"}},
		{&a.skipValidation, []string{"skip-checkpoint-validation"}},
		{&a.forceResume, []string{"force-resume"}},
		{&a.pinMem, []string{"pin-memory"}},
	}
	for _, v := range bools {
		for _, n := range v.names {
			fs.BoolVar(v.p, n, false, "accepted and ignored")
		}
	}
}
