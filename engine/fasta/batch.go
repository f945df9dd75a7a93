package fasta

// batchLen is how many values of the stream a batch holds: 256 KiB of them,
// about 90 us of work, so that handing a batch between goroutines (a futex
// wake-up on a virtual machine costs several us) costs little beside it,
// and a batch still fits in a core's L2 cache (BENCHMARKS.md, section 4.1,
// compares the sizes).
const batchLen = 32768

// codonSpan is how many values a codon takes: three bases of two each.
const codonSpan = 6

// batch is batchLen values of the stream from a known position, and the
// first few of the next batch after them, so that a codon starting in this
// batch can be read from it whole.
type batch struct {
	vals [batchLen + 8]uint64
}

// fill computes the batch whose first value is the output of state s.
//
// It runs two LCG chains side by side, one over each half of the batch:
// one step waits on the last (a 128-bit multiply, then an add with carry),
// and a second, independent chain fills that wait. More chains do worse
// here: their states no longer fit in registers.
func (b *batch) fill(s u128) {
	const half = len(b.vals) / 2
	lo, hi := b.vals[:half], b.vals[half:]
	t := s.mul(halfJump.m).add(halfJump.c)
	for i := range lo {
		lo[i], hi[i] = s.output(), t.output()
		s, t = s.step(), t.step()
	}
}

// halfJump is the LCG's map applied over half a batch.
var halfJump = func() (j struct{ m, c u128 }) {
	j.m, j.c = jump(uint64(len(batch{}.vals) / 2))
	return j
}()
