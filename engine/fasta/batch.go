package fasta

// batchLen is how many values of the stream a batch holds: 64 KiB of them,
// about 30 us of work, so that handing a batch between goroutines costs
// little beside it.
const batchLen = 8192

// codonSpan is how many values a codon takes: three bases of two each.
const codonSpan = 6

// lanes is how many states fill advances side by side. One LCG step waits on
// the last (a 128-bit multiply, then an add with carry), so a single stream
// runs at the multiplier's latency; four streams, each four steps apart,
// keep it busy at its throughput instead.
const lanes = 4

// batch is batchLen values of the stream from a known position, and the
// first few of the next batch after them, so that a codon starting in this
// batch can be read from it whole.
type batch struct {
	vals [batchLen + 8]uint64
}

// fill computes the batch whose first value is the output of state s.
func (b *batch) fill(s u128) {
	m, c := lanesJump.m, lanesJump.c
	s0 := s
	s1 := s0.mul(lcgMul).add(lcgInc)
	s2 := s1.mul(lcgMul).add(lcgInc)
	s3 := s2.mul(lcgMul).add(lcgInc)
	for i := 0; i+lanes <= len(b.vals); i += lanes {
		d := b.vals[i : i+lanes : i+lanes]
		d[0], d[1], d[2], d[3] = s0.output(), s1.output(), s2.output(), s3.output()
		s0, s1, s2, s3 = s0.mul(m).add(c), s1.mul(m).add(c), s2.mul(m).add(c), s3.mul(m).add(c)
	}
}

// lanesJump is the LCG's map applied lanes times.
var lanesJump = func() (j struct{ m, c u128 }) {
	j.m, j.c = jump(lanes)
	return j
}()
