package fasta

import (
	"encoding/binary"
	"math"
)

// A base is drawn from two values of the stream: the first decides G/C
// (probability GC) against A/T, as rand.Rand's Float64() < GC would (Float64
// is the low 53 bits over 2^53); the second picks one of the pair by its
// lowest bit, as IntN(2) would. Both are branch-free here: a mispredicted
// branch on a coin flip costs more than the rest of the base.

// baseLetter is the letter of each base index: bit 1 says G/C, bit 0 is the
// second value's lowest bit.
var baseLetter = [4]byte{'A', 'T', 'G', 'C'}

// gcThreshold turns the GC fraction into an integer bound: for an integer x
// below 2^53, float64(x) < gc*2^53 exactly when x < ceil(gc*2^53).
func gcThreshold(gc float64) uint64 {
	return uint64(math.Ceil(gc * (1 << 53)))
}

// baseIndex is the base two values give, as its index into baseLetter.
func baseIndex(first, second, threshold uint64) uint64 {
	low53 := first & (1<<53 - 1)
	isGC := (low53 - threshold) >> 63 // 1 when low53 < threshold; both <= 2^53
	return isGC<<1 | second&1
}

// codonWord is, for each codon of three base indices (the first in bits
// 4-5), its three letters in the low three bytes, to be stored in one 4-byte
// write, and in the top byte how many bases it adds: 3, or 0 for a stop
// codon (TAA, TAG, TGA), which is redrawn. A stop is then no branch either.
var codonWord = func() (t [64]uint32) {
	const a, tt, g = 0, 1, 2
	for c := range t {
		x, y, z := c>>4, c>>2&3, c&3
		w := uint32(baseLetter[x]) | uint32(baseLetter[y])<<8 | uint32(baseLetter[z])<<16 | 3<<24
		if x == tt && (y == a && (z == a || z == g) || y == g && z == a) {
			w &^= 0xff << 24
		}
		t[c] = w
	}
	return t
}()

// uniformBases fills seq with bases drawn one after the other.
func (s *stream) uniformBases(seq []byte, threshold uint64) {
	for len(seq) > 0 {
		if s.i >= batchLen {
			s.advance()
		}
		v := s.cur.vals[s.i:]
		n := min(len(seq), (batchLen-s.i+1)/2) // bases that start in this batch
		for j := range n {
			seq[j] = baseLetter[baseIndex(v[2*j], v[2*j+1], threshold)&3]
		}
		s.i += 2 * n
		seq = seq[n:]
	}
}

// orfBases fills seq[:length] with codons, each redrawn while it is a stop
// codon, and the last one or two bases drawn singly. It writes codons four
// bytes at a time, so seq holds one byte past length, which it leaves
// undefined.
//
// The loop keeps its position, the batch and the bound in registers: read
// through s, they were loaded again for every codon.
func (s *stream) orfBases(seq []byte, length int, threshold uint64) {
	out := seq[:length+1]
	p := 0
	for p+4 <= len(out) {
		if s.i >= batchLen {
			s.advance()
		}
		v, i := &s.cur.vals, s.i
		for ; i < batchLen && p+4 <= len(out); i += codonSpan {
			c := baseIndex(v[i], v[i+1], threshold)<<4 |
				baseIndex(v[i+2], v[i+3], threshold)<<2 |
				baseIndex(v[i+4], v[i+5], threshold)
			w := codonWord[c&63]
			binary.LittleEndian.PutUint32(out[p:p+4], w)
			p += int(w >> 24)
		}
		s.i = i
	}
	s.uniformBases(seq[p:length], threshold)
}
