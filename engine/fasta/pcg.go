package fasta

import "math/bits"

// pcg is math/rand/v2's PCG (128-bit LCG, DXSM output), as a value:
// rand.NewPCG(seed1, seed2) and pcg{hi: seed1, lo: seed2} give the same
// stream (the golden and reference tests hold it).
type pcg struct{ hi, lo uint64 }

// The LCG's multiplier and increment, as math/rand/v2's PCG has them.
var (
	lcgMul = u128{hi: 2549297995355413924, lo: 4865540595714422341}
	lcgInc = u128{hi: 6364136223846793005, lo: 1442695040888963407}
)

// Uint64 implements rand.Source.
func (p *pcg) Uint64() uint64 {
	s := u128(*p).mul(lcgMul).add(lcgInc)
	*p = pcg(s)
	return s.output()
}

// u128 is a 128-bit unsigned integer; arithmetic wraps mod 2^128.
type u128 struct{ hi, lo uint64 }

func (a u128) mul(m u128) u128 {
	hi, lo := bits.Mul64(a.lo, m.lo)
	hi += a.hi*m.lo + a.lo*m.hi
	return u128{hi, lo}
}

func (a u128) add(c u128) u128 {
	lo, carry := bits.Add64(a.lo, c.lo, 0)
	hi, _ := bits.Add64(a.hi, c.hi, carry)
	return u128{hi, lo}
}

// output is PCG's DXSM permutation of a state into the value drawn.
func (a u128) output() uint64 {
	const cheapMul = 0xda942042e4dd58b5
	hi := a.hi
	hi ^= hi >> 32
	hi *= cheapMul
	hi ^= hi >> 48
	hi *= a.lo | 1
	return hi
}

// lanes is how many states block advances side by side. One LCG step waits
// on the last (a 128-bit multiply, then an add with carry), so a single
// stream runs at the multiplier's latency; four streams, each four steps
// apart, keep it busy at its throughput instead.
const lanes = 4

// Jump-ahead constants: s(n+4) = lcgMul4*s(n) + lcgInc4, which is lcgMul
// and lcgInc applied four times (an LCG's k-step map is an LCG again).
var lcgMul4, lcgInc4 = func() (u128, u128) {
	m, c := lcgMul, lcgInc
	for range 2 { // square the map twice: 1 step, 2, 4
		m, c = m.mul(m), c.mul(m).add(c)
	}
	return m, c
}()

// block produces the PCG stream in blocks: the values pcg.Uint64 would
// return, in the same order, lanes at a time.
type block struct {
	s [lanes]u128 // the states whose outputs come next
}

func newBlock(p pcg) block {
	var b block
	s := u128(p)
	for i := range b.s {
		s = s.mul(lcgMul).add(lcgInc)
		b.s[i] = s
	}
	return b
}

// fill writes the next len(dst) values of the stream to dst; len(dst) is a
// multiple of lanes.
func (b *block) fill(dst []uint64) {
	s0, s1, s2, s3 := b.s[0], b.s[1], b.s[2], b.s[3]
	m, c := lcgMul4, lcgInc4
	for i := 0; i+lanes <= len(dst); i += lanes {
		d := dst[i : i+lanes : i+lanes]
		d[0], d[1], d[2], d[3] = s0.output(), s1.output(), s2.output(), s3.output()
		s0, s1, s2, s3 = s0.mul(m).add(c), s1.mul(m).add(c), s2.mul(m).add(c), s3.mul(m).add(c)
	}
	b.s = [lanes]u128{s0, s1, s2, s3}
}
