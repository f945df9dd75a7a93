package fasta

import "math/bits"

// pcg is math/rand/v2's PCG (128-bit LCG, DXSM output), as a value the
// generator keeps in registers over a sequence: rand.NewPCG(seed1, seed2) and
// pcg{hi: seed1, lo: seed2} give the same stream (the golden test holds it).
type pcg struct{ hi, lo uint64 }

// Uint64 implements rand.Source.
func (p *pcg) Uint64() uint64 {
	const (
		mulHi    = 2549297995355413924
		mulLo    = 4865540595714422341
		incHi    = 6364136223846793005
		incLo    = 1442695040888963407
		cheapMul = 0xda942042e4dd58b5
	)
	hi, lo := bits.Mul64(p.lo, mulLo)
	hi += p.hi*mulLo + p.lo*mulHi
	lo, c := bits.Add64(lo, incLo, 0)
	hi, _ = bits.Add64(hi, incHi, c)
	p.lo, p.hi = lo, hi
	hi ^= hi >> 32
	hi *= cheapMul
	hi ^= hi >> 48
	hi *= lo | 1
	return hi
}
