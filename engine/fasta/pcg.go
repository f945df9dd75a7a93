package fasta

import "math/bits"

// pcg is math/rand/v2's PCG (128-bit LCG, DXSM output), as a value:
// rand.NewPCG(seed1, seed2) and pcg{hi: seed1, lo: seed2} give the same
// stream (the golden and reference tests hold it).
type pcg struct{ hi, lo uint64 }

// The LCG's multiplier and increment, as math/rand/v2's PCG has them.
const (
	mulHi = 2549297995355413924
	mulLo = 4865540595714422341
	incHi = 6364136223846793005
	incLo = 1442695040888963407
)

var (
	lcgMul = u128{hi: mulHi, lo: mulLo}
	lcgInc = u128{hi: incHi, lo: incLo}
)

// Uint64 implements rand.Source.
func (p *pcg) Uint64() uint64 {
	s := u128(*p).step()
	*p = pcg(s)
	return s.output()
}

// step is one step of the LCG: s.mul(lcgMul).add(lcgInc), with the
// multiplier and increment as constants, which the compiler keeps out of
// the registers a loop needs.
func (a u128) step() u128 {
	hi, lo := bits.Mul64(a.lo, mulLo)
	hi += a.hi*mulLo + a.lo*mulHi
	lo, carry := bits.Add64(lo, incLo, 0)
	hi, _ = bits.Add64(hi, incHi, carry)
	return u128{hi, lo}
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

// jump is the LCG's map applied k times, as a multiplier and an increment:
// the state k steps after s is s.mul(m).add(c). An LCG's k-step map is an
// LCG again, found by squaring in log2(k) steps.
func jump(k uint64) (m, c u128) {
	m = u128{lo: 1}
	sm, sc := lcgMul, lcgInc // the map applied 2^i times
	for ; k > 0; k >>= 1 {
		if k&1 == 1 {
			m, c = m.mul(sm), c.mul(sm).add(sc)
		}
		sm, sc = sm.mul(sm), sc.mul(sm).add(sc)
	}
	return m, c
}

// stateOf is the state whose output is value n (from 0) of the stream
// that p starts: Uint64 steps, then outputs.
func stateOf(p pcg, n uint64) u128 {
	m, c := jump(n + 1)
	return u128(p).mul(m).add(c)
}
