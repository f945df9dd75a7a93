package fasta

import "math"

// A base is drawn from two values of the stream: the first decides G/C
// (probability GC) against A/T, as rand.Rand's Float64() < GC would (Float64
// is the low 53 bits over 2^53); the second picks one of the pair by its
// lowest bit, as IntN(2) would. Both are branch-free here: a mispredicted
// branch on a coin flip costs more than the rest of the base.

// baseIndex numbers A, T, G, C as 0..3: bit 1 is G/C, bit 0 the second draw.
var baseLetter = [4]byte{'A', 'T', 'G', 'C'}

// gcThreshold turns the GC fraction into an integer bound: for an integer x
// below 2^53, float64(x) < gc*2^53 exactly when x < ceil(gc*2^53).
func gcThreshold(gc float64) uint64 {
	return uint64(math.Ceil(gc * (1 << 53)))
}

// baseIndex is the base two values give, as its index into baseLetter.
func baseIndex(first, second, threshold uint64) uint64 {
	low53 := first & (1<<53 - 1)
	isGC := (low53 - threshold) >> 63 // 1 when low53 < threshold; both < 2^54
	return isGC<<1 | second&1
}

// stopCodon says which codons, numbered by three base indices (first base
// in the high bits), are stops: TAA, TAG and TGA.
var stopCodon = func() (t [64]bool) {
	const a, tt, g = 0, 1, 2
	t[tt<<4|a<<2|a] = true
	t[tt<<4|a<<2|g] = true
	t[tt<<4|g<<2|a] = true
	return t
}()

// uniformBases fills seq with bases drawn one after the other.
func uniformBases(d *draws, seq []byte, threshold uint64) {
	for len(seq) > 0 {
		v := d.next(2)
		k := min(len(seq), len(v)/2)
		v = v[:2*k]
		out := seq[:k]
		for j := range out {
			out[j] = baseLetter[baseIndex(v[2*j], v[2*j+1], threshold)&3]
		}
		d.i += 2 * k
		seq = seq[k:]
	}
}

// orfBases fills seq with codons, each redrawn while it is a stop codon, and
// the last one or two bases drawn singly.
func orfBases(d *draws, seq []byte, threshold uint64) {
	for len(seq) >= 3 {
		v := d.next(6)
		j := 0
		for ; j+6 <= len(v) && len(seq) >= 3; j += 6 {
			x := baseIndex(v[j], v[j+1], threshold) & 3
			y := baseIndex(v[j+2], v[j+3], threshold) & 3
			z := baseIndex(v[j+4], v[j+5], threshold) & 3
			if stopCodon[x<<4|y<<2|z] {
				continue
			}
			seq[0], seq[1], seq[2] = baseLetter[x], baseLetter[y], baseLetter[z]
			seq = seq[3:]
		}
		d.i += j
	}
	uniformBases(d, seq, threshold)
}
