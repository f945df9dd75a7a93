package fasta

import "math/rand/v2"

// drawBatch is how many values a refill computes: 8 KiB, well inside L1.
// maxTake is the most values a reader asks to have at hand at once (a codon
// is six); the unread ones are kept over a refill.
const (
	drawBatch = 1024
	maxTake   = 8
)

// draws is the PCG stream read from a buffer filled a batch at a time. Every
// value is used in stream order, by whichever reader comes next (a length,
// then the bases of that sequence), so the output is what drawing one value
// at a time from the same source would give.
type draws struct {
	src  block
	buf  []uint64 // buf[i:] are the next values
	i    int
	full [maxTake + drawBatch]uint64
}

var _ rand.Source = (*draws)(nil)

func newDraws(p pcg) *draws {
	d := &draws{src: newBlock(p)}
	d.buf = d.full[:0]
	return d
}

// Uint64 implements rand.Source: the next value of the stream.
func (d *draws) Uint64() uint64 {
	if d.i == len(d.buf) {
		d.refill()
	}
	v := d.buf[d.i]
	d.i++
	return v
}

// next returns at least n (at most maxTake) unread values, in order, which the
// caller consumes by advancing d.i.
func (d *draws) next(n int) []uint64 {
	if len(d.buf)-d.i < n {
		d.refill()
	}
	return d.buf[d.i:]
}

// refill keeps the unread values at the front and computes a batch after them.
func (d *draws) refill() {
	k := copy(d.full[:], d.buf[d.i:])
	d.buf = d.full[:k+drawBatch]
	d.src.fill(d.buf[k:])
	d.i = 0
}
